"""The home page, the organisation dashboard and the records list behind its figures."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.models import Person, Team
from apps.accounts.permissions import READ
from apps.accounts.tenancy import SESSION_KEY, org_view, scoped
from apps.costs.charts import CHART_JS, charts_available
from apps.costs.figures import usage_figures
from apps.disclosures import filters as period_filters
from apps.footprint import record_pages, selectors

from .checklist import checklist
from .templatetags.ledger import display

RECORDS_PER_PAGE = 50


@login_required
def home(request):
    """Send the user to their current organisation, or let them pick one."""
    memberships = list(request.user.memberships.select_related("organisation"))
    slugs = {m.organisation.slug for m in memberships}
    current = request.session.get(SESSION_KEY)
    if current in slugs:
        return redirect("web:org_home", org_slug=current)
    if len(memberships) == 1:
        return redirect("web:org_home", org_slug=memberships[0].organisation.slug)
    return render(request, "web/choose_org.html", {"memberships": memberships})


def _drill_links(series: dict, filters: selectors.Filters) -> dict:
    """Each series row with the records-list query that shows the records behind it."""
    for row in series.get("by_month", []):
        start, end = selectors.month_range(row["key"], filters)
        row["query"] = filters.querystring(start=start, end=end)
    for name, field in (("by_provider", "provider"), ("by_model", "model"), ("by_source", "source")):
        for row in series.get(name, []):
            row["query"] = filters.querystring(**{field: row["key"]})
    for row in series.get("by_team", []):
        team = str(row["team_id"]) if row["team_id"] else selectors.TEAM_NONE
        row["query"] = filters.querystring(team=team)
    return series


@org_view(READ)
def org_home(request):
    """The dashboard: totals, charts by month, provider, model and team, for the filtered period."""
    org = request.organisation
    filters = period_filters.parse_filters(org, request.GET)
    figures = usage_figures(org, filters, selectors.CHART_SERIES)
    series = _drill_links(figures["series"], filters)
    context = {
        "filters": filters,
        "choices": period_filters.choices(org),
        "totals": figures["totals"],
        "api_cost": figures["api_cost"],
        "series": series,
        "chart_data": {
            name: [
                {
                    "key": display(r["key"]) if name in ("by_provider", "by_source") else r["key"],
                    "co2e_location_kg": r["co2e_location_kg"],
                    "co2e_market_kg": r["co2e_market_kg"],
                    "energy_kwh": r["energy_kwh"],
                }
                for r in rows
            ]
            for name, rows in series.items()
        },
        "chart_labels": {"location": _("location-based"), "market": _("market-based"), "unit": "kg CO2e"},
        "charts_available": charts_available(),
        "chart_js": CHART_JS,
        "team_count": scoped(Team, org).count(),
        "person_count": scoped(Person, org).count(),
        "member_count": org.memberships.count(),
        "latest_period": period_filters.latest_period(org),
        "latest_signed_off": period_filters.latest_period(org, signed_off=True),
        "checklist": checklist(org),
    }
    return render(request, "web/org_home.html", context)


@org_view(READ)
def record_list(request):
    """The records behind a figure, with the same filters as the dashboard; each row names its run and file.

    Keyset pages ("Newest" / "Newer" / "Older" / "Oldest", and `from_day` to jump to the page that starts at a
    day; apps.footprint.record_pages): a page reads its rows only. The totals are on the first page, where a
    figure's link arrives, so paging through a year never re-sums it."""
    org = request.organisation
    filters = period_filters.parse_filters(org, request.GET)
    records = selectors.filtered_records(org, filters)
    cursor = request.GET.get("cursor", "")
    context = {
        "filters": filters,
        "choices": period_filters.choices(org),
        "query": filters.querystring(),
        "oldest_cursor": record_pages.OLDEST,
    }
    try:
        from_day = None if cursor else record_pages.parse_from_day(request.GET.get("from_day"))
        context.update(from_day=from_day)
        context["page"] = record_pages.record_page(records, cursor=cursor, size=RECORDS_PER_PAGE, from_day=from_day)
    except (record_pages.InvalidCursor, record_pages.InvalidDay) as exc:
        context.update(page=record_pages.RecordPage([], None, None), error=str(exc))
        return render(request, "web/record_list.html", context, status=exc.http_status)
    if not cursor and from_day is None:
        figures = usage_figures(org, filters, ())
        context.update(totals=figures["totals"], api_cost=figures["api_cost"])
    return render(request, "web/record_list.html", context)
