"""Sign-off and exports run as tasks: the request answers at once, the period page and the API poll the states.

The tests run tasks synchronously at commit (TASK_POOL_WORKERS = 0, tests/conftest.py), except the one that
runs the real thread pool of the embedded default."""

import datetime as dt
import hashlib
import io
import threading

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Membership, Role
from apps.connectors import dispatch
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import period_exports, services, snapshots
from apps.disclosures.models import ExportState, PeriodExport, PeriodStatus, ReportingPeriod
from apps.footprint.locks import locked_ranges

pytestmark = pytest.mark.django_db
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-04-01,openai,gpt-4o,100,50000,40000,dev@org-a.example,,FR,10,EUR\n"
)
LATE_CSV = CSV.replace("2025-04-01", "2025-05-02")


@pytest.fixture
def period(org_a):
    org = org_a["org"]
    execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "api.csv")).pk)
    created = services.create_period(org, org_a["users"][Role.OFFICER], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    return services.submit_for_review(created, Membership.objects.get(user=org_a["users"][Role.OFFICER]))


class Calls(list):
    snapshot_sha256: list[str]

    def __init__(self):
        super().__init__()
        self.snapshot_sha256 = []


@pytest.fixture
def renders(monkeypatch):
    """Every (format, period status) the export renderer is called with, in order."""
    calls = Calls()
    real = period_exports.render_to

    def counting(period, fmt, out):
        calls.append((fmt, period.status))
        sha = real(period, fmt, out)
        calls.snapshot_sha256.append(sha)
        return sha

    monkeypatch.setattr(period_exports, "render_to", counting)
    return calls


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _run(callbacks, capture):
    """Run the callbacks a request left (its tasks), and whatever those queue in turn."""
    with capture(execute=True):
        for callback in callbacks:
            callback()


def test_sign_off_answers_before_freezing_or_rendering(
    client_for, org_a, period, renders, monkeypatch, django_capture_on_commit_callbacks
):
    builds = []
    real_build = snapshots.build_snapshot
    monkeypatch.setattr(services, "build_snapshot", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    officer = client_for(org_a["users"][Role.OFFICER])
    url = reverse("disclosures:period_sign_off", args=["org-a", period.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = officer.post(url, {"comment": "Filed"})
    assert response.status_code == 302
    assert renders == [] and builds == []  # the request froze nothing and rendered nothing
    period.refresh_from_db()
    assert period.status == PeriodStatus.SIGNING and period.status_before_sign_off == PeriodStatus.IN_REVIEW
    assert (period.start, period.end) in locked_ranges(org_a["org"])  # locked from the request on
    page = officer.get(reverse("disclosures:period", args=["org-a", period.pk])).content.decode()
    assert "the figures are being frozen" in page and 'id="period-status"' in page
    status = officer.get(reverse("disclosures:period_status", args=["org-a", period.pk])).json()
    assert status["status"] == "signing" and status["finished"] is False

    _run(callbacks, django_capture_on_commit_callbacks)
    period.refresh_from_db()
    assert period.status == PeriodStatus.SIGNED_OFF and period.sign_off_comment == "Filed"
    assert builds == [1]
    assert sorted(fmt for fmt, _ in renders) == sorted(services.EXPORT_FORMATS)
    assert {status for _, status in renders} == {PeriodStatus.SIGNED_OFF}  # from the frozen inputs
    kept = {row.format: row for row in PeriodExport.objects.filter(period=period)}
    assert {row.state for row in kept.values()} == {ExportState.READY}
    assert kept["json"].sha256 == hashlib.sha256(services.render(period, "json")).hexdigest()
    assert all(row.snapshot_sha256 == period.snapshot_sha256 for row in kept.values())
    status = officer.get(reverse("disclosures:period_status", args=["org-a", period.pk])).json()
    assert status["finished"] is True and {e["state"] for e in status["exports"]} == {"ready"}
    rendered = len(renders)
    xlsx = officer.get(reverse("disclosures:period_export", args=["org-a", period.pk, "xlsx"]))
    assert xlsx.status_code == 200 and bytes(xlsx.content) == bytes(kept["xlsx"].content)
    assert len(renders) == rendered  # the download sent the kept file, rendered nothing


def test_a_second_sign_off_while_one_runs_is_refused(org_a, period, django_capture_on_commit_callbacks):
    officer = _api(org_a["users"][Role.OFFICER])
    url = f"/api/v1/o/org-a/periods/{period.pk}/sign-off/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = officer.post(url, {"comment": "one"}, format="json")
    assert first.status_code == 202 and first.json()["status"] == "signing"
    assert first["Location"].endswith(f"/api/v1/o/org-a/periods/{period.pk}/status/")
    second = officer.post(url, {"comment": "two"}, format="json")
    assert second.status_code == 409 and "already being signed off" in second.json()["detail"]
    inputs = services.update_inputs
    with pytest.raises(services.DisclosureError, match="being signed off"):
        inputs(ReportingPeriod.objects.get(pk=period.pk), None, net_revenue_eur=1)
    _run(callbacks, django_capture_on_commit_callbacks)
    status = officer.get(first["Location"]).json()
    assert status["status"] == "signed_off" and status["finished"] is True
    assert ReportingPeriod.objects.get(pk=period.pk).sign_off_comment == "one"
    third = officer.post(url, {}, format="json")
    assert third.status_code == 409 and "already signed off" in third.json()["detail"]


def test_a_failed_freeze_reopens_the_period_and_says_why(
    client_for, org_a, period, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise services.DisclosureError("The factor set has no grid factor for zone XX.")

    monkeypatch.setattr(services, "build_snapshot", broken)
    officer = client_for(org_a["users"][Role.OFFICER])
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("disclosures:period_sign_off", args=["org-a", period.pk]))
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW and period.signed_off_by is None
    assert period.sign_off_error == "The factor set has no grid factor for zone XX."
    assert locked_ranges(org_a["org"]) == []  # unlocked again
    assert not PeriodExport.objects.filter(period=period).exists()
    monkeypatch.undo()
    page = officer.get(reverse("disclosures:period", args=["org-a", period.pk])).content.decode()
    assert "Sign-off failed" in page and "no grid factor for zone XX" in page


def test_a_failed_export_shows_failed_with_its_message(
    client_for, org_a, period, monkeypatch, django_capture_on_commit_callbacks
):
    real = period_exports.render_to

    def broken_xlsx(period, fmt, out):
        if fmt == "xlsx":
            raise MemoryError("out of memory")
        return real(period, fmt, out)

    monkeypatch.setattr(period_exports, "render_to", broken_xlsx)
    officer = client_for(org_a["users"][Role.OFFICER])
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("disclosures:period_sign_off", args=["org-a", period.pk]))
    states = {row.format: row for row in PeriodExport.objects.filter(period=period)}
    assert states["xlsx"].state == ExportState.FAILED and "internal error" in states["xlsx"].error
    assert states["pdf"].state == ExportState.READY
    page = officer.get(reverse("disclosures:period", args=["org-a", period.pk])).content.decode()
    assert "Failed" in page and "internal error stopped the rendering" in page and "Render again" in page
    download = _api(org_a["users"][Role.AUDITOR]).get(f"/api/v1/o/org-a/periods/{period.pk}/exports/xlsx/")
    assert download.status_code == 409 and "Rendering the XLSX failed" in download.json()["detail"]
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):  # asked again, it renders
        officer.post(reverse("disclosures:period_export", args=["org-a", period.pk, "xlsx"]))
    assert PeriodExport.objects.get(period=period, format="xlsx").state == ExportState.READY


def test_a_draft_export_is_requested_rendered_by_a_task_then_downloaded(
    org_a, period, renders, django_capture_on_commit_callbacks
):
    officer, auditor = _api(org_a["users"][Role.OFFICER]), _api(org_a["users"][Role.AUDITOR])
    url = f"/api/v1/o/org-a/periods/{period.pk}/exports/xlsx/"
    never = auditor.get(url)
    assert never.status_code == 409 and "has not been requested yet" in never.json()["detail"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = officer.post(url)
    assert queued.status_code == 202 and renders == []  # no request renders an XLSX
    (xlsx,) = [e for e in queued.json()["exports"] if e["format"] == "xlsx"]
    assert xlsx["state"] == "queued" and queued.json()["finished"] is False
    waiting = auditor.get(url)
    assert waiting.status_code == 202 and waiting["Location"].endswith(f"/periods/{period.pk}/status/")
    _run(callbacks, django_capture_on_commit_callbacks)
    assert renders == [("xlsx", PeriodStatus.IN_REVIEW)]
    ready = auditor.get(url)
    assert ready.status_code == 200 and ready.content.startswith(b"PK")
    row = PeriodExport.objects.get(period=period, format="xlsx")
    assert row.snapshot_sha256 == renders.snapshot_sha256[0]  # names the figures it was rendered from
    assert len(row.snapshot_sha256) == 64 and row.sha256 == hashlib.sha256(ready.content).hexdigest()
    # The snapshot formats come at once, without a task.
    assert auditor.get(f"/api/v1/o/org-a/periods/{period.pk}/exports/json/").status_code == 200


def test_an_auditor_triggers_nothing(client_for, org_a, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = client_for(org_a["users"][Role.AUDITOR])
        assert page.post(reverse("disclosures:period_sign_off", args=["org-a", period.pk])).status_code == 403
        assert page.post(reverse("disclosures:period_export", args=["org-a", period.pk, "pdf"])).status_code == 403
        api = _api(org_a["users"][Role.AUDITOR])
        assert api.post(f"/api/v1/o/org-a/periods/{period.pk}/sign-off/", {}, format="json").status_code == 403
        assert api.post(f"/api/v1/o/org-a/periods/{period.pk}/exports/pdf/").status_code == 403
    assert callbacks == []
    assert ReportingPeriod.objects.get(pk=period.pk).status == PeriodStatus.IN_REVIEW
    assert not PeriodExport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_on_the_embedded_default_the_pool_does_the_work_after_the_answer(
    client_for, org_a, period, settings, monkeypatch
):
    settings.TASK_POOL_WORKERS = 2
    monkeypatch.setattr(dispatch, "_pool", None)  # a pool of the size set here
    release, frozen_in = threading.Event(), []
    real_build = snapshots.build_snapshot

    def held(*args, **kwargs):
        frozen_in.append(threading.current_thread().name)
        assert release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(services, "build_snapshot", held)
    officer = client_for(org_a["users"][Role.OFFICER])
    response = officer.post(reverse("disclosures:period_sign_off", args=["org-a", period.pk]))
    assert response.status_code == 302
    # The request has answered while the freeze is still held in a pool thread.
    assert ReportingPeriod.objects.get(pk=period.pk).status == PeriodStatus.SIGNING
    late = store_upload(org_a["org"], io.BytesIO(LATE_CSV.encode()), "late.csv")
    assert execute_run(create_run(org_a["org"], "generic_csv", late).pk).status == "failed"  # days locked
    release.set()
    dispatch.wait_for_pool(timeout=120)
    assert frozen_in and all(name.startswith("ledger-task") for name in frozen_in)
    signed = ReportingPeriod.objects.get(pk=period.pk)
    assert signed.status == PeriodStatus.SIGNED_OFF
    states = set(PeriodExport.objects.filter(period=signed).values_list("state", flat=True))
    assert states == {ExportState.READY}
