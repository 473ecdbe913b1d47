"""Cursor Admin API daily usage data (source ``cursor_daily_usage``).

Follows Cursor's "Admin API" page, "Get Daily Usage Data" (https://cursor.com/docs/account/teams/admin-api):
POST /teams/daily-usage-data answers {data: [...], period, pagination?}, one record per user per day with date
(epoch ms), day (ISO), userId, email, isActive (with pagination), subscriptionIncludedReqs / usageBasedReqs /
apiKeyReqs ("count raw usage events"), totalTabsShown, the per-feature counts and mostUsedModel. The fixture holds
the page's example records (the active and the inactive member, and the second day of the earlier example), then
counts written as strings, an extra key, and the unpaginated shape (no isActive, no day).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from apps.footprint.calculator import DQ_ACTIVITY, DQ_ACTIVITY_ASSUMED, estimate
from apps.footprint.catalogue import default_factor_set
from apps.footprint.usage_frame import USAGE_KIND_SEAT_ACTIVITY
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "cursor_daily_usage"
NAME = "daily_usage_pages.json"


def pages() -> list[dict]:
    return json.loads(fixture_bytes(KEY, NAME))


def test_fixture_requests_per_user_day_and_the_inactive_member_counted_out():
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME))
    got = totals(frame)
    # By hand: included + usage-based usage events + Tab completions shown; the API-key requests (15) are not added.
    developer_18, developer_19 = 180 + 5 + 342, 320 + 0 + 456
    admin_18, admin_19 = 60 + 2 + 97, 0  # admin's 19th: accepted lines only, no request counted
    assert got["requests"] == developer_18 + developer_19 + admin_18 + admin_19 == 1462
    assert got["active_user_days"] == 4
    assert got["input_tokens"] == got["output_tokens"] == 0
    assert frame.attrs["rows_read"] == 5 and frame.attrs["skipped"] == {"no_activity": 1}
    assert set(frame["usage_kind"]) == {USAGE_KIND_SEAT_ACTIVITY}
    assert set(frame["provider"]) == set(frame["model"]) == {"cursor"}
    by_key = {(f"{d:%Y-%m-%d}", p): r for d, p, r in frame[["day", "person", "requests"]].itertuples(index=False)}
    assert by_key == {
        ("2024-03-18", "developer@company.com"): developer_18,
        ("2024-03-19", "developer@company.com"): developer_19,
        ("2024-03-18", "admin@company.com"): admin_18,
        ("2024-03-19", "admin@company.com"): admin_19,
    }


def test_the_day_falls_back_to_the_utc_day_of_date_and_the_person_to_the_user_id():
    values = pages()
    record = values[0]["data"][0]
    del record["day"], record["email"]
    record["date"] = str(1710720000000 + 23 * 3_600_000)  # 23:00 UTC the same day, as a digit string
    frame = parse_bytes(KEY, json.dumps(values).encode())
    row = frame[frame["person"] == "12345"].iloc[0]
    assert f"{row['day']:%Y-%m-%d}" == "2024-03-18" and row["requests"] == 180 + 5 + 342


def test_a_day_whose_requests_all_ran_on_the_teams_own_key_is_counted_out():
    values = pages()
    values[1]["data"][1].update(apiKeyReqs=40, acceptedLinesAdded=0, totalLinesAdded=0)  # admin's 19th
    frame = parse_bytes(KEY, json.dumps(values).encode())
    assert frame.attrs["skipped"] == {"no_activity": 1, "own_api_key": 1}
    assert totals(frame)["active_user_days"] == 3 and totals(frame)["requests"] == 1462


def test_a_record_without_a_day_is_refused_naming_date():
    values = pages()
    del values[1]["data"][1]["date"]
    error = refused(KEY, json.dumps(values).encode(), "daily.json")
    assert (error.row, error.column) == ("[1].data[1]", "date")
    assert "expected epoch milliseconds" in error.message and "the key is missing" in error.message


def test_a_record_without_email_or_user_id_is_refused():
    values = pages()
    values[0]["data"][0].update(email=None, userId=None)
    error = refused(KEY, json.dumps(values).encode(), "daily.json")
    assert (error.row, error.column) == ("[0].data[0]", "email")


def test_a_count_that_is_not_a_whole_number_is_refused_naming_it():
    values = pages()
    values[1]["data"][0]["usageBasedReqs"] = "2.5"
    error = refused(KEY, json.dumps(values).encode(), "daily.json")
    assert (error.row, error.column) == ("[1].data[0]", "usageBasedReqs")
    assert "expected a whole number >= 0" in error.message


def test_a_count_the_figures_use_that_is_missing_is_refused_never_read_as_zero():
    values = pages()
    del values[0]["data"][2]["totalTabsShown"]
    error = refused(KEY, json.dumps(values).encode(), "daily.json")
    assert (error.row, error.column) == ("[0].data[2]", "totalTabsShown") and "the key is missing" in error.message
    values = pages()
    values[1]["data"][1]["subscriptionIncludedReqs"] = None
    error = refused(KEY, json.dumps(values).encode(), "daily.json")
    assert (error.row, error.column) == ("[1].data[1]", "subscriptionIncludedReqs")


def test_is_active_that_is_not_a_boolean_is_refused():
    values = pages()
    values[0]["data"][1]["isActive"] = "sometimes"
    error = refused(KEY, json.dumps(values).encode(), "daily.json")
    assert (error.row, error.column) == ("[0].data[1]", "isActive")
    assert "expected true or false" in error.message


def test_a_user_day_repeated_by_overlapping_pages_is_refused():
    values = pages()
    values[1]["data"].append(dict(values[0]["data"][0]))
    error = refused(KEY, json.dumps(values).encode(), "daily.json")
    assert error.row == "[1].data[2]" and "already appears at [0].data[0]" in error.message


def test_an_answer_without_records_is_refused():
    error = refused(KEY, json.dumps({"data": [], "period": {"startDate": 1, "endDate": 2}}).encode(), "daily.json")
    assert "no daily usage records" in error.message


def test_the_usage_events_file_is_refused_with_a_hint():
    error = refused(KEY, fixture_bytes("cursor_admin", "usage_events_pages.json"), "events.json")
    assert "cursor_admin" in error.message


def test_the_counts_are_the_measured_interactions_of_the_seat_estimate():
    # The default set's seat_tools row `cursor` (an assumption: github_copilot's figures): 0.34 Wh per interaction
    # (central) and 20 assumed interactions per active day. The three counted days are measured (1462 requests);
    # admin's 19th, active with no request counted, takes the assumption and is flagged:
    #   (1462 + 20) x 0.34 Wh = 503.88 Wh = 0.50388 kWh.
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME))
    r = estimate(frame, default_factor_set())
    assert r["energy_kwh"].sum() == pytest.approx(0.50388)
    assert Counter(r["data_quality"]) == {DQ_ACTIVITY: 3, DQ_ACTIVITY_ASSUMED: 1}
    assert list(r.loc[r["data_quality"] == DQ_ACTIVITY_ASSUMED, "person"]) == ["admin@company.com"]
