"""ChatGPT Enterprise (and Edu) workspace analytics: the user engagement report, exported as CSV from Workspace
settings > Workspace analytics (weekly or monthly), one row per workspace user and period.

OpenAI's help page (https://help.openai.com/en/articles/10875114-user-analytics-for-chatgpt-enterprise-and-edu)
says the export exists, per week or per month, as CSV, and names its metrics (messages, GPT messages, tool
messages, active users), but it does not list the file's columns. The columns read here are those of the exports
as public projects that load real ones spell them, the same header in each (followed: the test data and column
maps of the GitHub projects PresidentofMexico/OpenAI-usage-metrics and others reading these CSVs):
``cadence``, ``period_start``, ``period_end``, ``account_id``, ``public_id``, ``name``, ``email``, ``role``,
``user_role``, ``department``, ``groups``, ``user_status``, ``created_or_invited_date``, ``is_active``,
``first_day_active_in_period``, ``last_day_active_in_period``, ``messages``, ``messages_rank`` (also spelt
``message_rank``), ``model_to_messages``, ``gpt_messages``, ``gpts_messaged``, ``gpt_to_messages``,
``tool_messages``, ``tools_messaged``, ``tool_to_messages``, ``project_messages``, ``projects_messaged``,
``project_to_messages``, ``projects_created``, ``last_day_active``. Because no vendor page fixes them, the reader
needs only a few and is tolerant of the rest: header case and spacing do not matter, every column but the period,
the two days active in the period and ``messages`` may be missing, unknown columns are ignored, and the person is
the ``email`` or, where the workspace hides it (blank or no column), the ``public_id``.

Usage frame rows (``seat_activity``, provider ``openai``, model ``chatgpt_enterprise``, person as above):

* a user with messages in the period is active on ``first_day_active_in_period`` and on
  ``last_day_active_in_period``: one row each (one when they are the same day), ``active_user_days = 1``. The
  report says on which days a user was first and last active, not on how many days in between, so the active
  user-days are a **lower bound** (at most two a user and period);
* ``messages`` (the messages the user sent in the period) are the requests, spread over those days
  (:func:`frames.spread`; the total is exact, its split between the two days is not). Each row then
  carries a measured count, which the seat estimate takes instead of an assumed interactions-per-day figure
  (data quality ``activity_based``). ``gpt_messages``, ``tool_messages`` and ``project_messages`` are messages to
  GPTs, with tools and in projects. The help page lists them beside the total messages without saying what they
  count; they are not added (an assumption): a message to a GPT is still a message, and exports show more
  ``tool_messages`` than ``messages`` for a user (tool steps of the answers, not messages sent), so adding them
  would count a message twice. They are kept in :func:`parse_seats`;
* an invited user not yet in (``user_status`` pending: no public_id, every figure blank) is a row without
  activity;
* a user with no day active in the period (``messages`` 0 or blank) is skipped, reason "no activity"; one with
  days active but 0 messages keeps its days, on the assumed interactions per day (flagged). A blank ``messages``
  for a user with days active is refused (the source needs the figure), as are messages without a day active, a
  day active outside its period, a period that ends before it starts, or the same user listed again for an
  overlapping period (a weekly and a monthly export joined: the messages would count twice). Load one cadence:
  weekly files, or monthly ones, not both for the same weeks.

The GPT engagement report (one row per GPT: ``gpt_name``, ``messages_workspace``) and the projects report are
other exports of the same page; either is refused with a message saying so.
"""

from __future__ import annotations

from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa

from apps.connectors.sources.chunk import CsvChunk
from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import iter_csv, read_layout
from apps.connectors.sources.dates import parse_days
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish, spread
from apps.connectors.sources.names import norm
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import seekable
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_SEAT_ACTIVITY

KEY = "chatgpt_enterprise_analytics"
LABEL = "ChatGPT Enterprise user analytics export"
DESCRIPTION = "ChatGPT Enterprise workspace analytics user export (CSV): messages and days active per user and period."
DOC_URL = "https://help.openai.com/en/articles/10875114-user-analytics-for-chatgpt-enterprise-and-edu"
SIGNATURE = (
    "period_start",
    "period_end",
    "public_id",
    "first_day_active_in_period",
    "last_day_active_in_period",
    "messages",
    "gpt_messages",
    "tool_messages",
)
PROVIDER = "openai"
MODEL = "chatgpt_enterprise"

COUNTS = ("gpt_messages", "gpts_messaged", "tool_messages", "tools_messaged", "project_messages", "projects_messaged")
FIELDS = (
    Field("period_start"),
    Field("period_end"),
    Field("email", ("email",), required=False),
    Field("public_id", ("public_id",), required=False),
    Field("name", ("name",), required=False),
    Field("first_active", ("first_day_active_in_period",)),
    Field("last_active", ("last_day_active_in_period",)),
    Field("messages", ("messages",)),
    Field("last_day_active", ("last_day_active",), required=False),
    *(Field(name, (name,), required=False) for name in COUNTS),
)
# Other exports of the same page: a row per GPT or per project, their messages in `messages_workspace`.
OTHER_REPORTS = {
    "gpt_name": Message("the GPT engagement report (one row per GPT)"),
    "project_id": Message("the projects report (one row per project)"),
}


def _refuse_other_reports(stream: BinaryIO, filename: str) -> None:
    header = {norm(h) for h in read_layout(stream, filename).header}
    if norm("messages_workspace") not in header or norm("messages") in header:
        return
    what = next((w for c, w in OTHER_REPORTS.items() if norm(c) in header), Message("another report"))
    raise SourceError(
        filename,
        1,
        "messages_workspace",
        Message(
            "this is {report} of ChatGPT workspace analytics, not the user engagement report: export the users report "
            "(one row per user) and upload that",
            report=what,
        ),
    )


def _chunk(stream: BinaryIO, filename: str) -> CsvChunk:
    stream = seekable(stream)
    start = stream.tell()
    _refuse_other_reports(stream, filename)
    stream.seek(start)
    chunks = list(iter_csv(stream, filename, FIELDS, KEY, chunk_rows=1_000_000))
    chunk = chunks[0]
    if len(chunks) > 1:
        chunk = CsvChunk(pa.concat_tables([c.table for c in chunks]), chunk.columns, 2, filename)
    if not (chunk.has("email") or chunk.has("public_id")):
        raise SourceError(
            filename,
            1,
            None,
            Message("missing expected column 'email' or 'public_id': the report names its users by them"),
        )
    return chunk


def _optional_days(chunk: CsvChunk, name: str) -> pd.Series:
    """A date column where a blank means "none" (a user not active in the period): NaT for blanks."""
    out = pd.Series(pd.NaT, index=range(len(chunk)), dtype="datetime64[ns]")
    if not chunk.has(name):
        return out
    text = pd.Series(chunk.text(name), dtype=object)
    present = text.ne("").to_numpy()
    if present.any():
        where = np.flatnonzero(present)
        days = parse_days(
            text[present].reset_index(drop=True), on_error=lambda i, msg: chunk.error(int(where[i]), name, msg)
        )
        out[present] = days.to_numpy()
    return out


def _first_bad(chunk: CsvChunk, mask: pd.Series | np.ndarray, name: str, message: Message) -> None:
    bad = np.flatnonzero(np.asarray(mask, dtype=bool))
    if len(bad):
        raise chunk.error(int(bad[0]), name, message)


def _users(chunk: CsvChunk) -> pd.DataFrame:
    """One row per record, checked: person, display_name, period, the days active, messages (<NA> when blank)."""
    email, public_id = chunk.text("email"), chunk.text("public_id")
    table = pd.DataFrame(
        {
            "person": np.where(email != "", email, public_id),
            "display_name": chunk.text("name"),
            "period_start": chunk.days("period_start").to_numpy(),
            "period_end": chunk.days("period_end").to_numpy(),
            "first_active": _optional_days(chunk, "first_active").to_numpy(),
            "last_active": _optional_days(chunk, "last_active").to_numpy(),
            "last_day_active": _optional_days(chunk, "last_day_active").to_numpy(),
        }
    )
    messages = pd.Series(chunk.numbers("messages", whole=True), dtype="Int64")
    messages[pd.Series(chunk.text("messages")).eq("").to_numpy()] = pd.NA
    table["messages"] = messages.array
    for name in COUNTS:
        table[name] = chunk.numbers(name, whole=True)
    _check(chunk, table)
    return table


def _check(chunk: CsvChunk, t: pd.DataFrame) -> None:
    """Refuse what would count wrong, naming the first record and column (see the module docstring)."""
    _first_bad(chunk, t["period_end"] < t["period_start"], "period_end", Message("the period ends before it starts"))
    active = (t["first_active"].notna() | t["last_active"].notna()).to_numpy()
    blank = t["messages"].isna().to_numpy()
    # A row without activity may name nobody (an invitation pending, in a file without emails): it is skipped.
    _first_bad(
        chunk,
        t["person"].eq("").to_numpy() & (active | (t["messages"].fillna(0) > 0).to_numpy()),
        "email",
        Message("expected the user's email or public_id, got blanks"),
    )
    _first_bad(
        chunk,
        active & blank,
        "messages",
        Message("expected a whole number, got a blank for a user active in the period; the source needs this figure"),
    )
    _first_bad(
        chunk,
        ~active & ~blank & (t["messages"].fillna(0) > 0).to_numpy(),
        "first_active",
        Message("expected a date: the user has messages in the period but no day active"),
    )
    for name in ("first_active", "last_active"):
        other = "last_active" if name == "first_active" else "first_active"
        _first_bad(
            chunk,
            t[name].isna() & t[other].notna(),
            name,
            Message("expected a date: the user has the other day active in the period but not this one"),
        )
        outside = t[name].notna() & ((t[name] < t["period_start"]) | (t[name] > t["period_end"]))
        _first_bad(chunk, outside, name, Message("the day falls outside the row's period (period_start to period_end)"))
    _first_bad(
        chunk, t["last_active"] < t["first_active"], "last_active", Message("the last day active is before the first")
    )
    named = t.assign(row=np.arange(len(t)))[t["person"].ne("").to_numpy()]
    ordered = named.sort_values(["person", "period_start"], kind="stable")
    same = ordered["person"].eq(ordered["person"].shift())
    overlap = same & (ordered["period_start"] <= ordered["period_end"].shift())
    if overlap.any():
        row = int(ordered.loc[overlap, "row"].iloc[0])
        raise chunk.error(
            row,
            "period_start",
            Message(
                "the user is listed again for a period that overlaps an earlier row (a weekly and a monthly export "
                "joined?): its messages would count twice; upload one cadence"
            ),
        )


def parse_seats(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """One row per user (their latest period): person, display_name, last_activity_at (the report's
    ``last_day_active``, else the last day active in the period; NaT when never active), messages and the GPT,
    tool and project counts of that period."""
    users = _users(_chunk(stream, filename))
    users = users[users["person"].ne("")]  # nobody to hold the seat (see _check)
    latest = users.sort_values("period_start", kind="stable").drop_duplicates("person", keep="last")
    seats = latest[["person", "display_name", "messages", *COUNTS]].copy()
    seats["last_activity_at"] = latest["last_day_active"].fillna(latest["last_active"])
    return seats.reset_index(drop=True)


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """seat_activity rows: each active user's first and last day active in a period, the period's messages spread
    over them as requests (see the module docstring)."""
    users = _users(_chunk(stream, filename))
    active = users[users["first_active"].notna()]
    rows = []
    for user in active.itertuples(index=False):
        days = sorted({user.last_active, user.first_active}, reverse=True)  # the last day takes the larger share
        rows += [
            {"day": day, "person": user.person, "requests": n}
            for day, n in zip(days, spread(int(user.messages), len(days)), strict=True)
        ]
    frame = pd.DataFrame(rows, columns=["day", "person", "requests"]).assign(
        provider=PROVIDER, model=MODEL, usage_kind=USAGE_KIND_SEAT_ACTIVITY, active_user_days=1
    )
    attrs: dict[str, Any] = counted(len(users), {SkipReason.NO_ACTIVITY: len(users) - len(active)})
    return finish(frame, KEY, attrs=attrs)
