"""Bounds of plausible usage: the largest amount and the range of days a file may hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.connectors.sources.errors import describe_value

# Bounds of plausible usage. Any one amount above MAX_AMOUNT (tokens, kWh, cost...) is an error in the file,
# and keeping amounts this small means the sums of a file cannot overflow int64. Days before EARLIEST_DAY
# or after tomorrow (UTC; a day of slack for time zones) are typos in the year, not usage.
MAX_AMOUNT = 10**12
EARLIEST_DAY = dt.date(2000, 1, 1)


def max_text(allow_negative: bool = False) -> str:
    """The bound in words, for a message: 'of at most 1,000,000,000,000' (or 'between -... and ...')."""
    return f"between {-MAX_AMOUNT:,} and {MAX_AMOUNT:,}" if allow_negative else f"of at most {MAX_AMOUNT:,}"


def latest_day() -> dt.date:
    """The last day usage can be on: tomorrow in UTC."""
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


def day_out_of_range(day: dt.date, got: Any) -> str | None:
    """The message for a usage day before EARLIEST_DAY or in the future; None when the day is plausible."""
    if day < EARLIEST_DAY:
        return (
            f"expected a date from {EARLIEST_DAY:%Y-%m-%d} on, got {describe_value(got)}, before "
            f"{EARLIEST_DAY:%Y-%m-%d}: check the year"
        )
    if day > latest_day():
        return (
            f"expected a date no later than today ({latest_day() - dt.timedelta(days=1):%Y-%m-%d}), got "
            f"{describe_value(got)}: usage cannot be in the future, check the year"
        )
    return None
