"""What the cost figures read of a window's usage, from the rollups: never every record.

`read_usage` gives the window's usage summed per day-or-month, source, provider, model, kind, team, currency and
reported-or-not (DailyRollup / MonthlyRollup through rollups.parts, split at the days a price changes so every
token is priced at its day's price), the same summed per person (PersonMonthRollup, whose months are cut at
those days), and ROI's distinct
person-days with API use per team (PersonMonthActivity). Each summed row gets its API cost by cost.py's rule:
token pricing is linear, so tokens summed per day (or per month without a price change) and model cost what
their records cost. Months only partly inside the window read their people's days from the records of those days
alone (a bounded read: the person rollup is per month).

`records_usage` builds the same from every record of the window (records.records_frame): the full
recomputation the tests compare against."""

from __future__ import annotations

import functools

import pandas as pd
from django.db.models import Count, DecimalField, F, FloatField, Sum

from apps.accounts.models import Person, Team
from apps.core.distinct import map_distinct
from apps.core.labels import NO_TEAM
from apps.footprint import rollups
from apps.footprint.models import MonthlyRollup, PersonMonthActivity, PersonMonthRollup, UsageRecord

from . import calc, cost
from .records import records_frame
from .top_people import candidates
from .window import Window

GROUP = ("source", "provider", "model", "usage_kind", "team_id", "currency", "cost_reported")
PERSON_GROUP = ("person_id", *GROUP)
INTEGERS = ("requests", "input_tokens", "cached_input_tokens", "output_tokens", "active_user_days")
SUMS = {
    **{name: Sum(name) for name in INTEGERS},
    "cost_sum": Sum("cost", output_field=DecimalField(max_digits=30, decimal_places=10)),
    "energy_kwh": Sum("energy_kwh", output_field=FloatField()),
    "co2e_location_kg": Sum("co2e_location_kg", output_field=FloatField()),
}


class CostUsage:
    """A window's usage as the cost figures read it: `rows` (no person) and `people` (rows of people, with
    person__email and person__name), each row with team, model_key, co2e_kg, cost_eur and cost_basis; and
    `api_person_days` (team -> distinct person-days with API use) and `api_person_days_total` (in all).
    `people` and the person-days may be given as functions, read the first time a figure asks for them (the
    right-sizing and rebound pages need neither)."""

    def __init__(self, rows: pd.DataFrame, people, person_days):
        self.rows = rows
        self._people, self._person_days = people, person_days

    @functools.cached_property
    def people(self) -> pd.DataFrame:
        return self._people() if callable(self._people) else self._people

    @functools.cached_property
    def _days(self) -> tuple[pd.Series, float]:
        return self._person_days() if callable(self._person_days) else self._person_days

    @property
    def api_person_days(self) -> pd.Series:
        return self._days[0]

    @property
    def api_person_days_total(self) -> float:
        return self._days[1]


def _summed(queryset, period: str, group: tuple[str, ...]) -> list[dict]:
    return list(queryset.order_by().annotate(period=F(period)).values("period", *group).annotate(**SUMS))


def _frame(rows: list[dict], teams: dict, prices: pd.DataFrame, rates: dict, billed: frozenset) -> pd.DataFrame:
    """Summed rows as the frame records_frame gives (team named, energy without NULLs), each costed (a
    provider-month with a bill: its token rows are covered by it, cost.billed_months)."""
    columns = ["period", *PERSON_GROUP, *SUMS]
    frame = pd.DataFrame(rows, columns=columns).rename(columns={"period": "day", "cost_reported": "reported"})
    for name in INTEGERS:
        frame[name] = frame[name].fillna(0).astype("int64")
    for name in ("source", "provider", "model", "usage_kind", "currency"):
        frame[name] = frame[name].astype("str")
    frame["cost"] = frame.pop("cost_sum").map(cost.as_decimal).astype(object)
    frame["reported"] = frame["reported"].astype(bool)
    frame["energy_kwh"] = frame["energy_kwh"].astype("float64").fillna(0.0)
    frame["co2e_location_kg"] = frame["co2e_location_kg"].astype("float64").fillna(0.0)
    frame["co2e_kg"] = frame["co2e_location_kg"]
    frame["team"] = [teams.get(t, NO_TEAM) for t in frame["team_id"]] if len(frame) else pd.Series(dtype="str")
    known = set(prices["model_key"])
    frame["model_key"] = map_distinct(frame["model"], lambda m: calc.model_key(m, known), "str")
    costs = cost.record_costs_eur(frame, prices=prices, rates=rates, billed=billed)
    frame["cost_eur"] = costs["cost_eur"]
    frame["cost_basis"] = costs["cost_basis"]
    return frame


def _names(org) -> tuple[dict, dict]:
    teams = dict(Team.objects.for_org(org).values_list("pk", "name"))
    people = {pk: (email, name) for pk, email, name in Person.objects.for_org(org).values_list("pk", "email", "name")}
    return teams, people


def read_usage(org, window: Window, top: int = 10) -> CostUsage:
    """The window's usage from the rollups (module docstring): the queries do not grow with the records.
    `people` holds the rows of those who can be among the `top` by API spend (top_people.candidates)."""
    split_days = cost.price_change_days(org)
    teams, people = _names(org)
    prices, rates = cost.model_prices(org), cost.usd_per_unit(org)
    billed = cost.billed_months(org)
    rows = []
    for part in rollups.parts(org, window.start, window.end, split_days):
        rows += _summed(part, "month" if part.model is MonthlyRollup else "day", GROUP)
    usage = _frame(rows, teams, prices, rates, billed)

    def people_rows() -> pd.DataFrame:
        # The person rollup's months are cut at the days a price starts (`segment`): whole months read from it.
        layout = rollups.plan(window.start, window.end)
        parts = [(PersonMonthRollup.objects.filter(organisation=org, month__in=layout.months), "segment")]
        for first, last in layout.day_ranges:
            edge = UsageRecord.objects.filter(organisation=org, day__range=(first, last), person__isnull=False)
            parts.append((edge.annotate(cost_reported=rollups.COST_REPORTED), "day"))
        chosen = candidates(parts, usage, prices, rates, top)
        found = [
            row for part, period in parts for row in _summed(part.filter(person_id__in=chosen), period, PERSON_GROUP)
        ]
        frame = _frame(found, teams, prices, rates, billed)
        frame["person__email"] = [people.get(p, (None, None))[0] for p in frame["person_id"]]
        frame["person__name"] = [people.get(p, (None, None))[1] for p in frame["person_id"]]
        return frame

    return CostUsage(usage, people_rows, lambda: _api_person_days(org, window, teams))


def _api_person_days(org, window: Window, teams: dict) -> tuple[pd.Series, float]:
    """Distinct person-days with API (token) use per team, and in all (a person using two teams' keys the same
    day is one person-day of each team, and one in all): whole months from PersonMonthActivity, the days of
    months only partly in the window from their records."""
    layout = rollups.plan(window.start, window.end)
    by_team: dict[str, float] = {}
    total = 0.0
    activity = PersonMonthActivity.objects.filter(organisation=org, month__in=layout.months, usage_kind="tokens")
    counted = activity.order_by().values("per_team", "team_id").annotate(n=Sum("days_active"))
    rows = [(per_team, team_id, n) for per_team, team_id, n in counted.values_list("per_team", "team_id", "n")]
    for first, last in layout.day_ranges:
        edge = UsageRecord.objects.filter(
            organisation=org, day__range=(first, last), person__isnull=False, usage_kind="tokens"
        ).order_by()
        per_team = edge.values("team_id", "person_id").annotate(n=Count("day", distinct=True))
        rows += [(True, team_id, n) for team_id, n in per_team.values_list("team_id", "n")]
        in_all = edge.values("person_id").annotate(n=Count("day", distinct=True))
        rows += [(False, None, n) for n in in_all.values_list("n", flat=True)]
    for per_team, team_id, count in rows:
        if per_team:
            name = teams.get(team_id, NO_TEAM)
            by_team[name] = by_team.get(name, 0.0) + float(count)
        else:
            total += float(count)
    return pd.Series(by_team, dtype=float).sort_index(), total


def records_usage(org, window: Window) -> CostUsage:
    """The same from every record of the window (records_frame): the full recomputation, for the tests."""
    frame = records_frame(org, window)
    tokens = frame[(frame["usage_kind"] == "tokens") & frame["person_id"].notna()] if not frame.empty else frame
    if tokens.empty:
        by_team, total = pd.Series(dtype=float), 0.0
    else:
        by_team = tokens.drop_duplicates(["person_id", "day", "team"]).groupby("team").size().astype(float)
        total = float(len(tokens.drop_duplicates(["person_id", "day"])))
    people = frame[frame["person_id"].notna()] if not frame.empty else frame
    return CostUsage(frame, people, (by_team, total))
