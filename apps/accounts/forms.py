from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Team


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this organisation's teams can be chosen.
        self.fields["team"].queryset = Team.objects.for_org(organisation)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Legal name"), max_length=200)
    lei = forms.CharField(label=_("LEI (ISO 17442)"), max_length=20, required=False)
    registration_number = forms.CharField(label=_("Company registration number"), max_length=64, required=False)
    vat_number = forms.CharField(label=_("VAT number"), max_length=32, required=False)
    single_signer_allowed = forms.BooleanField(
        label=_("Allow a single signer (the member who submits a period may also sign it off)"), required=False
    )
    employees = forms.IntegerField(label=_("Average number of employees"), required=False, min_value=0)
    net_turnover_eur = forms.DecimalField(label=_("Net turnover (EUR)"), required=False, min_value=0)
    csrd_wave_one = forms.BooleanField(label=_("Already reports under the CSRD since FY2024 (wave 1)"), required=False)
    evidence_file_max_mb = forms.IntegerField(
        label=_("Largest source file in the evidence pack (MB)"),
        help_text=_("Larger files are listed by SHA-256 with a download link for members. Empty: the site's default."),
        required=False,
        min_value=0,
    )
