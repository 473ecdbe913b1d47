"""Usage days from text: ISO 8601 stamps (fast in Arrow when plainly UTC) or given strptime layouts, refusing
days out of the plausible range."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apps.connectors.sources.bounds import EARLIEST_DAY, day_out_of_range, latest_day
from apps.connectors.sources.errors import describe_value
from apps.core.messages import Message

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

# ISO 8601 stamps that are plainly UTC (or naive, read as UTC): their day is their first ten characters.
_UTC_STAMP = r"^\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z| ?UTC|[+-]00:?00)?)?$"


def utc_days(col: pa.ChunkedArray) -> pd.Series | None:
    """Days of a column in Arrow when every value is a UTC/naive ISO stamp with a real date; None
    otherwise, and the general path (which names the first bad value) decides. Converting millions of
    stamps through Python strings and pandas costs more than reading the file."""
    if len(col) == 0 or not pc.all(pc.match_substring_regex(col, _UTC_STAMP)).as_py():
        return None
    try:
        days = pc.cast(pc.utf8_slice_codeunits(col, 0, 10), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # e.g. 2025-02-30
    bounds = pc.min_max(days)
    if bounds["min"].as_py() < EARLIEST_DAY or bounds["max"].as_py() > latest_day():
        return None  # the general path names the first day out of range (and 9999 would overflow below)
    return pd.Series(days.to_numpy(zero_copy_only=False).astype("datetime64[ns]"))


def as_ns(stamps: pd.Series) -> pd.Series:
    """Parsed stamps in nanoseconds; the ones nanoseconds cannot hold (years 1 or 9999, which pandas parses
    at a coarser unit) become NaT for the caller to report, instead of an overflow."""
    if stamps.dt.unit == "ns":
        return stamps
    low, high = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
    return stamps.where((stamps >= low) & (stamps <= high)).dt.as_unit("ns")


def parse_days(text: pd.Series, *, formats: Sequence[str] = (), example: str = "2025-01-31", on_error) -> pd.Series:
    """Strings -> UTC days. `on_error(position, message)` builds the exception for the first bad one."""
    cleaned = text.astype(object).where(text.notna(), "").astype(str).str.strip()
    cleaned = cleaned.str.replace(r"\s+UTC$", "Z", regex=True)
    result = pd.Series(pd.NaT, index=cleaned.index, dtype="datetime64[ns, UTC]")
    todo = cleaned.ne("")
    for fmt in formats:
        if not todo.any():
            break
        got = pd.to_datetime(cleaned[todo], format=fmt, utc=True, errors="coerce")
        result[todo] = as_ns(got)
        todo = todo & result.isna()
    if todo.any():
        result[todo] = as_ns(pd.to_datetime(cleaned[todo], format="ISO8601", utc=True, errors="coerce"))
    bad = np.flatnonzero(result.isna().to_numpy())
    if len(bad):
        got = cleaned.iloc[int(bad[0])]
        # An ISO day pandas cannot hold (year 1 or 9999) is a real date out of range: say so.
        iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", got)
        try:
            day = dt.date(*map(int, iso.groups())) if iso else None
        except ValueError:
            day = None
        message = day_out_of_range(day, str(text.iloc[int(bad[0])]).strip()) if day else None
        if message is None:
            message = (
                Message("expected a date like {example}, got a blank", example=example)
                if got == ""
                else Message("expected a date like {example}, got {got}", example=example, got=describe_value(got))
            )
        raise on_error(int(bad[0]), message)
    days = result.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]").reset_index(drop=True)
    out = np.flatnonzero(((days < pd.Timestamp(EARLIEST_DAY)) | (days > pd.Timestamp(latest_day()))).to_numpy())
    if len(out):
        first = int(out[0])
        raise on_error(first, day_out_of_range(days.iloc[first].date(), str(text.iloc[first]).strip()))
    return days
