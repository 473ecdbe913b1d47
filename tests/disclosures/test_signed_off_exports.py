"""Exports of a real signed-off period: identical when generated twice, and the evidence pack alone
recomputes every disclosed figure. Instruments and mappings of a locked period cannot change."""

import datetime as dt
import io
import zipfile

import pytest

from apps.accounts.models import Membership, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.mapping import apply_mappings
from apps.connectors.models import IdentityKind, IdentityMapping
from apps.connectors.storage import store_upload
from apps.disclosures import services
from apps.footprint import services as footprint_services
from apps.footprint.models import ContractualInstrument, UsageRecord

from .test_e1_figures import CODECARBON, GENERIC
from .test_exports_evidence import check_pack

pytestmark = pytest.mark.django_db


def _load(org, content, name, source):
    return execute_run(create_run(org, source, store_upload(org, io.BytesIO(content.encode()), name)).pk)


@pytest.fixture
def signed(org_a):
    org = org_a["org"]
    _load(org, CODECARBON, "emissions.csv", "codecarbon_emissions")
    _load(org, GENERIC.replace(",,,US,", ",dev@org-a.example,,US,"), "api.csv", "generic_csv")
    ContractualInstrument.objects.create(
        organisation=org,
        kind="GO",
        mwh=0.6,
        zone="FR",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    period = services.create_period(
        org,
        None,
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        net_revenue_eur=50_000_000,
        internal_carbon_price_eur_per_t=80,
    )
    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    return services.sign_off(period, officer, "Filed", accept_unverified=True), org_a


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx", "json", "xhtml", "evidence"])
def test_each_export_of_a_signed_off_period_is_identical_when_generated_twice(signed, fmt):
    period, _ = signed
    first = services.render(period, fmt)
    assert len(first) > 200
    assert services.render(period, fmt) == first
    # Figures changing later (a new factor set) does not move a signed-off export.
    assert services.export(period, fmt)[0] == first


def test_the_evidence_pack_alone_recomputes_every_figure(signed):
    period, _ = signed
    data = services.render(period, "evidence")
    assert check_pack(data) >= 20
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert {"README.md", "snapshot.json", "records.csv"} <= set(archive.namelist())
    assert any(name.startswith("factors/") for name in archive.namelist())


def test_pdf_names_the_snapshot_and_the_files(signed):
    from pypdf import PdfReader

    period, _ = signed
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(services.render(period, "pdf"))).pages)
    assert period.snapshot_sha256[:16] in text.replace("\n", "")
    assert "emissions.csv" in text and "E1-6" in text


def test_instruments_and_mappings_of_a_locked_period_do_not_change(signed):
    _, org_a = signed
    org = org_a["org"]
    with pytest.raises(footprint_services.FactorInputError, match="is signed off"):
        footprint_services.add_instrument(
            org,
            None,
            kind="GO",
            mwh=1,
            zone="FR",
            period_start=dt.date(2025, 6, 1),
            period_end=dt.date(2025, 6, 30),
            gco2e_per_kwh=0,
            energy_source="renewable",
            supplier="",
            reference="",
        )
    instrument = ContractualInstrument.objects.for_org(org).get()
    with pytest.raises(footprint_services.FactorInputError, match="is signed off"):
        footprint_services.delete_instrument(org, None, instrument)
    # An instrument for another year is fine.
    footprint_services.add_instrument(
        org,
        None,
        kind="GO",
        mwh=1,
        zone="FR",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        gco2e_per_kwh=0,
        energy_source="renewable",
        supplier="",
        reference="",
    )
    # A new mapping re-attributes open records only.
    before = dict(UsageRecord.objects.for_org(org).values_list("pk", "team_id"))
    IdentityMapping.objects.create(
        organisation=org, kind=IdentityKind.PERSON, value="dev@org-a.example", person=org_a["person"]
    )
    apply_mappings(org)
    assert dict(UsageRecord.objects.for_org(org).values_list("pk", "team_id")) == before


def test_sign_off_renders_and_keeps_every_export(org_a, django_capture_on_commit_callbacks):
    org = org_a["org"]
    _load(org, CODECARBON, "emissions.csv", "codecarbon_emissions")
    period = services.create_period(org, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    with django_capture_on_commit_callbacks(execute=True):
        period = services.sign_off(period, officer, "to verify", accept_unverified=True)
    kept = dict(period.exports.values_list("format", "sha256"))
    assert set(kept) == set(services.EXPORT_FORMATS)
    import hashlib

    assert kept["csv"] == hashlib.sha256(services.render(period, "csv")).hexdigest()


def test_people_and_teams_with_signed_off_usage_cannot_be_removed(signed, client_for):
    from django.urls import reverse

    from apps.accounts.models import Person, Team

    _, org_a = signed
    officer = client_for(org_a["users"][Role.OFFICER])
    person, team = org_a["person"], org_a["team"]
    assert UsageRecord.objects.for_org(org_a["org"]).filter(person=person, team=team).exists()
    page = officer.post(reverse("accounts:person_delete", args=["org-a", person.pk]), follow=True).content.decode()
    assert "signed-off period 2025-01-01 – 2025-12-31" in page
    officer.post(reverse("accounts:team_delete", args=["org-a", team.pk]))
    api = officer.delete(reverse("api:team_detail", args=["org-a", team.pk]))
    assert api.status_code == 403 and "signed-off period" in api.json()["detail"]
    assert Person.objects.filter(pk=person.pk).exists() and Team.objects.filter(pk=team.pk).exists()
    assert UsageRecord.objects.for_org(org_a["org"]).filter(person=person, team=team).exists()
