from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Variant


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    variant = forms.ChoiceField(label=_("Standard"), choices=Variant.choices)
    net_revenue_eur = forms.DecimalField(label=_("Net revenue (EUR)"), required=False, min_value=0)
    internal_carbon_price_eur_per_t = forms.DecimalField(
        label=_("Internal carbon price (EUR/tCO2e)"), required=False, min_value=0
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period must end on or after its start."))
        return data


class InputsForm(forms.Form):
    variant = forms.ChoiceField(label=_("Standard"), choices=Variant.choices)
    net_revenue_eur = forms.DecimalField(label=_("Net revenue (EUR)"), required=False, min_value=0)
    internal_carbon_price_eur_per_t = forms.DecimalField(
        label=_("Internal carbon price (EUR/tCO2e)"), required=False, min_value=0
    )


class SignOffForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    accept_unverified = forms.BooleanField(
        label=_("Sign off although factors are still to verify (an explicit exception: say why in the comment)"),
        required=False,
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the restatement"), widget=forms.Textarea(attrs={"rows": 3}))
