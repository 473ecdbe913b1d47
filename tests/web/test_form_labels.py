"""Every form's fields carry a label written for a person (not Django's one made from the field name: "Need for
ai:", "Mwh:") and every date field is an ISO date picker (`<input type="date">`), issue 20."""

import datetime as dt
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

APPS = ("accounts", "connectors", "costs", "disclosures", "footprint")


def _form_classes():
    for app in APPS:
        module = importlib.import_module(f"apps.{app}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield f"{app}.{name}", cls


FORMS = dict(_form_classes())


def test_the_forms_are_found():
    assert {"footprint.InstrumentForm", "disclosures.PeriodForm", "accounts.PersonForm", "costs.LicenceForm"} <= set(
        FORMS
    )


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_field_has_a_written_label(name):
    cls = FORMS[name]
    written = getattr(getattr(cls, "Meta", None), "labels", None) or {}
    unlabelled = [
        field_name
        for field_name, field in cls.base_fields.items()
        # A plain form's field without label= has None; a model form's has the model field's verbose name,
        # unless Meta.labels gives one (a field declared on the form has its own label=).
        if field.label is None
        or (issubclass(cls, forms.ModelForm) and field_name not in written and field_name not in cls.declared_fields)
    ]
    assert unlabelled == []


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_date_field_is_an_iso_date_picker(name):
    dates = {n: f for n, f in FORMS[name].base_fields.items() if isinstance(f, forms.DateField)}
    assert all(field.widget.input_type == "date" for field in dates.values()), name
    for language in ("en", "fr"):  # the value a date picker reads is ISO, whatever the page's language
        with translation.override(language):
            for field in dates.values():
                assert field.widget.format_value(dt.date(2025, 3, 1)) == "2025-03-01", (name, language)
