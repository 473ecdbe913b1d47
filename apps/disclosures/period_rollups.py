"""A draft period's rows to estimate, read from the rollups: the monthly rows of its whole months, the daily rows
of the rest.

Every estimator is linear in what a rollup row sums (requests, tokens, user-days, kWh, spend), so a month summed
gives the figures of its days summed, as long as nothing the estimate depends on changes inside the month: the
calendar year (its grid vintage: a month never straddles two), an instrument's period (the market-based
allocation) and the model a dated alias stands for (`mistral-large-latest`). A month holding the first day of
one of those, or the day after its last, is read day by day (apps.footprint.rollups.plan). A year of 5 M records
has about as many daily rollup rows as records at the finest grain, but a few hundred thousand monthly ones.

Only the coverage (first and last day per source) cannot be told from a month's row: it is asked of the daily
rollup in SQL (coverage()).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Max, Min, Q, Sum

from apps.footprint import rollups
from apps.footprint.factor_set import FactorSet
from apps.footprint.models import DailyRollup, MonthlyRollup

# The rollup fields a draft's estimate reads (but the day or month), in the order of period_records()'s frame.
COLUMNS = [
    "source",
    "provider",
    "model",
    "usage_kind",
    "self_hosted",
    "team__name",
    "zone",
    "currency",
    "run_id",
    "run__source_file__sha256",
    "records",
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "measured_energy_kwh",
    "cost",
]


def split_days(factor_set: FactorSet, instruments: list[dict], models=None) -> set[dt.date]:
    """The days on which the estimate of the same usage may change: each instrument's first day and the day
    after its last, and the days a dated alias (of `models`, the names on record; every alias when None) moves
    to another model."""
    days = set(factor_set.alias_change_days(models))
    for instrument in instruments:
        days.add(dt.date.fromisoformat(instrument["period_start"]))
        days.add(dt.date.fromisoformat(instrument["period_end"]) + dt.timedelta(days=1))
    return days


def rows(period, factor_set: FactorSet, instruments: list[dict]) -> pd.DataFrame:
    """The rollup rows of the period, shaped like snapshots.period_records() (a `day` per row: the month's first
    day for a monthly row; `records` counts the records each sums; no person, key nor project): monthly rows for
    the months the period wholly holds and no split day cuts, daily rows for the other days. Three queries."""
    organisation = period.organisation
    # The model names on record in the period's months: only their aliases' moves cut a month.
    on_record = MonthlyRollup.objects.filter(
        organisation=organisation, month__range=(rollups.month_start(period.start), period.end)
    )
    models = set(on_record.order_by().values_list("model", flat=True).distinct())
    layout = rollups.plan(period.start, period.end, split_days(factor_set, instruments, models))
    parts = []
    if layout.months:
        monthly = MonthlyRollup.objects.filter(organisation=organisation, month__in=layout.months)
        parts.append(list(monthly.order_by("month", "pk").values_list("month", *COLUMNS)))
    if layout.day_ranges:
        spans = Q()
        for first, last in layout.day_ranges:
            spans |= Q(day__range=(first, last))
        daily = DailyRollup.objects.filter(spans, organisation=organisation)
        parts.append(list(daily.order_by("day", "pk").values_list("day", *COLUMNS)))
    frame = pd.DataFrame([row for part in parts for row in part], columns=["day", *COLUMNS])
    frame = frame.rename(columns={"team__name": "team", "run__source_file__sha256": "source_sha256"})
    for name in ("person_ref", "team_ref", "project", "api_key"):
        frame[name] = ""
    return frame


def coverage(period) -> list[dict]:
    """First and last day with records, and how many, per source over the period (e1.coverage's figures), summed
    by the database from the daily rollup."""
    daily = DailyRollup.objects.filter(organisation=period.organisation, day__range=(period.start, period.end))
    spans = daily.values("source").annotate(first=Min("day"), last=Max("day"), n=Sum("records")).order_by("source")
    return [
        {
            "source_key": str(row["source"]),
            "first_day": f"{row['first']:%Y-%m-%d}",
            "last_day": f"{row['last']:%Y-%m-%d}",
            "records": int(row["n"]),
        }
        for row in spans
        if row["n"]
    ]
