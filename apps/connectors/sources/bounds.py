"""Bounds of plausible usage: the largest amount and the range of days a file may hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.connectors.sources.errors import describe_value
from apps.core.messages import Message

# Bounds of plausible usage. Any one amount above MAX_AMOUNT (tokens, kWh, cost...) is an error in the file,
# and keeping amounts this small means the sums of a file cannot overflow int64. Days before EARLIEST_DAY
# or after tomorrow (UTC; a day of slack for time zones) are typos in the year, not usage.
MAX_AMOUNT = 10**12
EARLIEST_DAY = dt.date(2000, 1, 1)


def max_text(allow_negative: bool = False) -> Message:
    """The bound in words, for a message: 'of at most 1,000,000,000,000' (or 'between -... and ...')."""
    if allow_negative:
        return Message("between {low} and {high}", low=f"{-MAX_AMOUNT:,}", high=f"{MAX_AMOUNT:,}")
    return Message("of at most {high}", high=f"{MAX_AMOUNT:,}")


def latest_day() -> dt.date:
    """The last day usage can be on: tomorrow in UTC."""
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


def day_out_of_range(day: dt.date, got: Any) -> Message | None:
    """The message for a usage day before EARLIEST_DAY or in the future; None when the day is plausible."""
    if day < EARLIEST_DAY:
        return Message(
            "expected a date from {earliest} on, got {got}, before {earliest}: check the year",
            earliest=f"{EARLIEST_DAY:%Y-%m-%d}",
            got=describe_value(got),
        )
    if day > latest_day():
        return Message(
            "expected a date no later than today ({today}), got {got}: usage cannot be in the future, check the year",
            today=f"{latest_day() - dt.timedelta(days=1):%Y-%m-%d}",
            got=describe_value(got),
        )
    return None
