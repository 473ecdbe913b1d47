"""Factor sets (provenance, versions, their effect), contractual instruments and the residual mix."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.permissions import READ, WRITE
from apps.accounts.tenancy import get_scoped_or_404, org_view, scoped

from . import published, services
from .forms import FacilityPueForm, InstrumentForm, ResidualMixForm
from .models import ContractualInstrument, FactorSetVersion


def _versions(org):
    return FactorSetVersion.objects.filter(Q(organisation=org) | Q(organisation__isnull=True)).order_by("-created_at")


@org_view(READ)
def factor_sets(request):
    org = request.organisation
    current = services.current_factor_set_version(org)
    factor_set = services.load_factor_set(current)
    versions = list(_versions(org))
    effect = None
    if len(versions) > 1:
        previous = next(v for v in versions if v.pk != current.pk)
        effect = {
            "old": previous,
            "new": current,
            "rows": services.factor_set_effect(org, previous, current).to_dict("records"),
        }
    residual = factor_set.tables["residual_mix"]
    form = ResidualMixForm(
        initial={
            "rows": "\n".join(services.residual_line(row) for row in residual.rows),
            "source": residual.source,
            "vintage": residual.vintage,
            "licence": residual.licence,
        }
    )
    sites = factor_set.tables.get("facility_pue")
    pue_form = FacilityPueForm(
        initial={"rows": "\n".join(",".join(str(v) for v in row) for row in sites.rows) if sites else "*,1.0,entered"}
    )
    return render(
        request,
        "footprint/factor_sets.html",
        {
            "current": current,
            "provenance": factor_set.provenance(),
            "versions": versions,
            "effect": effect,
            "residual_form": form,
            "pue_form": pue_form,
            "method_notes": factor_set.method_version,
            # Each seat tool's interactions-per-day figure with its status: an assumption is shown as one.
            "seat_tools": factor_set.tables["seat_tools"].records(),
            # The vendors' per-prompt figures beside this set's for a comparable case (table
            # published_measurements; empty for sets stored before it).
            "published": published.comparison(factor_set),
        },
    )


@org_view(WRITE)
@require_POST
def residual_mix(request):
    form = ResidualMixForm(request.POST)
    if form.is_valid():
        try:
            rows = services.parse_residual_rows(form.cleaned_data["rows"])
            version = services.save_residual_mix(
                request.organisation,
                request.user,
                rows,
                form.cleaned_data["source"],
                form.cleaned_data["vintage"],
                form.cleaned_data["licence"],
                form.cleaned_data["note"],
            )
        except services.FactorInputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("New factor-set version %(label)s saved.") % {"label": version.label})
    else:
        messages.error(request, _("Fill in every field of the residual mix."))
    return redirect("footprint:factor_sets", org_slug=request.organisation.slug)


@org_view(WRITE)
@require_POST
def facility_pue(request):
    form = FacilityPueForm(request.POST)
    if form.is_valid():
        try:
            version = services.save_facility_pue(
                request.organisation,
                request.user,
                form.cleaned_data["rows"],
                form.cleaned_data["source"],
                form.cleaned_data["note"],
            )
        except services.FactorInputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("New factor-set version %(label)s saved.") % {"label": version.label})
    else:
        messages.error(request, _("Fill in the sites and their source."))
    return redirect("footprint:factor_sets", org_slug=request.organisation.slug)


@org_view(READ, write_methods_action=WRITE)
def instruments(request):
    org = request.organisation
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_instrument(org, request.user, **form.cleaned_data)
        except services.FactorInputError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Instrument recorded."))
            return redirect("footprint:instruments", org_slug=org.slug)
    return render(
        request, "footprint/instruments.html", {"instruments": scoped(ContractualInstrument, org), "form": form}
    )


@org_view(WRITE)
@require_POST
def instrument_delete(request, pk):
    instrument = get_scoped_or_404(ContractualInstrument, request.organisation, pk=pk)
    try:
        services.delete_instrument(request.organisation, request.user, instrument)
    except services.FactorInputError as exc:
        messages.error(request, str(exc))
    return redirect("footprint:instruments", org_slug=request.organisation.slug)
