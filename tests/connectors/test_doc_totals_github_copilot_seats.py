"""GitHub Copilot seat assignments: several hundred seats over pages of 100 back to back, seats, persons, teams
and records == ingest --json (and the cost app's seat table).

Follows GitHub's page:
  https://docs.github.com/en/rest/copilot/copilot-user-management#list-all-copilot-seat-assignments-for-an-organization
  (``{"total_seats", "seats": [...]}``; a seat's created_at, last_activity_at with offsets such as -06:00,
  last_activity_editor, plan_type, assignee (null when the account was deleted), assigning_team; per_page
  at most 100, so a large organisation is several pages)
The seats are generated here; the expected figures are counted from the generator's own seats.
"""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta, timezone

from apps.connectors.sources import github_copilot_seats
from tests.connectors.doc_totals import amounts, ingest_json

KEY = "github_copilot_seats"
START = datetime(2024, 3, 1, tzinfo=UTC)
TEAMS = [{"id": 1, "name": "Justice League", "slug": "justice-league"}, {"id": 2, "name": "Platform", "slug": None}]


def stamp(rng: random.Random, moment: datetime) -> str:
    """An ISO 8601 timestamp in one of the offsets GitHub's examples use (-06:00) or in UTC (Z)."""
    if rng.random() < 0.5:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(timezone(timedelta(hours=-6))).isoformat()


def generate(seed: int = 15, count: int = 420):
    """Seat objects in the documented shape and the expected seats, persons, teams and record keys."""
    rng = random.Random(seed)
    seats, persons, teams, keys = [], set(), set(), set()
    for i in range(count):
        created = START + timedelta(hours=rng.randrange(24 * 300))
        deleted = rng.random() < 0.03  # the account is gone; the seat is still billed
        login = None if deleted else f"octocat-{i:04d}"
        team = rng.choice([None, None, *TEAMS])
        seats.append(
            {
                "created_at": stamp(rng, created),
                "updated_at": stamp(rng, created + timedelta(days=3)),
                "pending_cancellation_date": rng.choice([None, None, "2026-12-31"]),
                "last_activity_at": None if rng.random() < 0.2 else stamp(rng, created + timedelta(days=30)),
                "last_activity_editor": rng.choice(["vscode/1.77.3/copilot/1.86.82", None]),
                "plan_type": rng.choice(["business", "enterprise"]),
                "assignee": None if deleted else {"login": login, "id": 1000 + i, "type": "User", "site_admin": False},
                "assigning_team": None if team is None else {**team, "privacy": "closed", "permission": "admin"},
            }
        )
        team_name = "" if team is None else team["slug"] or team["name"]
        persons.update([login] if login else [])
        teams.update([team_name] if team_name else [])
        keys.add((created.date(), login or "", team_name))  # the record's day is created_at's UTC day
    return seats, persons, teams, keys


def test_paginated_seats_give_persons_teams_and_records_in_ingest_json(org_a, tmp_path, capsys):
    seats, persons, teams, keys = generate()
    pages = [{"total_seats": len(seats), "seats": seats[i : i + 100]} for i in range(0, len(seats), 100)]
    data = b"\xef\xbb\xbf" + "".join(json.dumps(p) for p in pages).encode()  # --paginate: no separator at all
    table = github_copilot_seats.parse_seats(io.BytesIO(data), "seats.json")
    assert len(table) == len(seats)  # every billed seat, the deleted accounts' too
    assert int((table["person"] == "").sum()) == sum(s["assignee"] is None for s in seats)
    assert int((table["plan_type"] == "business").sum()) == sum(s["plan_type"] == "business" for s in seats)

    out = ingest_json(tmp_path, capsys, KEY, "seats.json", data)
    # A seat says who could use Copilot, not on which days: no activity, no requests.
    assert amounts(out) == {
        "requests": 0,
        "input_tokens": 0,
        "cached_input_tokens": 0,
        "output_tokens": 0,
        "active_user_days": 0,
    }
    assert (out["rows"], out["records"]) == (len(seats), len(keys))
    assert (out["persons"], out["teams"]) == (len(persons), len(teams))
