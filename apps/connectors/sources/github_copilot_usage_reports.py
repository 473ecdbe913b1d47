"""GitHub Copilot usage metrics reports: the files behind the ``download_links`` of
``GET /orgs/{org}/copilot/metrics/reports/{users-1-day?day=|users-28-day/latest|organization-1-day?day=|
organization-28-day/latest|user-teams-1-day?day=}`` (and the enterprise variants), NDJSON (one JSON object a
line) or JSON (an array, or several written back to back). They replace ``GET /orgs/{org}/copilot/metrics``,
closed down on 2026-04-02; archives of that one are read by ``github_copilot_metrics``.

Records, told apart by their keys (GitHub's field reference and example schema,
https://docs.github.com/en/copilot/reference/copilot-usage-metrics/copilot-usage-metrics and .../example-schema):

* per-user day (``users_1_day``, ``organization_users_1_day`` and the 28-day ones): ``day``, ``user_login``,
  ``user_initiated_interaction_count``, ``code_generation_activity_count``, ``totals_by_feature[]``
  (``feature``, ``code_generation_activity_count``), ``totals_by_cli.request_count``, ``used_*`` flags;
* organisation or enterprise day (``organization_1_day``; the 28-day report nests them in ``day_totals[]``):
  ``day``, ``daily_active_users`` and the same counters;
* user-teams (``organization_user_teams_1_day``): ``day``, ``user_login``, ``team_id``, ``slug``.

Usage frame rows (``seat_activity``, provider ``github``, model ``copilot``; the reports split models for chat
only, so there is one model):

* requests: prompts sent (``user_initiated_interaction_count``) + code completions shown (the
  ``code_generation_activity_count`` of the ``code_completion`` feature) + CLI requests
  (``totals_by_cli.request_count``, which GitHub keeps out of the IDE counters);
* per-user: one row per user and day, person = ``user_login``, ``active_user_days`` 1 when the day shows any
  activity (a record without any is skipped, reason "no activity"); team = the user's team that day when the
  file also holds the user-teams rows and the user is in exactly one team (in several, the row has no team: a
  team per row would count the person once per team);
* organisation day: ``active_user_days`` = ``daily_active_users`` (IDE users; CLI-only users are not in it).

A file may not mix organisation days with per-user records (the same usage twice), nor repeat a user's day or an
organisation's day. A key the figures need that is missing is refused, named; extra keys are ignored.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, BinaryIO, ClassVar

import pandas as pd

from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import Count, Items, JsonRow, Section, Text, validate
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.json_values import json_day
from apps.connectors.sources.skips import SkipReason, counted
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_SEAT_ACTIVITY

KEY = "github_copilot_usage_reports"
LABEL = "GitHub Copilot usage metrics reports"
SIGNATURE = (
    "day",
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
    "loc_suggested_to_add_sum",
    "totals_by_ide",
    "totals_by_feature",
)
PROVIDER = "github"
MODEL = "copilot"
COMPLETION_FEATURE = "code_completion"
NEEDED = ("day", "user_initiated_interaction_count", "code_generation_activity_count", "totals_by_feature")
USER_NEEDED = ("user_login", *NEEDED)
ENTITY_NEEDED = ("daily_active_users", *NEEDED)
USED_FLAGS = ("used_agent", "used_chat", "used_cli", "used_copilot_code_review_active")
NO_ACTIVITY = SkipReason.NO_ACTIVITY
MEMBERSHIP = SkipReason.TEAM_MEMBERSHIP


class Feature(JsonRow):
    feature: Text = ""
    code_generation_activity_count: Count = 0


class Cli(JsonRow):
    request_count: Count = 0


class Activity(JsonRow):
    """The counters of a per-user or an organisation day (their presence is checked before, by name)."""

    WHAT: ClassVar[str] = Message("a Copilot usage metrics record")

    user_initiated_interaction_count: Count = 0
    code_generation_activity_count: Count = 0
    code_acceptance_activity_count: Count = 0
    loc_added_sum: Count = 0
    loc_deleted_sum: Count = 0
    totals_by_feature: Items[Feature] = []
    totals_by_cli: Section[Cli] = Cli()
    daily_active_users: Count = 0

    @property
    def requests(self) -> int:
        """Prompts + completions shown + CLI requests (see the module docstring)."""
        shown = sum(f.code_generation_activity_count for f in self.totals_by_feature if f.feature == COMPLETION_FEATURE)
        return self.user_initiated_interaction_count + shown + self.totals_by_cli.request_count


def _require(record: dict, keys: tuple[str, ...], what: str, filename: str, path: str) -> None:
    """Refuse a record without a key its figures need, naming the key (never read as zero)."""
    for key in keys:
        if key not in record:
            raise SourceError(
                filename,
                path,
                key,
                Message(
                    "the key '{key}' is missing; {what} needs it (has the report's format changed?)", key=key, what=what
                ),
            )


class _Reader:
    """The records of one file, in turn; the frame once all are read (team rows may come after the users)."""

    def __init__(self, filename: str):
        self.filename = filename
        self.read = 0
        self.skipped: dict[str, int] = defaultdict(int)
        self.users: list[dict] = []
        self.entity_rows: list[dict] = []
        self.teams: dict[tuple[pd.Timestamp, str], set[str]] = defaultdict(set)
        self.seen: dict[tuple, str] = {}
        self.first_kind: tuple[str, str] | None = None  # ("user" or "entity", its path)

    def add(self, record: Any, path: str) -> None:
        """Read one top-level value: a record, or an array of them."""
        if isinstance(record, list):
            for i, item in enumerate(record):
                self.add(item, f"{path}[{i}]")
            return
        if not isinstance(record, dict):
            raise SourceError(
                self.filename, path, None, Message("expected a Copilot usage metrics record (a JSON object)")
            )
        if "download_links" in record:
            raise SourceError(
                self.filename,
                path,
                "download_links",
                Message(
                    "this is GitHub's answer that links to the report, not the report: download the files at "
                    "'download_links' (within their expiry) and upload those"
                ),
            )
        if "day_totals" in record:
            self._day_totals(record, path)
        elif "team_id" in record:
            self._membership(record, path)
        elif "user_login" in record or "user_id" in record:
            self._user(record, path)
        elif "daily_active_users" in record:
            self._entity(record, path)
        else:
            raise SourceError(
                self.filename,
                path,
                None,
                Message(
                    "expected a Copilot usage metrics record: a user's day ('user_login', 'day', ...), an "
                    "organisation's day ('daily_active_users', 'day', ...) or a user-teams row ('team_id', 'slug')"
                    "{hint}",
                    hint=wrong_source_hint(json_fields(record), KEY),
                ),
            )

    def _kind(self, kind: str, path: str) -> None:
        if self.first_kind is None:
            self.first_kind = (kind, path)
        elif self.first_kind[0] != kind:
            raise SourceError(
                self.filename,
                path,
                None,
                Message(
                    "the file mixes organisation totals and per-user records (the first at {first}); "
                    "both hold the same usage, which would count twice: load the per-user report or the "
                    "organisation report, not both",
                    first=self.first_kind[1],
                ),
            )

    def _once(self, key: tuple, path: str, what: str) -> None:
        if key in self.seen:
            raise SourceError(
                self.filename,
                path,
                "day",
                Message(
                    "{what} already appears at {where}; the file repeats a report (overlapping "
                    "downloads?): keep one and upload again",
                    what=what,
                    where=self.seen[key],
                ),
            )
        self.seen[key] = path

    def _user(self, record: dict, path: str) -> None:
        self.read += 1
        _require(record, USER_NEEDED, Message("a per-user record"), self.filename, path)
        day = json_day(record["day"], self.filename, path, "day")
        login = str(record["user_login"] or "").strip()
        if not login:
            raise SourceError(self.filename, path, "user_login", Message("expected the user's login, got a blank"))
        self._kind("user", path)
        what = Message("the day {day} of user '{login}'", day=f"{day:%Y-%m-%d}", login=login)
        self._once(("user", day, login), path, what)
        activity = validate(Activity, record, self.filename, path)
        active = (
            activity.requests > 0
            or activity.code_acceptance_activity_count > 0
            or activity.loc_added_sum + activity.loc_deleted_sum > 0
            or any(record.get(flag) is True for flag in USED_FLAGS)
        )
        if not active:
            self.skipped[NO_ACTIVITY] += 1
            return
        self.users.append({"day": day, "person": login, "requests": activity.requests, "active_user_days": 1})

    def _entity(self, record: dict, path: str, owner: dict | None = None) -> None:
        self.read += 1
        _require(record, ENTITY_NEEDED, Message("an organisation day"), self.filename, path)
        day = json_day(record["day"], self.filename, path, "day")
        self._kind("entity", path)
        owner = owner or record
        entity = str(record.get("organization_id") or owner.get("organization_id") or "")
        entity += "/" + str(record.get("enterprise_id") or owner.get("enterprise_id") or "")
        self._once(("entity", day, entity), path, Message("the organisation day {day}", day=f"{day:%Y-%m-%d}"))
        activity = validate(Activity, record, self.filename, path)
        self.entity_rows.append(
            {"day": day, "requests": activity.requests, "active_user_days": activity.daily_active_users}
        )

    def _day_totals(self, record: dict, path: str) -> None:
        days = record["day_totals"]
        if not isinstance(days, list):
            raise SourceError(self.filename, f"{path}.day_totals", None, Message("expected a list of days"))
        for i, day in enumerate(days):
            where = f"{path}.day_totals[{i}]"
            if not isinstance(day, dict):
                raise SourceError(self.filename, where, None, Message("expected an organisation day (a JSON object)"))
            self._entity(day, where, owner=record)

    def _membership(self, record: dict, path: str) -> None:
        self.read += 1
        _require(record, ("day", "user_login", "slug"), Message("a user-teams row"), self.filename, path)
        day = json_day(record["day"], self.filename, path, "day")
        login, slug = str(record["user_login"] or "").strip(), str(record["slug"] or "").strip()
        if not login or not slug:
            column = "slug" if login else "user_login"
            blank = (
                Message("expected the slug, got a blank") if login else Message("expected the user login, got a blank")
            )
            raise SourceError(self.filename, path, column, blank)
        self.teams[(day, login)].add(slug)
        self.skipped[MEMBERSHIP] += 1

    def frame(self) -> pd.DataFrame:
        """The usage frame; attrs count the records read and skipped (by reason)."""
        several = 0
        for row in self.users:
            slugs = self.teams.get((row["day"], row["person"]), set())
            row["team"] = next(iter(slugs)) if len(slugs) == 1 else ""
            several += len(slugs) > 1
        rows = [
            {**row, "provider": PROVIDER, "model": MODEL, "usage_kind": USAGE_KIND_SEAT_ACTIVITY}
            for row in self.users + self.entity_rows
        ]
        attrs = counted(self.read, self.skipped, users_in_several_teams=several)
        return finish(rows, KEY, attrs=attrs)


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse a usage metrics report file into seat_activity rows (see the module docstring)."""
    reader = _Reader(filename)
    first = True
    for path, value in iter_json_values(stream, filename, stream_array=False, source_key=KEY):
        if first:
            check_source(json_fields(value), filename, KEY)
            first = False
        reader.add(value, path)
    if reader.read == 0:
        raise SourceError(filename, None, None, Message("the report holds no records"))
    return reader.frame()
