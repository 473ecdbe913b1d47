from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Team

from .calc import FRUGALITY_QUESTIONS
from .models import FrugalityAssessment, Licence, ModelPrice, RoiAssumption


class DateInput(forms.DateInput):
    input_type = "date"


class LicenceForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = [
            "tool",
            "name",
            "seat_source_key",
            "price_per_seat_month",
            "currency",
            "seats_bought",
            "period_start",
            "period_end",
            "note",
        ]
        widgets = {"period_start": DateInput, "period_end": DateInput}
        labels = {
            "tool": _("Tool"),
            "name": _("Name"),
            "seat_source_key": _("Seat file source"),
            "price_per_seat_month": _("Price per seat per month"),
            "currency": _("Currency"),
            "seats_bought": _("Seats bought"),
            "period_start": _("From"),
            "period_end": _("To"),
            "note": _("Note"),
        }


class ModelPriceForm(forms.ModelForm):
    class Meta:
        model = ModelPrice
        fields = [
            "provider",
            "model",
            "input_eur_per_mtok",
            "output_eur_per_mtok",
            "cached_eur_per_mtok",
            "valid_from",
            "source",
        ]
        widgets = {"valid_from": DateInput}
        labels = {
            "provider": _("Provider"),
            "model": _("Model"),
            "input_eur_per_mtok": _("Input, € per million tokens"),
            "output_eur_per_mtok": _("Output, € per million tokens"),
            "cached_eur_per_mtok": _("Cached input, € per million tokens"),
            "valid_from": _("Valid from"),
            "source": _("Source"),
        }


class RoiAssumptionForm(forms.ModelForm):
    class Meta:
        model = RoiAssumption
        fields = [
            "minutes_saved_low",
            "minutes_saved_central",
            "minutes_saved_high",
            "minutes_source",
            "hourly_cost_low_eur",
            "hourly_cost_central_eur",
            "hourly_cost_high_eur",
            "hourly_cost_source",
            "active_days_source",
            "manual_active_user_days",
        ]
        widgets = {
            "minutes_source": forms.Textarea(attrs={"rows": 3}),
            "hourly_cost_source": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "minutes_saved_low": _("Minutes saved per active day, low"),
            "minutes_saved_central": _("Minutes saved per active day, central"),
            "minutes_saved_high": _("Minutes saved per active day, high"),
            "minutes_source": _("Source of the minutes saved"),
            "hourly_cost_low_eur": _("Hourly cost (€), low"),
            "hourly_cost_central_eur": _("Hourly cost (€), central"),
            "hourly_cost_high_eur": _("Hourly cost (€), high"),
            "hourly_cost_source": _("Source of the hourly cost"),
            "active_days_source": _("Active days from"),
            "manual_active_user_days": _("Active user-days (entered)"),
        }


class FrugalityForm(forms.ModelForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label=_("Team"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["team"].queryset = Team.objects.for_org(organisation)

    class Meta:
        model = FrugalityAssessment
        fields = [
            "use_case",
            "team",
            "assessed_on",
            "need_for_ai",
            "model_size",
            "good_practices",
            "measurement",
            "usage_caps",
            "rebound",
            "notes",
        ]
        widgets = {"assessed_on": DateInput, "notes": forms.Textarea(attrs={"rows": 3})}
        # Each answer labelled with its question (not "Need for ai:").
        labels = {
            "use_case": _("Use case"),
            "assessed_on": _("Assessed on"),
            "notes": _("Notes"),
            **{key: _(text) for key, text in FRUGALITY_QUESTIONS},  # the questions are in the catalogue
        }
