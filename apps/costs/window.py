"""The dates every cost figure covers: the dates asked for, else the latest reporting period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from apps.disclosures.models import ReportingPeriod
from apps.footprint.models import DailyRollup

from . import calc


@dataclass(frozen=True)
class Window:
    """The dates a cost figure covers, the reporting period they fall in and its internal carbon price."""

    start: dt.date
    end: dt.date
    period_id: int | None
    carbon_price_eur_per_t: float | None

    @property
    def months(self) -> float:
        return calc.months_in(self.start, self.end)

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "months": self.months,
            "period_id": self.period_id,
            "carbon_price_eur_per_t": self.carbon_price_eur_per_t,
        }


def _period_covering(org, day: dt.date):
    return ReportingPeriod.objects.for_org(org).filter(start__lte=day, end__gte=day).order_by("-version").first()


def window_for(org, start: dt.date | None = None, end: dt.date | None = None) -> Window:
    """The dates asked for; else the latest reporting period; else the calendar year of the latest usage."""
    if not (start and end):
        period = ReportingPeriod.objects.for_org(org).order_by("-end", "-version").first()
        if period is not None:
            start, end = period.start, period.end
        else:
            last = DailyRollup.objects.filter(organisation=org).aggregate(last=Max("day"))["last"] or dt.date.today()
            start, end = dt.date(last.year, 1, 1), dt.date(last.year, 12, 31)
    period = _period_covering(org, end)
    price = period.internal_carbon_price_eur_per_t if period is not None else None
    return Window(start, end, period.pk if period else None, float(price) if price is not None else None)
