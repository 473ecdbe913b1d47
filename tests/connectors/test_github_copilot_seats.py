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


# Follows GitHub's "List all Copilot seat assignments for an organization"
# (https://docs.github.com/en/rest/copilot/copilot-user-management?apiVersion=2022-11-28): the endpoint lists every
# seat the organisation is currently billed for, and the seat's `assignee` is a nullable simple-user object; GitHub
# answers null for an account deleted while its seat is still billed. Such a seat is a billed, assigned seat of no one.
def _deleted_account_pages(n_pages: int = 3, per_page: int = 100) -> tuple[bytes, int, int]:
    """`gh api --paginate` output: pages back to back; every 7th seat's assignee is null (deleted account)."""
    pages, deleted = [], 0
    for p in range(n_pages):
        seats = []
        for i in range(per_page):
            n = p * per_page + i
            seat = {
                "created_at": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T12:00:00+02:00",
                "updated_at": "2024-09-23T15:00:00-06:00",
                "pending_cancellation_date": None,
                "last_activity_at": "2025-01-10T00:53:32Z" if n % 2 else None,
                "last_activity_editor": "vscode/1.96.2/copilot/1.254.0" if n % 2 else None,
                "plan_type": "business",
                "assignee": {"login": f"user{n}", "id": n + 1, "type": "User", "site_admin": False},
                "assigning_team": None if n % 3 else {"id": 1, "name": "Justice League", "slug": "justice-league"},
            }
            if n % 7 == 0:
                seat["assignee"] = None
                deleted += 1
            seats.append(seat)
        pages.append(json.dumps({"total_seats": n_pages * per_page, "seats": seats}))
    return "\n".join(pages).encode(), n_pages * per_page, deleted


def test_seat_of_a_deleted_account_is_read_as_a_seat_of_no_one():
    data, total, deleted = _deleted_account_pages()
    # seats 0, 7, 14, ..., 294 have no assignee: 294 / 7 + 1 = 43 of the 3 x 100 = 300
    assert (total, deleted) == (300, 43)
    seats = github_copilot_seats.parse_seats(io.BytesIO(data), "seats.json")
    assert len(seats) == 300  # every billed seat counts, the deleted account's too
    assert (seats["person"] == "").sum() == 43
    assert seats["person"].nunique() == 300 - 43 + 1  # 257 logins and the blank
    # seat 21 (a multiple of 7 and of 3): no person, still the team that assigned it and its created_at day
    seat21 = seats.iloc[21]
    assert (seat21["person"], seat21["team"], str(seat21["created_at"])) == (
        "",
        "justice-league",
        "2024-10-22 10:00:00",
    )
    frame = parse_bytes(KEY, data, "seats.json")
    assert frame.attrs["rows_read"] == 300
    assert frame.attrs["rows_skipped"] == 0
    assert totals(frame)["active_user_days"] == 0
    assert set(frame.loc[frame["person"] == "", "team"]) == {"", "justice-league"}


def test_seat_without_an_assignee_key_is_refused():
    page = json.loads(fixture_bytes(KEY, FIXTURE))
    del page["seats"][1]["assignee"]
    err = refused(KEY, json.dumps(page).encode(), "seats.json")
    assert str(err).startswith("seats.json, at seats[1].assignee: expected the seat's assignee")
