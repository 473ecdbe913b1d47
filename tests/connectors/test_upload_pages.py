"""Upload page, run pages and their JSON status: roles and tenants as everywhere else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors.models import IngestionRun, RunStatus
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db
CSV = (
    b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    b"2025-03-01,openai,gpt-4o,10,12000,3000,dev@org-a.example,,FR,1.5,EUR\n"
)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(client, ...) posts a file; the task the page queues on commit runs as a real commit would run it."""

    def post(client, slug="org-a", content=CSV, name="usage.csv", source="generic_csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("connectors:runs", args=[slug]),
                {"source": source, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
            )

    return post


def test_officer_uploads_and_lands_on_the_finished_run(upload, client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = upload(client)
    run = IngestionRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connectors:run", args=["org-a", run.pk])
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.uploaded_by == org_a["users"][Role.OFFICER]
    page = client.get(response["Location"]).content.decode()
    assert run.source_file.sha256 in page and "12,000" in page
    status = client.get(reverse("connectors:run_status", args=["org-a", run.pk])).json()
    assert status["status"] == "succeeded" and status["progress_percent"] == 100 and status["finished"] is True
    assert status["records_stored"] == 1


def test_a_bad_file_shows_its_errors_on_the_run_page(upload, client_for, org_a):
    client = client_for(org_a["users"][Role.IT_DIRECTOR])
    response = upload(client, content=CSV.replace(b"12000", b"12k"), name="broken.csv")
    page = client.get(response["Location"]).content.decode()
    assert "broken.csv, row 2, column &#x27;input_tokens&#x27;" in page
    assert "Nothing from this file was stored." in page
    assert UsageRecord.objects.count() == 0


def test_empty_upload_is_refused_on_the_form(upload, client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = upload(client, content=b"", name="empty.csv")
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode() or "file is empty" in response.content.decode()
    assert IngestionRun.objects.count() == 0


def test_auditor_sees_runs_but_cannot_upload(upload, client_for, org_a):
    upload(client_for(org_a["users"][Role.OFFICER]))
    auditor = client_for(org_a["users"][Role.AUDITOR])
    page = auditor.get(reverse("connectors:runs", args=["org-a"])).content.decode()
    assert "usage.csv" in page and "Load a file" not in page
    assert upload(auditor, content=CSV.replace(b"2025-03-01", b"2025-03-02")).status_code == 403
    assert IngestionRun.objects.count() == 1


def test_other_organisations_runs_are_404(upload, client_for, org_a, org_b):
    upload(client_for(org_b["users"][Role.OFFICER]), slug="org-b")
    run = IngestionRun.objects.get()
    client = client_for(org_a["users"][Role.ADMIN])
    for name in ("connectors:run", "connectors:run_status"):
        assert client.get(reverse(name, args=["org-a", run.pk])).status_code == 404
        assert client.get(reverse(name, args=["org-b", run.pk])).status_code == 404
    assert "usage.csv" not in client.get(reverse("connectors:runs", args=["org-a"])).content.decode()


def test_mapping_page_lists_unmapped_and_maps(upload, client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    upload(client, content=CSV.replace(b"dev@org-a.example", b"bot-42"))
    page = client.get(reverse("connectors:mappings", args=["org-a"])).content.decode()
    assert "<code>bot-42</code>" in page
    response = client.post(
        reverse("connectors:mappings", args=["org-a"]),
        {"kind": "person", "value": "bot-42", "person": org_a["person"].pk},
    )
    assert response.status_code == 302
    assert UsageRecord.objects.get().person == org_a["person"]
    auditor = client_for(org_a["users"][Role.AUDITOR])
    denied = auditor.post(
        reverse("connectors:mappings", args=["org-a"]), {"kind": "person", "value": "x", "person": org_a["person"].pk}
    )
    assert denied.status_code == 403
