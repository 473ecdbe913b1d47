"""Cursor daily usage data: several hundred user-days over paginated answers, totals == ingest --json.

Follows https://cursor.com/docs/account/teams/admin-api ("Get Daily Usage Data": data[] per user per day with
date in epoch ms, day, userId, email, isActive with pagination, the ...Reqs counts, totalTabsShown, mostUsedModel
null on an inactive day; pagination {page, pageSize, totalUsers, totalPages, hasNextPage, hasPreviousPage}). The
answers are generated here, with counts now and then written as strings, optional fields left out and an extra
key; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from tests.connectors.doc_totals import ZERO, amounts, as_text, ingest_json

KEY = "cursor_daily_usage"
START = datetime(2026, 3, 2, tzinfo=UTC)
MODELS = ["claude-4-sonnet", "gpt-5", "gemini-2.5-pro", "composer-1", "auto"]


def generate(seed: int = 18, users: int = 30, days: int = 20, page_size: int = 7):
    """Answers paginated by user, as Cursor pages them (every member's days on the member's page)."""
    rng = random.Random(seed)
    expected, inactive, own_key, records = dict(ZERO), 0, 0, []
    for u in range(users):
        email = f"dev{u:02d}@example.com"
        for d in range(days):
            moment = START + timedelta(days=d)
            active = rng.random() < 0.7
            included, paid, by_key = (
                (rng.randint(0, 300), rng.randint(0, 20), rng.randint(0, 30)) if active else (0,) * 3
            )
            tabs = rng.randint(0, 500) if active else 0
            if active and rng.random() < 0.05:  # a day on the team's own API key only
                included = paid = tabs = 0
                by_key = rng.randint(1, 30)
            record = {
                "userId": 1000 + u,
                "day": f"{moment:%Y-%m-%d}",
                "date": int(moment.timestamp() * 1000),
                "isActive": active,
                "totalLinesAdded": rng.randint(0, 3000) if active else 0,
                "acceptedLinesAdded": rng.randint(0, 900) if active else 0,
                "totalTabsShown": as_text(rng, tabs),
                "composerRequests": rng.randint(0, 50) if active else 0,
                "chatRequests": rng.randint(0, 150) if active else 0,
                "agentRequests": rng.randint(0, 60) if active else 0,
                "subscriptionIncludedReqs": as_text(rng, included),
                "apiKeyReqs": by_key,
                "usageBasedReqs": paid,
                "mostUsedModel": rng.choice(MODELS) if active else None,
                "clientVersion": "1.6.26" if active else None,
                "email": email,
            }
            if rng.random() < 0.1:  # optional fields left out, an extra key Cursor may add
                record.pop("clientVersion")
                record["cursorScore"] = rng.randint(0, 100)
            records.append(record)
            if not active:
                inactive += 1
            elif included + paid + tabs == 0 and by_key:
                own_key += 1  # all of the day's requests ran on the team's own key: that key's report has them
            else:
                expected["requests"] += included + paid + tabs  # API-key requests are the key's own report's
                expected["active_user_days"] += 1
    answers = []
    member_pages = [range(p, min(p + page_size, users)) for p in range(0, users, page_size)]
    for n, members in enumerate(member_pages, start=1):
        data = [r for r in records if r["userId"] - 1000 in members]
        pagination = {"page": n, "pageSize": page_size, "totalUsers": users, "totalPages": len(member_pages)}
        pagination |= {"hasNextPage": n < len(member_pages), "hasPreviousPage": n > 1}
        period = {
            "startDate": int(START.timestamp() * 1000),
            "endDate": int((START + timedelta(days=days)).timestamp() * 1000),
        }
        answers.append({"data": data, "period": period, "pagination": pagination})
    return answers, expected, {"no_activity": inactive, "own_api_key": own_key}, len(records)


def test_daily_usage_pages_totals_exactly_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    answers, expected, skipped, read = generate()
    assert read == 600
    data = json.dumps(answers).encode()
    out = ingest_json(tmp_path, capsys, KEY, "cursor-daily.json", data)
    assert amounts(out) == expected
    assert (out["rows"], out["skipped"], out["records"]) == (read, skipped, read - sum(skipped.values()))
    assert all(skipped.values())  # the generator made days of both kinds
    again = ingest_json(tmp_path, capsys, KEY, "cursor-daily.json", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]
