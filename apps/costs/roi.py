"""ROI per tool and team: value of the time saved against licences, API spend and the internal carbon fee."""

from __future__ import annotations

import pandas as pd

from apps.accounts.models import Team
from apps.core.labels import NO_TEAM

from . import break_even, calc
from .defaults import assumed_inputs, default_inputs
from .models import TOOL_SOURCES, ActiveDaysSource, RoiAssumption, Tool
from .seats import UNASSIGNED, seat_report
from .usage import CostUsage, read_usage
from .window import Window


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


def _active_days(usage: CostUsage, frame: pd.DataFrame, tool: str) -> tuple[pd.Series, float, str]:
    """Active user-days per team for the tool, in all, and how they were counted."""
    rows = _tool_rows(frame, tool)
    if rows.empty:
        return pd.Series(dtype=float), 0.0, "no usage data"
    if tool == Tool.API:
        note = "distinct person-days with API use (gateway rows attributed to a person)"
        return usage.api_person_days, usage.api_person_days_total, note
    active = rows[rows["source"].isin(TOOL_SOURCES[tool]["activity_sources"])]
    note = "active user-days from the usage data"
    if tool == Tool.M365_COPILOT:
        note += " (a lower bound: the report gives only each user's last activity date per app)"
    elif tool == Tool.CHATGPT_ENTERPRISE:
        note += " (a lower bound: the export gives each user's first and last day active per period)"
    by_team = active.groupby("team")["active_user_days"].sum().astype(float)
    return by_team, float(by_team.sum()), note


def roi_report(org, window: Window, usage: CostUsage | None = None, seats: list[dict] | None = None) -> list[dict]:
    """ROI per tool (low/central/high) and per team (central, with its band), from the rollups
    (usage.read_usage) unless `usage` is given."""
    usage = read_usage(org, window) if usage is None else usage
    frame = usage.rows
    if not frame.empty:  # only the columns used: every row filter below would copy the others too
        frame = frame[["day", "source", "usage_kind", "team", "active_user_days", "co2e_kg", "cost_eur"]]
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
        days_by_team, active_days, days_note = _active_days(usage, frame, tool)
        manual = (
            inputs["active_days_source"] == ActiveDaysSource.MANUAL and inputs["manual_active_user_days"] is not None
        )
        if manual:
            active_days = float(inputs["manual_active_user_days"]) * window.months / 12
            days_note = "entered by hand (per year, pro rata to the window)"
            days_by_team = pd.Series(dtype=float)
        band = _band(active_days, inputs, licence_cost, api_spend, co2e, window)
        seats_bought = sum((s.get("figures") or {}).get("seats_bought", 0) for s in tool_seats)
        item = {
            "evidence": break_even.evidence(
                band, inputs, seats_bought, active_days, window.months, assumed_inputs(tool, inputs, manual)
            ),
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
        days = float(team_days.get(name, 0.0))
        band = _band(days, inputs, licence, float(team_api.get(name, 0.0)), float(team_co2.get(name, 0.0)), window)
        assumed = assumed_inputs(tool, inputs, allocated_days=bool(allocated))
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
                "evidence": break_even.evidence(band, inputs, 0, days, window.months, assumed),
            }
        )
    return out
