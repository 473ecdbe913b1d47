from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Person, Team

from .models import IdentityKind
from .sources import SOURCES


def source_choices():
    return [(key, f"{module.LABEL} ({key})") for key, module in sorted(SOURCES.items())]


class UploadForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=source_choices)
    # An empty file reaches store_upload, whose refusal names the file ("x.csv: the file is empty").
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class MappingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Identity kind"), choices=IdentityKind.choices)
    value = forms.CharField(label=_("As the source names it"), max_length=254)
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.for_org(organisation)
        self.fields["team"].queryset = Team.objects.for_org(organisation)

    def clean(self):
        data = super().clean()
        if data.get("kind") == IdentityKind.PERSON and not data.get("person"):
            self.add_error("person", _("Choose the person this user is."))
        if data.get("kind") != IdentityKind.PERSON and not data.get("team"):
            self.add_error("team", _("Choose the team this identity belongs to."))
        return data
