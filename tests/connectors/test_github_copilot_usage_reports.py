"""GitHub Copilot usage metrics reports (NDJSON / JSON behind the reports API's download links).

Follows GitHub's pages:
  https://docs.github.com/en/copilot/reference/copilot-usage-metrics/copilot-usage-metrics (the fields)
  https://docs.github.com/en/copilot/reference/copilot-usage-metrics/example-schema (user and entity records)
  https://docs.github.com/en/copilot/reference/copilot-usage-metrics/team-level-metrics (user-teams rows, the
  ``{"download_links": [...], "report_day": ...}`` answer)
  https://docs.github.com/en/rest/copilot/copilot-usage-metrics (the endpoints: users-1-day?day=, users-28-day/latest,
  organization-1-day?day=, organization-28-day/latest, user-teams-1-day?day=; the 28-day answer carries
  ``report_start_day`` / ``report_end_day`` instead of ``report_day``)
Checked against those pages on 2026-12-02: the record keys read here (day, user_login, user_initiated_interaction_count,
code_generation_activity_count, totals_by_feature[].feature = code_completion, totals_by_cli.request_count, used_*,
daily_active_users, day_totals[], team_id, slug) are the documented ones.
The files are built here; the expected totals are summed from the generator's own numbers, not from the parser.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from apps.footprint.models import UsageRecord
from tests.connectors.helpers import parse_bytes, refused, totals

KEY = "github_copilot_usage_reports"
DAY0 = date(2025, 10, 6)


def _count(rng: random.Random, value: int):
    """A count as GitHub writes it, or now and then as a digit string (a quirk the reader must take)."""
    return str(value) if rng.random() < 0.1 else value


def user_record(rng: random.Random, login: str, day: date, *, idle: bool = False) -> tuple[dict, int]:
    """One per-user day record in the documented shape, and the requests it holds (prompts + completions
    shown + CLI requests), computed from the numbers put in."""
    prompts = 0 if idle else rng.randint(0, 40)
    shown = 0 if idle else rng.randint(0, 60)
    chat_generations = 0 if idle else rng.randint(0, 20)
    cli = 0 if idle or rng.random() < 0.6 else rng.randint(1, 9)
    accepted = 0 if idle else rng.randint(0, shown)
    offset = rng.choice(["Z", "+02:00", "-05:00"])
    record = {
        "day": day.isoformat(),
        "enterprise_id": "1",
        "organization_id": "999",
        "user_id": 1000 + int(login.removeprefix("dev-")),
        "user_login": login,
        "user_initiated_interaction_count": _count(rng, prompts),
        "code_generation_activity_count": _count(rng, shown + chat_generations),
        "code_acceptance_activity_count": accepted,
        "loc_suggested_to_add_sum": shown * 3,
        "loc_suggested_to_delete_sum": 0,
        "loc_added_sum": None if rng.random() < 0.1 else accepted * 2,  # empty optional field
        "loc_deleted_sum": 0,
        "totals_by_feature": [
            {"feature": "code_completion", "code_generation_activity_count": _count(rng, shown)},
            {
                "feature": "chat_panel_agent_mode",
                "code_generation_activity_count": chat_generations,
                "user_initiated_interaction_count": prompts,
            },
        ],
        "totals_by_ide": [
            {
                "ide": "vscode",
                "last_known_ide_version": {"ide_version": "1.85.0", "sampled_at": f"{day}T09:00:02.000{offset}"},
                "last_known_plugin_version": {"plugin": "copilot, chat", "plugin_version": "", "sampled_at": None},
            }
        ],
        "totals_by_language_feature": [],
        "totals_by_language_model": [],
        "totals_by_model_feature": [],
        "used_agent": False,
        "used_chat": prompts > 0,
        "used_cli": cli > 0,
        "etl_id": "green",  # keys the reader does not know are ignored
        "day_partition": day.isoformat(),
        "entity_id_partition": 1,
    }
    if cli:
        record["totals_by_cli"] = {
            "request_count": cli,
            "session_count": 1,
            "last_known_cli_version": {"cli_version": "1.0.8", "sampled_at": f"{day}T00:01:43.000Z"},
        }
    elif rng.random() < 0.5:
        record["totals_by_cli"] = None
    return record, prompts + shown + cli


def users_report(seed: int = 7, users: int = 45, days: int = 8):
    """Per-user NDJSON for `days` days (some users idle some days), user-teams rows, and the expected totals."""
    rng = random.Random(seed)
    logins = [f"dev-{i:03d}" for i in range(users)]
    records, teams, expected = [], [], {"records": 0, "requests": 0, "active": set(), "team_rows": 0, "teams": set()}
    for d in range(days):
        day = DAY0 + timedelta(days=d)
        for login in logins:
            if rng.random() < 0.15:
                continue  # not in that day's report at all
            idle = rng.random() < 0.05
            record, requests = user_record(rng, login, day, idle=idle)
            records.append(record)
            slugs = rng.sample(["frontend", "backend", "data"], rng.choice([0, 1, 1, 2]))
            teams += [
                {"user_id": record["user_id"], "user_login": login, "day": str(day), "team_id": 40 + i, "slug": s}
                for i, s in enumerate(slugs)
            ]
            active = requests > 0 or record["code_acceptance_activity_count"] > 0
            if active:
                expected["records"] += 1
                expected["requests"] += requests
                expected["active"].add(login)
                expected["team_rows"] += len(slugs) == 1
                expected["teams"].update(slugs if len(slugs) == 1 else [])  # several teams: no team on the row
    return records, teams, expected


def ndjson(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def test_several_hundred_user_days_match_the_generator_and_ingest_json(org_a, tmp_path, capsys):
    records, teams, expected = users_report()
    assert len(records) > 250
    # Two download links written back to back: an NDJSON file (with a BOM) and a JSON array, then the user-teams
    # NDJSON; a blank line at the end.
    half = len(records) // 2
    data = (
        b"\xef\xbb\xbf" + ndjson(records[:half]) + json.dumps(records[half:]).encode() + b"\n" + ndjson(teams) + b"\n"
    )
    frame = parse_bytes(KEY, data, "users.ndjson")
    t = totals(frame)
    assert (len(frame), t["requests"], t["active_user_days"]) == (
        expected["records"],
        expected["requests"],
        expected["records"],
    )
    assert frame["person"].nunique() == len(expected["active"])
    assert int(frame["team"].ne("").sum()) == expected["team_rows"]
    assert set(frame["usage_kind"]) == {"seat_activity"} and set(frame["model"]) == {"copilot"}

    path = tmp_path / "copilot-users-1-day.ndjson"
    path.write_bytes(data)
    call_command("ingest", "--org", "org-a", "--source", KEY, str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "succeeded", out["errors"]
    assert out["rows"] == len(records) + len(teams)
    assert (out["records"], out["requests"], out["active_user_days"], out["persons"], out["teams"]) == (
        expected["records"],
        expected["requests"],
        expected["records"],
        len(expected["active"]),
        len(expected["teams"]),
    )
    assert UsageRecord.objects.count() == expected["records"]


def test_the_organisation_28_day_report_gives_daily_active_users():
    # organization_28_day: one record, its days nested in day_totals (example-schema page, entity level).
    rng = random.Random(3)
    day_totals, active, requests = [], 0, 0
    for d in range(28):
        users, prompts, shown, cli = rng.randint(5, 300), rng.randint(0, 900), rng.randint(0, 2000), rng.randint(0, 50)
        day_totals.append(
            {
                "day": str(DAY0 + timedelta(days=d)),
                "organization_id": "999",
                "daily_active_users": str(users) if d % 7 == 0 else users,
                "weekly_active_users": users + 3,
                "user_initiated_interaction_count": prompts,
                "code_generation_activity_count": shown + 17,
                "totals_by_feature": [{"feature": "code_completion", "code_generation_activity_count": shown}],
                "totals_by_cli": {"request_count": cli},
                "pull_requests": {"total_created": 2, "median_minutes_to_merge": 2.5},
            }
        )
        active, requests = active + users, requests + prompts + shown + cli
    report = {"day_totals": day_totals, "report_start_day": str(DAY0), "report_end_day": str(DAY0 + timedelta(27))}
    frame = parse_bytes(KEY, json.dumps([report]).encode(), "org-28.json")
    assert (len(frame), totals(frame)["active_user_days"], totals(frame)["requests"]) == (28, active, requests)
    assert set(frame["person"]) == {""}


@pytest.mark.parametrize("missing", ["user_initiated_interaction_count", "code_generation_activity_count", "day"])
def test_schema_drift_is_refused_naming_the_field_and_stores_nothing(org_a, tmp_path, capsys, missing):
    records, _, _ = users_report(users=10, days=2)
    records[5].pop(missing)
    path = tmp_path / "drift.ndjson"
    path.write_bytes(ndjson(records))
    with pytest.raises(SystemExit):
        call_command("ingest", "--org", "org-a", "--source", KEY, str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "failed" and out["records"] == 0
    assert (out["errors"][0]["row"], out["errors"][0]["column"]) == ("[5]", missing)
    assert f"the key '{missing}' is missing" in out["errors"][0]["message"]
    assert UsageRecord.objects.count() == 0


def test_the_download_links_answer_itself_is_refused_with_what_to_do():
    answer = {"download_links": ["https://example.com/copilot-report-1.ndjson"], "report_day": "2026-05-07"}
    err = refused(KEY, json.dumps(answer).encode(), "answer.json")
    assert err.column == "download_links" and "download the files at 'download_links'" in str(err)


def test_a_repeated_user_day_and_a_mix_of_totals_and_users_are_refused():
    records, _, _ = users_report(users=3, days=1)
    err = refused(KEY, ndjson([*records, records[0]]), "twice.ndjson")
    assert err.row == f"[{len(records)}]" and "already appears at [0]" in str(err)
    org_day = {
        "day": records[0]["day"],
        "daily_active_users": 3,
        "user_initiated_interaction_count": 1,
        "code_generation_activity_count": 1,
        "totals_by_feature": [],
    }
    err = refused(KEY, ndjson([records[0], org_day]), "mixed.ndjson")
    assert err.row == "[1]" and "would count twice" in str(err)


def test_a_record_of_the_closed_metrics_api_points_to_the_archive_source():
    old_day = {"date": "2025-01-10", "total_active_users": 3, "total_engaged_users": 2, "copilot_ide_chat": {}}
    err = refused(KEY, json.dumps([old_day]).encode(), "old.json")
    assert "github_copilot_metrics" in str(err)
