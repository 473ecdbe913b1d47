"""Races (issue 19): requests and tasks at the same time end as a serial run would, with no 5xx.

Threads against the live server (pytest-django's live_server, one thread per request, each with its own database
connection), bounded in count (WORKERS) and time (TIMEOUT_S a request, JOIN_S a thread). Tasks run in the request
that sends them (TASK_POOL_WORKERS=0, tests/conftest.py), so an upload's answer comes after its run has finished.
On SQLite the test database is a file (tests/conftest.py): concurrent writers wait for the write lock as in
production instead of failing at once as in shared-cache memory."""

import csv
import datetime as dt
import gzip
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import requests
from django.db import connection

from apps.accounts.models import ApiToken, Membership, Team
from apps.connectors import ingestion
from apps.connectors.models import IngestionRun, RunStatus, SourceFile
from apps.connectors.storage import store_upload
from apps.disclosures.models import PeriodStatus, ReportingPeriod
from apps.disclosures.services import create_period, request_sign_off
from apps.footprint.models import UsageRecord

from ..connectors.helpers import fixture_bytes

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 10
TIMEOUT_S = 60
JOIN_S = 60
CSV_BYTES = fixture_bytes("generic_csv", "usage.csv")


def _csv_input_tokens() -> int:
    """The file's input tokens summed from its rows here, not by the app."""
    return sum(int(row["input_tokens"]) for row in csv.DictReader(io.StringIO(CSV_BYTES.decode("utf-8"))))


@pytest.fixture
def api(live_server, org_a):
    """api(method, path, **kwargs) -> requests.Response, as org-a's officer with a personal token."""
    _, raw = ApiToken.issue(org_a["users"]["officer"], "races")

    def call(method, path, **kwargs):
        url = f"{live_server.url}/api/v1/o/{org_a['org'].slug}/{path}"
        return requests.request(method, url, headers={"Authorization": f"Bearer {raw}"}, timeout=TIMEOUT_S, **kwargs)

    return call


def _parallel(count, work):
    """`work(i)` for i in range(count), all at once (a barrier releases them together); their results in order."""
    start = threading.Barrier(count)

    def run(i):
        start.wait(JOIN_S)
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count), timeout=JOIN_S))


def test_the_same_file_uploaded_ten_times_at_once_is_stored_and_loaded_once(api, org_a):
    def upload(i):
        files = {"file": ("usage.csv", CSV_BYTES, "text/csv")}
        return api("post", "runs/", files=files, data={"source": "generic_csv"})

    answers = _parallel(WORKERS, upload)

    assert [a.status_code for a in answers] == [201] * WORKERS, [a.text[:200] for a in answers]
    org = org_a["org"]
    assert SourceFile.objects.filter(organisation=org).count() == 1
    loads = IngestionRun.objects.filter(organisation=org, duplicate_of__isnull=True)
    assert list(loads.values_list("status", flat=True)) == [RunStatus.SUCCEEDED]  # one run read the file
    load = loads.get()
    for answer in answers:  # each answer is that run, or a finished run pointing to it (a later upload's answer)
        body = answer.json()
        assert body["id"] == load.pk or body["duplicate_of"] == load.pk
    # What one serial upload stores: the file's rows, summed here from the CSV.
    assert sum(UsageRecord.objects.filter(organisation=org).values_list("input_tokens", flat=True)) == (
        _csv_input_tokens()
    )


def test_ten_concurrent_creates_of_one_team_name_give_one_team_and_field_errors(api, org_a):
    answers = _parallel(WORKERS, lambda i: api("post", "teams/", json={"name": "Research"}))

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [400] * (WORKERS - 1), [a.text[:200] for a in answers]
    for answer in answers:
        if answer.status_code == 400:
            assert answer.json() == {"name": ["A team named 'Research' already exists."]}
    assert Team.objects.filter(organisation=org_a["org"], name="Research").count() == 1


def test_concurrent_renames_to_one_name_rename_one_team(api, org_a):
    teams = [Team.objects.create(organisation=org_a["org"], name=f"T{i}") for i in range(WORKERS)]
    answers = _parallel(WORKERS, lambda i: api("patch", f"teams/{teams[i].pk}/", json={"name": "Same"}))

    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [400] * (WORKERS - 1), [a.text[:200] for a in answers]
    assert Team.objects.filter(organisation=org_a["org"], name="Same").count() == 1


# ---- sign-off and ingestion -----------------------------------------------------------------------------------


def _period_and_run(org_a):
    org, officer = org_a["org"], org_a["users"]["officer"]
    period = create_period(org, officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    source_file = store_upload(org, io.BytesIO(CSV_BYTES), "usage.csv", user=officer)
    run = ingestion.create_run(org, "generic_csv", source_file, user=officer)
    return period, run, Membership.objects.get(user=officer, organisation=org)


def _frozen_input_tokens(period) -> int:
    frozen = pd.read_csv(io.BytesIO(gzip.decompress(bytes(period.frozen_records))))
    return int(frozen["input_tokens"].sum()) if len(frozen) else 0


def test_sign_off_requested_while_a_run_stores_into_the_period_freezes_that_runs_records(org_a, monkeypatch):
    """The run found the days open and is writing; sign-off is requested now. Whatever the database, the frozen
    period must hold the run's records: on PostgreSQL the sign-off task waits for the writer on the period lock
    (before issue 19 it froze at once, without them, and the run then stored them in the signed-off period); on
    SQLite the request itself waits for the writer's transaction (the one write lock)."""
    period, run, membership = _period_and_run(org_a)
    writing, release = threading.Event(), threading.Event()
    real_write = ingestion.write_records

    def slow_write(*args, **kwargs):
        totals = real_write(*args, **kwargs)
        writing.set()
        assert release.wait(JOIN_S)  # the records are written, not yet committed
        return totals

    monkeypatch.setattr(ingestion, "write_records", slow_write)
    errors = []

    def in_thread(work):
        def body():
            try:
                work()
            except Exception as exc:  # reported by the test
                errors.append(exc)
            finally:
                connection.close()

        thread = threading.Thread(target=body)
        thread.start()
        return thread

    loader = in_thread(lambda: ingestion.execute_run(run.pk))
    assert writing.wait(JOIN_S)
    signer = in_thread(lambda: request_sign_off(period=period, membership=membership))
    time.sleep(0.5)  # long enough for a sign-off that does not wait to have frozen the period
    assert ReportingPeriod.objects.get(pk=period.pk).status != PeriodStatus.SIGNED_OFF
    release.set()
    loader.join(JOIN_S)
    signer.join(JOIN_S)

    assert errors == []
    run.refresh_from_db()
    period.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert period.status == PeriodStatus.SIGNED_OFF
    assert _frozen_input_tokens(period) == _csv_input_tokens()  # the disclosure holds every stored record
    stored = UsageRecord.objects.filter(organisation=org_a["org"], day__range=(period.start, period.end))
    assert sum(stored.values_list("input_tokens", flat=True)) == _csv_input_tokens()


def test_a_run_that_reaches_its_write_after_sign_off_fails_naming_the_period(org_a, monkeypatch):
    period, run, membership = _period_and_run(org_a)
    real_store = ingestion._store

    def sign_off_first(run_, parsed):
        request_sign_off(period=period, membership=membership)  # committed, and frozen (tasks run at commit)
        return real_store(run_, parsed)

    monkeypatch.setattr(ingestion, "_store", sign_off_first)
    ingestion.execute_run(run.pk)

    run.refresh_from_db()
    period.refresh_from_db()
    assert period.status == PeriodStatus.SIGNED_OFF
    assert run.status == RunStatus.FAILED
    assert "The reporting period 2025-01-01 – 2025-12-31 is signed off" in run.errors[0]["message"]
    assert UsageRecord.objects.filter(organisation=org_a["org"]).count() == 0
    assert _frozen_input_tokens(period) == 0
