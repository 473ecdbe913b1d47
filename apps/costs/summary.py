"""The cost overview: API spend, licences, energy and CO2e per team, model and person."""

from __future__ import annotations

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
        "by_team": _by_team(frame, seats),
        "by_model": _by_model(frame),
        "top_people": _top_people(usage.people, top),
        "models_without_price": api.models_without_price,
    }


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
