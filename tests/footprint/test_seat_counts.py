"""Seat tools that count their users' prompts or messages feed the seat estimate with those counts: every row of a
counted user is on measured interactions (data quality activity_based), none also on the assumed interactions per
day (activity_assumed), so a period's activity is counted once.

Worked by hand from the default factor set's seat_tools table: 0.34 Wh per interaction (central) for Microsoft 365
Copilot, ChatGPT Enterprise and GitHub Copilot, and 10, 15 and 20 assumed interactions per active day."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from apps.footprint.calculator import DQ_ACTIVITY, DQ_ACTIVITY_ASSUMED, estimate
from apps.footprint.catalogue import default_factor_set
from tests.connectors.helpers import fixture_bytes, parse_bytes

M365_HEADER = [
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "Last Activity Date",
    "Microsoft Teams Copilot Last Activity Date",
    "Word Copilot Last Activity Date",
    "Report Period",
    "Prompts submitted for all apps",
    "Active Usage Days for all apps",
    "Copilot Chat (work) Last Activity Date",
]


def m365_v2(*users: tuple[str, int, int, str]) -> bytes:
    """A D28 v2 report to 2025-09-28: (user, active usage days, prompts, last activity date) per user."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(M365_HEADER)
    for upn, days, prompts, last in users:
        writer.writerow(["2025-09-28", upn, upn, last, last, "", "28", str(prompts), str(days), ""])
    return out.getvalue().encode()


def test_m365_v2_prompts_spread_over_the_active_days_count_once():
    # a: 4 active days, 30 prompts; b: 1 day, 7 prompts. All of it measured:
    #   (30 + 7) prompts x 0.34 Wh = 12.58 Wh = 0.01258 kWh.
    # Before the spread, a's 30 prompts sat on one day and its 3 other days took 10 assumed interactions each:
    #   (37 + 30) x 0.34 Wh = 22.78 Wh, the period's activity counted twice.
    frame = parse_bytes(
        "m365_copilot_usage", m365_v2(("a@x.com", 4, 30, "2025-09-27"), ("b@x.com", 1, 7, "2025-09-28"))
    )
    assert sorted(frame.loc[frame["person"] == "a@x.com", "requests"]) == [7, 7, 8, 8]
    r = estimate(frame, default_factor_set())
    assert r["energy_kwh"].sum() == pytest.approx(0.01258)
    assert set(r["data_quality"]) == {DQ_ACTIVITY}
    assert not r["warning"].str.contains("seat interactions assumed").any()


def test_m365_v2_fewer_prompts_than_days_leaves_those_days_assumed_and_says_so():
    # 3 active days, 2 prompts: two days measured (1 prompt each), one without a prompt on the assumption:
    #   2 x 0.34 Wh + 1 day x 10 x 0.34 Wh = 0.68 + 3.4 = 4.08 Wh.
    frame = parse_bytes("m365_copilot_usage", m365_v2(("c@x.com", 3, 2, "2025-09-28")))
    r = estimate(frame, default_factor_set())
    assert r["energy_kwh"].sum() == pytest.approx(0.00408)
    assert sorted(r["data_quality"]) == [DQ_ACTIVITY_ASSUMED, DQ_ACTIVITY, DQ_ACTIVITY]


def test_chatgpt_enterprise_messages_are_the_measured_interactions():
    # The fixture's week (tests/connectors/test_chatgpt_enterprise_analytics.py sums it by hand): 59 messages on six
    # user-days, and Eva's second day with none left (1 message, 2 days active) on ChatGPT Enterprise's assumed 15
    # interactions a day. (59 + 15) x 0.34 Wh = 25.16 Wh.
    name = "user_engagement_weekly.csv"
    frame = parse_bytes("chatgpt_enterprise_analytics", fixture_bytes("chatgpt_enterprise_analytics", name), name)
    r = estimate(frame, default_factor_set())
    assert r["energy_kwh"].sum() == pytest.approx(0.02516)
    assert Counter(r["data_quality"]) == {DQ_ACTIVITY: 6, DQ_ACTIVITY_ASSUMED: 1}
    assumed = r[r["data_quality"] == DQ_ACTIVITY_ASSUMED]
    assert (
        list(assumed["person"]) == ["eva.schmidt@example.com"]
        and "seat interactions assumed" in assumed["warning"].iloc[0]
    )


def test_copilot_usage_report_days_on_their_counts_and_a_day_without_any_on_the_assumption():
    # Two per-user days of the usage metrics reports (GitHub's example schema, reduced to the keys the source
    # needs): alice with 4 prompts + 2 completions shown + 2 CLI requests = 8 interactions; bob active (used chat)
    # but no counter above 0, on GitHub Copilot's assumed 20 interactions a day. (8 + 20) x 0.34 Wh = 9.52 Wh.
    def day(login, prompts, shown, cli, used_chat):
        return {
            "day": "2025-10-01",
            "user_login": login,
            "user_initiated_interaction_count": prompts,
            "code_generation_activity_count": shown,
            "totals_by_feature": [{"feature": "code_completion", "code_generation_activity_count": shown}],
            "totals_by_cli": {"request_count": cli},
            "used_chat": used_chat,
        }

    data = "\n".join(json.dumps(d) for d in (day("alice", 4, 2, 2, True), day("bob", 0, 0, 0, True))).encode()
    r = estimate(parse_bytes("github_copilot_usage_reports", data, "users.ndjson"), default_factor_set())
    assert r["energy_kwh"].sum() == pytest.approx(0.00952)
    assert dict(zip(r["person"], r["data_quality"], strict=True)) == {"alice": DQ_ACTIVITY, "bob": DQ_ACTIVITY_ASSUMED}
