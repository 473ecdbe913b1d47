"""The disclosures' reaper pass (apps.disclosures.reaper): a sign-off or an export whose task was lost (the
request's callbacks dropped, as a flushed broker drops a message) is sent again once its lease is older than the
bound and completes; after TASK_MAX_RESENDS it is failed with the reason and the period is unlocked."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.connectors import reaper
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import period_exports, services
from apps.disclosures.models import ExportState, PeriodExport, PeriodStatus, ReportingPeriod
from apps.footprint.locks import locked_ranges

pytestmark = pytest.mark.django_db
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-04-01,openai,gpt-4o,100,50000,40000,dev@org-a.example,,FR,10,EUR\n"
)


@pytest.fixture
def officer(org_a):
    return Membership.objects.get(user=org_a["users"][Role.OFFICER])


@pytest.fixture
def period(org_a, officer):
    org = org_a["org"]
    execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "api.csv")).pk)
    created = services.create_period(org, officer.user, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    return services.submit_for_review(created, officer)


def _lost_sign_off(period, officer, capture) -> None:
    """Sign-off requested; its task never runs (the callbacks are dropped)."""
    with capture(execute=False):
        services.request_sign_off(period=period, membership=officer, comment="Filed")
    assert ReportingPeriod.objects.get(pk=period.pk).status == PeriodStatus.SIGNING


def _ago(seconds):
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_a_lost_sign_off_is_sent_again_once_its_lease_expires(
    period, officer, settings, django_capture_on_commit_callbacks
):
    settings.TASK_LEASE_SECONDS = 120
    _lost_sign_off(period, officer, django_capture_on_commit_callbacks)
    assert reaper.stuck()["sign_offs"] == 0  # requested just now
    with django_capture_on_commit_callbacks(execute=True):
        assert reaper.reap()["disclosures"]["sign_offs_resent"] == 0
    ReportingPeriod.objects.filter(pk=period.pk).update(heartbeat_at=_ago(121))
    assert reaper.stuck()["sign_offs"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        done = reaper.reap()["disclosures"]
    assert done["sign_offs_resent"] == 1
    period.refresh_from_db()
    assert period.status == PeriodStatus.SIGNED_OFF and period.sign_off_comment == "Filed" and period.resends == 1
    states = set(PeriodExport.objects.filter(period=period).values_list("state", flat=True))
    assert states == {ExportState.READY}  # the exports the freeze queued were rendered too


def test_a_sign_off_lost_too_often_unlocks_the_period_and_says_why(
    period, officer, settings, django_capture_on_commit_callbacks
):
    settings.TASK_MAX_RESENDS = 2
    _lost_sign_off(period, officer, django_capture_on_commit_callbacks)
    ReportingPeriod.objects.filter(pk=period.pk).update(heartbeat_at=_ago(settings.TASK_LEASE_SECONDS + 1), resends=2)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert reaper.reap()["disclosures"]["sign_offs_failed"] == 1
    assert sent == []
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW and period.signed_off_by is None
    assert period.sign_off_error.startswith("The sign-off did not complete: the task freezing this period was lost 3")
    assert (period.start, period.end) not in locked_ranges(period.organisation)


def test_an_export_stuck_rendering_is_rendered_again(period, officer, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        row = period_exports.request_export(period=period, fmt="xlsx", user=officer.user)
    # A worker claimed it and died: rendering, its last beat older than the lease.
    PeriodExport.objects.filter(pk=row.pk).update(state=ExportState.RENDERING, heartbeat_at=_ago(121))
    settings.TASK_LEASE_SECONDS = 120
    assert reaper.stuck()["exports"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reaper.reap()["disclosures"]["exports_resent"] == 1
    row.refresh_from_db()
    assert row.state == ExportState.READY and row.resends == 1 and bytes(row.content)[:2] == b"PK"  # an XLSX zip


def test_an_export_lost_too_often_is_failed(period, officer, settings, django_capture_on_commit_callbacks):
    settings.TASK_MAX_RESENDS, settings.TASK_QUEUED_SECONDS = 1, 300
    with django_capture_on_commit_callbacks(execute=False):
        row = period_exports.request_export(period=period, fmt="xlsx", user=officer.user)
    PeriodExport.objects.filter(pk=row.pk).update(heartbeat_at=_ago(301), resends=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reaper.reap()["disclosures"]["exports_failed"] == 1
    row.refresh_from_db()
    assert row.state == ExportState.FAILED and row.error == (
        "The task rendering the XLSX was lost 2 times (its worker was killed or the task queue lost it)."
    )
