from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Standard, Variant


def _standard_field():
    # Not required: a form without it (older clients) keeps Set 1 on a new period, the period's own on an edit.
    return forms.ChoiceField(
        label=_("ESRS version"),
        choices=Standard.choices,
        initial=Standard.SET1_2023,
        required=False,
        help_text=_("The revised ESRS apply from financial years beginning in 2027 and may be chosen for 2026."),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    variant = forms.ChoiceField(label=_("Standard"), choices=Variant.choices)
    standard = _standard_field()
    net_revenue_eur = forms.DecimalField(label=_("Net revenue (EUR)"), required=False, min_value=0)
    internal_carbon_price_eur_per_t = forms.DecimalField(
        label=_("Internal carbon price (EUR/tCO2e)"), required=False, min_value=0
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period must end on or after its start."))
        data["standard"] = data.get("standard") or Standard.SET1_2023
        return data


class InputsForm(forms.Form):
    variant = forms.ChoiceField(label=_("Standard"), choices=Variant.choices)
    standard = _standard_field()
    net_revenue_eur = forms.DecimalField(label=_("Net revenue (EUR)"), required=False, min_value=0)
    internal_carbon_price_eur_per_t = forms.DecimalField(
        label=_("Internal carbon price (EUR/tCO2e)"), required=False, min_value=0
    )

    def clean(self):
        data = super().clean()
        if not data.get("standard"):
            data.pop("standard", None)  # not given: the period keeps its own
        return data


class SignOffForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    accept_unverified = forms.BooleanField(
        label=_("Sign off although factors are still to verify (an explicit exception: say why in the comment)"),
        required=False,
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the restatement"), widget=forms.Textarea(attrs={"rows": 3}))
