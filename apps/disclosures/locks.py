"""Which periods are signed off, told to the footprint app's lock (apps.footprint.locks) at start-up."""

import datetime as dt

from django.db.models import Max

from .models import PeriodStatus, ReportingPeriod


def signed_off_ranges(organisation) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of every period whose newest version is signed off or being signed off: the days lock when
    sign-off is requested, not when the task has frozen them, so nothing moves under the freeze."""
    latest = ReportingPeriod.objects.for_org(organisation).values("start", "end").annotate(latest=Max("version"))
    ranges = []
    for row in latest:
        status = (
            ReportingPeriod.objects.for_org(organisation)
            .filter(start=row["start"], end=row["end"], version=row["latest"])
            .values_list("status", flat=True)
            .first()
        )
        if status in (PeriodStatus.SIGNED_OFF, PeriodStatus.SIGNING):
            ranges.append((row["start"], row["end"]))
    return ranges
