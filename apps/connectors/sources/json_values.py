"""Checked values from parsed JSON objects: types, whole numbers and amounts in bounds, days; errors name the
file, JSON path and key."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from apps.connectors.sources.bounds import MAX_AMOUNT, day_out_of_range, max_text
from apps.connectors.sources.dates import ISO_DATE
from apps.connectors.sources.errors import SourceError, describe_value


def expect(value: Any, kind: type | tuple[type, ...], filename: str, path: str, what: str) -> Any:
    """Check a JSON value's type; SourceError naming the path and what was expected otherwise."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise SourceError(filename, path, None, f"expected {what}, got {describe_value(value)}")
    return value


def check_repeat(seen: dict[tuple, str], bucket: tuple, result: dict, filename: str, path: str) -> None:
    """Refuse a usage result that repeats an earlier one of the file: the same bucket (start, end) and the same
    grouping (its text, boolean and null fields: object, model, project, key, ...). A usage API never returns
    one group twice in a bucket, so a repeat is a page loaded twice, and summing it would double the usage."""
    grouping = tuple(sorted((k, v) for k, v in result.items() if v is None or isinstance(v, (str, bool))))
    key = (*bucket, grouping)
    if key in seen:
        raise SourceError(
            filename,
            path,
            None,
            f"the same usage (bucket {bucket[0]}, same grouping) already "
            f"appears at {seen[key]}; the file repeats a page or bucket (overlapping pulls?): keep one "
            "and upload again",
        )
    seen[key] = path


def json_count(obj: dict, key: str, filename: str, path: str, *, default: int | None = 0) -> int:
    """A whole number >= 0 from a JSON object; absent or null -> `default` (None: required)."""
    value = obj.get(key)
    if value is None:
        if default is None:
            raise SourceError(filename, path, key, "expected a whole number >= 0, the key is missing")
        return default
    if isinstance(value, bool):
        ok = False
    elif isinstance(value, int):
        ok = value >= 0
    elif isinstance(value, float):
        ok = value >= 0 and value.is_integer()
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
        ok = True
    else:
        ok = False
    if ok and value > MAX_AMOUNT:
        raise SourceError(
            filename, path, key, f"expected a whole number >= 0 {max_text()}, got {describe_value(value)}"
        )
    if not ok:
        raise SourceError(filename, path, key, f"expected a whole number >= 0, got {describe_value(value)}")
    return int(value)


def json_number(obj: dict, key: str, filename: str, path: str, *, default: float = 0.0) -> float:
    """A decimal amount (a JSON number or a decimal string, as cost reports send) from an object."""
    value = obj.get(key)
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise SourceError(filename, path, key, f"expected a number, got {describe_value(value)}") from None
    if abs(number) > MAX_AMOUNT:
        raise SourceError(filename, path, key, f"expected a number {max_text(True)}, got {describe_value(value)}")
    return number


def json_text(obj: dict, key: str) -> str:
    """A string-ish JSON value as text ('' for null/absent)."""
    value = obj.get(key)
    return "" if value is None else str(value)


def json_day(value: Any, filename: str, path: str, key: str, *, unix: bool = False) -> pd.Timestamp:
    """A UTC day from an ISO 8601 string, or from unix seconds when `unix`."""
    try:
        if unix:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError
            stamp = pd.Timestamp(int(value), unit="s", tz="UTC")
        else:
            if not isinstance(value, str) or not ISO_DATE.match(value.strip()):
                raise ValueError  # pd.Timestamp would read '11 Jan' as year 1
            stamp = pd.Timestamp(value.strip())
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    except (ValueError, TypeError, OverflowError):
        expected = "unix seconds" if unix else "an ISO 8601 date like 2025-01-31T00:00:00Z"
        raise SourceError(filename, path, key, f"expected {expected}, got {describe_value(value)}") from None
    day = stamp.tz_localize(None).normalize()
    out_of_range = day_out_of_range(day.date(), f"{day:%Y-%m-%d}" if unix else value)
    if out_of_range:
        raise SourceError(filename, path, key, out_of_range)
    return day
