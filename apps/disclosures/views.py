"""Reporting periods: the disclosure page, review, sign-off, restatement, exports, the audit log."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import AuditEvent
from apps.accounts.permissions import READ, SIGN_OFF, WRITE, can_sign_off
from apps.accounts.tenancy import get_scoped_or_404, org_view, scoped

from . import catalogues, e1, services
from .forms import InputsForm, PeriodForm, ReopenForm, SignOffForm
from .models import ReportingPeriod


@org_view(READ, write_methods_action=WRITE)
def period_list(request):
    org = request.organisation
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.create_period(org, request.user, **form.cleaned_data)
        except services.DisclosureError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("disclosures:period", org_slug=org.slug, pk=period.pk)
    periods = scoped(ReportingPeriod, org).select_related("signed_off_by")
    return render(request, "disclosures/period_list.html", {"periods": periods, "form": form})


@org_view(READ)
def period_detail(request, pk):
    period = get_scoped_or_404(ReportingPeriod, request.organisation, pk=pk)
    context = {
        "period": period,
        "versions": scoped(ReportingPeriod, request.organisation)
        .filter(start=period.start, end=period.end)
        .order_by("version"),
        "exports": _task_status(request, period)["exports"],
        "status_url": reverse("disclosures:period_status", args=[request.organisation.slug, period.pk]),
        "can_sign_off": can_sign_off(request.membership),
    }
    if period.is_signing:
        # The figures are being frozen by a task: the page says so and polls, rather than compute them too.
        return render(request, "disclosures/period_detail.html", context)
    snapshot, sha = services.snapshot_of(period)
    sections = {}
    for dp in snapshot["datapoints"]:
        sections.setdefault(dp["section"], []).append(dp)
    restated_diff = None
    if period.restatement_of_id:
        restated_diff = services.differences(period.restatement_of.snapshot, snapshot)
    context |= {
        "snapshot": snapshot,
        "snapshot_sha256": sha,
        "sections": sections,
        "restated_diff": restated_diff,
        "standard_changes": e1.standard_changes(snapshot),
        "revised_not_computed": catalogues.load(e1.REVISED).get("not_computed", []),
        # C(2026) 5010 Art. 3: years beginning on or after 1 January 2027 report under the revised ESRS.
        "revised_applies": snapshot.get("standard") == e1.SET1 and period.start >= services.REVISED_MANDATORY_START,
        "inputs_form": InputsForm(
            initial={
                "variant": period.variant,
                "standard": period.standard,
                "net_revenue_eur": period.net_revenue_eur,
                "internal_carbon_price_eur_per_t": period.internal_carbon_price_eur_per_t,
            }
        ),
        "sign_off_form": SignOffForm(),
        "reopen_form": ReopenForm(),
    }
    return render(request, "disclosures/period_detail.html", context)


def _task_status(request, period) -> dict:
    """The period's task status, each export with the URL that downloads (GET) or requests (POST) it."""
    status = services.task_status(period)
    for row in status["exports"]:
        row["url"] = reverse("disclosures:period_export", args=[request.organisation.slug, period.pk, row["format"]])
    return status


@org_view(READ)
def period_status(request, pk):
    """The period's sign-off and exports as JSON, polled by the period page until nothing is pending."""
    status = _task_status(request, get_scoped_or_404(ReportingPeriod, request.organisation, pk=pk))
    return JsonResponse(status)


def _act(request, pk, action, success: str = ""):
    period = get_scoped_or_404(ReportingPeriod, request.organisation, pk=pk)
    try:
        result = action(period)
    except services.DisclosureError as exc:
        messages.error(request, str(exc))
        result = period
    else:
        if success:
            messages.success(request, success)
    return redirect("disclosures:period", org_slug=request.organisation.slug, pk=result.pk)


@org_view(WRITE)
@require_POST
def period_inputs(request, pk):
    form = InputsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the inputs: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("disclosures:period", org_slug=request.organisation.slug, pk=pk)
    return _act(request, pk, lambda p: services.update_inputs(p, request.user, **form.cleaned_data))


@org_view(WRITE)
@require_POST
def period_review(request, pk):
    return _act(request, pk, lambda p: services.submit_for_review(p, request.membership))


@org_view(READ, write_methods_action=SIGN_OFF)
@require_http_methods(["GET", "HEAD", "POST"])
def period_sign_off(request, pk):
    """GET: the confirmation page naming what will lock (and any factor still to verify), readable by every
    member like the period page; POST: sign off (signers only)."""
    if request.method != "POST":
        period = get_scoped_or_404(ReportingPeriod, request.organisation, pk=pk)
        if period.is_signed_off or period.is_signing:
            return redirect("disclosures:period", org_slug=request.organisation.slug, pk=pk)
        snapshot, sha = services.snapshot_of(period)
        context = {
            "period": period,
            "snapshot_sha256": sha,
            "datapoints": snapshot["datapoints"],
            "factor_sets": snapshot.get("factor_sets") or [],
            "runs": snapshot.get("runs") or [],
            "unverified": snapshot.get("unverified_factors") or {},
            "exports": sorted(services.EXPORT_FORMATS),
            "sign_off_form": SignOffForm(),
        }
        return render(request, "disclosures/sign_off_confirm.html", context)
    form = SignOffForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    accept = bool(form.cleaned_data.get("accept_unverified"))
    return _act(
        request,
        pk,
        lambda p: services.request_sign_off(
            period=p, membership=request.membership, comment=comment, accept_unverified=accept
        ),
        _("Sign-off requested: the figures are being frozen and the exports rendered."),
    )


@org_view(SIGN_OFF)
@require_POST
def period_reopen(request, pk):
    form = ReopenForm(request.POST)
    reason = request.POST.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    return _act(request, pk, lambda p: services.reopen(p, request.membership, reason))


@org_view(READ, write_methods_action=WRITE)
@require_http_methods(["GET", "HEAD", "POST"])
def period_export(request, pk, fmt):
    """GET downloads (auditors too: reading, not changing; the download is logged). PDF, XLSX and the evidence
    pack are rendered by a task: POST asks for one (a role that can change), and GET sends it once ready."""
    period = get_scoped_or_404(ReportingPeriod, request.organisation, pk=pk)
    if fmt not in services.EXPORT_FORMATS:
        raise Http404("Unknown export format")
    back = redirect("disclosures:period", org_slug=request.organisation.slug, pk=period.pk)
    if request.method == "POST":
        try:
            services.request_export(period=period, fmt=fmt, user=request.user)
        except services.DisclosureError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The %(fmt)s is being rendered; it can be downloaded here once ready.") % {"fmt": fmt.upper()},
            )
        return back
    try:
        content, filename, content_type = services.download(period, fmt, request.user)
    except services.ExportNotReady as exc:
        messages.info(request, str(exc))
        return back
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_view(READ)
def audit_log(request):
    events = AuditEvent.objects.for_org(request.organisation).select_related("actor")
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["time_utc", "actor", "action", "object_type", "object_id", "summary"])
        for e in events:
            writer.writerow(
                [
                    e.created_at.isoformat(),
                    _safe_cell(e.actor_label),
                    e.action,
                    e.object_type,
                    e.object_id,
                    _safe_cell(e.summary),
                ]
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{request.organisation.slug}-audit-log.csv"'
        return response
    return render(request, "disclosures/audit_log.html", {"events": events[:500]})


def _safe_cell(text: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is read as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
