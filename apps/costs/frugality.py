"""Frugality assessments (AFNOR Spec 2314) as the pages, the API and the disclosure read them."""

from __future__ import annotations

import datetime as dt

from django.db.models import FloatField, Max, Sum
from django.db.models.functions import Coalesce

from apps.footprint.models import MonthlyRollup

from .models import FrugalityAssessment

# What AFNOR Spec 2314 asks a frugal service's impacts be assessed on, beyond GHG: the multi-criteria impacts.
IMPACT_COLUMNS = ("energy_kwh", "co2e_location_kg", "water_l", "adpe_kgsbeq", "pe_mj")


def frugality_list(org) -> list[dict]:
    """The organisation's assessments, newest first, as plain dicts (answers, score and reasons)."""
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


def impacts_window(org, months: int = 12, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last month (their first days) of the `months` calendar months that end on the latest month with
    usage, or on the current month when there is none: a year loaded after it ended (the demo's) is not shown as
    empty."""
    today = today or dt.date.today()
    latest = MonthlyRollup.objects.filter(organisation=org).aggregate(month=Max("month"))["month"]
    last = min(latest, today) if latest else today
    index = last.year * 12 + last.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1), last.replace(day=1)


def impacts_by_team(org, window: tuple[dt.date, dt.date]) -> list[dict]:
    """Energy, location-based CO2e, water, ADPe and primary energy per team over the months of `window`
    (impacts_window), read from the monthly rollups: the measured impacts an assessment weighs."""
    since, last = window
    rows = (
        MonthlyRollup.objects.filter(organisation=org, month__gte=since, month__lte=last)
        .values("team__name")
        .annotate(**{c: Coalesce(Sum(c), 0.0, output_field=FloatField()) for c in IMPACT_COLUMNS})
        .order_by("team__name")
    )
    return [{"team": r["team__name"] or "", **{c: r[c] for c in IMPACT_COLUMNS}} for r in rows]
