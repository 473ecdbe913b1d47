"""Cost pages: thin views over the reads (summary, seats, roi, sizing, frugality) and services (writes)."""

import csv
import datetime as dt
import io
import math

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.models import Team
from apps.accounts.permissions import READ, WRITE
from apps.accounts.tenancy import get_scoped_or_404, org_view, scoped

from . import calc, charts, page_figures, seat_trend, services, sizing
from .forms import FrugalityForm, LicenceForm, ModelPriceForm, RoiAssumptionForm
from .frugality import frugality_list, impacts_by_team, impacts_window
from .models import Licence, ModelPrice, Tool
from .reconciliation import GAP_THRESHOLD_PCT
from .seats import seat_report
from .window import window_for


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def window_from(request):
    return window_for(request.organisation, _date(request.GET.get("start")), _date(request.GET.get("end")))


def share_from(request) -> float:
    try:
        share = float(request.GET.get("share", sizing.DEFAULT_SHIFT_SHARE * 100)) / 100
    except ValueError:
        share = sizing.DEFAULT_SHIFT_SHARE
    if not math.isfinite(share):  # float() reads "nan" and "inf"
        share = sizing.DEFAULT_SHIFT_SHARE
    return min(max(share, 0.0), 1.0)


@org_view(READ)
def overview(request):
    org, window = request.organisation, window_from(request)
    figures = page_figures.overview_figures(org, window)
    context = {"window": window, "threshold_pct": GAP_THRESHOLD_PCT, **figures}
    context.update(_charts(charts.overview_charts(figures["summary"])))
    return render(request, "costs/overview.html", context)


def _charts(specs: dict) -> dict:
    """What a page needs to draw its charts (cost-charts.js), or only its tables when Chart.js is not installed."""
    return {"charts": specs, "charts_available": charts.charts_available(), "chart_js": charts.CHART_JS}


@org_view(READ)
def seats(request):
    org, window = request.organisation, window_from(request)
    report = seat_report(org, window)
    trends = seat_trend.idle_by_month(org, window, report)
    # Copies: each licence with its trend beside it, for the template.
    items = [{**item, "trend": trends.get(item["licence_id"])} for item in report]
    specs = {f"idle_{lid}": charts.seat_trend_chart(trend) for lid, trend in trends.items()}
    return render(request, "costs/seats.html", {"window": window, "seats": items, **_charts(specs)})


@org_view(READ, write_methods_action=WRITE)
def roi(request):
    org = request.organisation
    if request.method == "POST":
        tool = request.POST.get("tool", "")
        team = get_scoped_or_404(Team, org, pk=request.POST["team"]) if request.POST.get("team") else None
        form = RoiAssumptionForm(request.POST)
        if tool in Tool.values and form.is_valid():
            try:
                services.save_roi_assumption(org, request.user, tool, team, **form.cleaned_data)
                messages.success(request, _("ROI inputs saved."))
            except services.CostInputError as exc:
                messages.error(request, str(exc))
        else:
            messages.error(request, _("Check the inputs: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(request.get_full_path())
    window = window_from(request)
    # Copies: the cached items stay free of forms.
    report = [dict(item) for item in page_figures.roi_figures(org, window)]
    for item in report:
        item["form"] = RoiAssumptionForm(initial=item["inputs"], auto_id=f"id_{item['tool']}_%s")
    context = {"window": window, "report": report, "teams": scoped(Team, org), **_charts(charts.roi_charts(report))}
    return render(request, "costs/roi.html", context)


@org_view(READ)
def right_sizing(request):
    window = window_from(request)
    share = share_from(request)
    result = page_figures.right_sizing_figures(request.organisation, window, share)
    specs = {"right_sizing": charts.right_sizing_chart(result)} if result["rows"] else {}
    context = {"window": window, "result": result, "share_pct": round(share * 100), **_charts(specs)}
    return render(request, "costs/right_sizing.html", context)


@org_view(READ)
def rebound(request):
    window = window_from(request)
    basis = request.GET.get("basis", "requests")
    basis = basis if basis in sizing.REBOUND_BASES else "requests"
    return render(
        request,
        "costs/rebound.html",
        {
            "window": window,
            "result": page_figures.rebound_figures(request.organisation, window, basis),
            "bases": sizing.REBOUND_BASES,
        },
    )


@org_view(READ, write_methods_action=WRITE)
def frugality(request):
    org = request.organisation
    form = FrugalityForm(request.POST or None, organisation=org, initial={"assessed_on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        services.add_frugality_assessment(org, request.user, **form.cleaned_data)
        messages.success(request, _("Assessment saved."))
        return redirect("costs:frugality", org_slug=org.slug)
    window = impacts_window(org)
    impacts = impacts_by_team(org, window)
    specs = {"frugality_co2e": charts.frugality_chart(impacts, _("no team"))} if impacts else {}
    context = {"assessments": frugality_list(org), "form": form, "questions": calc.FRUGALITY_QUESTIONS}
    return render(
        request,
        "costs/frugality.html",
        {**context, "impacts": impacts, "impacts_window": window, **_charts(specs)},
    )


@org_view(READ)
def frugality_csv(request):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    keys = [k for k, _ in calc.FRUGALITY_QUESTIONS]
    writer.writerow(["assessed_on", "use_case", "team", *keys, "score", "reasons", "notes"])
    for a in frugality_list(request.organisation):
        writer.writerow(
            [
                a["assessed_on"],
                _safe(a["use_case"]),
                _safe(a["team"]),
                *[a["answers"][k] for k in keys],
                f"{a['score']:.1f}",
                _safe(" | ".join(a["reasons"])),
                _safe(a["notes"]),
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="frugality-{request.organisation.slug}.csv"'
    return response


def _safe(text: str) -> str:
    """No spreadsheet formula injection in exported cells."""
    return "'" + text if text and text[0] in "=+-@\t\r" else text


@org_view(READ, write_methods_action=WRITE)
def prices(request):
    org = request.organisation
    licence_form, price_form = LicenceForm(prefix="licence"), ModelPriceForm(prefix="price")
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "licence":
                instance = (
                    get_scoped_or_404(Licence, org, pk=request.POST["licence_id"])
                    if request.POST.get("licence_id")
                    else None
                )
                licence_form = LicenceForm(request.POST, prefix="licence", instance=instance)
                if licence_form.is_valid():
                    services.save_licence(org, request.user, licence=instance, **licence_form.cleaned_data)
                    messages.success(request, _("Licence saved."))
                    return redirect("costs:prices", org_slug=org.slug)
            elif which == "price":
                price_form = ModelPriceForm(request.POST, prefix="price")
                if price_form.is_valid():
                    services.add_model_price(org, request.user, **price_form.cleaned_data)
                    messages.success(request, _("Price added."))
                    return redirect("costs:prices", org_slug=org.slug)
        except services.CostInputError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "costs/prices.html",
        {
            "licences": scoped(Licence, org),
            "prices": ModelPrice.objects.for_org(org),
            "licence_form": licence_form,
            "price_form": price_form,
        },
    )
