"""Microsoft 365 Copilot usage user detail (Graph ``getMicrosoft365CopilotUsageUserDetail``, or the
admin centre's export), as CSV or as the JSON ``{"value": [...]}`` response.

Columns (CSV headers or JSON keys, matched whatever the spelling): ``Report Refresh Date``,
``User Principal Name``, ``Display Name``, ``Last Activity Date``, the per-app dates
(``Microsoft Teams``, ``Word``, ``Excel``, ``PowerPoint``, ``Outlook``, ``OneNote``, ``Loop``
``Copilot Last Activity Date`` and ``Copilot Chat Last Activity Date``) and the period
(``Report Period`` in CSV, ``copilotActivityUserDetailsByPeriod[0].reportPeriod`` in JSON).
User names may be obfuscated by the tenant's privacy setting; they are kept as given.

The v1 report gives only each user's *last* activity date per app, not every active day. So the usage
frame gets one ``seat_activity`` row per user and distinct date among those last-activity dates that
falls inside the report period (refresh date - period + 1 .. refresh date; all dates when the
period is not given), with ``active_user_days = 1``. This is a **lower bound** of active user-days:
a user active every day of the period shows up on at most nine days. Loading a report every day
(D7) fills the gaps, because each day's row is replaced by the natural key, never doubled.

The v2 report (``getMicrosoft365CopilotUsageUserDetail(period='D28',version='v2')`` under ``/copilot/reports``;
the page makes ``v1`` the default, so v2 must be asked for; periods D7, D28, D90, D180) adds the
last-activity dates of the Microsoft 365 Copilot app, Edge, agents and Copilot Chat (work) / (web), and per
period ``Active Usage Days for all apps`` and ``Prompts submitted for all apps`` (and per chat, not read).
The page lists v2's columns by their CSV headers only; its JSON example is a v1 report, whose keys are the
headers in camelCase (``copilotChatLastActivityDate``), so v2 keys are matched the same way, the counts in
``copilotActivityUserDetailsByPeriod[0]`` (``activeUsageDays``, ``promptsSubmitted`` or the headers' camelCase).
Where the count is given it is the user's active user-days, exactly: one row per counted day, the known
last-activity dates first, the rest on the period's other days from its start (the report says how many days,
not which); the prompts are the requests, spread evenly over those days (:func:`frames.spread`: every day gets a share
when the prompts are at least the days, so none falls back on the assumed interactions per day; a day left
without a prompt, when there are fewer prompts than days, is estimated on the assumption and flagged so).
Because those days are placed, load one v2 report per period rather than overlapping ones. A v2 file without
the count column is refused, naming it. A report of several periods (``period='ALL'``: a user listed again with
other figures, or more than one entry in ``copilotActivityUserDetailsByPeriod``) is refused: its counts overlap.
provider ``microsoft``, model ``m365_copilot``, person = user principal name.

:func:`parse_seats` gives the per-user table for the cost app: person, display_name,
report_refresh_date, report_period_days, last_activity_at, ``last_activity_<app>`` per app, and (v2)
active_usage_days and prompts_submitted.
"""

from __future__ import annotations

from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa

from apps.connectors.sources.chunk import CsvChunk, records_chunk
from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import iter_csv
from apps.connectors.sources.dates import parse_days
from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish, spread
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import looks_like_json, seekable
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_SEAT_ACTIVITY

KEY = "m365_copilot_usage"
LABEL = "Microsoft 365 Copilot usage user detail"
SIGNATURE = (
    "Report Refresh Date",
    "User Principal Name",
    "Last Activity Date",
    "Microsoft Teams Copilot Last Activity Date",
    "Word Copilot Last Activity Date",
)
PROVIDER = "microsoft"
MODEL = "m365_copilot"

V1_APPS = {
    "teams": "Microsoft Teams Copilot Last Activity Date",
    "word": "Word Copilot Last Activity Date",
    "excel": "Excel Copilot Last Activity Date",
    "powerpoint": "PowerPoint Copilot Last Activity Date",
    "outlook": "Outlook Copilot Last Activity Date",
    "onenote": "OneNote Copilot Last Activity Date",
    "loop": "Loop Copilot Last Activity Date",
    "copilot_chat": "Copilot Chat Last Activity Date",
}
# The v2 report (asked for with version='v2'; v1 is the default): more apps, and per-period counts.
V2_APPS = {
    "m365_copilot_app": "Microsoft 365 Copilot Last Activity Date",
    "edge": "Edge Last Activity Date",
    "agents": "Copilot Agent Last Activity Date",
    "copilot_chat_work": "Copilot Chat (work) Last Activity Date",
    "copilot_chat_web": "Copilot Chat (web) Last Activity Date",
}
APPS = {**V1_APPS, **V2_APPS}
ACTIVE_DAYS = Field("active_days", ("Active Usage Days for all apps", "activeUsageDays"), required=False)
PROMPTS = Field("prompts", ("Prompts submitted for all apps", "promptsSubmitted"), required=False)
V2_ONLY = ("active_days", "prompts", *V2_APPS)  # any of these in a file makes it a v2 report
FIELDS = (
    Field("refresh", ("Report Refresh Date",)),
    Field("upn", ("User Principal Name",)),
    Field("display_name", ("Display Name",), required=False),
    Field("last_activity", ("Last Activity Date",)),
    Field("period", ("Report Period",), required=False),
    *(Field(app, (header,), required=False) for app, header in APPS.items()),
    ACTIVE_DAYS,
    PROMPTS,
)


SEVERAL_PERIODS = Message(
    "the report holds several periods (exported with period 'ALL'?); their counts overlap and would add up: "
    "export one period (D7, D28, D90 or D180) and upload that"
)


def _flat_user(user: dict, path: str, filename: str) -> dict:
    """A JSON user's own values and those of its one period (v1: reportPeriod; v2: the counts too)."""
    flat = {k: v for k, v in user.items() if not isinstance(v, (list, dict))}
    by_period = user.get("copilotActivityUserDetailsByPeriod")
    if isinstance(by_period, list) and len(by_period) > 1:
        raise SourceError(filename, f"{path}.copilotActivityUserDetailsByPeriod", None, SEVERAL_PERIODS)
    if isinstance(by_period, list) and by_period and isinstance(by_period[0], dict):
        for key, value in by_period[0].items():
            if not isinstance(value, (list, dict)):
                flat.setdefault(key, value)
    return flat


def _chunk(stream: BinaryIO, filename: str) -> CsvChunk:
    stream = seekable(stream)
    if not looks_like_json(stream):
        chunks = list(iter_csv(stream, filename, FIELDS, KEY, chunk_rows=1_000_000))
        if len(chunks) == 1:
            return chunks[0]
        return CsvChunk(pa.concat_tables([c.table for c in chunks]), chunks[0].columns, 2, filename)
    records: list[dict] = []
    paths: list[str] = []
    for top_path, value in iter_json_values(stream, filename, stream_array=False, source_key=KEY):
        users = value.get("value") if isinstance(value, dict) else value
        if not isinstance(users, list):
            raise SourceError(
                filename,
                top_path,
                "value",
                Message(
                    "expected the Graph report object with a 'value' list of users{hint}",
                    hint=wrong_source_hint(json_fields(value), KEY),
                ),
            )
        base = (f"{top_path}.value" if top_path else "value") if isinstance(value, dict) else top_path
        for i, user in enumerate(users):
            path = f"{base}[{i}]"
            if not isinstance(user, dict):
                raise SourceError(filename, path, None, Message("expected a user object"))
            records.append(_flat_user(user, path, filename))
            paths.append(path)
    if not records:
        raise SourceError(filename, None, "value", Message("the report lists no users"))
    check_source(json_fields(records[:3]), filename, KEY)
    return records_chunk(records, paths, FIELDS, filename, KEY)


def _optional_days(chunk: CsvChunk, name: str) -> pd.Series:
    """A date column where blanks are allowed (the user never used that app): NaT for blanks."""
    if not chunk.has(name):
        return pd.Series(pd.NaT, index=range(len(chunk)), dtype="datetime64[ns]")
    text = pd.Series(chunk.text(name), dtype=object)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    present = text.ne("")
    if present.any():
        where = np.flatnonzero(present.to_numpy())
        out[present] = parse_days(
            text[present].reset_index(drop=True),
            on_error=lambda i, msg: chunk.error(int(where[i]), name, msg),
        ).to_numpy()
    return out


def _optional_counts(chunk: CsvChunk, name: str) -> pd.Series:
    """A count column where a blank means "not given" (nullable Int64: <NA>), absent column all <NA>."""
    if not chunk.has(name):
        return pd.Series(pd.NA, index=range(len(chunk)), dtype="Int64")
    values = pd.Series(chunk.numbers(name, whole=True), dtype="Int64")
    values[pd.Series(chunk.text(name)).eq("").to_numpy()] = pd.NA
    return values


def _check_v2(chunk: CsvChunk) -> bool:
    """Whether the file is a v2 report; a v2 report without its active-days count is refused, named."""
    v2 = any(chunk.has(name) for name in V2_ONLY)
    if v2 and not chunk.has(ACTIVE_DAYS.name):
        raise SourceError(
            chunk.filename,
            None,
            ACTIVE_DAYS.label,
            Message(
                "this is a v2 report (it has v2 columns) but the column '{column}' is missing; the "
                "active user-days are read from it (has the report's format changed?)",
                column=ACTIVE_DAYS.label,
            ),
        )
    return v2


def parse_seats(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """One row per user: person, display_name, report_refresh_date, report_period_days,
    last_activity_at, last_activity_<app> for each app (NaT when never used) and, from a v2 report,
    active_usage_days and prompts_submitted (<NA> in a v1 report or when blank)."""
    chunk = _chunk(stream, filename)
    _check_v2(chunk)
    refresh = chunk.days("refresh")
    period = chunk.numbers("period", whole=True)
    table = pd.DataFrame(
        {
            "person": chunk.text("upn"),
            "display_name": chunk.text("display_name"),
            "report_refresh_date": refresh,
            "report_period_days": period,
            "last_activity_at": _optional_days(chunk, "last_activity"),
        }
    )
    for app in APPS:
        table[f"last_activity_{app}"] = _optional_days(chunk, app)
    table["active_usage_days"] = _optional_counts(chunk, ACTIVE_DAYS.name).array
    table["prompts_submitted"] = _optional_counts(chunk, PROMPTS.name).array
    blank = np.flatnonzero(table["person"].eq("").to_numpy())
    if len(blank):
        raise chunk.error(int(blank[0]), "upn", Message("expected the user principal name, got a blank"))
    # A row repeated as it is counts once (by person, below); the same user with other figures is another period.
    again = np.flatnonzero((table["person"].duplicated() & ~table.duplicated()).to_numpy())
    if len(again):
        raise chunk.error(int(again[0]), "upn", Message("the user is listed twice; {why}", why=SEVERAL_PERIODS))
    too_many = table["active_usage_days"].fillna(0) > table["report_period_days"].where(lambda p: p > 0, 10**9)
    if too_many.any():
        first = int(np.flatnonzero(too_many.to_numpy())[0])
        raise chunk.error(
            first,
            ACTIVE_DAYS.name,
            Message(
                "{active} active usage days in a report period of {period} days",
                active=str(table["active_usage_days"].iloc[first]),
                period=str(table["report_period_days"].iloc[first]),
            ),
        )
    return table


def _counted_days(user: Any, known: list[pd.Timestamp]) -> list[pd.Timestamp]:
    """The days of a user whose v2 report counts `active_usage_days`: the last-activity dates in the period
    (latest first), then the period's other days from its start, the first `active_usage_days` of them. The
    report says how many days, not which: the total is exact, the placing of the days beyond the known dates
    is not."""
    count = int(user.active_usage_days)
    days = sorted(known, reverse=True)[:count]
    if len(days) < count:
        start = user.report_refresh_date - pd.Timedelta(days=int(user.report_period_days) - 1)
        others = (d for d in pd.date_range(start, user.report_refresh_date) if d not in set(known))
        days += [d for _, d in zip(range(count - len(days)), others, strict=False)]
    return days


def _v2_rows(users: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """One row per counted active day of each user with a count, the user's prompts spread over those days.

    Spread, not all on one day: the seat estimate takes a row's requests as its measured interactions and gives a
    row without any the assumed interactions per day, so prompts piled on the latest day left the user's other
    days on the assumption as well, counting the period's activity twice (once measured, once assumed)."""
    known = long.groupby("person")["day"].agg(list).to_dict()
    rows = []
    for user in users.itertuples(index=False):
        if pd.isna(user.active_usage_days):
            rows += [(day, user.person, 0) for day in known.get(user.person, [])]  # no count: the dates
            continue
        days = _counted_days(user, known.get(user.person, []))
        prompts = 0 if pd.isna(user.prompts_submitted) else int(user.prompts_submitted)
        rows += [(day, user.person, n) for day, n in zip(days, spread(prompts, len(days)), strict=True)]
    return pd.DataFrame(rows, columns=["day", "person", "requests"])


def _check_period(users: pd.DataFrame, filename: str) -> None:
    """Counted days beyond the known dates are placed inside the period: it must be given."""
    unplaceable = users["active_usage_days"].notna() & (users["report_period_days"] <= 0)
    if unplaceable.any():
        raise SourceError(
            filename,
            None,
            "Report Period",
            Message("the report gives active usage days but no report period to place them in"),
        )


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """seat_activity rows: one per user and distinct last-activity date in the report period (v1), or per
    counted active usage day (v2, see :func:`_counted_days`), with the v2 prompts as requests."""
    users = parse_seats(stream, filename)
    date_cols = ["last_activity_at"] + [f"last_activity_{app}" for app in APPS]
    long = users.melt(
        id_vars=["person", "report_refresh_date", "report_period_days"],
        value_vars=date_cols,
        value_name="day",
    ).dropna(subset=["day"])
    start = long["report_refresh_date"] - pd.to_timedelta(long["report_period_days"] - 1, unit="D")
    in_period = (long["report_period_days"] <= 0) | (
        (long["day"] >= start) & (long["day"] <= long["report_refresh_date"])
    )
    ever_active = long["person"].nunique()  # users with a last-activity date at all, in the period or not
    long = long[in_period].drop_duplicates(subset=["person", "day"])
    if users["active_usage_days"].notna().any():
        _check_period(users, filename)
        long = _v2_rows(users.drop_duplicates("person"), long)
    else:
        long = long.assign(requests=0)
    frame = pd.DataFrame(
        {
            "day": long["day"],
            "provider": PROVIDER,
            "model": MODEL,
            "usage_kind": USAGE_KIND_SEAT_ACTIVITY,
            "active_user_days": 1,
            "requests": long["requests"],
            "person": long["person"],
        }
    )
    # A user never active, or whose last activity is before the report period, adds no active day.
    in_period_users = long["person"].nunique()
    skipped = {
        SkipReason.NO_ACTIVITY: len(users) - ever_active,
        SkipReason.OUT_OF_PERIOD: ever_active - in_period_users,
    }
    attrs: dict[str, Any] = counted(len(users), skipped)
    return finish(frame, KEY, attrs=attrs)
