"""Reads for the cost pages and API: each returns plain dicts/lists of numbers, so a page and its JSON
endpoint answer the same figures. The arithmetic lives in calc.py."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import CharField, Max
from django.db.models.functions import Cast

from apps.connectors.models import IngestionRun, RunStatus
from apps.connectors.sources import github_copilot_seats, m365_copilot_usage
from apps.disclosures.models import ReportingPeriod
from apps.footprint.calculator import estimate_request
from apps.footprint.factors import FactorLookupError
from apps.footprint.models import UsageRecord
from apps.footprint.services import current_factor_set_version, load_factor_set

from . import calc
from .defaults import default_inputs
from .models import TOOL_SOURCES, ActiveDaysSource, FrugalityAssessment, Licence, ModelPrice, RoiAssumption, Tool

NO_TEAM = "(no team)"
UNASSIGNED = "(unassigned seats)"
SEAT_PARSERS = {
    "github_copilot_seats": github_copilot_seats.parse_seats,
    "m365_copilot_usage": m365_copilot_usage.parse_seats,
}
DEFAULT_SHIFT_SHARE = 0.30


# ---- the window every figure covers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
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
            last = UsageRecord.objects.for_org(org).aggregate(last=Max("day"))["last"] or dt.date.today()
            start, end = dt.date(last.year, 1, 1), dt.date(last.year, 12, 31)
    period = _period_covering(org, end)
    price = period.internal_carbon_price_eur_per_t if period is not None else None
    return Window(start, end, period.pk if period else None, float(price) if price is not None else None)


# ---- usage rows with their cost ----------------------------------------------------------------------------


def usd_rates(org) -> dict[str, float]:
    fs = load_factor_set(current_factor_set_version(org))
    return {r["currency"]: float(r["usd_per_unit"]) for r in fs.tables["currency_rates"].records()}


def price_frame(org) -> pd.DataFrame:
    rows = list(
        ModelPrice.objects.for_org(org).values(
            "provider", "model", "valid_from", "input_eur_per_mtok", "output_eur_per_mtok", "cached_eur_per_mtok"
        )
    )
    frame = pd.DataFrame(
        rows,
        columns=["provider", "model", "valid_from", "input_eur_per_mtok", "output_eur_per_mtok", "cached_eur_per_mtok"],
    )
    for col in ("input_eur_per_mtok", "output_eur_per_mtok", "cached_eur_per_mtok"):
        frame[col] = frame[col].astype(float)
    frame["model_key"] = [calc.model_key(m) for m in frame["model"]]
    return frame


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


def _read_records(org, window: Window) -> pd.DataFrame:
    """The window's records, read with a plain cursor into one object array and typed column by column:
    values_list() and DataFrame.from_records() took most of the cost page's time building and inferring ~2
    million cells. Same rows, order, dtypes and values as values_list() with the joins (tests/costs checks)."""
    from apps.accounts.models import Person, Team

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
    frame["cost"] = data["cost"].astype(np.float64)
    frame["currency"] = pd.Series(data["currency"], dtype="str")
    frame["energy_kwh"] = data["energy_kwh"].astype(np.float64)
    frame["co2e_location_kg"] = data["co2e_location_kg"].astype(np.float64)
    frame["team"] = _lookup(team_codes, team_ids, teams, 0, NO_TEAM)
    return frame


def _per_distinct(column: pd.Series, fn, dtype: str) -> pd.Series:
    """fn of each value, called once per distinct value (a few dozen) rather than per row (120,000)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)  # no code -1: take() would read it as "last"
    return pd.Series(pd.array([fn(v) for v in uniques], dtype=dtype).take(codes), index=column.index)


def records_frame(org, window: Window) -> pd.DataFrame:
    """Usage rows of the window with `team`, `model_key` and `cost_eur` (API spend: the cost the source
    reported, converted to EUR, else tokens x the model price valid that day; `cost_basis` says which)."""
    frame = _read_records(org, window)
    frame["energy_kwh"] = frame["energy_kwh"].fillna(0.0)
    frame["co2e_kg"] = frame["co2e_location_kg"]
    prices = price_frame(org)
    known = set(prices["model_key"])
    frame["model_key"] = _per_distinct(frame["model"], lambda m: calc.model_key(m, known), "str")
    frame["cost_eur"] = 0.0
    frame["cost_basis"] = ""
    if frame.empty:
        return frame
    rates = usd_rates(org)
    factor = _per_distinct(
        frame["currency"].fillna("").str.upper(),
        lambda c: 1.0 if c in ("", "EUR") else rates.get(c, float("nan")) / rates["EUR"],
        "float64",
    )
    reported = frame["cost"] > 0
    frame.loc[reported, "cost_eur"] = frame.loc[reported, "cost"] * factor[reported]
    frame.loc[reported, "cost_basis"] = "reported"
    priced = (frame["usage_kind"] == "tokens") & ~reported
    if priced.any():
        cost = calc.api_cost_eur(
            frame.loc[priced, ["day", "model_key", "input_tokens", "cached_input_tokens", "output_tokens"]], prices
        )
        frame.loc[priced, "cost_eur"] = cost.fillna(0.0)
        frame.loc[priced, "cost_basis"] = cost.notna().map({True: "tokens x price", False: "no price"})
    frame["cost_eur"] = frame["cost_eur"].astype(float).fillna(0.0)  # an unknown currency counts as no cost
    return frame


def _group(frame: pd.DataFrame, key: str) -> pd.DataFrame:
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


def _rows(frame: pd.DataFrame) -> list[dict]:
    out = []
    for rec in frame.to_dict("records"):
        out.append({k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()})
    return out


# ---- seats -----------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _parsed_seats(source_key: str, stored_path: str, sha256: str) -> pd.DataFrame:
    path = Path(settings.MEDIA_ROOT) / stored_path
    with path.open("rb") as fh:
        return SEAT_PARSERS[source_key](fh, path.name)


def latest_seat_file(org, source_key: str):
    run = (
        IngestionRun.objects.for_org(org)
        .filter(source_key=source_key, status=RunStatus.SUCCEEDED)
        .select_related("source_file")
        .order_by("-created_at", "-pk")
        .first()
    )
    return run.source_file if run else None


def seat_table(org, source_key: str) -> tuple[pd.DataFrame | None, object]:
    """person, name, team, last_activity_at per assigned seat from the latest file of the seat source."""
    if source_key not in SEAT_PARSERS:
        return None, None
    source_file = latest_seat_file(org, source_key)
    if source_file is None:
        return None, None
    seats = _parsed_seats(source_key, source_file.stored_path, source_file.sha256).copy()
    from apps.accounts.models import Person

    people = {e.lower(): (n, t) for e, n, t in Person.objects.for_org(org).values_list("email", "name", "team__name")}
    seat_team = seats["team"] if "team" in seats else pd.Series("", index=seats.index)
    names, teams = [], []
    for login, fallback in zip(seats["person"], seat_team.fillna(""), strict=True):
        name, team = people.get(str(login).lower(), ("", None))
        names.append(
            name or (seats.loc[seats["person"] == login, "display_name"].iloc[0] if "display_name" in seats else "")
        )
        teams.append(team or fallback or NO_TEAM)
    table = pd.DataFrame(
        {"person": seats["person"], "name": names, "team": teams, "last_activity_at": seats["last_activity_at"]}
    )
    return table, source_file


def _licence_eur(lic: Licence, rates: dict) -> float:
    return calc.to_eur(float(lic.price_per_seat_month), lic.currency, rates)


def _licence_months(lic: Licence, window: Window) -> float:
    shared = calc.overlap(lic.period_start, lic.period_end, window.start, window.end)
    return calc.months_in(*shared) if shared else 0.0


def seat_report(org, window: Window) -> list[dict]:
    """Per licence: seats bought, assigned, active (28 days before the report date), cost per active seat,
    idle seats by person and team with the monthly saving if reclaimed, and the split by team."""
    rates = usd_rates(org)
    out = []
    for lic in Licence.objects.for_org(org).order_by("tool", "-period_start"):
        price = _licence_eur(lic, rates)
        as_of = min(lic.period_end, window.end)
        months = _licence_months(lic, window)
        item = {
            "licence_id": lic.pk,
            "tool": lic.tool,
            "tool_label": lic.get_tool_display(),
            "name": lic.name,
            "as_of": as_of.isoformat(),
            "price_per_seat_month_eur": price,
            "seats_bought": lic.seats_bought,
            "period_start": lic.period_start.isoformat(),
            "period_end": lic.period_end.isoformat(),
            "months_in_window": months,
            "licence_cost_eur": lic.seats_bought * price * months,
            "file": None,
            "figures": None,
            "idle": [],
            "by_team": [],
        }
        table, source_file = seat_table(org, lic.seat_source_key)
        if table is not None:
            seats = calc.classify_seats(table, as_of)
            item["file"] = {"filename": source_file.filename, "sha256": source_file.sha256}
            item["figures"] = calc.seat_figures(lic.seats_bought, price, len(seats), int(seats["active"].sum()))
            idle = seats[~seats["active"]].sort_values(["team", "person"])
            item["idle"] = [
                {
                    "person": r.person,
                    "name": r.name,
                    "team": r.team,
                    "last_activity": r.last_activity_at.date().isoformat() if pd.notna(r.last_activity_at) else None,
                    "days_since_activity": None if pd.isna(r.days_since_activity) else int(r.days_since_activity),
                    "saving_month_eur": price,
                }
                for r in idle.itertuples()
            ]
            by_team = seats.groupby("team").agg(assigned=("person", "size"), active=("active", "sum")).reset_index()
            item["by_team"] = [
                {
                    "team": r.team,
                    "assigned": int(r.assigned),
                    "active": int(r.active),
                    "idle": int(r.assigned - r.active),
                    "licence_cost_month_eur": int(r.assigned) * price,
                    "idle_saving_month_eur": int(r.assigned - r.active) * price,
                }
                for r in by_team.itertuples()
            ]
        out.append(item)
    return out


# ---- cost and CO2e per team, model and person -----------------------------------------------------------------


def usage_summary(
    org, window: Window, top: int = 10, frame: pd.DataFrame | None = None, seats: list[dict] | None = None
) -> dict:
    frame = records_frame(org, window) if frame is None else frame
    seats = seat_report(org, window) if seats is None else seats
    licence_by_team: dict[str, float] = {}
    for item in seats:
        if not item["by_team"]:
            licence_by_team[UNASSIGNED] = licence_by_team.get(UNASSIGNED, 0.0) + item["licence_cost_eur"]
            continue
        months, price = item["months_in_window"], item["price_per_seat_month_eur"]
        for row in item["by_team"]:
            licence_by_team[row["team"]] = licence_by_team.get(row["team"], 0.0) + row["assigned"] * price * months
        unassigned = item["figures"]["unassigned"]
        if unassigned:
            licence_by_team[UNASSIGNED] = licence_by_team.get(UNASSIGNED, 0.0) + unassigned * price * months
    by_team = _rows(_group(frame, "team")) if not frame.empty else []
    seen = {r["team"] for r in by_team}
    for row in by_team:
        row["licence_cost_eur"] = licence_by_team.get(row["team"], 0.0)
    for team, cost in licence_by_team.items():
        if team not in seen:
            by_team.append(
                {
                    "team": team,
                    "requests": 0,
                    "active_user_days": 0,
                    "energy_kwh": 0.0,
                    "co2e_kg": 0.0,
                    "api_spend_eur": 0.0,
                    "licence_cost_eur": cost,
                }
            )
    for row in by_team:
        row["total_cost_eur"] = row["api_spend_eur"] + row["licence_cost_eur"]
    by_team.sort(key=lambda r: -r["total_cost_eur"])
    # Row filters take only the columns used: filtering a whole frame copies every (pyarrow) string column.
    tokens = frame.loc[frame["usage_kind"] == "tokens", ["cost_eur"]] if not frame.empty else frame
    by_model = (
        _rows(_group(frame.assign(model_label=frame["provider"] + "/" + frame["model_key"]), "model_label"))
        if not frame.empty
        else []
    )
    by_model.sort(key=lambda r: -r["co2e_kg"])
    people = (
        frame.loc[
            frame["person_id"].notna(),
            ["person__email", "person__name", "team", "requests", "energy_kwh", "co2e_kg", "cost_eur"],
        ]
        if not frame.empty
        else frame
    )
    top_people = []
    if not people.empty:
        grouped = (
            people.groupby(["person__email", "person__name", "team"])
            .agg(
                requests=("requests", "sum"),
                energy_kwh=("energy_kwh", "sum"),
                co2e_kg=("co2e_kg", "sum"),
                api_spend_eur=("cost_eur", "sum"),
            )
            .reset_index()
        )
        grouped = grouped.sort_values(["api_spend_eur", "co2e_kg"], ascending=False).head(top)
        top_people = [
            {
                "person": r["person__email"],
                "name": r["person__name"],
                "team": r["team"],
                "requests": r["requests"],
                "energy_kwh": r["energy_kwh"],
                "co2e_kg": r["co2e_kg"],
                "api_spend_eur": r["api_spend_eur"],
            }
            for r in _rows(grouped)
        ]
    energy = float(frame["energy_kwh"].sum()) if not frame.empty else 0.0
    co2e = float(frame["co2e_kg"].sum()) if not frame.empty else 0.0
    api = float(tokens["cost_eur"].sum()) if not tokens.empty else 0.0
    licences = sum(i["licence_cost_eur"] for i in seats)
    missing = sorted(set(frame.loc[frame["cost_basis"] == "no price", "model_key"])) if not frame.empty else []
    return {
        "window": window.as_dict(),
        "totals": {
            "energy_kwh": energy,
            "co2e_kg": co2e,
            "api_spend_eur": api,
            "licence_cost_eur": licences,
            "total_cost_eur": api + licences,
            "reported_cost_eur": float(frame.loc[frame["cost_basis"] == "reported", "cost_eur"].sum())
            if not frame.empty
            else 0.0,
        },
        "equivalences": calc.equivalences(energy, co2e),
        "by_team": by_team,
        "by_model": by_model,
        "top_people": top_people,
        "models_without_price": missing,
    }


# ---- ROI ---------------------------------------------------------------------------------------------------


def assumption_for(org, tool: str, team=None, stored: dict | None = None) -> tuple[dict, bool]:
    """The stored inputs for the tool (and team), else the tool's, else the published defaults; and whether
    they are the defaults. `stored` ({(tool, team_id): row}, see _stored_assumptions) saves the queries."""
    if stored is None:
        qs = RoiAssumption.objects.for_org(org).filter(tool=tool)
        row = qs.filter(team=team).first() if team is not None else None
        row = row or qs.filter(team__isnull=True).first()
    else:
        row = stored.get((tool, team.pk)) if team is not None else None
        row = row or stored.get((tool, None))
    if row is None:
        inputs = default_inputs(tool)
        inputs.update({"active_days_source": ActiveDaysSource.USAGE, "manual_active_user_days": None})
        return inputs, True
    inputs = {
        f: (
            float(getattr(row, f))
            if f not in ("minutes_source", "hourly_cost_source", "active_days_source", "manual_active_user_days")
            else getattr(row, f)
        )
        for f in (
            "minutes_saved_low",
            "minutes_saved_central",
            "minutes_saved_high",
            "minutes_source",
            "hourly_cost_low_eur",
            "hourly_cost_central_eur",
            "hourly_cost_high_eur",
            "hourly_cost_source",
            "active_days_source",
            "manual_active_user_days",
        )
    }
    inputs["team_specific"] = row.team_id is not None
    return inputs, False


def _stored_assumptions(org) -> dict:
    """All the organisation's ROI inputs by (tool, team id): at most one each (unique constraints), read in one
    query instead of two per tool and team."""
    return {(a.tool, a.team_id): a for a in RoiAssumption.objects.for_org(org)}


def _tool_rows(frame: pd.DataFrame, tool: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    if tool == Tool.API:
        return frame[frame["usage_kind"] == "tokens"]
    return frame[frame["source"].isin(TOOL_SOURCES[tool]["usage_sources"])]


def _active_days(frame: pd.DataFrame, tool: str) -> tuple[pd.Series, str]:
    """Active user-days per team for the tool, and how they were counted."""
    rows = _tool_rows(frame, tool)
    if rows.empty:
        return pd.Series(dtype=float), "no usage data"
    if tool == Tool.API:
        people = rows[rows["person_id"].notna()]
        days = people.drop_duplicates(["person_id", "day"]).groupby("team").size().astype(float)
        return days, "distinct person-days with API use (gateway rows attributed to a person)"
    active = rows[rows["source"].isin(TOOL_SOURCES[tool]["activity_sources"])]
    note = "active user-days from the usage data"
    if tool == Tool.M365_COPILOT:
        note += " (a lower bound: the report gives only each user's last activity date per app)"
    return active.groupby("team")["active_user_days"].sum().astype(float), note


def roi_report(org, window: Window, frame: pd.DataFrame | None = None, seats: list[dict] | None = None) -> list[dict]:
    """ROI per tool (low/central/high) and per team (central, with its band)."""
    from apps.accounts.models import Team

    frame = records_frame(org, window) if frame is None else frame
    if not frame.empty:  # only the columns used: every row filter below would copy the others too
        frame = frame[["day", "source", "usage_kind", "person_id", "team", "active_user_days", "co2e_kg", "cost_eur"]]
    seats = seat_report(org, window) if seats is None else seats
    stored = _stored_assumptions(org)
    tools = {s["tool"] for s in seats} | {tool for tool, _ in stored}
    if not frame.empty and (frame["usage_kind"] == "tokens").any():
        tools.add(Tool.API)
    teams = {t.name: t for t in Team.objects.for_org(org)}
    out = []
    for tool in [t for t in Tool.values if t in tools]:
        inputs, is_default = assumption_for(org, tool, stored=stored)
        tool_seats = [s for s in seats if s["tool"] == tool]
        licence_cost = sum(s["licence_cost_eur"] for s in tool_seats)
        rows = _tool_rows(frame, tool)
        api_spend = float(rows["cost_eur"].sum()) if tool == Tool.API and not rows.empty else 0.0
        co2e = float(rows["co2e_kg"].sum()) if not rows.empty else 0.0
        days_by_team, days_note = _active_days(frame, tool)
        active_days = float(days_by_team.sum())
        if inputs["active_days_source"] == ActiveDaysSource.MANUAL and inputs["manual_active_user_days"] is not None:
            active_days = float(inputs["manual_active_user_days"]) * window.months / 12
            days_note = "entered by hand (per year, pro rata to the window)"
            days_by_team = pd.Series(dtype=float)
        band = _band(active_days, inputs, licence_cost, api_spend, co2e, window)
        item = {
            "tool": tool,
            "tool_label": Tool(tool).label,
            "inputs": inputs,
            "inputs_are_defaults": is_default,
            "active_user_days": active_days,
            "active_days_note": days_note,
            "licence_cost_eur": licence_cost,
            "api_spend_eur": api_spend,
            "co2e_kg": co2e,
            "roi": band,
            "teams": [],
        }
        item["teams"] = _team_roi(org, tool, window, rows, days_by_team, tool_seats, api_spend, co2e, teams, stored)
        out.append(item)
    return out


def _band(active_days, inputs, licence_cost, api_spend, co2e, window):
    return calc.roi_band(
        active_days,
        (inputs["minutes_saved_low"], inputs["minutes_saved_central"], inputs["minutes_saved_high"]),
        (inputs["hourly_cost_low_eur"], inputs["hourly_cost_central_eur"], inputs["hourly_cost_high_eur"]),
        licence_cost,
        api_spend,
        co2e,
        window.carbon_price_eur_per_t,
        window.months,
    )


def _team_roi(org, tool, window, rows, days_by_team, tool_seats, api_spend, co2e, teams, stored) -> list[dict]:
    """Per team: licence cost from the seats assigned to it, API spend and CO2e from its rows; for sources
    without a team (Copilot metrics are organisation-wide) active days and CO2e are split by active seats."""
    seat_teams: dict[str, dict] = {}
    for s in tool_seats:
        months, price = s["months_in_window"], s["price_per_seat_month_eur"]
        for r in s["by_team"]:
            acc = seat_teams.setdefault(r["team"], {"licence": 0.0, "active": 0})
            acc["licence"] += r["assigned"] * price * months
            acc["active"] += r["active"]
        if s["figures"] and s["figures"]["unassigned"]:
            acc = seat_teams.setdefault(UNASSIGNED, {"licence": 0.0, "active": 0})
            acc["licence"] += s["figures"]["unassigned"] * price * months
    team_days = days_by_team.to_dict()
    team_co2 = rows.groupby("team")["co2e_kg"].sum().to_dict() if not rows.empty else {}
    team_api = rows.groupby("team")["cost_eur"].sum().to_dict() if (tool == Tool.API and not rows.empty) else {}
    allocated = set(team_days) <= {NO_TEAM} and seat_teams
    if allocated:  # organisation-wide activity: split by each team's share of active seats
        total_active = sum(v["active"] for v in seat_teams.values()) or 1
        total_days = sum(team_days.values())
        team_days = {t: total_days * v["active"] / total_active for t, v in seat_teams.items()}
        team_co2 = {t: co2e * v["active"] / total_active for t, v in seat_teams.items()}
    names = sorted(set(seat_teams) | set(team_days) | set(team_api))
    out = []
    for name in names:
        inputs, _ = assumption_for(org, tool, teams.get(name), stored)
        licence = seat_teams.get(name, {}).get("licence", 0.0)
        band = _band(
            float(team_days.get(name, 0.0)),
            inputs,
            licence,
            float(team_api.get(name, 0.0)),
            float(team_co2.get(name, 0.0)),
            window,
        )
        out.append(
            {
                "team": name,
                "active_user_days": float(team_days.get(name, 0.0)),
                "licence_cost_eur": licence,
                "api_spend_eur": float(team_api.get(name, 0.0)),
                "co2e_kg": float(team_co2.get(name, 0.0)),
                "allocated_by_active_seats": bool(allocated),
                "team_specific_inputs": inputs.get("team_specific", False),
                "roi": band,
            }
        )
    return out


# ---- right-sizing -----------------------------------------------------------------------------------------


def _per_request(provider: str, model_names: list[str], out_tokens_per_request: float, fs) -> dict | None:
    for name in model_names:
        try:
            result = estimate_request(
                provider, name, round(out_tokens_per_request * 1000), requests=1000, factor_set=fs
            )
        except (FactorLookupError, ValueError):
            continue
        return {
            "model": result["model"],
            "kwh_per_request": result["energy_kwh"] / 1000,
            "co2e_kg_per_request": result["co2e_kg"] / 1000,
            "zone": result["zone"],
        }
    return None


def _price_per_request(prices: pd.DataFrame, key: str, day: dt.date, tokens: dict) -> float | None:
    rows = prices[(prices["model_key"] == key) & (pd.to_datetime(prices["valid_from"]) <= pd.Timestamp(day))]
    if rows.empty:
        return None
    p = rows.sort_values("valid_from").iloc[-1]
    uncached = max(tokens["input"] - tokens["cached"], 0)
    return (
        uncached * p["input_eur_per_mtok"]
        + tokens["cached"] * p["cached_eur_per_mtok"]
        + tokens["output"] * p["output_eur_per_mtok"]
    ) / 1e6


def right_sizing(org, window: Window, share: float = DEFAULT_SHIFT_SHARE, frame: pd.DataFrame | None = None) -> dict:
    """For each model x team with a smaller model of the same family: per-request energy, CO2e (calculator,
    current factor set, the provider's data-centre zone) and price (ModelPrice), and the saving if `share`
    of its requests moved."""
    frame = records_frame(org, window) if frame is None else frame
    fs = load_factor_set(current_factor_set_version(org))
    prices = price_frame(org)
    rows = []
    tokens = frame[(frame["usage_kind"] == "tokens") & (frame["requests"] > 0)] if not frame.empty else frame
    if not tokens.empty:
        groups = (
            tokens.groupby(["provider", "model_key", "team"])
            .agg(
                requests=("requests", "sum"),
                input_tokens=("input_tokens", "sum"),
                cached_input_tokens=("cached_input_tokens", "sum"),
                output_tokens=("output_tokens", "sum"),
                model=("model", "first"),
            )
            .reset_index()
        )
        estimates: dict = {}
        for g in _rows(groups):
            smaller = calc.smaller_model(g["provider"], g["model_key"])
            if not smaller:
                continue
            n = g["requests"]
            per = {
                "input": g["input_tokens"] / n,
                "cached": g["cached_input_tokens"] / n,
                "output": g["output_tokens"] / n,
            }
            key_cur = (g["provider"], g["model_key"], round(per["output"]))
            key_small = (g["provider"], smaller, round(per["output"]))
            if key_cur not in estimates:
                estimates[key_cur] = _per_request(g["provider"], [g["model_key"], g["model"]], per["output"], fs)
            if key_small not in estimates:
                estimates[key_small] = _per_request(g["provider"], [smaller, f"{smaller}-latest"], per["output"], fs)
            cur, small = estimates[key_cur], estimates[key_small]
            if cur is None or small is None:
                continue
            cur = {**cur, "eur_per_request": _price_per_request(prices, g["model_key"], window.end, per)}
            small = {**small, "eur_per_request": _price_per_request(prices, smaller, window.end, per)}
            rows.append(
                {
                    "provider": g["provider"],
                    "model": g["model_key"],
                    "team": g["team"],
                    "smaller_model": smaller,
                    "requests": n,
                    "tokens_per_request": per,
                    "current": cur,
                    "smaller": small,
                    "saving": calc.right_sizing_saving(n, share, cur, small),
                }
            )
    rows.sort(key=lambda r: -(r["saving"]["co2e_kg"] or 0))
    return {
        "window": window.as_dict(),
        "share": share,
        "rows": rows,
        "mapping_source": calc.SMALLER_MODEL_SOURCE,
        "factor_set": fs.label,
        "method_version": fs.method_version,
        "totals": {k: sum((r["saving"][k] or 0) for r in rows) for k in ("energy_kwh", "co2e_kg", "cost_eur")},
    }


# ---- rebound ---------------------------------------------------------------------------------------------

REBOUND_BASES = {
    "requests": ("tokens", "requests", "API requests"),
    "active_user_days": ("seat_activity", "active_user_days", "active user-days on seat tools"),
}


def rebound(org, window: Window, basis: str = "requests", frame: pd.DataFrame | None = None) -> dict:
    kind, column, label = REBOUND_BASES[basis]
    frame = records_frame(org, window) if frame is None else frame
    rows = frame[frame["usage_kind"] == kind] if not frame.empty else frame
    if rows.empty:
        return {
            "window": window.as_dict(),
            "basis": basis,
            "basis_label": label,
            "months": [],
            "totals": None,
            "chart": None,
        }
    monthly = (
        rows.assign(month=pd.to_datetime(rows["day"]).dt.strftime("%Y-%m"))
        .groupby("month")
        .agg(activity=(column, "sum"), co2e_kg=("co2e_kg", "sum"))
        .reset_index()
    )
    table = calc.rebound_table(monthly)
    months = _rows(table)
    totals = {
        "change_kg": float(table["change_kg"].sum()),
        "volume_effect_kg": float(table["volume_effect_kg"].sum()),
        "intensity_effect_kg": float(table["intensity_effect_kg"].sum()),
        "first_to_last": calc.decompose_change(
            months[0]["activity"], months[0]["co2e_kg"], months[-1]["activity"], months[-1]["co2e_kg"]
        ),
    }
    chart = calc.bar_chart(months[1:], ("volume_effect_kg", "intensity_effect_kg")) if len(months) > 1 else None
    return {
        "window": window.as_dict(),
        "basis": basis,
        "basis_label": label,
        "months": months,
        "totals": totals,
        "chart": chart,
    }


# ---- frugality ---------------------------------------------------------------------------------------------


def frugality_list(org) -> list[dict]:
    return [
        {
            "id": a.pk,
            "use_case": a.use_case,
            "team": a.team.name if a.team_id else "",
            "assessed_on": a.assessed_on.isoformat(),
            "answers": a.answers(),
            "score": a.score,
            "reasons": a.reasons,
            "notes": a.notes,
        }
        for a in FrugalityAssessment.objects.for_org(org).select_related("team")
    ]


def frugality_for_methodology(org) -> list[str]:
    """One line per latest assessment of each use case, for the disclosure's methodology section."""
    latest: dict[str, dict] = {}
    for a in frugality_list(org):
        latest.setdefault(a["use_case"], a)
    return [
        f"Frugality (AFNOR Spec 2314) of '{a['use_case']}' assessed {a['assessed_on']}: {a['score']:.0f}/100"
        for a in latest.values()
    ]
