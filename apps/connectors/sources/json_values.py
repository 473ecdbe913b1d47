"""Checks on parsed JSON that are not one row's fields (those are the pydantic models', json_models.py): a value's
type, a usage day, a usage result repeated in a file; errors name the file, JSON path and key."""

from __future__ import annotations

from typing import Any

import pandas as pd

from apps.connectors.sources.bounds import day_out_of_range
from apps.connectors.sources.dates import ISO_DATE
from apps.connectors.sources.errors import SourceError, describe_value
from apps.core.messages import Message

EXPECTED_GOT = "expected {expected}, got {got}"  # the msgid of its French entry (locale/fr)


def expect(value: Any, kind: type | tuple[type, ...], filename: str, path: str, what: str) -> Any:
    """Check a JSON value's type; SourceError naming the path and what was expected otherwise."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise SourceError(filename, path, None, Message(EXPECTED_GOT, expected=what, got=describe_value(value)))
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
            Message(
                "the same usage (bucket {bucket}, same grouping) already appears at {seen}; the file repeats a page "
                "or bucket (overlapping pulls?): keep one and upload again",
                bucket=bucket[0],
                seen=seen[key],
            ),
        )
    seen[key] = path


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
        expected = Message("unix seconds") if unix else Message("an ISO 8601 date like 2025-01-31T00:00:00Z")
        raise SourceError(
            filename, path, key, Message(EXPECTED_GOT, expected=expected, got=describe_value(value))
        ) from None
    day = stamp.tz_localize(None).normalize()
    out_of_range = day_out_of_range(day.date(), f"{day:%Y-%m-%d}" if unix else value)
    if out_of_range:
        raise SourceError(filename, path, key, out_of_range)
    return day
