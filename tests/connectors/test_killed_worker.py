"""A worker SIGKILLed in the middle of an ingestion: the task is delivered again and the final records
equal those of a clean run; the run is never reported as succeeded before all its records are stored.

Needs a real worker on Redis and a database the worker can share (PostgreSQL): CI runs it."""

import io
import os
import signal
import time
import uuid

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.db.models import Count, Sum

from apps.accounts.services import create_organisation
from apps.connectors.ingestion import create_run, execute_run, store_upload
from apps.connectors.models import IngestionRun, RunStatus
from apps.connectors.tasks import ingest_run
from apps.footprint.models import UsageRecord

from ..celery_workers import start_worker, stop_worker

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)"),
]
VISIBILITY_TIMEOUT_S = 4


def _generic_csv(rows: int) -> bytes:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D"),
        "provider": "openai",
        "model": rng.choice(["gpt-4o", "gpt-4o-mini", "gpt-4.1"], rows),
        "requests": rng.integers(1, 5, rows),
        "input_tokens": rng.integers(0, 5000, rows),
        "output_tokens": rng.integers(0, 1500, rows),
        "user": [f"user{i}@example.com" for i in rng.integers(0, 3000, rows)],
        "team": rng.choice(["a", "b", "c", "d"], rows),
        "zone": rng.choice(["FR", "DE", "SE", ""], rows),
        "cost": 0.0,
        "currency": "USD",
    })
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return frame.to_csv(index=False).encode()


def _totals(org):
    return UsageRecord.objects.for_org(org).aggregate(
        n=Count("id"), output_tokens=Sum("output_tokens"), requests=Sum("requests"), energy=Sum("energy_kwh"),
        co2e=Sum("co2e_location_kg"))


def _worker_env(data_dir):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"  # the test database
    return {"DATABASE_URL": url, "DATA_DIR": str(data_dir), "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S)}


@pytest.fixture
def shared_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                                                "visibility_timeout": VISIBILITY_TIMEOUT_S}
    return tmp_path


@pytest.mark.parametrize("kill_when", ["parsing", "writing"])
def test_killed_worker_ends_with_the_totals_of_a_clean_run(shared_media, kill_when):
    content = _generic_csv(120_000)
    clean_org = create_organisation(f"clean-{kill_when}", "Clean")
    clean = execute_run(create_run(clean_org, "generic_csv", store_upload(clean_org, io.BytesIO(content), "year.csv")).pk)
    assert clean.status == RunStatus.SUCCEEDED
    expected = _totals(clean_org)

    org = create_organisation(f"killed-{kill_when}", "Killed")
    run = create_run(org, "generic_csv", store_upload(org, io.BytesIO(content), "year.csv"))
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    env = _worker_env(shared_media)
    first = start_worker(queue, env)
    ingest_run.apply_async((run.pk,), queue=queue)
    deadline = time.monotonic() + 60
    while True:  # wait for the chosen moment, then kill the worker without warning
        state = IngestionRun.objects.values("status", "bytes_done", "bytes_total").get(pk=run.pk)
        if state["status"] == RunStatus.RUNNING and (
            (kill_when == "parsing" and state["bytes_done"] > 0)
            or (kill_when == "writing" and state["bytes_done"] >= state["bytes_total"])
        ):
            break
        assert state["status"] != RunStatus.SUCCEEDED, "the run finished before it could be killed"
        assert time.monotonic() < deadline, f"run never reached {kill_when}: {state}"
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and UsageRecord.objects.for_org(org).count() == 0

    second = start_worker(queue, env)
    try:
        deadline = time.monotonic() + 120
        while True:
            run.refresh_from_db()
            if run.status == RunStatus.SUCCEEDED:
                # Never reported as succeeded with part of its rows. Counts exactly; float sums up to the
                # order the database adds them in.
                got = _totals(org)
                assert {k: got[k] for k in ("n", "output_tokens", "requests")} == {
                    k: expected[k] for k in ("n", "output_tokens", "requests")}
                assert got["energy"] == pytest.approx(expected["energy"], rel=1e-9)
                assert got["co2e"] == pytest.approx(expected["co2e"], rel=1e-9)
                break
            assert run.status != RunStatus.FAILED, run.errors
            assert time.monotonic() < deadline, "the task was not delivered again"
            time.sleep(0.05)
    finally:
        stop_worker(second)
    assert run.attempts == 2
    assert run.records_stored == clean.records_stored
    assert (run.requests, run.output_tokens) == (clean.requests, clean.output_tokens)
