"""Form labels written for people, the API-token help shown whole, and a favicon on every page (issue 20)."""

import pytest
from django.urls import reverse

from apps.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_forms_carry_written_labels_not_field_names(client_for, org_a):
    officer = client_for(org_a["users"][Role.OFFICER])
    instruments = officer.get(reverse("footprint:instruments", args=["org-a"])).content.decode()
    assert "Energy covered (MWh)" in instruments and "Mwh:" not in instruments
    frugality = officer.get(reverse("costs:frugality", args=["org-a"])).content.decode()
    assert "The need for AI was demonstrated against simpler" in frugality and "Need for ai" not in frugality


def test_the_token_help_shows_the_header_whole(client_for, org_a):
    page = client_for(org_a["users"][Role.OFFICER]).get(reverse("accounts:tokens")).content.decode()
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in page


def test_every_page_links_a_favicon_that_is_served(client_for, org_a, client):
    page = client_for(org_a["users"][Role.AUDITOR]).get(reverse("web:org_home", args=["org-a"])).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and b"<svg" in b"".join(response.streaming_content)


def test_a_day_is_written_day_first_from_a_date_or_a_snapshots_iso_text():
    import datetime as dt

    from django.utils import translation

    from apps.web.templatetags.ledger import day

    with translation.override("en"):
        assert day(dt.date(2025, 3, 1)) == "01/03/2025" and day("2025-03-01") == "01/03/2025"
    with translation.override("fr"):
        assert day("2025-12-31") == "31/12/2025"
    assert day(None) == "—" and day("not a day") == "not a day"
