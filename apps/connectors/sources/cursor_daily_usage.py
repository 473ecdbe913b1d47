"""Cursor Admin API daily usage data (``POST /teams/daily-usage-data``), JSON: one answer
``{"data": [...], "period": {...}, "pagination"?: {...}}``, a JSON list of them (the pages of a pull), or answers
one after another.

Follows Cursor's page "Admin API", section "Get Daily Usage Data" (cursor.com/docs/account/teams/admin-api): one
record per user per day with ``date`` (epoch milliseconds), ``day`` (ISO date, in the current page), ``userId``,
``email``, ``isActive`` (present with pagination), lines added/deleted and accepted, applies, accepts, rejects,
``totalTabsShown``/``totalTabsAccepted``, ``composerRequests``, ``chatRequests``, ``agentRequests``,
``cmdkUsages``, ``subscriptionIncludedReqs``, ``apiKeyReqs``, ``usageBasedReqs``, ``bugbotUsages``,
``mostUsedModel`` and extensions and client version (null on a day without activity). The page says the three
``...Reqs`` fields "count raw usage events". With ``page``/``pageSize`` the answer lists every member, inactive
ones with zeros and ``isActive`` false.

The answer has no tokens: it is read as seat activity (``seat_activity``, provider and model ``cursor``), the way
the project reads the other seat tools that count their interactions (Copilot usage reports: prompts and
completions shown), so each row's requests are estimated at the seat tools' energy per interaction
(apps/footprint/estimators/seats.py, data quality ``activity_based``):

* one row per user and day: day = ``day`` when given, else the UTC day of ``date``; person = ``email`` (else
  ``userId``); ``active_user_days`` 1 when ``isActive`` is true or the day counts any request, Tab completion,
  apply or accepted line (a record without any is skipped, reason "no activity", as Cursor's inactive members are);
  a day whose only requests are ``apiKeyReqs`` is skipped too (reason "own API key"): its usage is in that key's
  report, and a seat row without a count would take the assumed interactions per day on top of it;
* requests = ``subscriptionIncludedReqs`` + ``usageBasedReqs`` (the day's usage events, included or paid per use)
  + ``totalTabsShown`` (Tab completions shown, as the Copilot sources count completions shown);
  ``apiKeyReqs`` are left out: the page calls them "API key requests", read here as calls made with the team's
  own provider key (an interpretation), whose usage report already counts them (``openai_usage``,
  ``anthropic_usage``). The per-feature counts (composer, chat, agent, Cmd+K,
  Bugbot) describe the same requests by feature and are not added again.
* ``mostUsedModel`` is not used: the day's requests span several models, and giving them all to the most used one
  would invent a split the answer does not make.

The same requests are in the usage events (``cursor_admin``, with tokens): load one of the two for a period. A user's
day repeated in a file (overlapping pulls) is refused. The four counts the figures use (the three ``...Reqs`` and
``totalTabsShown``, which the page's type marks as always present) are refused when absent or null, named, never
read as zero; the counts that only tell an active day (lines, applies, per feature) read absent as zero. A count that
is not a whole number >= 0 is refused, named.
"""

from __future__ import annotations

from typing import Annotated, Any, BinaryIO, ClassVar

import pandas as pd
from pydantic import BeforeValidator

from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import Count, JsonRow, RequiredCount, Text, refuse, required, validate
from apps.connectors.sources.json_pages import entry_path, iter_pages
from apps.connectors.sources.json_values import expect, json_day
from apps.connectors.sources.skips import SkipReason, counted
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_SEAT_ACTIVITY

KEY = "cursor_daily_usage"
LABEL = "Cursor Admin API daily usage data"
SIGNATURE = (
    "data",
    "period",
    "isActive",
    "totalTabsShown",
    "composerRequests",
    "subscriptionIncludedReqs",
    "usageBasedReqs",
    "mostUsedModel",
)
DESCRIPTION = "Cursor daily usage per team member from the Admin API: active days and requests (no tokens)."
DOC_URL = "https://cursor.com/docs/account/teams/admin-api"
PROVIDER = "cursor"
MODEL = "cursor"


def _flag(value: Any) -> bool | None:
    """``isActive``: true or false (also as the strings); null or absent is unknown."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise refuse(Message("expected true or false, got {value}", value=describe_value(value)))


Flag = Annotated[bool | None, BeforeValidator(_flag)]


class Day(JsonRow):
    """One user's day; the counts are checked, the day and the person apart (they have two spellings each)."""

    WHAT: ClassVar[str] = "a daily usage record"

    isActive: Flag = None
    subscriptionIncludedReqs: RequiredCount = required()
    usageBasedReqs: RequiredCount = required()
    apiKeyReqs: RequiredCount = required()
    totalTabsShown: RequiredCount = required()
    totalTabsAccepted: Count = 0
    totalApplies: Count = 0
    acceptedLinesAdded: Count = 0
    acceptedLinesDeleted: Count = 0
    composerRequests: Count = 0
    chatRequests: Count = 0
    agentRequests: Count = 0
    cmdkUsages: Count = 0
    bugbotUsages: Count = 0
    email: Text = ""

    @property
    def requests(self) -> int:
        """Usage events (included + paid per use) + Tab completions shown (see the module docstring)."""
        return self.subscriptionIncludedReqs + self.usageBasedReqs + self.totalTabsShown

    @property
    def active(self) -> bool:
        """Active on Cursor's word, or any activity counted (the unpaginated answer may omit ``isActive``)."""
        counts = (
            self.requests,
            self.apiKeyReqs,
            self.totalApplies,
            self.acceptedLinesAdded,
            self.acceptedLinesDeleted,
            self.composerRequests,
            self.chatRequests,
            self.agentRequests,
            self.cmdkUsages,
            self.bugbotUsages,
        )
        return self.isActive is True or any(counts)


def _day(record: dict, filename: str, path: str) -> pd.Timestamp:
    """The record's day: its ISO ``day``, else the UTC day of ``date`` (epoch milliseconds, a number or digits)."""
    if record.get("day") not in (None, ""):
        return json_day(record["day"], filename, path, "day")
    value = record.get("date")
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.isdigit():
        message = (
            Message("expected epoch milliseconds like '1710720000000', the key is missing")
            if value is None
            else Message("expected epoch milliseconds like '1710720000000', got {value}", value=describe_value(value))
        )
        raise SourceError(filename, path, "date", message)
    return json_day(int(text) // 1000, filename, path, "date", unix=True)


def _person(record: dict, usage: Day, filename: str, path: str) -> str:
    """The user: ``email``, else ``userId``; a record with neither cannot be told from another user's."""
    person = usage.email.strip() or str(record.get("userId") or "").strip()
    if not person:
        raise SourceError(filename, path, "email", Message("expected the user's email (or userId), the key is missing"))
    return person


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse daily-usage answer(s) into seat_activity rows (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    seen: dict[tuple, str] = {}
    read = inactive = elsewhere = 0
    for path, page in iter_pages(stream, filename, KEY, what="a Cursor daily usage answer"):
        for r, record in enumerate(page["data"]):
            read += 1
            row = _row(record, filename, entry_path(path, "data", r), seen)
            if isinstance(row, dict):
                rows.append(row)
            elif row is SkipReason.OWN_API_KEY:
                elsewhere += 1
            else:
                inactive += 1
    if read == 0:
        raise SourceError(filename, None, None, Message("the answer holds no daily usage records"))
    skipped = {SkipReason.NO_ACTIVITY: inactive, SkipReason.OWN_API_KEY: elsewhere}
    return finish(rows, KEY, attrs=counted(read, skipped))


def _row(record: Any, filename: str, path: str, seen: dict[tuple, str]) -> dict[str, Any] | SkipReason:
    """The seat activity of one user's day, or the reason it is left out."""
    expect(record, dict, filename, path, Day.WHAT)  # the shared "expected <what>, got <value>" message
    usage = validate(Day, record, filename, path)
    day = _day(record, filename, path)
    person = _person(record, usage, filename, path)
    key = (day, person.lower())
    if key in seen:
        raise SourceError(
            filename,
            path,
            "email",
            Message(
                "the day {day} of '{person}' already appears at {where}; the file repeats a page "
                "(overlapping pulls?): keep one and upload again",
                day=f"{day:%Y-%m-%d}",
                person=person,
                where=seen[key],
            ),
        )
    seen[key] = path
    if usage.requests == 0 and usage.apiKeyReqs > 0:
        return SkipReason.OWN_API_KEY
    if not usage.active:
        return SkipReason.NO_ACTIVITY
    return {
        "day": day,
        "provider": PROVIDER,
        "model": MODEL,
        "usage_kind": USAGE_KIND_SEAT_ACTIVITY,
        "requests": usage.requests,
        "active_user_days": 1,
        "person": person,
    }
