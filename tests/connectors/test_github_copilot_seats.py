"""GitHub Copilot seats: one seat_activity row per seat, and the seat table for the cost app."""

import io
import json

from apps.connectors.sources import github_copilot_seats
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "github_copilot_seats"
FIXTURE = "seats_page.json"


def test_one_row_per_seat_without_activity_days():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    assert len(frame) == 3  # total_seats
    assert totals(frame)["active_user_days"] == 0
    assert set(frame["usage_kind"]) == {"seat_activity"}
    assert dict(zip(frame["person"], frame["team"], strict=True)) == {
        "octocat": "justice-league",
        "hubot": "",
        "monalisa": "platform",
    }
    # 2024-08-03T18:00-06:00 is 2024-08-04 in UTC
    assert frame.set_index("person").loc["octocat", "day"].strftime("%Y-%m-%d") == "2024-08-04"


def test_seat_table_carries_last_activity():
    seats = github_copilot_seats.parse_seats(io.BytesIO(fixture_bytes(KEY, FIXTURE)), FIXTURE)
    assert list(seats.columns) == list(github_copilot_seats.SEAT_COLUMNS)
    by = seats.set_index("person")
    assert str(by.loc["octocat", "last_activity_at"]) == "2025-01-10 06:53:32"
    assert by["last_activity_at"].isna().to_dict()["hubot"]  # never used: an idle seat
    assert by.loc["monalisa", "plan_type"] == "enterprise"
    assert str(by.loc["monalisa", "pending_cancellation_date"].date()) == "2025-02-01"


def test_pages_one_after_another():
    page = fixture_bytes(KEY, FIXTURE).decode()
    frame = parse_bytes(KEY, (page + "\n" + page).encode())
    assert len(frame) == 3  # the same seats twice sum into the same keys
    assert frame.attrs["rows_read"] == 6


def test_bad_timestamp_names_the_path():
    page = json.loads(fixture_bytes(KEY, FIXTURE))
    page["seats"][2]["last_activity_at"] = "last tuesday"
    err = refused(KEY, json.dumps(page).encode(), "seats.json")
    assert str(err).startswith("seats.json, at seats[2].last_activity_at: expected an ISO 8601 timestamp")


def test_metrics_given_to_seats_is_named():
    err = refused(KEY, fixture_bytes("github_copilot_metrics", "metrics.json"), "m.json")
    assert "'github_copilot_metrics'" in str(err)
