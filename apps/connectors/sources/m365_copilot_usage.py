"""Microsoft 365 Copilot usage user detail (Graph ``getMicrosoft365CopilotUsageUserDetail``, or the
admin centre's export), as CSV or as the JSON ``{"value": [...]}`` response.

Columns (CSV headers or JSON keys, matched whatever the spelling): ``Report Refresh Date``,
``User Principal Name``, ``Display Name``, ``Last Activity Date``, the per-app dates
(``Microsoft Teams``, ``Word``, ``Excel``, ``PowerPoint``, ``Outlook``, ``OneNote``, ``Loop``
``Copilot Last Activity Date`` and ``Copilot Chat Last Activity Date``) and the period
(``Report Period`` in CSV, ``copilotActivityUserDetailsByPeriod[0].reportPeriod`` in JSON).
User names may be obfuscated by the tenant's privacy setting; they are kept as given.

The report gives only each user's *last* activity date per app, not every active day. So the usage
frame gets one ``seat_activity`` row per user and distinct date among those last-activity dates that
falls inside the report period (refresh date - period + 1 .. refresh date; all dates when the
period is not given), with ``active_user_days = 1``. This is a **lower bound** of active user-days:
a user active every day of the period shows up on at most nine days. Loading a report every day
(D7) fills the gaps, because each day's row is replaced by the natural key, never doubled.
provider ``microsoft``, model ``m365_copilot``, person = user principal name.

:func:`parse_seats` gives the per-user table for the cost app: person, display_name,
report_refresh_date, report_period_days, last_activity_at and ``last_activity_<app>`` per app.
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
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import looks_like_json, seekable
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

APPS = {
    "teams": "Microsoft Teams Copilot Last Activity Date",
    "word": "Word Copilot Last Activity Date",
    "excel": "Excel Copilot Last Activity Date",
    "powerpoint": "PowerPoint Copilot Last Activity Date",
    "outlook": "Outlook Copilot Last Activity Date",
    "onenote": "OneNote Copilot Last Activity Date",
    "loop": "Loop Copilot Last Activity Date",
    "copilot_chat": "Copilot Chat Last Activity Date",
}
FIELDS = (
    Field("refresh", ("Report Refresh Date",)),
    Field("upn", ("User Principal Name",)),
    Field("display_name", ("Display Name",), required=False),
    Field("last_activity", ("Last Activity Date",)),
    Field("period", ("Report Period",), required=False),
    *(Field(app, (header,), required=False) for app, header in APPS.items()),
)


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
                "expected the Graph report object with a 'value' list of users"
                + wrong_source_hint(json_fields(value), KEY),
            )
        base = (f"{top_path}.value" if top_path else "value") if isinstance(value, dict) else top_path
        for i, user in enumerate(users):
            path = f"{base}[{i}]"
            if not isinstance(user, dict):
                raise SourceError(filename, path, None, "expected a user object")
            flat = {k: v for k, v in user.items() if not isinstance(v, (list, dict))}
            by_period = user.get("copilotActivityUserDetailsByPeriod")
            if isinstance(by_period, list) and by_period and isinstance(by_period[0], dict):
                flat.setdefault("reportPeriod", by_period[0].get("reportPeriod"))
            records.append(flat)
            paths.append(path)
    if not records:
        raise SourceError(filename, None, "value", "the report lists no users")
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


def parse_seats(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """One row per user: person, display_name, report_refresh_date, report_period_days,
    last_activity_at and last_activity_<app> for each app (NaT when never used)."""
    chunk = _chunk(stream, filename)
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
    blank = np.flatnonzero(table["person"].eq("").to_numpy())
    if len(blank):
        raise chunk.error(int(blank[0]), "upn", "expected the user principal name, got a blank")
    return table


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """seat_activity rows, one per user and distinct last-activity date in the report period."""
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
    frame = pd.DataFrame(
        {
            "day": long["day"],
            "provider": PROVIDER,
            "model": MODEL,
            "usage_kind": USAGE_KIND_SEAT_ACTIVITY,
            "active_user_days": 1,
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
