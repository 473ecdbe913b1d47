"""The dashboard's first-run checklist ticks itself from the organisation's data."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.models import Membership, Role
from apps.disclosures import services
from apps.web.checklist import checklist

pytestmark = pytest.mark.django_db


def done(org) -> dict[str, bool]:
    return {step["key"]: step["done"] for step in checklist(org)}


def test_a_new_organisation_has_every_step_to_do_and_the_dashboard_lists_them(client_for, org_a):
    org = org_a["org"]
    assert done(org) == dict.fromkeys(("usage", "mappings", "instruments", "period", "review", "sign_off"), False)
    html = client_for(org_a["users"][Role.OFFICER]).get(reverse("web:org_home", args=["org-a"])).content.decode()
    assert 'id="checklist"' in html and 'id="step-usage" class="todo"' not in html  # class comes first
    assert '<li class="todo" id="step-usage">' in html


def test_creating_reviewing_and_signing_off_a_period_ticks_those_steps(org_a):
    org = org_a["org"]
    period = services.create_period(org, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert done(org)["period"] and not done(org)["review"]
    services.sign_off(period, Membership.objects.get(user=org_a["users"][Role.OFFICER]))
    steps = done(org)
    assert steps["review"] and steps["sign_off"]
