"""Signed-off periods are locked: nothing may add, change or delete usage records on their days.

Every write path (ingestion, mapping re-attribution, instruments, the admin) asks here first. Which periods
are signed off is known above this app (disclosures owns reporting periods): it registers the function that
tells, so the arrows between apps keep pointing down."""

import datetime as dt
from collections.abc import Callable, Iterable

from apps.core.errors import ConflictError

LockedRanges = Callable[[object], list[tuple[dt.date, dt.date]]]
_providers: list[LockedRanges] = []


class PeriodLocked(ConflictError):
    """A write would touch a signed-off period. The message says which and how to proceed."""


def register_locked_ranges(provider: LockedRanges) -> None:
    """Called once at start-up by the app that owns reporting periods."""
    if provider not in _providers:
        _providers.append(provider)


def locked_ranges(organisation) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of every signed-off period of the organisation."""
    return [span for provider in _providers for span in provider(organisation)]


def locked_day_mask(organisation, days: Iterable[dt.date]) -> list[bool]:
    """For each day, whether it falls in a locked period."""
    ranges = locked_ranges(organisation)
    return [any(start <= day <= end for start, end in ranges) for day in days]


def assert_days_open(organisation, days: Iterable[dt.date], what: str = "records") -> None:
    """Raise PeriodLocked naming the period and the first locked day when any day is locked."""
    ranges = locked_ranges(organisation)
    if not ranges:
        return
    for day in sorted(set(days)):
        for start, end in ranges:
            if start <= day <= end:
                raise PeriodLocked(
                    f"The reporting period {start:%Y-%m-%d} – {end:%Y-%m-%d} is signed off: {what} for "
                    f"{day:%Y-%m-%d} cannot be added, changed or deleted. Reopen the period (a restatement) "
                    "to load corrections."
                )
