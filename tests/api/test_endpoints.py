"""The REST API under /api/v1/: every endpoint, with tenant (404), role (403) and anonymous (401) refusals."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IdentityMapping, IngestionRun
from apps.connectors.storage import store_upload
from apps.disclosures import services
from apps.disclosures.models import PeriodStatus

pytestmark = pytest.mark.django_db
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-03-01,openai,gpt-4o,1000,500000,400000,dev@org-a.example,,FR,12.5,EUR\n"
    "2025-04-02,anthropic,claude-3-5-sonnet-20241022,200,80000,60000,other@org-a.example,ml-team,DE,7,EUR\n"
)
BASE = "/api/v1/o/org-a"


@pytest.fixture
def loaded(org_a):
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "usage.csv")).pk)
    assert run.status == "succeeded", run.errors
    return run


@pytest.fixture
def period(org_a, loaded):
    return services.create_period(
        org_a["org"], org_a["users"][Role.OFFICER], dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    )


def api(user=None) -> APIClient:
    """A client authenticated by a personal bearer token, as a script would be."""
    client = APIClient()
    if user is not None:
        _token, raw = ApiToken.issue(user, "tests")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_runs_list_and_detail(org_a, loaded):
    client = api(org_a["users"][Role.AUDITOR])
    listing = client.get(f"{BASE}/runs/")
    assert listing.status_code == 200
    (run,) = listing.json()["results"]
    assert run["id"] == loaded.pk and run["sha256"] == loaded.source_file.sha256 and run["progress_percent"] == 100
    detail = client.get(f"{BASE}/runs/{loaded.pk}/").json()
    assert detail["status"] == "succeeded" and detail["finished"] is True and detail["records_stored"] == 2


def test_upload_creates_a_run_and_queues_it(org_a, django_capture_on_commit_callbacks):
    client = api(org_a["users"][Role.IT_DIRECTOR])
    upload = SimpleUploadedFile("usage.csv", CSV.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"{BASE}/runs/", {"source": "generic_csv", "file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1  # the ingestion task was queued (and ran in-process)
    run_id = response.json()["id"]
    assert response["Location"].endswith(f"{BASE}/runs/{run_id}/")
    status = client.get(f"{BASE}/runs/{run_id}/").json()
    assert status["status"] == "succeeded" and status["progress_percent"] == 100 and status["records_stored"] == 2
    # The same file again: a finished run that stored nothing and points to the first.
    again = client.post(
        f"{BASE}/runs/",
        {"source": "generic_csv", "file": SimpleUploadedFile("copy.csv", CSV.encode())},
        format="multipart",
    )
    assert again.status_code == 201 and again.json()["duplicate_of"] == run_id


def test_upload_refusals(org_a, org_b):
    bad = api(org_a["users"][Role.OFFICER]).post(
        f"{BASE}/runs/", {"source": "no_such_source", "file": SimpleUploadedFile("a.csv", b"x")}, format="multipart"
    )
    assert bad.status_code == 400 and "source" in bad.json()
    empty = api(org_a["users"][Role.OFFICER]).post(
        f"{BASE}/runs/", {"source": "generic_csv", "file": SimpleUploadedFile("a.csv", b"")}, format="multipart"
    )
    assert empty.status_code == 400
    auditor = api(org_a["users"][Role.AUDITOR]).post(
        f"{BASE}/runs/",
        {"source": "generic_csv", "file": SimpleUploadedFile("a.csv", CSV.encode())},
        format="multipart",
    )
    assert auditor.status_code == 403
    other = api(org_b["users"][Role.ADMIN]).post(
        f"{BASE}/runs/",
        {"source": "generic_csv", "file": SimpleUploadedFile("a.csv", CSV.encode())},
        format="multipart",
    )
    assert other.status_code == 404
    assert not IngestionRun.objects.exists()


def test_records_are_filtered_and_paginated(org_a, loaded):
    client = api(org_a["users"][Role.AUDITOR])
    everything = client.get(f"{BASE}/records/", {"start": "2025-01-01", "end": "2025-12-31"}).json()
    assert len(everything["results"]) == 2 and everything["next"] is None and everything["previous"] is None
    assert "count" not in everything  # keyset pages: no COUNT of the year per page
    assert [row["day"] for row in everything["results"]] == ["2025-04-02", "2025-03-01"]  # newest first
    row = everything["results"][0]
    assert row["run"] == loaded.pk and row["source_sha256"] == loaded.source_file.sha256
    assert row["factor_set"] == loaded.factor_set.label and row["factor_set_sha256"] == loaded.factor_set.content_sha256
    only = client.get(f"{BASE}/records/", {"start": "2025-01-01", "end": "2025-12-31", "provider": "openai"}).json()
    assert len(only["results"]) == 1 and only["results"][0]["model"] == "gpt-4o"
    by_team = client.get(
        f"{BASE}/records/", {"start": "2025-01-01", "end": "2025-12-31", "team": org_a["team"].pk}
    ).json()
    assert len(by_team["results"]) == 1
    march = client.get(f"{BASE}/records/", {"start": "2025-03-01", "end": "2025-03-31"}).json()
    assert len(march["results"]) == 1


def test_a_period_that_is_not_an_id_is_refused(org_a, loaded):
    # Found by the schema fuzz: DRF's IntegerField read "0.0" as 0 and the records came back for another range.
    client = api(org_a["users"][Role.AUDITOR])
    for bad in ("0.0", "1e3", "-1", "x"):
        for path in ("records", "summary"):
            response = client.get(f"{BASE}/{path}/", {"period": bad})
            assert response.status_code == 400, (path, bad)
            assert response.json() == {"period": ["A reporting period's id: digits only."]}


def test_summary_has_the_dashboard_totals_and_series(org_a, loaded):
    body = (
        api(org_a["users"][Role.AUDITOR]).get(f"{BASE}/summary/", {"start": "2025-01-01", "end": "2025-12-31"}).json()
    )
    assert body["totals"]["records"] == 2 and body["totals"]["cost_eur"] == pytest.approx(19.5)
    assert [row["key"] for row in body["series"]["by_month"]] == ["2025-03", "2025-04"]
    assert {row["key"] for row in body["series"]["by_provider"]} == {"openai", "anthropic"}
    assert body["filters"]["start"] == "2025-01-01"
    assert sum(r["co2e_location_kg"] for r in body["series"]["by_team"]) == pytest.approx(
        body["totals"]["co2e_location_kg"]
    )


def test_mappings_list_create_delete(org_a, loaded):
    officer = api(org_a["users"][Role.OFFICER])
    team = org_a["team"]
    created = officer.post(f"{BASE}/mappings/", {"kind": "team", "value": "ml-team", "team": team.pk}, format="json")
    assert created.status_code == 201, created.content
    mapping_id = created.json()["id"]
    summary = officer.get(f"{BASE}/summary/", {"start": "2025-01-01", "end": "2025-12-31", "team": team.pk}).json()
    assert summary["totals"]["records"] == 2  # the ml-team row is now Platform's
    assert officer.get(f"{BASE}/mappings/").json()["results"][0]["value"] == "ml-team"
    assert officer.get(f"{BASE}/mappings/{mapping_id}/").status_code == 200
    missing_team = officer.post(f"{BASE}/mappings/", {"kind": "team", "value": "x"}, format="json")
    assert missing_team.status_code == 400
    auditor = api(org_a["users"][Role.AUDITOR])
    assert (
        auditor.post(f"{BASE}/mappings/", {"kind": "team", "value": "y", "team": team.pk}, format="json").status_code
        == 403
    )
    assert auditor.delete(f"{BASE}/mappings/{mapping_id}/").status_code == 403
    assert officer.delete(f"{BASE}/mappings/{mapping_id}/").status_code == 204
    assert not IdentityMapping.objects.exists()


def test_mapping_to_another_organisations_team_is_refused(org_a, org_b):
    response = api(org_a["users"][Role.OFFICER]).post(
        f"{BASE}/mappings/", {"kind": "team", "value": "x", "team": org_b["team"].pk}, format="json"
    )
    assert response.status_code == 400 and "team" in response.json()


def test_periods_disclosure_and_sign_off(org_a, period, django_capture_on_commit_callbacks):
    auditor = api(org_a["users"][Role.AUDITOR])
    (listed,) = auditor.get(f"{BASE}/periods/").json()["results"]
    assert listed["id"] == period.pk and listed["status"] == "draft"
    assert auditor.get(f"{BASE}/periods/{period.pk}/").json()["start"] == "2025-01-01"
    disclosure = auditor.get(f"{BASE}/periods/{period.pk}/disclosure/").json()
    assert len(disclosure["snapshot_sha256"]) == 64
    assert any(dp["id"] == "E1-6_11" for dp in disclosure["snapshot"]["datapoints"])
    # Scope 3 category 3 is its own line in the API snapshot too: nil here, no self-hosted compute to upstream.
    cat3 = next(dp for dp in disclosure["snapshot"]["datapoints"] if dp["id"] == "E1-6_11/cat3")
    assert cat3["value"] == 0.0 and cat3["xbrl_concept"] is None
    assert disclosure["snapshot"]["upstream_electricity"]["rows"] == []
    assert auditor.post(f"{BASE}/periods/{period.pk}/sign-off/", {}, format="json").status_code == 403
    it_director = api(org_a["users"][Role.IT_DIRECTOR])
    assert it_director.post(f"{BASE}/periods/{period.pk}/sign-off/", {}, format="json").status_code == 403
    officer = api(org_a["users"][Role.OFFICER])
    with django_capture_on_commit_callbacks(execute=True):  # the sign-off task runs once the answer is sent
        requested = officer.post(f"{BASE}/periods/{period.pk}/sign-off/", {"comment": "ok"}, format="json")
    assert requested.status_code == 202, requested.content
    assert requested.json()["status"] == "signing" and requested.json()["sign_off_comment"] == "ok"
    status = auditor.get(requested["Location"]).json()
    assert status["status"] == PeriodStatus.SIGNED_OFF and status["finished"] is True
    assert {e["state"] for e in status["exports"]} == {"ready"}
    signed = auditor.get(f"{BASE}/periods/{period.pk}/")
    assert signed.json()["status"] == PeriodStatus.SIGNED_OFF and signed.json()["sign_off_comment"] == "ok"
    frozen = auditor.get(f"{BASE}/periods/{period.pk}/disclosure/").json()
    assert frozen["snapshot_sha256"] == signed.json()["snapshot_sha256"]
    again = officer.post(f"{BASE}/periods/{period.pk}/sign-off/", {}, format="json")
    assert again.status_code == 409 and "already signed off" in again.json()["detail"]


def _body(response) -> bytes:
    """The bytes of a download, streamed (FileResponse) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_exports_are_files(org_a, period, django_capture_on_commit_callbacks):
    auditor = api(org_a["users"][Role.AUDITOR])
    response = auditor.get(f"{BASE}/periods/{period.pk}/exports/json/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="org-a-ai-footprint-20250101-20251231-v1.json"'
    assert "datapoints" in json.loads(response.content) or json.loads(response.content)
    # A draft's PDF is rendered by a task: requested (a role that changes), then downloaded.
    with django_capture_on_commit_callbacks(execute=True):
        requested = api(org_a["users"][Role.OFFICER]).post(f"{BASE}/periods/{period.pk}/exports/pdf/")
    assert requested.status_code == 202
    pdf = auditor.get(f"{BASE}/periods/{period.pk}/exports/pdf/")
    assert pdf.status_code == 200 and _body(pdf).startswith(b"%PDF")
    assert auditor.get(f"{BASE}/periods/{period.pk}/exports/exe/").status_code == 404


ENDPOINTS = [
    "runs/",
    "runs/{run}/",
    "records/",
    "summary/",
    "mappings/",
    "periods/",
    "periods/{period}/",
    "periods/{period}/disclosure/",
    "periods/{period}/exports/csv/",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_other_tenants_get_404_and_anonymous_401(org_a, org_b, period, loaded, path):
    url = f"{BASE}/" + path.format(run=loaded.pk, period=period.pk)
    assert api(org_a["users"][Role.AUDITOR]).get(url).status_code == 200
    assert api(org_b["users"][Role.ADMIN]).get(url).status_code == 404
    assert api().get(url).status_code == 401
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Bearer afl_not-a-token")
    assert bad_token.get(url).status_code == 401


def test_objects_of_another_organisation_are_404_under_ones_own_slug(org_a, org_b, period, loaded):
    client = api(org_b["users"][Role.ADMIN])
    for path in (
        f"runs/{loaded.pk}/",
        f"periods/{period.pk}/",
        f"periods/{period.pk}/disclosure/",
        f"periods/{period.pk}/exports/csv/",
    ):
        assert client.get(f"/api/v1/o/org-b/{path}").status_code == 404
    assert client.post(f"/api/v1/o/org-b/periods/{period.pk}/sign-off/", {}, format="json").status_code == 404


def test_writes_by_anonymous_are_401(org_a, period):
    client = api()
    assert client.post(f"{BASE}/periods/{period.pk}/sign-off/", {}, format="json").status_code == 401
    assert client.post(f"{BASE}/mappings/", {}, format="json").status_code == 401
    assert client.post(f"{BASE}/runs/", {}, format="multipart").status_code == 401


def test_session_authentication_works_for_the_browser(client_for, org_a, loaded):
    client = client_for(org_a["users"][Role.AUDITOR])
    assert client.get(f"{BASE}/summary/").status_code == 200
