"""GitHub Copilot seat assignments (``GET /orgs/{org}/copilot/billing/seats``), JSON.

Accepted shapes: one page ``{"total_seats": N, "seats": [...]}``, a list of pages, pages one after
another (``gh api --paginate``), or a bare list of seat objects.

Seats are licences, not daily activity, so two outputs:

* :func:`parse_seats` – one row per seat for the cost app: person (``assignee.login``), team
  (``assigning_team.slug``, else its name), plan_type, created_at, last_activity_at,
  last_activity_editor, pending_cancellation_date (UTC timestamps, NaT when absent).
  GitHub lists every seat the organisation is billed for, and a seat's ``assignee`` may be null (the
  account was deleted): such a seat is kept, still a billed, assigned seat, with person '' (no one).
* :func:`parse` – the usage frame: one ``seat_activity`` row per seat with ``active_user_days = 0``
  (the seat list says who *could* use Copilot, not on which days they did; activity comes from the
  metrics source, and counting it here too would double it). The row's day is the seat's
  ``created_at`` day, which does not move between pulls, so a re-pull replaces rather than adds.
  provider ``github``, model ``copilot``, person and team as above.
"""

from __future__ import annotations

from typing import Any, BinaryIO, ClassVar

import pandas as pd

from apps.connectors.sources.bounds import EARLIEST_DAY, day_out_of_range
from apps.connectors.sources.dates import ISO_DATE
from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import JsonRow, Section, Text, validate
from apps.connectors.sources.json_reader import load_json
from apps.connectors.sources.skips import counted
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_SEAT_ACTIVITY

KEY = "github_copilot_seats"
LABEL = "GitHub Copilot seat assignments"
SIGNATURE = ("total_seats", "seats", "assignee", "last_activity_at", "last_activity_editor", "plan_type")
PROVIDER = "github"
MODEL = "copilot"
LAST_YEAR = 2200  # timestamps are held in nanoseconds, which end in 2262
SEAT_COLUMNS = (
    "person",
    "team",
    "plan_type",
    "created_at",
    "last_activity_at",
    "last_activity_editor",
    "pending_cancellation_date",
)


class Assignee(JsonRow):
    """The person (or team, for a team-assigned seat) a seat is assigned to."""

    WHAT: ClassVar[str] = Message("an assignee object")

    login: Text = ""
    name: Text = ""
    slug: Text = ""


class Seat(JsonRow):
    """One seat of the seats list; its timestamps are read apart (:func:`_stamp`)."""

    WHAT: ClassVar[str] = Message("a seat object")

    assignee: Section[Assignee] = Assignee()
    assigning_team: Any = None
    plan_type: Text = ""
    last_activity_editor: Text = ""

    @property
    def team(self) -> str:
        """The assigning team's slug, else its name; '' when the seat was not assigned through a team."""
        team = self.assigning_team
        if not isinstance(team, dict):
            return ""
        return next((str(team[k]) for k in ("slug", "name") if team.get(k) is not None and str(team[k])), "")


def _seats(stream: BinaryIO, filename: str) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []
    for top_path, value in load_json(stream, filename, KEY):
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            path = f"{top_path}[{i}]" if isinstance(value, list) else top_path
            if isinstance(item, dict) and "seats" in item:
                seats = item["seats"]
                if not isinstance(seats, list):
                    raise SourceError(filename, path, "seats", Message("expected a list of seat objects"))
                out += [(f"{path}.seats[{j}]" if path else f"seats[{j}]", s) for j, s in enumerate(seats)]
            elif isinstance(item, dict) and "assignee" in item:
                out.append((path, item))  # a bare list of seats
            else:
                raise SourceError(
                    filename,
                    path,
                    "seats",
                    Message(
                        "expected a Copilot seats page, an object with a 'seats' list{hint}",
                        hint=wrong_source_hint(json_fields(item), KEY),
                    ),
                )
    return out


def _stamp(seat: dict, key: str, filename: str, path: str, required: bool = False) -> pd.Timestamp:
    """A UTC timestamp; `required` ones are the seat's usage day, so they must also be a plausible day."""
    value = seat.get(key)
    if value in (None, ""):
        if required:
            raise SourceError(filename, path, key, Message("expected an ISO 8601 timestamp, the key is missing"))
        return pd.NaT
    try:
        if not ISO_DATE.match(str(value)):
            raise ValueError
        stamp = pd.Timestamp(str(value))
    except ValueError:
        raise SourceError(
            filename,
            path,
            key,
            Message("expected an ISO 8601 timestamp like 2025-01-31T10:00:00Z, got {value}", value=repr(value)),
        ) from None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if required:
        out_of_range = day_out_of_range(stamp.date(), value)
        if out_of_range:
            raise SourceError(filename, path, key, out_of_range)
    elif not EARLIEST_DAY.year <= stamp.year < LAST_YEAR:  # a cancellation may be ahead, but not centuries
        raise SourceError(
            filename,
            path,
            key,
            Message(
                "expected an ISO 8601 timestamp between {first} and {last}, got {value}",
                first=EARLIEST_DAY.year,
                last=LAST_YEAR - 1,
                value=repr(value),
            ),
        )
    return stamp


def _login(seat: Seat, value: dict, filename: str, path: str) -> str:
    """The assignee's login; '' for a seat whose assignee is null (GitHub's schema allows it: the account was
    deleted while the seat is still billed). A missing key, or an assignee object without a login, is refused."""
    if "assignee" not in value:
        raise SourceError(filename, path, "assignee", Message("expected the seat's assignee (an object or null)"))
    if value["assignee"] is None:
        return ""
    login = seat.assignee.login or seat.assignee.name or seat.assignee.slug
    if not login:
        raise SourceError(filename, f"{path}.assignee", "login", Message("expected the assignee's login"))
    return login


def parse_seats(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """One row per seat with last-activity data (columns SEAT_COLUMNS, timestamps UTC-naive)."""
    rows: list[dict[str, Any]] = []
    for path, value in _seats(stream, filename):
        seat = validate(Seat, value, filename, path)
        login = _login(seat, value, filename, path)
        rows.append(
            {
                "person": login,
                "team": seat.team,
                "plan_type": seat.plan_type,
                "created_at": _stamp(value, "created_at", filename, path, required=True),
                "last_activity_at": _stamp(value, "last_activity_at", filename, path),
                "last_activity_editor": seat.last_activity_editor,
                "pending_cancellation_date": _stamp(value, "pending_cancellation_date", filename, path),
            }
        )
    frame = pd.DataFrame(rows, columns=list(SEAT_COLUMNS))
    for col in ("created_at", "last_activity_at", "pending_cancellation_date"):
        frame[col] = pd.to_datetime(frame[col], utc=True).dt.tz_localize(None).astype("datetime64[ns]")
    return frame


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """One seat_activity row per seat, active_user_days 0, on the seat's created_at day."""
    seats = parse_seats(stream, filename)
    frame = pd.DataFrame(
        {
            "day": seats["created_at"],
            "provider": PROVIDER,
            "model": MODEL,
            "usage_kind": USAGE_KIND_SEAT_ACTIVITY,
            "active_user_days": 0,
            "person": seats["person"],
            "team": seats["team"],
        }
    )
    return finish(frame, KEY, attrs=counted(len(seats)))
