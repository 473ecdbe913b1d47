"""ChatGPT Enterprise user engagement report: several hundred user-weeks, totals == ingest --json.

Follows the export of https://help.openai.com/en/articles/10875114-user-analytics-for-chatgpt-enterprise-and-edu
(weekly CSV, one row per user and week) with the header of tests/fixtures/chatgpt_enterprise_analytics/ (the
page lists no columns; see the source's docstring). The weeks are generated here; the expected totals are summed
from the generator's own numbers: messages are the requests, the first and last day active the active user-days.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from tests.connectors.doc_totals import ZERO, amounts, ingest_json
from tests.connectors.helpers import fixture_bytes

KEY = "chatgpt_enterprise_analytics"
MONDAY = date(2026, 1, 5)


def generate(seed: int = 18, users: int = 60, weeks: int = 8):
    rng = random.Random(seed)
    header = next(csv.reader(io.StringIO(fixture_bytes(KEY, "user_engagement_weekly.csv").decode())))
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\r\n")
    writer.writeheader()
    expected, skipped, keys, persons = dict(ZERO), 0, set(), set()
    for w in range(weeks):
        start = MONDAY + timedelta(weeks=w)
        for u in range(users):
            email = "" if u % 11 == 0 else f"user{u:02d}@example.com"  # some workspaces hide the email
            person = email or f"user-{u:04d}"
            row = {"cadence": "Weekly", "period_start": start, "period_end": start + timedelta(days=6)}
            row |= {"public_id": f"user-{u:04d}", "name": f"User {u}, Example", "email": email}
            row |= {"user_status": "enabled", "created_or_invited_date": "2025-10-01"}
            messages = 0 if rng.random() < 0.3 else rng.randint(1, 300)
            if messages:
                first = start + timedelta(days=rng.randint(0, 6))
                last = (
                    first
                    if messages == 1
                    else first + timedelta(days=rng.randint(0, (start + timedelta(6) - first).days))
                )
                row |= {"is_active": 1, "first_day_active_in_period": first, "last_day_active_in_period": last}
                row |= {"gpt_messages": rng.randint(0, messages), "tool_messages": rng.randint(0, messages)}
                row |= {"last_day_active": last, "model_to_messages": f"{{'gpt-5': {messages}}}"}
                expected["requests"] += messages
                expected["active_user_days"] += len({first, last})
                keys |= {(first, person), (last, person)}
                persons.add(person)
            else:
                row |= {"is_active": 0, "first_day_active_in_period": "", "last_day_active_in_period": ""}
                skipped += 1
            row["messages"] = messages if rng.random() < 0.9 or messages else ""  # a blank for no messages
            writer.writerow(row)
    return out.getvalue().encode(), expected, skipped, len(keys), len(persons)


def test_user_weeks_totals_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    data, expected, skipped, records, persons = generate()
    out = ingest_json(tmp_path, capsys, KEY, "chatgpt-user-engagement.csv", data)
    assert amounts(out) == expected
    assert (out["rows"], out["skipped"], out["records"], out["persons"]) == (
        480,
        {"no_activity": skipped},
        records,
        persons,
    )
    again = ingest_json(tmp_path, capsys, KEY, "chatgpt-user-engagement.csv", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]
