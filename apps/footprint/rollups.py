"""Rollups: the organisation's usage records summed per day (DailyRollup) and per month (MonthlyRollup).

Pages and API answers read these, never every record, so their cost depends on the number of days, models and
teams, not of records. A rollup row is never updated by a difference: whatever changes records (an ingestion
run, a mapping edit, a person or team removed) calls refresh() or refresh_all() in the same transaction, which
deletes the rollup rows of the days it touched and sums those days' records again, in the database (INSERT ...
SELECT ... GROUP BY), then the months those days fall in from the daily rows. So a rollup always equals the sum
of its records (up to the order floats are added in), and `manage.py rebuild_rollups` rebuilds it the same way.

A date range is read as whole months from the monthly table plus the days of its partial months from the
daily one (`plan`); the cost owner also splits at the days a price changes, so every token is priced at the
price of its own day."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import threading
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Case, Count, DateField, DecimalField, FloatField, Sum, Value, When
from django.db.models.functions import TruncMonth

from . import rollup_rows
from .models import DailyRollup, MonthlyRollup, PersonMonthActivity, PersonMonthRollup, RollupStamp, UsageRecord

# The grouping columns and measures are named in rollup_sums (a run's frames are summed by them too).
from .rollup_sums import (  # noqa: F401 (re-exported: readers name them as rollups.DIMENSIONS etc.)
    COUNTS,
    DIMENSIONS,
    FLOATS,
    MEASURES,
    MULTI_CRITERIA,
    NULLABLE,
    PERSON_DIMENSIONS,
)

# A record's cost is the vendor's when it is not zero (apps.costs.cost's rule).
COST_REPORTED = Case(When(cost=0, then=Value(False)), default=Value(True), output_field=BooleanField())
_COST_REPORTED = COST_REPORTED


def _measures(records_column: str | None) -> dict:
    """The measures as aggregates: over records (records counted) or over rollup rows (their counts summed)."""
    out = {"records": Count("pk") if records_column is None else Sum(records_column)}
    out.update({name: Sum(name) for name in COUNTS})
    out["cost"] = Sum("cost", output_field=DecimalField(max_digits=30, decimal_places=10))
    out.update({name: Sum(name, output_field=FloatField()) for name in FLOATS})
    return out


def _insert_select(cursor, model, queryset, names: list[str]) -> None:
    """INSERT INTO the rollup table the rows of a grouped queryset: the database sums, nothing comes to Python.
    `names` are the queryset's columns in its SELECT's order (Django keeps values()'s order, then the
    aggregates')."""
    query = queryset.query
    attnames = {f.name: f.attname for f in model._meta.concrete_fields}
    qn = connection.ops.quote_name
    columns = ", ".join(qn(attnames.get(name, name)) for name in names)
    sql, params = query.sql_with_params()
    cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({columns}) {sql}", params)


def _day_ranges(days) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as the fewest (first, last) ranges of consecutive days."""
    ranges: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if ranges and day - ranges[-1][1] == dt.timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(first, last) for first, last in ranges]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def generation(organisation_id: int) -> int:
    """The organisation's rollup generation: it changes whenever a figure read from the rollups may have."""
    return RollupStamp.objects.filter(organisation_id=organisation_id).values_list("generation", flat=True).first() or 0


def _bump(organisation_id: int) -> None:
    """A new generation, drawn at random rather than counted: a transaction rolled back (a failed run, a test)
    must not leave a later change with the number a cached figure was stored under."""
    RollupStamp.objects.update_or_create(
        organisation_id=organisation_id, defaults={"generation": secrets.randbits(62) + 1}
    )


def refresh(organisation_id: int, days) -> None:
    """Sum again the records of `days` (dates) into the daily rollup, and the months they fall in into the
    monthly one, and bump the generation. Call it inside the transaction that changed those days' records."""
    ranges = _day_ranges(days)
    if not ranges:
        return
    _bump(organisation_id)
    with connection.cursor() as cursor:
        for first, last in ranges:
            _refresh_days(cursor, organisation_id, (first, last))
        for first_day in sorted(_months_between(ranges)):
            _refresh_month(cursor, organisation_id, first_day)
            _refresh_people(cursor, organisation_id, (first_day, month_end(first_day)))


def _refresh_days(cursor, organisation_id: int, span: tuple[dt.date, dt.date]) -> None:
    """The days of `span` summed again from their records into DailyRollup."""
    DailyRollup.objects.filter(organisation_id=organisation_id, day__range=span).delete()
    records = UsageRecord.objects.filter(organisation_id=organisation_id, day__range=span)
    names = ["organisation_id", "day", *DIMENSIONS]
    grouped = records.annotate(cost_reported=_COST_REPORTED).values(*names).annotate(**_measures(None)).order_by()
    _insert_select(cursor, DailyRollup, grouped, [*names, *MEASURES])


def _refresh_month(cursor, organisation_id: int, first_day: dt.date) -> None:
    """The month's daily rollup rows summed again into MonthlyRollup."""
    span = (first_day, month_end(first_day))
    MonthlyRollup.objects.filter(organisation_id=organisation_id, month__range=span).delete()
    names = ["organisation_id", "month", *DIMENSIONS]
    grouped = (
        DailyRollup.objects.filter(organisation_id=organisation_id, day__range=span)
        .annotate(month=TruncMonth("day"))
        .values(*names)
        .annotate(**_measures("records"))
        .order_by()
    )
    _insert_select(cursor, MonthlyRollup, grouped, [*names, *MEASURES])


def stored_days(organisation_id: int, days) -> set[dt.date]:
    """The days with stored records in the months `days` fall in: ask before a run writes its records (see
    refresh_run)."""
    span = (month_start(min(days)), month_end(max(days)))
    records = UsageRecord.objects.filter(organisation_id=organisation_id, day__range=span)
    if not records.exists():  # the usual case, a new period: no scan of the days
        return set()
    return set(records.order_by().values_list("day", flat=True).distinct())


def refresh_run(organisation_id: int, days, sums, stored: set[dt.date], constants: dict) -> None:
    """refresh() after a run wrote its records on `days`, its estimated frames summed in `sums`
    (rollup_sums.FrameSums) and `stored` the stored_days() asked before it wrote. A day no stored record had,
    and the person rollups of a month none had, hold the run's records alone: their rows are the sums, written
    as they are. The other days and months are summed again from the records (a re-sent record replaces an
    older one, which only the database knows). `constants` are the run's organisation_id, run_id and
    factor_set_id. Call it in the run's transaction."""
    days = set(days)
    if not days:
        return
    if not sums.usable:
        refresh(organisation_id, days)
        return
    _bump(organisation_id)
    fresh_days = days - stored
    months = _months_between(_day_ranges(days))
    fresh_months = months - {month_start(day) for day in stored}
    with connection.cursor() as cursor:
        for span in _day_ranges(fresh_days):  # none should exist: a rollup row without records
            DailyRollup.objects.filter(organisation_id=organisation_id, day__range=span).delete()
        rollup_rows.insert(cursor, DailyRollup, sums.daily(fresh_days), constants)
        for span in _day_ranges(days - fresh_days):
            _refresh_days(cursor, organisation_id, span)
        for first_day in sorted(months):
            _refresh_month(cursor, organisation_id, first_day)
            if first_day not in fresh_months:
                _refresh_people(cursor, organisation_id, (first_day, month_end(first_day)))
        if fresh_months:
            person_constants = {"organisation_id": constants["organisation_id"]}
            for model in (PersonMonthRollup, PersonMonthActivity):
                model.objects.filter(organisation_id=organisation_id, month__in=fresh_months).delete()
            cuts = sorted({d for source in _split_day_sources for d in source(organisation_id)})
            rollup_rows.insert(cursor, PersonMonthRollup, sums.people(fresh_months, cuts), person_constants)
            for table, per_team in sums.activity(fresh_months):
                rollup_rows.insert(cursor, PersonMonthActivity, table, {**person_constants, "per_team": per_team})


# The person grain (PersonMonthRollup): what the per person cost figures group and sum.
PERSON_MEASURES = {
    "records": Count("pk"),
    **{name: Sum(name) for name in COUNTS},
    "cost": Sum("cost", output_field=DecimalField(max_digits=30, decimal_places=10)),
    "energy_kwh": Sum("energy_kwh", output_field=FloatField()),
    "co2e_location_kg": Sum("co2e_location_kg", output_field=FloatField()),
    **{
        name: Sum(name, output_field=FloatField()) for name in ("energy_prefill_kwh", "water_l", "adpe_kgsbeq", "pe_mj")
    },
}


_split_day_sources: list = []


def register_split_days(source) -> None:
    """`source(organisation_id)` gives days the person rollup cuts its months at (apps.costs registers the days
    a price starts); the registrant refreshes the months concerned (refresh_people) when those days change."""
    if source not in _split_day_sources:
        _split_day_sources.append(source)


def _segment(organisation_id: int, span: tuple[dt.date, dt.date]):
    """The first day of each record's part of the month: the month cut at the registered days inside it."""
    cuts = sorted({d for source in _split_day_sources for d in source(organisation_id) if span[0] < d <= span[1]})
    if not cuts:
        return TruncMonth("day", output_field=DateField())
    whens = [When(day__gte=cut, then=Value(cut)) for cut in reversed(cuts)]
    return Case(*whens, default=TruncMonth("day", output_field=DateField()), output_field=DateField())


def refresh_people(organisation_id: int, months) -> None:
    """Sum again the person rollups of these months (first days), e.g. when the days they are cut at change."""
    _bump(organisation_id)  # a price moved in place changes figures the cache keys alone would not see
    with connection.cursor() as cursor:
        for first_day in sorted(set(months)):
            _refresh_people(cursor, organisation_id, (first_day, month_end(first_day)))


def _refresh_people(cursor, organisation_id: int, span: tuple[dt.date, dt.date]) -> None:
    """The month's records of people summed again into PersonMonthRollup, and their distinct days per person,
    team and usage kind into PersonMonthActivity (from the records: days cannot be summed from other sums)."""
    PersonMonthRollup.objects.filter(organisation_id=organisation_id, month=span[0]).delete()
    PersonMonthActivity.objects.filter(organisation_id=organisation_id, month=span[0]).delete()
    records = UsageRecord.objects.filter(organisation_id=organisation_id, day__range=span, person__isnull=False)
    names = ["organisation_id", "month", "segment", *PERSON_DIMENSIONS]
    grouped = (
        records.annotate(month=TruncMonth("day"), segment=_segment(organisation_id, span), cost_reported=_COST_REPORTED)
        .values(*names)
        .annotate(**PERSON_MEASURES)
        .order_by()
    )
    _insert_select(cursor, PersonMonthRollup, grouped, [*names, *PERSON_MEASURES])
    for per_team in (True, False):
        names = ["organisation_id", "month", "person_id", "usage_kind", *(["team_id"] if per_team else [])]
        days = (
            records.annotate(month=TruncMonth("day"), per_team=Value(per_team))
            .values(*names, "per_team")
            .annotate(days_active=Count("day", distinct=True))
            .order_by()
        )
        _insert_select(cursor, PersonMonthActivity, days, [*names, "per_team", "days_active"])


def _months_between(ranges) -> set[dt.date]:
    months = set()
    for first, last in ranges:
        month = month_start(first)
        while month <= last:
            months.add(month)
            month = month_end(month) + dt.timedelta(days=1)
    return months


def refresh_all(organisation_id: int) -> None:
    """Rebuild every rollup row of the organisation from its records (a mapping edit, a team removed, the
    rebuild command)."""
    _bump(organisation_id)
    for model in (DailyRollup, MonthlyRollup, PersonMonthRollup, PersonMonthActivity):
        model.objects.filter(organisation_id=organisation_id).delete()
    days = UsageRecord.objects.filter(organisation_id=organisation_id).order_by().values_list("day", flat=True)
    refresh(organisation_id, days.distinct())


_batch = threading.local()


@contextlib.contextmanager
def batched():
    """Within it, days touched() are collected and refreshed once at the end (a mapping edit updates records
    identity by identity: one refresh, not one per identity). Use it inside the writing transaction."""
    if getattr(_batch, "days", None) is not None:  # nested: the outer batch refreshes
        yield
        return
    _batch.days = {}
    try:
        yield
        pending = _batch.days
    finally:
        _batch.days = None
    for organisation_id, days in pending.items():
        refresh(organisation_id, days)


def touched(organisation_id: int, days) -> None:
    """Records of these days changed (UsageRecord's queryset and model hooks say so): refresh them now, or at
    the end of the current batched() block."""
    pending = getattr(_batch, "days", None)
    if pending is None:
        refresh(organisation_id, days)
    else:
        pending.setdefault(organisation_id, set()).update(days)


@dataclass(frozen=True)
class Plan:
    """How a date range is read: whole months from the monthly rollup, the other days from the daily one."""

    months: list[dt.date] = field(default_factory=list)  # first days
    day_ranges: list[tuple[dt.date, dt.date]] = field(default_factory=list)


def plan(start: dt.date, end: dt.date, split_days=()) -> Plan:
    """The months of [start, end] wholly inside it and holding none of `split_days` after their first day (a
    price that changes mid-month), and the remaining days as ranges."""
    splits = {d for d in split_days if d.day != 1}
    months, days = [], []
    month = month_start(start)
    while month <= end:
        last = month_end(month)
        inside = month >= start and last <= end
        if inside and not any(month < d <= last for d in splits):
            months.append(month)
        else:
            days.append((max(month, start), min(last, end)))
        month = last + dt.timedelta(days=1)
    return Plan(months, days)


def parts(organisation, start: dt.date, end: dt.date, split_days=()) -> list:
    """The rollup querysets that together hold [start, end] of the organisation: monthly rows of whole months,
    daily rows of the rest. Each row has `day` or `month`; filter them alike (same dimensions)."""
    layout = plan(start, end, split_days)
    out = []
    if layout.months:
        out.append(MonthlyRollup.objects.filter(organisation=organisation, month__in=layout.months))
    for first, last in layout.day_ranges:
        out.append(DailyRollup.objects.filter(organisation=organisation, day__range=(first, last)))
    return out


def measures(records_column: str = "records") -> dict:
    """The measures as aggregates over rollup rows, for readers that group them their own way."""
    return _measures(records_column)


def remember_team_days(sender, instance, **kwargs) -> None:
    """pre_delete of a Team or a Person: the days of its records, which lose it (SET_NULL) and are summed again
    after."""
    owner = "team_id" if sender._meta.model_name == "team" else "person_id"
    records = UsageRecord.objects.filter(organisation_id=instance.organisation_id, **{owner: instance.pk})
    instance._rollup_days = set(records.order_by().values_list("day", flat=True).distinct())


def refresh_team_days(sender, instance, **kwargs) -> None:
    """post_delete of a Team or a Person (inside the deletion's transaction): its records' days summed again."""
    refresh(instance.organisation_id, getattr(instance, "_rollup_days", ()))
