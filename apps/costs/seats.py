"""Seats: who holds one (the latest seat file), who is idle, and what the licences cost in the window."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
from django.conf import settings

from apps.accounts.models import Person
from apps.connectors.models import IngestionRun, RunStatus
from apps.connectors.sources import chatgpt_enterprise_analytics, github_copilot_seats, m365_copilot_usage
from apps.core.labels import NO_TEAM

from . import calc, cost
from .models import Licence
from .window import Window

UNASSIGNED = "(unassigned seats)"
SEAT_PARSERS = {
    "github_copilot_seats": github_copilot_seats.parse_seats,
    "m365_copilot_usage": m365_copilot_usage.parse_seats,
    "chatgpt_enterprise_analytics": chatgpt_enterprise_analytics.parse_seats,
}


@functools.lru_cache(maxsize=32)
def _parsed_seats(source_key: str, stored_path: str, sha256: str) -> pd.DataFrame:
    """A run stored before its seats were kept (SeatHolder): its file parsed, once per process and file."""
    path = Path(settings.MEDIA_ROOT) / stored_path
    with path.open("rb") as fh:
        return SEAT_PARSERS[source_key](fh, path.name)


def _latest_seat_run(org, source_key: str):
    return (
        IngestionRun.objects.for_org(org)
        .filter(source_key=source_key, status=RunStatus.SUCCEEDED)
        .select_related("source_file")
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_seat_file(org, source_key: str):
    """The file of the latest succeeded run of a seat source, or None."""
    run = _latest_seat_run(org, source_key)
    return run.source_file if run else None


def _stored_seats(run) -> pd.DataFrame:
    """The run's seats as the ingestion kept them (person, display_name, team, last_activity_at UTC-naive)."""
    rows = list(run.seat_holders.values_list("person", "display_name", "team", "last_activity_at"))
    if not rows:  # a run ingested before seats were kept: a succeeded seat run always has some
        return _parsed_seats(run.source_key, run.source_file.stored_path, run.source_file.sha256)
    frame = pd.DataFrame(rows, columns=["person", "display_name", "team", "last_activity_at"])
    stamps = pd.to_datetime(frame["last_activity_at"], utc=True)
    frame["last_activity_at"] = stamps.dt.tz_localize(None).astype("datetime64[ns]")
    return frame


def seat_table(org, source_key: str) -> tuple[pd.DataFrame | None, object]:
    """person, name, team, last_activity_at per assigned seat from the latest file of the seat source (read
    from the seats its ingestion kept, never from the file)."""
    if source_key not in SEAT_PARSERS:
        return None, None
    run = _latest_seat_run(org, source_key)
    if run is None:
        return None, None
    seats = _stored_seats(run)
    people = {e.lower(): (n, t) for e, n, t in Person.objects.for_org(org).values_list("email", "name", "team__name")}
    seat_team = seats["team"].fillna("") if "team" in seats else pd.Series("", index=seats.index)
    display = seats["display_name"].fillna("") if "display_name" in seats else pd.Series("", index=seats.index)
    # A login's name in the file: the first row's, as before (a dict, not a scan of the table per seat).
    file_names = dict(zip(seats["person"].iloc[::-1], display.iloc[::-1], strict=True))
    names, teams = [], []
    for login, fallback in zip(seats["person"], seat_team, strict=True):
        name, team = people.get(str(login).lower(), ("", None))
        names.append(name or file_names[login])
        teams.append(team or fallback or NO_TEAM)
    table = pd.DataFrame(
        {"person": seats["person"], "name": names, "team": teams, "last_activity_at": seats["last_activity_at"]}
    )
    return table, run.source_file


def _licence_eur(lic: Licence, rates: dict) -> float:
    return calc.to_eur(float(lic.price_per_seat_month), lic.currency, rates)


def _licence_months(lic: Licence, window: Window) -> float:
    shared = calc.overlap(lic.period_start, lic.period_end, window.start, window.end)
    return calc.months_in(*shared) if shared else 0.0


def seat_report(org, window: Window) -> list[dict]:
    """Per licence: seats bought, assigned, active (28 days before the report date), cost per active seat,
    idle seats by person and team with the monthly saving if reclaimed, and the split by team."""
    # Licence amounts are floats still (a seat price x pro-rata months); API spend is the Decimal money.
    rates = cost.usd_per_unit_float(org)
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
