"""The estimator page: a model and its tokens in, energy, CO2e, water, ADPe and primary energy out, with their
ranges and everyday equivalences. The figures are `estimate_request`'s, as `manage.py estimate --json` and
POST /api/v1/estimate give them (the built-in factor set); the query string is the form, so a result links."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.permissions import READ
from apps.accounts.tenancy import org_view
from apps.costs.calc import equivalences
from apps.footprint.calculator import estimate_request
from apps.footprint.factors import FactorLookupError
from apps.footprint.services import default_factor_set_version, load_factor_set

# The example a first visit shows filled in (nothing is computed until the form is sent).
EXAMPLE = {"provider": "openai", "model": "gpt-4o", "output_tokens": 400, "input_tokens": 1000, "requests": 1}


class EstimateForm(forms.Form):
    """The estimator's inputs, as query parameters (`provider`, `model`, `output_tokens`, `zone`, ...)."""

    provider = forms.CharField(label=gettext_lazy("Provider"), max_length=64)
    model = forms.CharField(label=gettext_lazy("Model"), max_length=200)
    output_tokens = forms.IntegerField(label=gettext_lazy("Output tokens"), min_value=0, max_value=10**12)
    input_tokens = forms.IntegerField(
        label=gettext_lazy("Input tokens (uncached prompt)"), min_value=0, max_value=10**12, required=False
    )
    cached_input_tokens = forms.IntegerField(
        label=gettext_lazy("Cached input tokens"), min_value=0, max_value=10**12, required=False
    )
    requests = forms.IntegerField(label=gettext_lazy("Requests"), min_value=1, max_value=10**9, required=False)
    zone = forms.CharField(
        label=gettext_lazy("Zone (country or cloud region; empty: the provider's data centres)"),
        max_length=64,
        required=False,
    )

    def __init__(self, *args, factor_set=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.factor_set = factor_set
        self.fields["provider"].widget.attrs["list"] = "estimate-providers"
        self.fields["model"].widget.attrs["list"] = "estimate-models"
        self.fields["zone"].widget.attrs["list"] = "estimate-zones"
        self.fields["zone"].widget.attrs["placeholder"] = "FR, DEU, aws:eu-west-3"

    def estimate(self) -> dict | None:
        """`estimate_request`'s answer for the cleaned inputs; None with the error on its field when a name is
        unknown (the message lists close matches)."""
        d = self.cleaned_data
        try:
            return estimate_request(
                d["provider"],
                d["model"],
                d["output_tokens"],
                d.get("input_tokens") or 0,
                d.get("requests") or 1,
                d.get("zone") or None,
                factor_set=self.factor_set,
                cached_input_tokens=d.get("cached_input_tokens") or 0,
            )
        except FactorLookupError as exc:
            field = "model" if exc.kind.startswith("model") else exc.kind
            self.add_error(field if field in self.fields else None, _lookup_message(exc))
            return None


def _lookup_message(exc: FactorLookupError) -> str:
    """The lookup error in the page's language, with the close matches the calculator found."""
    kinds = {"provider": _("provider"), "zone": _("zone")}
    kind = kinds.get(exc.kind, _("model"))
    message = _("Unknown %(kind)s “%(value)s”.") % {"kind": kind, "value": exc.value}
    if exc.close_matches:
        message += " " + _("Close matches: %(names)s.") % {"names": ", ".join(exc.close_matches)}
    return message


def result_rows(result: dict) -> list[dict]:
    """The figures of an estimate as rows of (label, value, low, high, kind): `kind` picks the unit filter."""
    rows = [
        (_("Energy"), "energy_kwh", "energy"),
        (_("of which prefill (input tokens)"), "energy_prefill_kwh", "energy"),
        (_("Greenhouse gases (location-based CO2e)"), "co2e_kg", "mass"),
        (_("Water consumed"), "water_l", "volume"),
        (_("Abiotic resource depletion (ADPe, Sb eq.)"), "adpe_kgsbeq", "mass"),
        (_("Primary energy"), "pe_mj", "primary_energy"),
    ]
    return [
        {
            "label": label,
            "key": key,
            "kind": kind,
            "value": result[key],
            "low": result[f"{key}_low"],
            "high": result[f"{key}_high"],
        }
        for label, key, kind in rows
    ]


@org_view(READ)
def estimate(request):
    """The estimator: the form (from the query string) and, once sent, the figures with ranges."""
    factor_set = load_factor_set(default_factor_set_version())
    sent = "model" in request.GET
    form = EstimateForm(request.GET if sent else None, initial=EXAMPLE, factor_set=factor_set)
    result = form.estimate() if sent and form.is_valid() else None
    context = {
        "form": form,
        "result": result,
        "providers": sorted({p for p in factor_set.known_providers() if factor_set.datacenter(p)}),
        "models": factor_set.model_names(form.data.get("provider") or None)
        if sent and factor_set.ecologits_provider(form.data.get("provider", ""))
        else factor_set.model_names(),
        "zones": [z.upper() for z in factor_set.known_zones() if len(z) in (2, 3)],
    }
    if result:
        context["rows"] = result_rows(result)
        context["equivalences"] = [
            dict(e, metres=e["value"] * 1000) for e in equivalences(result["energy_kwh"], result["co2e_kg"])
        ]
    return render(request, "web/estimate.html", context)
