"""The cost overview: API spend, licences, energy and CO2e per month, team, model and person."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import calc, cost
from .records import frame_cost_total, group_sums, plain_rows
from .seats import UNASSIGNED, seat_report
from .usage import CostUsage, read_usage
from .window import Window


def usage_summary(
    org, window: Window, top: int = 10, usage: CostUsage | None = None, seats: list[dict] | None = None
) -> dict:
    """Totals and the split by team, model and person (the top `top` by API spend) of the window, from the
    rollups (usage.read_usage) unless `usage` is given."""
    usage = read_usage(org, window, top=top) if usage is None else usage
    frame = usage.rows
    seats = seat_report(org, window) if seats is None else seats
    api = frame_cost_total(org, frame)
    energy = float(frame["energy_kwh"].sum()) if not frame.empty else 0.0
    co2e = float(frame["co2e_kg"].sum()) if not frame.empty else 0.0
    licences = sum(i["licence_cost_eur"] for i in seats)
    return {
        "window": window.as_dict(),
        "totals": {
            "energy_kwh": energy,
            "co2e_kg": co2e,
            # JSON numbers, as the API answers them; the page shows the exact Decimals of cost.cost_total().
            "api_spend_eur": float(api.total_eur),
            "licence_cost_eur": licences,
            "total_cost_eur": float(api.total_eur) + licences,  # licence amounts are floats (see seats.py)
            "reported_cost_eur": float(api.reported_eur),
        },
        "equivalences": calc.equivalences(energy, co2e),
        "by_month": _by_month(frame, seats, window),
        "by_team": _by_team(frame, seats),
        "by_model": _by_model(frame),
        "top_people": _top_people(usage.people, top),
        "models_without_price": api.models_without_price,
    }


def _licence_in(item: dict, first: dt.date, last: dt.date) -> float:
    """A licence's cost over some days: seats bought x price per seat-month x the months it covers of them
    (calc.months_in, pro rata by each month's length, as the window's licence cost is counted)."""
    shared = calc.overlap(
        dt.date.fromisoformat(item["period_start"]), dt.date.fromisoformat(item["period_end"]), first, last
    )
    return item["seats_bought"] * item["price_per_seat_month_eur"] * calc.months_in(*shared) if shared else 0.0


def _by_month(frame: pd.DataFrame, seats: list[dict], window: Window) -> list[dict]:
    """Per month of the window (YYYY-MM): API spend, licence cost, their total, energy and CO2e. The months add up
    to the window's totals (a rollup row's day is a day, or the first day of a whole month)."""
    sums: dict[str, dict] = {}
    if not frame.empty:
        months = frame["day"].map(lambda d: f"{d.year:04d}-{d.month:02d}")
        for row in plain_rows(group_sums(frame.assign(month=months), "month")):
            sums[row["month"]] = row
    out = []
    for first, last in calc.calendar_months(window.start, window.end):
        key = f"{first.year:04d}-{first.month:02d}"
        row = sums.get(key, {})
        api = row.get("api_spend_eur", cost.ZERO)
        licences = sum(_licence_in(item, first, last) for item in seats)
        out.append(
            {
                "month": key,
                "api_spend_eur": api,
                "licence_cost_eur": licences,
                "total_cost_eur": float(api) + licences,
                "energy_kwh": float(row.get("energy_kwh", 0.0)),
                "co2e_kg": float(row.get("co2e_kg", 0.0)),
            }
        )
    return out


def _licence_by_team(seats: list[dict]) -> dict[str, float]:
    """Licence cost in the window per team: seats assigned to it; unassigned seats (and licences without a
    seat file) under UNASSIGNED."""
    out: dict[str, float] = {}
    for item in seats:
        if not item["by_team"]:
            out[UNASSIGNED] = out.get(UNASSIGNED, 0.0) + item["licence_cost_eur"]
            continue
        months, price = item["months_in_window"], item["price_per_seat_month_eur"]
        for row in item["by_team"]:
            out[row["team"]] = out.get(row["team"], 0.0) + row["assigned"] * price * months
        unassigned = item["figures"]["unassigned"]
        if unassigned:
            out[UNASSIGNED] = out.get(UNASSIGNED, 0.0) + unassigned * price * months
    return out


def _by_team(frame: pd.DataFrame, seats: list[dict]) -> list[dict]:
    licence_by_team = _licence_by_team(seats)
    by_team = plain_rows(group_sums(frame, "team")) if not frame.empty else []
    seen = {r["team"] for r in by_team}
    for row in by_team:
        row["licence_cost_eur"] = licence_by_team.get(row["team"], 0.0)
    for team, licence in licence_by_team.items():
        if team not in seen:
            by_team.append(
                {
                    "team": team,
                    "requests": 0,
                    "active_user_days": 0,
                    "energy_kwh": 0.0,
                    "co2e_kg": 0.0,
                    "api_spend_eur": cost.ZERO,
                    "licence_cost_eur": licence,
                }
            )
    for row in by_team:
        row["total_cost_eur"] = float(row["api_spend_eur"]) + row["licence_cost_eur"]
    by_team.sort(key=lambda r: -r["total_cost_eur"])
    return by_team


def _by_model(frame: pd.DataFrame) -> list[dict]:
    if frame.empty:
        return []
    labelled = frame.assign(model_label=frame["provider"] + "/" + frame["model_key"])
    by_model = plain_rows(group_sums(labelled, "model_label"))
    by_model.sort(key=lambda r: -r["co2e_kg"])
    return by_model


def _top_people(frame: pd.DataFrame, top: int) -> list[dict]:
    if frame.empty:
        return []
    # Row filters take only the columns used: filtering a whole frame copies every (pyarrow) string column.
    columns = ["person__email", "person__name", "team", "requests", "energy_kwh", "co2e_kg", "cost_eur"]
    people = frame.loc[frame["person_id"].notna(), columns]
    if people.empty:
        return []
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
    return [
        {
            "person": r["person__email"],
            "name": r["person__name"],
            "team": r["team"],
            "requests": r["requests"],
            "energy_kwh": r["energy_kwh"],
            "co2e_kg": r["co2e_kg"],
            "api_spend_eur": r["api_spend_eur"],
        }
        for r in plain_rows(grouped)
    ]
