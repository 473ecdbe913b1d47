"""Read queries behind the dashboard, the records list and the API's footprint summary.

Everything is computed in the database (sums grouped by month, provider, model, team...), never by loading
records into Python, so a year of usage stays cheap to show. The series have the shape of
`apps.disclosures.e1.breakdowns` (key, energy_kwh, co2e_location_kg, co2e_market_kg, records, requests;
months in order, the rest largest first), so the page, the API and the PDF's charts show the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db.models import Count, F, FloatField, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from apps.core.labels import NO_TEAM
from apps.footprint import rollups
from apps.footprint.model_names import model_family
from apps.footprint.models import DailyRollup, MonthlyRollup, UsageRecord

TEAM_NONE = "none"  # the team filter value that selects those records
# Each series and the record field it groups by: the breakdowns of apps.disclosures.e1, in the database.
SERIES = {
    "by_month": "day",
    "by_source": "source",
    "by_provider": "provider",
    "by_model": "model",
    "by_team": "team__name",
    "by_scope": "scope",
}
# The series the dashboard draws; SERIES also has by_source and by_scope, which the API returns.
CHART_SERIES = ("by_month", "by_provider", "by_model", "by_team")


@dataclass(frozen=True)
class Filters:
    """What the dashboard, the records list and the summary endpoint are limited to (GET parameters)."""

    start: dt.date
    end: dt.date
    team: str = ""  # a team id, TEAM_NONE, or "" for every team
    source: str = ""
    provider: str = ""
    model: str = ""
    period_id: int | None = None

    def params(self, **overrides) -> dict[str, str]:
        """The filters as GET parameters (empty ones left out), with some replaced."""
        values = replace(self, **overrides) if overrides else self
        params = {
            "start": values.start.isoformat(),
            "end": values.end.isoformat(),
            "team": values.team,
            "source": values.source,
            "provider": values.provider,
            "model": values.model,
        }
        return {key: value for key, value in params.items() if value}

    def querystring(self, **overrides) -> str:
        return urlencode(self.params(**overrides))


def _filtered(queryset, filters: Filters, organisation=None):
    """A records or rollup queryset limited to the filters' team, source, provider and model (a model family:
    every dated version, deployment name and prefixed spelling of it, as the by_model series groups them)."""
    if filters.team == TEAM_NONE:
        queryset = queryset.filter(team__isnull=True)
    elif filters.team:
        queryset = queryset.filter(team_id=int(filters.team))
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.provider:
        queryset = queryset.filter(provider=filters.provider)
    if filters.model:
        queryset = queryset.filter(model__in=family_members(organisation, filters.model))
    return queryset


def family_members(organisation, family: str) -> list[str]:
    """The model names of the organisation's rollups whose family is `family` (model_names.model_family), and
    `family` itself: read from the rollups (a few hundred rows), not the records."""
    if organisation is None:
        return [family]
    names = set()
    for table in (MonthlyRollup, DailyRollup):
        names.update(table.objects.filter(organisation=organisation).values_list("model", flat=True).distinct())
    return sorted({family} | {name for name in names if model_family(name) == family})


def filtered_records(organisation, filters: Filters):
    """The organisation's usage records that match the filters."""
    records = UsageRecord.objects.for_org(organisation).filter(day__range=(filters.start, filters.end))
    return _filtered(records, filters, organisation)


def filtered_rollups(organisation, filters: Filters, split_days=()) -> list:
    """The rollup querysets holding what filtered_records() holds, summed (rollups.parts): what the dashboard,
    the summary and the cost figures read. Pass them, or [filtered_records()], to totals() and series()."""
    parts = rollups.parts(organisation, filters.start, filters.end, split_days)
    return [_filtered(part, filters, organisation) for part in parts]


def _parts(usage) -> list:
    return list(usage) if isinstance(usage, (list, tuple)) else [usage]


def _float_sum(column: str, **extra):
    return Coalesce(Sum(column, **extra), Value(0.0), output_field=FloatField())


def _sums(queryset, multi_criteria: bool = False) -> dict:
    """The figures summed over a records queryset (records counted) or a rollup queryset (their counts summed);
    with `multi_criteria`, the prefill energy, water, ADPe and PE too (the totals show them, the series not)."""
    count = Count("pk") if queryset.model is UsageRecord else Coalesce(Sum("records"), 0)
    return {
        "energy_kwh": _float_sum("energy_kwh"),
        "co2e_location_kg": _float_sum("co2e_location_kg"),
        "co2e_market_kg": _float_sum("co2e_market_kg"),
        "records": count,
        "requests": Coalesce(Sum("requests"), 0),
        **({name: _float_sum(name) for name in MULTI_CRITERIA} if multi_criteria else {}),
    }


# The prefill energy line and the multi-criteria impacts (EcoLogits' water, ADPe, PE) with their ranges.
MULTI_CRITERIA = (
    "energy_prefill_kwh",
    "water_l",
    "water_l_low",
    "water_l_high",
    "adpe_kgsbeq",
    "adpe_kgsbeq_low",
    "adpe_kgsbeq_high",
    "pe_mj",
    "pe_mj_low",
    "pe_mj_high",
)
_FIGURES = ("energy_kwh", "co2e_location_kg", "co2e_market_kg", "records", "requests")


def totals(usage) -> dict:
    """kWh (and its prefill part), kg CO2e (location- and market-based), water (L), ADPe (kgSbeq) and primary energy
    (MJ) with their summed ranges, the number of records and of requests, of filtered_rollups()
    (or a records queryset, as the full recomputation the tests compare with).

    Cost is not summed here: apps.costs.cost owns it (reported costs converted, token records priced), so the
    dashboard, the API summary and the cost pages show one figure."""
    sums = dict.fromkeys((*_FIGURES, *MULTI_CRITERIA), 0)
    sums.update(energy_kwh=0.0, co2e_location_kg=0.0, co2e_market_kg=0.0, **dict.fromkeys(MULTI_CRITERIA, 0.0))
    for part in _parts(usage):
        for name, value in part.aggregate(**_sums(part, multi_criteria=True)).items():
            sums[name] += value
    sums["co2e_location_t"] = sums["co2e_location_kg"] / 1000
    sums["co2e_market_t"] = sums["co2e_market_kg"] / 1000
    return sums


def _grouped(queryset, name: str):
    if name == "by_month":
        key = F("month") if queryset.model is MonthlyRollup else TruncMonth("day")
        return queryset.annotate(key=key).values("key")
    column = SERIES[name]
    if name == "by_team":
        return queryset.annotate(key=F(column)).values("key", "team_id")
    return queryset.annotate(key=F(column)).values("key")


def _key_text(name: str, key) -> str:
    if name == "by_month":
        return f"{key:%Y-%m}" if key else ""
    if name == "by_team":
        return key or NO_TEAM
    if name == "by_model":  # dated versions grouped under their family (gpt-4o-2024-08-06 -> gpt-4o)
        return "" if key is None else model_family(str(key))
    return "" if key is None else str(key)


def _series_rows(usage, name: str) -> list[dict]:
    """One series summed over every part: rows of the same key (and team) from several parts added up."""
    merged: dict[tuple, dict] = {}
    for part in _parts(usage):
        for row in _grouped(part, name).order_by().annotate(**_sums(part)):
            key = _key_text(name, row["key"])
            team_id = row.get("team_id")
            item = merged.setdefault(
                (key, team_id),
                {"key": key, **{f: 0.0 if "kg" in f or "kwh" in f else 0 for f in _FIGURES}}
                | ({"team_id": team_id} if name == "by_team" else {}),
            )
            for figure in _FIGURES:
                item[figure] += row[figure]
    items = list(merged.values())
    for item in items:
        for figure in _FIGURES:
            item[figure] = float(item[figure]) if "kg" in figure or "kwh" in figure else int(item[figure])
    return items


def series(usage, names=tuple(SERIES)) -> dict[str, list[dict]]:
    """Energy and CO2e grouped by month, source, provider, model, team and scope, as e1.breakdowns gives them
    (months in order; the others by location-based CO2e, largest first, ties by key), of filtered_rollups() (or
    a records queryset). Team rows also carry `team_id` (None for unattributed) so a row can link to its
    records."""
    out = {}
    for name in names:
        items = _series_rows(usage, name)
        items.sort(key=lambda item: item["key"])
        if name != "by_month":
            items.sort(key=lambda item: -item["co2e_location_kg"])  # stable: ties stay in key order
        out[name] = items
    return out


def month_range(key: str, filters: Filters) -> tuple[dt.date, dt.date]:
    """The days of month `key` ("2025-03") inside the filtered range: where a month's bar drills down to."""
    year, month = (int(part) for part in key.split("-"))
    first = dt.date(year, month, 1)
    return max(first, filters.start), min(rollups.month_end(first), filters.end)
