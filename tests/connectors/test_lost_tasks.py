"""Lost tasks with a real worker on Redis and PostgreSQL (issue 19): the broker's queue emptied while a run is
queued, and a worker SIGKILLed mid-run with the default one-hour visibility timeout (also after Redis was flushed
under it, taking the message the worker held unacknowledged). In each the run ends with
the totals of the file within a bound set by the reaper's settings (lease, queue bound, interval), not by the
visibility timeout: the new worker's reaper re-sends it at start.

The worker consumes Celery's default queue, where the reaper's re-send goes (dispatch routes no queue); it is
emptied first, so no other test's leftover message reaches it. Needs REDIS_URL and a PostgreSQL DATABASE_URL."""

import contextlib
import io
import os
import time
import uuid

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Count, Sum

from apps.accounts.services import create_organisation
from apps.connectors import dispatch as dispatch_module
from apps.connectors.ingestion import create_run
from apps.connectors.models import IngestionRun, RunPhase, RunStatus
from apps.connectors.storage import store_upload
from apps.connectors.tasks import ingest_run
from apps.footprint.locks import PERIOD_LOCK_NAMESPACE
from apps.footprint.models import UsageRecord
from reporting.celery import app as celery_app

from ..celery_workers import database_url, kill_worker, start_worker, stop_worker

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
    ),
]
QUEUE = "celery"  # Celery's default queue: where dispatch, and so the reaper, sends
ROWS, DAYS, PEOPLE = 300_000, 100, 50
# A lost run must end within this: worker start-up on a loaded machine, the bounds below, and the load itself.
DEADLINE_S = 180
REAPER_ENV = {"TASK_LEASE_SECONDS": "3", "TASK_QUEUED_SECONDS": "3", "TASK_REAP_INTERVAL_SECONDS": "1"}


def _file() -> bytes:
    """ROWS rows, one request of 100 input and 10 output tokens each, over DAYS days and PEOPLE people: every
    (day, person) pair occurs, so DAYS × PEOPLE records."""
    lines = ["date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency"]
    for i in range(ROWS):
        day, person = i % DAYS, (i // DAYS) % PEOPLE
        lines.append(
            f"2025-{1 + day // 28:02d}-{1 + day % 28:02d},openai,gpt-4o,1,100,10,u{person}@x.example,,FR,0,EUR"
        )
    return ("\n".join(lines) + "\n").encode()


def _assert_the_files_totals(run: IngestionRun) -> None:
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.errors
    totals = UsageRecord.objects.filter(organisation=run.organisation).aggregate(
        n=Count("id"), requests=Sum("requests"), inp=Sum("input_tokens"), out=Sum("output_tokens")
    )
    assert totals == {"n": DAYS * PEOPLE, "requests": ROWS, "inp": 100 * ROWS, "out": 10 * ROWS}


def _wait(run: IngestionRun, reached, what: str, deadline_s: float = DEADLINE_S) -> float:
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        run.refresh_from_db()
        if reached(run):
            return time.monotonic() - start
        time.sleep(0.01)
    raise AssertionError(f"{what} not within {deadline_s} s: {run.status} {run.phase} attempts {run.attempts}")


@pytest.fixture
def env(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    return {"DATABASE_URL": database_url(), "DATA_DIR": str(tmp_path), **REAPER_ENV}


@pytest.fixture
def workers():
    started = []
    yield started
    for proc in started:
        if proc.poll() is None:
            stop_worker(proc)


def _run(name: str) -> IngestionRun:
    org = create_organisation(f"lost-{uuid.uuid4().hex[:6]}", "Lost")
    return create_run(org, "generic_csv", store_upload(org, io.BytesIO(_file()), name))


def test_a_run_whose_message_the_broker_lost_is_sent_again(env, workers):
    run = _run("queued.csv")
    dispatch_module.dispatch(ingest_run, run.pk)  # committed at once (autocommit): the message is in Redis
    with celery_app.connection_for_write() as conn:
        assert conn.default_channel.queue_purge(QUEUE) == 1  # what a flushed Redis does to it
    workers.append(start_worker(QUEUE, env, wait=False))
    _wait(run, lambda r: r.is_finished, "the lost run to be sent again and finish")
    _assert_the_files_totals(run)
    assert (run.resends, run.attempts) == (1, 1)


@contextlib.contextmanager
def _period_lock_held(org):
    """Hold the organisation's period lock exclusively, as sign-off's wait_for_writers does, from a connection
    of the test's own: the run parses its whole file, then waits at its write (hold_open_days) until released."""
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [PERIOD_LOCK_NAMESPACE, org.pk])
        yield holder
    finally:
        holder.close()  # ends the session: its advisory lock goes with it


def _waiting_for_the_period_lock(org) -> bool:
    """Whether a session (the worker's write transaction) is queued behind the held period lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid = %s AND objid = %s AND objsubid = 2",
            [PERIOD_LOCK_NAMESPACE, org.pk],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("flushed", [False, True], ids=["killed", "redis-flushed-then-killed"])
def test_a_worker_killed_mid_run_with_an_hour_of_visibility_timeout_is_recovered_in_minutes(env, workers, flushed):
    # The lease brings the killed run back; the queued bound is not what is tested here (a queued run re-sent
    # before the worker took it would count a second re-send).
    env = {**env, "CELERY_VISIBILITY_TIMEOUT": "3600", "TASK_QUEUED_SECONDS": "600"}
    run = _run("killed.csv")
    # The kill lands at a state the run cannot leave: the file parsed, its write waiting for the period lock the
    # test holds. (Polling for "running" once missed it: on a loaded machine the run finished between polls.)
    with _period_lock_held(run.organisation):
        workers.append(start_worker(QUEUE, env))
        ingest_run.apply_async((run.pk,), queue=QUEUE)
        _wait(run, lambda r: _waiting_for_the_period_lock(r.organisation), "the run to wait at its write")
        run.refresh_from_db()
        assert (run.status, run.phase, run.rows_read, run.records_stored) == (
            RunStatus.RUNNING,
            RunPhase.STORING,
            ROWS,
            0,
        )
        if flushed:  # what FLUSHALL does mid-run: the message the worker holds unacknowledged is gone too
            with celery_app.connection_for_write() as conn:
                conn.default_channel.client.flushdb()
        kill_worker(workers[-1])
        killed = time.monotonic()
    # Released: the dead worker's session, its client gone, rolls back when it reads its next command.
    workers.append(start_worker(QUEUE, env, wait=False))
    _wait(run, lambda r: r.is_finished, "the killed run to be re-queued and finish")
    _assert_the_files_totals(run)
    assert (run.resends, run.attempts) == (1, 2)
    assert time.monotonic() - killed < DEADLINE_S < 3600  # the reaper's bound, far below the visibility timeout
