"""The cost pages' charts: what each Chart.js chart draws, picked from the figures the page already shows (never
computed again here), for static/js/cost-charts.js. Each chart has a table beside it with the same figures.

A chart is {"kind": "bar", "horizontal", "stacked", "labels", "unit" (the value axis' title, with its unit),
"datasets": [{"label", "data", "colour"}], "max"}; a floating bar's datum is [low, high]."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _

# Chart.js 4, installed by `npm ci` and served by the app (settings: STATICFILES_DIRS), never from a CDN.
CHART_JS = "vendor/chartjs/chart.umd.js"
COLOURS = {"licence": "#2f6f4f", "api": "#9cc5a1", "idle": "#b5523b", "unassigned": "#e3b7a6", "active": "#2f6f4f"}
COLOURS.update({"range": "#c9d9cf", "break_even": "#1d3f6e"})
# A break-even above a full working day (8 hours) runs off the chart; the table beside it has the figure.
WORKING_DAY_MINUTES = 480


def charts_available() -> bool:
    """Chart.js is installed (make's install step); without it the pages show their tables only."""
    return finders.find(CHART_JS) is not None


def _number(value) -> float | None:
    return None if value is None else float(value)


def _bar(labels, datasets, unit, horizontal=False, stacked=False, max_value=None) -> dict:
    return {
        "kind": "bar",
        "horizontal": horizontal,
        "stacked": stacked,
        "labels": [str(label) for label in labels],
        "unit": unit,
        "datasets": datasets,
        "max": max_value,
    }


def _cost_split(rows: list[dict], key: str, horizontal: bool) -> dict:
    labels = [r[key] for r in rows]
    return _bar(
        labels,
        [
            {
                "label": _("Licences"),
                "data": [_number(r["licence_cost_eur"]) for r in rows],
                "colour": COLOURS["licence"],
            },
            {"label": _("API spend"), "data": [_number(r["api_spend_eur"]) for r in rows], "colour": COLOURS["api"]},
        ],
        _("Cost (€)"),
        horizontal=horizontal,
        stacked=True,
    )


def overview_charts(summary: dict) -> dict:
    """Cost by month and by team (licences and API spend, stacked), from usage_summary's by_month and by_team."""
    return {
        "cost_by_month": _cost_split(summary["by_month"], "month", horizontal=False),
        "cost_by_team": _cost_split(summary["by_team"], "team", horizontal=True),
    }


def seat_trend_chart(trend: dict) -> dict:
    """One licence's seats per month: active, idle (assigned, no activity that month) and unassigned, stacked, from
    seat_trend.idle_by_month; a month without activity data is a gap."""
    months = trend["months"]

    def series(field):
        return [m["figures"][field] if m["figures"] else None for m in months]

    return _bar(
        [m["month"] for m in months],
        [
            {"label": _("Active"), "data": series("active"), "colour": COLOURS["active"]},
            {"label": _("Idle"), "data": series("idle"), "colour": COLOURS["idle"]},
            {"label": _("Unassigned"), "data": series("unassigned"), "colour": COLOURS["unassigned"]},
        ],
        _("Number of seats"),
        stacked=True,
    )


def _evidence_chart(labels: list[str], evidences: list[dict]) -> dict:
    """Break-even minutes beside the published range of minutes saved, one row per label."""
    values = [e["break_even_minutes"] for e in evidences if e["break_even_minutes"] is not None]
    values += [e["minutes_saved_high"] for e in evidences]
    top = max(values, default=0)
    return _bar(
        labels,
        [
            {
                "label": _("Published time savings (low – high)"),
                "data": [[e["minutes_saved_low"], e["minutes_saved_high"]] for e in evidences],
                "colour": COLOURS["range"],
            },
            {
                "label": _("Break-even"),
                "data": [_number(e["break_even_minutes"]) for e in evidences],
                "colour": COLOURS["break_even"],
            },
        ],
        _("Minutes saved per active user-day"),
        horizontal=True,
        max_value=WORKING_DAY_MINUTES if top > WORKING_DAY_MINUTES else None,
    )


def roi_charts(report: list[dict]) -> dict:
    """Per tool, then per team of each tool: the break-even beside the published time savings (roi_report's
    evidence, the tool's and each team's)."""
    charts = {}
    if report:
        charts["roi_by_tool"] = _evidence_chart([t["tool_label"] for t in report], [t["evidence"] for t in report])
    for t in report:
        if t["teams"]:
            charts[f"roi_teams_{t['tool']}"] = _evidence_chart(
                [r["team"] for r in t["teams"]], [r["evidence"] for r in t["teams"]]
            )
    return charts


def right_sizing_chart(result: dict) -> dict:
    """Energy per request (Wh: an AI request is a few Wh, not kWh) of each team's model and of its smaller
    sibling, from sizing.right_sizing's rows (the slider's share does not change them)."""
    rows = result["rows"]

    def wh(value):
        return None if value is None else float(value) * 1000

    return _bar(
        [f"{r['team']} · {r['model']} → {r['smaller_model']}" for r in rows],
        [
            {
                "label": _("Current model"),
                "data": [wh(r["current"]["kwh_per_request"]) for r in rows],
                "colour": COLOURS["break_even"],
            },
            {
                "label": _("Smaller model"),
                "data": [wh(r["smaller"]["kwh_per_request"]) for r in rows],
                "colour": COLOURS["api"],
            },
        ],
        _("Energy per request (Wh)"),
        horizontal=True,
    )


def frugality_chart(impacts: list[dict], no_team: str) -> dict:
    """Location-based CO2e per team over the window of frugality.impacts_by_team."""
    return _bar(
        [r["team"] or no_team for r in impacts],
        [
            {
                "label": _("kg CO2e, location-based"),
                "data": [float(r["co2e_location_kg"]) for r in impacts],
                "colour": COLOURS["licence"],
            }
        ],
        _("kg CO2e, location-based"),
        horizontal=True,
    )
