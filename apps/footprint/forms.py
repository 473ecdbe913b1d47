from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContractualInstrument


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = ContractualInstrument
        fields = [
            "kind",
            "mwh",
            "zone",
            "period_start",
            "period_end",
            "gco2e_per_kwh",
            "energy_source",
            "supplier",
            "reference",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }
        # Labels written for a person, not derived from the field names ("Mwh:").
        labels = {
            "kind": _("Kind of instrument"),
            "mwh": _("Energy covered (MWh)"),
            "zone": _("Zone (country where the energy is consumed)"),
            "period_start": _("Covers from"),
            "period_end": _("Covers to"),
            "gco2e_per_kwh": _("Emission factor (gCO2e/kWh)"),
            "energy_source": _("Energy source"),
            "supplier": _("Supplier"),
            "reference": _("Reference (certificate or contract)"),
        }


class ResidualMixForm(forms.Form):
    rows = forms.CharField(
        label=_("Rows: zone,year,gCO2e/kWh or NA[,status[,source]], one per line"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # The shipped table's provenance runs to a few paragraphs: the form must take it back unchanged.
    source = forms.CharField(label=_("Source"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    vintage = forms.CharField(label=_("Vintage"), max_length=100)
    licence = forms.CharField(label=_("Licence"), max_length=200)
    note = forms.CharField(label=_("Why this change"), max_length=500, required=False)


class FacilityPueForm(forms.Form):
    rows = forms.CharField(
        label=_("Sites: zone,PUE[,status], one per line ('*' for every other site)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    source = forms.CharField(label=_("Source (e.g. the site's metered annual PUE, year)"), max_length=500)
    note = forms.CharField(label=_("Why this change"), max_length=500, required=False)
