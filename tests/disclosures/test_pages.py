"""Disclosure pages: officers sign off, auditors read and export and change nothing, other tenants see 404."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from apps.accounts.models import AuditEvent, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import services
from apps.disclosures.models import PeriodStatus, ReportingPeriod

pytestmark = pytest.mark.django_db
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-04-01,openai,gpt-4o,100,50000,40000,dev@org-a.example,,FR,10,EUR\n"
)


@pytest.fixture
def period(org_a):
    org = org_a["org"]
    execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "api.csv")).pk)
    return services.create_period(org, org_a["users"][Role.OFFICER], dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_officer_creates_a_period_and_reads_its_figures(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.post(
        reverse("disclosures:periods", args=["org-a"]),
        {"start": "2026-01-01", "end": "2026-12-31", "variant": "esrs_e1"},
    )
    period = ReportingPeriod.objects.get()
    assert response["Location"] == reverse("disclosures:period", args=["org-a", period.pk])
    page = client.get(response["Location"]).content.decode()
    assert "E1-6_11" in page and "Gross Scope 3 GHG emissions" in page and "Review what will lock" in page
    # The page says what "primary data" and the low - high range mean.
    assert 'id="def-E1-6_25"' in page and "energy was measured on the hardware that served them" in page
    assert 'id="def-ranges"' in page and "combined in quadrature" in page
    bad = client.post(
        reverse("disclosures:periods", args=["org-a"]),
        {"start": "2026-06-01", "end": "2026-12-31", "variant": "esrs_e1"},
    )
    assert "overlaps another reporting period" in bad.content.decode()


def test_drill_down_reaches_the_run_and_file(client_for, org_a, period):
    page = (
        client_for(org_a["users"][Role.AUDITOR])
        .get(reverse("disclosures:period", args=["org-a", period.pk]))
        .content.decode()
    )
    run = period.organisation and services.build_snapshot(period)[0]["runs"][0]
    assert run["sha256"] in page and reverse("connectors:run", args=["org-a", run["id"]]) in page
    # The API tokens are the only Scope 3 group, so they are what the Scope 3 range is made of: 100 %.
    assert 'id="range-drivers"' in page and "tokens · openai · gpt-4o" in page and "100 %" in page
    assert "gpt-4o" in page and "Generic usage CSV template" in page  # the source by its display name


def test_sign_off_through_the_page_and_auditor_refusals(client_for, org_a, period, django_capture_on_commit_callbacks):
    auditor = client_for(org_a["users"][Role.AUDITOR])
    for name in (
        "disclosures:period_sign_off",
        "disclosures:period_reopen",
        "disclosures:period_review",
        "disclosures:period_inputs",
    ):
        assert auditor.post(reverse(name, args=["org-a", period.pk]), {"reason": "x"}).status_code == 403
    it = client_for(org_a["users"][Role.IT_DIRECTOR])
    assert it.post(reverse("disclosures:period_sign_off", args=["org-a", period.pk])).status_code == 403
    officer = client_for(org_a["users"][Role.OFFICER])
    with django_capture_on_commit_callbacks(execute=True):  # the sign-off task runs, as the pool would
        officer.post(reverse("disclosures:period_sign_off", args=["org-a", period.pk]), {"comment": "ok"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.SIGNED_OFF and period.sign_off_comment == "ok"
    # The auditor reads and exports the signed-off version; the export is logged, nothing else changes.
    export = auditor.get(reverse("disclosures:period_export", args=["org-a", period.pk, "json"]))
    assert export.status_code == 200
    data = json.loads(b"".join(export.streaming_content) if export.streaming else export.content)
    assert data["E1-6_11"]["unit"] == "tCO2e" and data["E1-6_11"]["value"] > 0
    assert data["E1-6_11"]["value"] == {d["id"]: d for d in period.snapshot["datapoints"]}["E1-6_11"]["value"]
    actions = list(AuditEvent.objects.for_org(org_a["org"]).values_list("action", flat=True))
    assert {"upload", "period.create", "period.sign_off", "period.export"} <= set(actions)
    assert auditor.get(reverse("disclosures:audit_log", args=["org-a"])).status_code == 200
    csv_log = auditor.get(reverse("disclosures:audit_log", args=["org-a"]) + "?format=csv").content.decode()
    assert "period.sign_off" in csv_log


def test_exports_of_a_signed_off_period_are_identical_twice(org_a, period):
    from apps.accounts.models import Membership

    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    signed = services.sign_off(period, officer, "to verify", accept_unverified=True)
    first = services.render(signed, "json")
    assert services.render(signed, "json") == first
    assert services.export(signed, "json")[0] == first


def test_other_tenants_get_404_and_unknown_formats_404(client_for, org_a, org_b, period):
    other = client_for(org_b["users"][Role.ADMIN])
    for name, args in (("disclosures:period", [period.pk]), ("disclosures:period_export", [period.pk, "json"])):
        assert other.get(reverse(name, args=["org-b", *args])).status_code == 404
        assert other.get(reverse(name, args=["org-a", *args])).status_code == 404
    mine = client_for(org_a["users"][Role.ADMIN])
    assert mine.get(reverse("disclosures:period_export", args=["org-a", period.pk, "docx"])).status_code == 404


def test_audit_log_is_append_only(org_a):
    from apps.accounts import audit

    event = audit.record(org_a["org"], None, "test", "something")
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.for_org(org_a["org"]).update(summary="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_disclose_command_writes_json(org_a, period, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "e1.json"
    call_command("disclose", "--org", "org-a", "--year", "2025", "--format", "json", "--output", str(out))
    data = json.loads(out.read_text())
    assert set(data["E1-6_12"]) == {"value", "unit", "low", "high", "not_defined"}
    assert data["E1-6_12"]["not_defined"] == {}  # defined: no reason (tests/security/test_non_finite_outputs.py)
    assert data["E1-6_12"]["value"] == pytest.approx(data["E1-6_09"]["value"] + data["E1-6_11"]["value"])


def test_frugality_assessments_appear_in_the_methodology(org_a, period):
    from apps.costs.models import FrugalityAssessment

    FrugalityAssessment.objects.create(
        organisation=org_a["org"],
        use_case="Support bot",
        assessed_on=dt.date(2025, 11, 3),
        need_for_ai="yes",
        model_size="yes",
        good_practices="yes",
        measurement="yes",
        usage_caps="no",
        rebound="no",
        score=67.0,
    )
    snapshot = services.build_snapshot(period)[0]
    assert any(
        "Support bot" in line and "67/100" in line and "AFNOR Spec 2314" in line
        for line in snapshot["methodology"]["assumptions"]
    )
