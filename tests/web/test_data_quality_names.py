"""A record's data-quality class is shown by its name, not its code, on the records and run pages (and the PDF
annex), through apps.core.labels.display_name; in French on French pages."""

import io

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.core.labels import DATA_QUALITY_NAMES, display_name
from apps.footprint.calculator import DQ_ACTIVITY, DQ_ACTIVITY_ASSUMED, DQ_MEASURED, DQ_MEASURED_IT, DQ_SPEND

from ..disclosures.test_e1_figures import CODECARBON

pytestmark = pytest.mark.django_db


def test_every_data_quality_class_has_a_display_name():
    assert set(DATA_QUALITY_NAMES) == {DQ_MEASURED, DQ_MEASURED_IT, DQ_ACTIVITY, DQ_ACTIVITY_ASSUMED, DQ_SPEND}
    assert display_name("measured_it") == "measured IT energy, modelled facility"


@pytest.fixture
def measured_run(org_a):
    org = org_a["org"]
    upload = store_upload(org, io.BytesIO(CODECARBON.encode()), "emissions.csv")
    run = execute_run(create_run(org, "codecarbon_emissions", upload).pk)
    assert run.status == "succeeded", run.errors
    return run


def test_records_and_run_pages_name_the_class(client_for, org_a, measured_run):
    # CodeCarbon's IT energy times the assumed facility PUE: measured IT energy, modelled facility.
    client = client_for(org_a["users"][Role.AUDITOR])
    records = client.get(reverse("web:records", args=["org-a"]), {"start": "2025-01-01", "end": "2025-12-31"})
    body = records.content.decode().split("<tbody>")[1]
    assert (
        body.count('<small class="muted quality">measured IT energy, modelled facility</small>') == 2
        and "measured_it" not in body
    )
    run = client.get(reverse("connectors:run", args=["org-a", measured_run.pk])).content.decode()
    assert '<dd id="run-quality">measured IT energy, modelled facility (2)</dd>' in run
    french = client.get(reverse("connectors:run", args=["org-a", measured_run.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "énergie informatique mesurée, installation modélisée (2)" in french.content.decode()
    french = client.get(
        reverse("web:records", args=["org-a"]), {"start": "2025-01-01", "end": "2025-12-31"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert (
        '<small class="muted quality">énergie informatique mesurée, installation modélisée</small>'
        in french.content.decode()
    )
