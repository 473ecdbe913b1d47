"""Idle seats month by month: per licence with a seat file, each month's seats active (people with activity in the
tool's usage that month), idle (assigned without activity that month) and unassigned, by calc.seat_figures, the one
owner of the idle figure the seats page shows for the report date.

The seats assigned are the latest seat file's (the history of assignments is not kept): the same count every
month. Activity is read from the person rollup (PersonMonthRollup, a query per tool whatever the records), the
days of months only partly in the window from their records (a bounded read, as usage.read_usage does). Months
before the tool's first activity in the data and after its last have no figures (no data, not idle seats)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from apps.footprint import rollups
from apps.footprint.models import MonthlyRollup, PersonMonthRollup, UsageRecord

from . import calc
from .models import TOOL_SOURCES, Tool
from .window import Window

# Sources that give only some of each user's active days: a month's active seats are a lower bound there.
LOWER_BOUND_NOTE = {
    Tool.M365_COPILOT: "a lower bound of the active seats (the report gives each user's last activity date per app)",
    Tool.CHATGPT_ENTERPRISE: "a lower bound of the active seats (the export gives each user's first and last day "
    "active per period)",
}


def _active_people(org, window: Window, sources: tuple[str, ...]) -> dict[str, int]:
    """Distinct people with activity (active user-days) in `sources`, per month (YYYY-MM) the data covers; a month
    of the data with nobody active counts 0."""
    layout = rollups.plan(window.start, window.end)
    active = Count("person_id", distinct=True, filter=Q(active_user_days__gt=0))
    out: dict[str, int] = {}
    whole = PersonMonthRollup.objects.filter(organisation=org, month__in=layout.months, source__in=sources)
    for month, n in whole.order_by().values("month").annotate(n=active).values_list("month", "n"):
        out[f"{month:%Y-%m}"] = n
    for first, last in layout.day_ranges:
        edge = UsageRecord.objects.filter(
            organisation=org, day__range=(first, last), person__isnull=False, source__in=sources
        )
        found = edge.order_by().aggregate(rows=Count("pk"), n=active)
        if found["rows"]:
            out[f"{first:%Y-%m}"] = found["n"]
    return out


def _months_with_activity(org, window: Window, sources: tuple[str, ...]) -> set[str]:
    """The months (YYYY-MM) with any activity in `sources`, attributed to a person or not (the rollups)."""
    found = set()
    for part in rollups.parts(org, window.start, window.end):
        rows = part.filter(source__in=sources, active_user_days__gt=0).order_by()
        if part.model is MonthlyRollup:
            found |= {f"{m:%Y-%m}" for m in rows.values_list("month", flat=True).distinct()}
        else:  # the days of one month only partly in the window
            day = rows.values_list("day", flat=True).first()
            if day is not None:
                found.add(f"{day:%Y-%m}")
    return found


def idle_by_month(org, window: Window, seats: list[dict]) -> dict[int, dict]:
    """Per licence id (seat_report items with a seat file): its months, each with `figures` (calc.seat_figures of
    that month: active, idle, unassigned...) or None (outside the licence, or no activity data; `unattributed`
    when the month has activity but none attributed to a person), and a note when the source gives a lower bound
    of activity."""
    out: dict[int, dict] = {}
    by_tool: dict[str, dict[str, int]] = {}
    for item in seats:
        if not item["figures"] or not TOOL_SOURCES[item["tool"]]["activity_sources"]:
            continue
        tool = item["tool"]
        sources = TOOL_SOURCES[tool]["activity_sources"]
        if tool not in by_tool:
            by_tool[tool] = (_active_people(org, window, sources), _months_with_activity(org, window, sources))
        counted, with_activity = by_tool[tool]
        covered = (min(counted), max(counted)) if counted else None
        start, end = dt.date.fromisoformat(item["period_start"]), dt.date.fromisoformat(item["period_end"])
        assigned = item["figures"]["assigned"]
        months = []
        for first, last in calc.calendar_months(window.start, window.end):
            key = f"{first:%Y-%m}"
            figures = None
            if covered and covered[0] <= key <= covered[1] and calc.overlap(start, end, first, last):
                # Someone active without a seat in the latest file (a seat since given up) holds no seat now.
                active = min(counted.get(key, 0), assigned)
                figures = calc.seat_figures(item["seats_bought"], item["price_per_seat_month_eur"], assigned, active)
            # Activity no person is known for (identities not mapped): not idle seats, and not no data.
            unattributed = figures is None and key not in counted and key in with_activity
            months.append(
                {"month": key, "active_people": counted.get(key), "figures": figures, "unattributed": unattributed}
            )
        out[item["licence_id"]] = {"months": months, "note": LOWER_BOUND_NOTE.get(tool)}
    return out
