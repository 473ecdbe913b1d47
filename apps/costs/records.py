"""Usage records of a window as a DataFrame, each with its API cost (cost.py's rule), read fast."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast

from apps.accounts.models import Person, Team
from apps.core.distinct import map_distinct
from apps.core.labels import NO_TEAM
from apps.footprint.models import UsageRecord

from . import calc, cost
from .window import Window

# What the cost figures read of each record. Person and team come as ids, named afterwards from their small
# tables: joining them into every row, and reading a column nothing uses, cost a fifth of the read.
RECORD_FIELDS = (
    "day",
    "source",
    "provider",
    "model",
    "usage_kind",
    "person_id",
    "team_id",
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "cost",
    "currency",
    "energy_kwh",
    "co2e_location_kg",
)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _names_by_id(model, org, fields: tuple[str, ...]) -> dict:
    """id -> (fields...) for the organisation's people or teams (records only point to their own)."""
    return {pk: rest for pk, *rest in model.objects.for_org(org).values_list("pk", *fields)}


def _lookup(codes: np.ndarray, ids: np.ndarray, names: dict, index: int, default) -> pd.Series:
    """names[id][index] for each row, from pd.factorize's (codes, ids): looked up once per distinct id; a row
    without an id (code -1) takes the default appended last."""
    table = pd.array([*(names[pk][index] if pk in names else default for pk in ids), default], dtype="str")
    return pd.Series(table.take(codes))


def read_records(org, window: Window) -> pd.DataFrame:
    """The window's records, read with a plain cursor into one object array and typed column by column:
    values_list() and DataFrame.from_records() took most of the cost page's time building and inferring ~2
    million cells. Same rows, order, dtypes and values as values_list() with the joins (tests/costs checks)."""
    # The day as text: SQLite's date converter is a Python call per row; each distinct day is parsed once below.
    qs = (
        UsageRecord.objects.for_org(org)
        .filter(day__range=(window.start, window.end))
        .annotate(day_text=Cast("day", CharField()))
        .values_list("day_text", *RECORD_FIELDS[1:])
    )
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    data = dict(zip(RECORD_FIELDS, np.array(rows, dtype=object).reshape(len(rows), len(RECORD_FIELDS)).T, strict=True))
    codes, days = pd.factorize(data["day"])
    frame = pd.DataFrame({"day": pd.Series(np.array([_as_date(d) for d in days], dtype=object)[codes], dtype=object)})
    for name in ("source", "provider", "model", "usage_kind"):
        frame[name] = pd.Series(data[name], dtype="str")
    frame["person_id"] = data["person_id"].astype(np.float64)  # None -> NaN, as from_records gave
    person_codes, person_ids = pd.factorize(data["person_id"])
    people = _names_by_id(Person, org, ("email", "name"))
    frame["person__email"] = _lookup(person_codes, person_ids, people, 0, None)
    frame["person__name"] = _lookup(person_codes, person_ids, people, 1, None)
    team_codes, team_ids = pd.factorize(data["team_id"])
    teams = _names_by_id(Team, org, ("name",))
    for name in ("requests", "input_tokens", "cached_input_tokens", "output_tokens", "active_user_days"):
        frame[name] = data[name].astype(np.int64)
    frame["cost"] = map_distinct(pd.Series(data["cost"], dtype=object), cost.as_decimal, "object")
    frame["currency"] = pd.Series(data["currency"], dtype="str")
    frame["energy_kwh"] = data["energy_kwh"].astype(np.float64)
    frame["co2e_location_kg"] = data["co2e_location_kg"].astype(np.float64)
    frame["team"] = _lookup(team_codes, team_ids, teams, 0, NO_TEAM)
    return frame


def records_frame(org, window: Window) -> pd.DataFrame:
    """Usage rows of the window with `team`, `model_key`, `co2e_kg` and each row's API cost: `cost_eur`
    (Decimal) and `cost_basis`, by cost.record_costs_eur."""
    frame = read_records(org, window)
    frame["energy_kwh"] = frame["energy_kwh"].fillna(0.0)
    frame["co2e_kg"] = frame["co2e_location_kg"]
    prices = cost.model_prices(org)
    known = set(prices["model_key"])
    frame["model_key"] = map_distinct(frame["model"], lambda m: calc.model_key(m, known), "str")
    rates = cost.usd_per_unit(org) if not frame.empty else {}
    costs = cost.record_costs_eur(frame, prices=prices, rates=rates, billed=cost.billed_months(org))
    frame["cost_eur"] = costs["cost_eur"]
    frame["cost_basis"] = costs["cost_basis"]
    return frame


def frame_cost_total(org, frame: pd.DataFrame) -> cost.CostTotal:
    """The API cost of a records_frame, totalled as cost.cost_total_eur totals a queryset."""
    return cost.cost_total(frame, frame, cost.usd_per_unit(org) if not frame.empty else {})


def group_sums(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Requests, active days, energy, CO2e and API spend summed by `key`."""
    return (
        frame.groupby(key, dropna=False)
        .agg(
            requests=("requests", "sum"),
            active_user_days=("active_user_days", "sum"),
            energy_kwh=("energy_kwh", "sum"),
            co2e_kg=("co2e_kg", "sum"),
            api_spend_eur=("cost_eur", "sum"),
        )
        .reset_index()
    )


def plain_rows(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as dicts of plain Python values (NumPy scalars unwrapped), for pages and JSON. A missing
    value (pandas' NaN, e.g. an intensity over a month with no activity) is None: "not defined", never a NaN."""
    return [{k: _plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _plain(value):
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and not math.isfinite(value) else value
