"""The dashboard's filters read against reporting periods: the default range is the latest period's, and
`?period=` picks one; and what the filter form offers (teams, sources and providers on record, periods).

Here rather than in apps.footprint.selectors (the queries themselves) because footprint may not import the
reporting periods or the ingestion runs; the pages and the API both read their filters through this module.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, Max

from apps.accounts.models import Team
from apps.connectors.models import IngestionRun, RunStatus
from apps.footprint.models import DailyRollup, MonthlyRollup
from apps.footprint.selectors import TEAM_NONE, Filters

from .models import PeriodStatus, ReportingPeriod


def latest_period(organisation, signed_off: bool = False) -> ReportingPeriod | None:
    """The newest version of the most recent reporting period (optionally: the newest signed-off one)."""
    periods = ReportingPeriod.objects.for_org(organisation)
    if signed_off:
        periods = periods.filter(status=PeriodStatus.SIGNED_OFF)
    return periods.order_by("-end", "-version").first()


def default_range(organisation, today: dt.date | None = None) -> tuple[dt.date, dt.date, int | None]:
    """The latest reporting period's dates, else the twelve months (from the 1st of a month) up to the last day on
    record, or up to today when there is no record or the records reach today.

    Anchored on the records so a first screen shows them: a year loaded in full after it ended (the usual CSRD
    case, and the demo) would otherwise open on an almost empty twelve months."""
    period = latest_period(organisation)
    if period is not None:
        return period.start, period.end, period.pk
    today = today or dt.date.today()
    last_day = DailyRollup.objects.filter(organisation=organisation).aggregate(day=Max("day"))["day"]
    if last_day is not None and last_day < today:
        today = last_day
    month = today.month - 11
    start = dt.date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return start, today, None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None  # a hand-edited URL with a bad date falls back to the default range


def parse_filters(organisation, params) -> Filters:
    """Filters from GET parameters: `period` (a reporting period's id) or `start`/`end` dates, `team`,
    `source`, `provider`, `model`. Missing or unreadable dates fall back to the default range."""
    given_start, given_end = _date(params.get("start")), _date(params.get("end"))
    if given_start and given_end:  # both given: no default to look up (a records page costs no extra query)
        start, end, period_id = given_start, given_end, None
    else:
        start, end, period_id = default_range(organisation)
        period_param = params.get("period")
        if period_param and str(period_param).isdigit():
            period = ReportingPeriod.objects.for_org(organisation).filter(pk=int(period_param)).first()
            if period is not None:
                start, end, period_id = period.start, period.end, period.pk
        if given_start or given_end:
            start, end, period_id = given_start or start, given_end or end, None
    if end < start:
        start, end = end, start
    team = _text(params, "team")
    if team and team != TEAM_NONE and not team.isdigit():
        team = ""
    return Filters(
        start=start,
        end=end,
        team=team,
        source=_text(params, "source", 40),
        provider=_text(params, "provider", 60),
        model=_text(params, "model", 200),
        period_id=period_id,
    )


def _text(params, name: str, limit: int = 200) -> str:
    """A text filter as given, without NUL characters: no stored value holds one, and PostgreSQL refuses
    them in a query (a 500 found by fuzzing the API)."""
    return str(params.get(name) or "").replace("\x00", "")[:limit]


def choices(organisation) -> dict[str, list]:
    """What the filter form offers: the organisation's teams, and the sources and providers on record."""
    return {
        "teams": list(Team.objects.for_org(organisation).order_by("name").values_list("pk", "name")),
        **_sources_and_providers(organisation),
        "periods": list(ReportingPeriod.objects.for_org(organisation).order_by("-start", "-version")),
    }


def _sources_and_providers(organisation) -> dict[str, list[str]]:
    """The distinct sources and providers on record, read off the monthly rollups and kept in the cache.
    Records are only added or replaced by ingestion runs, and source and provider are part of a record's
    natural key, so the set changes only when a run succeeds: the key names the latest one."""
    runs = (
        IngestionRun.objects.for_org(organisation)
        .filter(status=RunStatus.SUCCEEDED)
        .aggregate(n=Count("pk"), last=Max("pk"), at=Max("finished_at"))
    )
    stamp = runs["at"].timestamp() if runs["at"] else 0
    key = f"web:sources-providers:{organisation.pk}:{runs['n']}:{runs['last']}:{stamp}"
    found = cache.get(key)
    if found is None:
        months = MonthlyRollup.objects.filter(organisation=organisation)  # every record is in one month's rows
        found = {
            "sources": list(months.order_by("source").values_list("source", flat=True).distinct()),
            "providers": [p for p in months.order_by("provider").values_list("provider", flat=True).distinct() if p],
        }
        cache.set(key, found, timeout=24 * 3600)
    return found
