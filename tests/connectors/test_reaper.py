"""The reaper (apps.connectors.reaper): a run whose worker is gone (lease older than TASK_LEASE_SECONDS) is
re-queued and completes, or is failed with the reason after TASK_MAX_RESENDS; a queued run no worker took is sent
again; crash leftovers older than their bound are removed and newer ones kept; /healthz counts stuck runs.

Tasks run synchronously at commit (tests/conftest.py), so a re-sent run is loaded when the reaper's transaction
commits, which django_capture_on_commit_callbacks runs."""

import datetime as dt
import io
import json
import os
import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from apps.connectors import dispatch, reaper, tasks
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IngestionRun, RunPhase, RunStatus
from apps.connectors.spill import spill_root
from apps.connectors.storage import store_upload
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db

# Two rows of the generic CSV (its columns as in docs/sources/generic_csv.md): 10 + 5 requests, 12,000 + 8,000
# input tokens and 3,000 + 1,000 output tokens, two people on two days: two records.
CSV = (
    b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    b"2025-03-01,openai,gpt-4o,10,12000,3000,dev@org-a.example,,FR,1.5,EUR\n"
    b"2025-03-02,openai,gpt-4o,5,8000,1000,ops@org-a.example,,FR,0.5,EUR\n"
)


def _ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


@pytest.fixture
def queued_run(org_a):
    """A run created as an upload creates it, its task never sent (as if the broker lost it)."""
    org = org_a["org"]
    return create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV), "usage.csv"))


def _as_if_killed(run: IngestionRun, seconds_ago: float, resends: int = 0) -> None:
    """The state a worker killed while reading leaves: running, attempt 1, its last beat `seconds_ago`."""
    IngestionRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        phase=RunPhase.READING,
        attempts=1,
        started_at=_ago(seconds_ago),
        heartbeat_at=_ago(seconds_ago),
        resends=resends,
        task_id="killed-delivery",
    )


def _assert_loaded_once(run: IngestionRun) -> None:
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert (run.requests, run.input_tokens, run.output_tokens) == (15, 20000, 4000)
    assert UsageRecord.objects.filter(organisation=run.organisation).count() == 2


def test_a_run_whose_lease_expired_is_requeued_and_ends_as_a_clean_run(
    queued_run, settings, django_capture_on_commit_callbacks
):
    settings.TASK_LEASE_SECONDS = 120
    _as_if_killed(queued_run, seconds_ago=121)
    leftover = spill_root() / f"run{queued_run.pk}-attempt1"  # what the killed attempt spilled
    leftover.mkdir(parents=True)
    with django_capture_on_commit_callbacks(execute=True):
        done = reaper.reap()
    assert done["runs"] == {"resent": 1, "failed": 0}
    _assert_loaded_once(queued_run)
    assert (queued_run.resends, queued_run.attempts) == (1, 2)
    assert not leftover.exists()


def test_a_run_with_a_fresh_lease_is_left_to_its_worker(queued_run, settings, django_capture_on_commit_callbacks):
    settings.TASK_LEASE_SECONDS = 120
    _as_if_killed(queued_run, seconds_ago=100)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        done = reaper.reap()
    assert done["runs"] == {"resent": 0, "failed": 0} and sent == []
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.RUNNING and queued_run.resends == 0


def test_a_run_lost_too_often_is_failed_with_the_reason(queued_run, settings, django_capture_on_commit_callbacks):
    settings.TASK_MAX_RESENDS = 3
    _as_if_killed(queued_run, seconds_ago=settings.TASK_LEASE_SECONDS + 1, resends=3)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        done = reaper.reap()
    assert done["runs"] == {"resent": 0, "failed": 1} and sent == []
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.FAILED and queued_run.finished_at is not None
    message = queued_run.errors[0]["message"]
    assert (
        message.startswith("usage.csv: the worker running this file stopped 4 times")
        and "nothing was stored" in message
    )
    assert UsageRecord.objects.count() == 0


def test_a_queued_run_no_worker_took_is_sent_again(queued_run, settings, django_capture_on_commit_callbacks):
    settings.TASK_QUEUED_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        assert reaper.reap()["runs"] == {"resent": 0, "failed": 0}  # queued just now: a worker may be busy
    IngestionRun.objects.filter(pk=queued_run.pk).update(heartbeat_at=_ago(301))
    with django_capture_on_commit_callbacks(execute=True):
        assert reaper.reap()["runs"] == {"resent": 1, "failed": 0}
    _assert_loaded_once(queued_run)
    assert (queued_run.resends, queued_run.attempts) == (1, 1)


def test_a_second_message_leaves_a_live_run_to_the_delivery_holding_it(queued_run):
    _as_if_killed(queued_run, seconds_ago=5)
    again = execute_run(queued_run.pk, task_id="resent-delivery")
    assert again.status == RunStatus.RUNNING and again.attempts == 1  # not taken over, not restarted
    # The broker's redelivery of the same message (same task id) means its worker died: it takes over at once.
    _assert_loaded_once(execute_run(queued_run.pk, task_id="killed-delivery"))


def _touch(path, seconds_ago: float, directory: bool = False):
    if directory:
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial upload")
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))
    return path


def test_leftovers_older_than_their_bound_are_removed_newer_ones_kept(queued_run, settings, tmp_path):
    settings.TASK_LEFTOVER_SECONDS, settings.TASK_LEASE_SECONDS = 3600, 120
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp-uploads")
    media, temp = tmp_path / "uploads", tmp_path / "tmp-uploads"
    _as_if_killed(queued_run, seconds_ago=10)  # attempt 1 running now: its spill stays whatever its age
    old = [
        _touch(media / "incoming-abc123", 3700),
        _touch(temp / "tmpx1y2.upload.csv", 3700),
        _touch(spill_root() / "run999999-attempt1", 200, directory=True),  # a run that no longer runs
        _touch(spill_root() / f"run{queued_run.pk}-attempt0", 200, directory=True),  # its superseded attempt
    ]
    new = [
        _touch(media / "incoming-def456", 3500),
        _touch(temp / "tmpz9.upload.json", 60),
        _touch(spill_root() / "run999998-attempt2", 60, directory=True),
        _touch(spill_root() / f"run{queued_run.pk}-attempt1", 7200, directory=True),
    ]
    stored = media / str(queued_run.organisation_id) / queued_run.source_file.sha256
    os.utime(stored, (time.time() - 7200, time.time() - 7200))  # a stored file is never a leftover
    done = reaper.reap()
    assert done["leftovers"] == {"spill": 2, "uploads": 2}
    assert [path.exists() for path in old] == [False] * 4
    assert [path.exists() for path in new] == [True] * 4
    assert stored.exists()


def test_healthz_counts_stuck_runs(queued_run, client, settings):
    settings.REDIS_URL = ""
    _as_if_killed(queued_run, seconds_ago=settings.TASK_LEASE_SECONDS + 5)
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["stuck"] == {"runs": 1, "sign_offs": 0, "exports": 0}
    IngestionRun.objects.filter(pk=queued_run.pk).update(heartbeat_at=timezone.now())
    assert client.get("/healthz").json()["stuck"]["runs"] == 0


def test_manage_py_reap_prints_what_it_did(queued_run, settings, capsys, django_capture_on_commit_callbacks):
    _as_if_killed(queued_run, seconds_ago=settings.TASK_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reap")
    printed = json.loads(capsys.readouterr().out)
    assert printed["runs"] == {"resent": 1, "failed": 0}
    _assert_loaded_once(queued_run)


@pytest.mark.django_db(transaction=True)
def test_sending_a_task_runs_the_reaper_once_an_interval_where_tasks_run(org_a, settings, monkeypatch):
    settings.TASK_POOL_WORKERS, settings.TASK_REAP_INTERVAL_SECONDS = 1, 60
    monkeypatch.setattr(dispatch, "_pool", None)
    monkeypatch.setattr(reaper, "start_periodic", lambda: None)  # the pool's periodic thread: tested below
    passes = []
    monkeypatch.setattr(reaper, "reap", lambda: passes.append(1) or {})
    cache.delete("connectors:reaper:due")
    org = org_a["org"]
    for name in ("a.csv", "b.csv"):
        content = CSV.replace(b"2025-03-01", b"2025-04-01" if name == "a.csv" else b"2025-05-01")
        run = create_run(org, "generic_csv", store_upload(org, io.BytesIO(content), name))
        dispatch.dispatch(tasks.ingest_run, run.pk)
        dispatch.wait_for_pool(timeout=60)
    assert passes == [1]  # two tasks sent within one interval: one pass, on the pool
    assert set(IngestionRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}


def test_the_worker_and_the_pool_start_the_periodic_reaper(monkeypatch, settings):
    from reporting import celery

    started = []
    monkeypatch.setattr(reaper, "start_periodic", lambda: started.append(1) or True)
    celery._start_reaper(sender=None)  # the worker_ready signal's handler
    settings.TASK_POOL_WORKERS = 1
    monkeypatch.setattr(dispatch, "_pool", None)
    dispatch._executor().shutdown()
    assert started == [1, 1]


def test_the_periodic_reaper_is_off_at_interval_zero(settings, monkeypatch):
    monkeypatch.setattr(reaper, "_started", threading.Event())
    settings.TASK_REAP_INTERVAL_SECONDS = 0
    assert reaper.start_periodic() is False


@pytest.mark.django_db(transaction=True)
def test_a_running_task_keeps_its_lease_fresh_from_another_thread(queued_run):
    from apps.connectors import leases

    IngestionRun.objects.filter(pk=queued_run.pk).update(heartbeat_at=_ago(3600))
    beats = []
    with leases.heartbeat(IngestionRun.objects.filter(pk=queued_run.pk), interval=0.05):
        beats.append(IngestionRun.objects.get(pk=queued_run.pk).heartbeat_at)
        time.sleep(0.5)  # the task's own thread busy: the beat thread renews the lease meanwhile
        beats.append(IngestionRun.objects.get(pk=queued_run.pk).heartbeat_at)
    assert beats[0] > _ago(5) and beats[1] > beats[0]
