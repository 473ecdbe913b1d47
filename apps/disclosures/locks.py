"""Signed-off periods are locked: nothing may add, change or delete usage records on their days.

Every write path (ingestion, mapping re-attribution, instruments, the admin) asks here first."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max

from .models import PeriodStatus, ReportingPeriod


class PeriodLocked(Exception):
    """A write would touch a signed-off period. The message says which and how to proceed."""


def locked_ranges(organisation) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of every period whose newest version is signed off."""
    latest = ReportingPeriod.objects.for_org(organisation).values("start", "end").annotate(latest=Max("version"))
    ranges = []
    for row in latest:
        status = (
            ReportingPeriod.objects.for_org(organisation)
            .filter(start=row["start"], end=row["end"], version=row["latest"])
            .values_list("status", flat=True)
            .first()
        )
        if status == PeriodStatus.SIGNED_OFF:
            ranges.append((row["start"], row["end"]))
    return ranges


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
