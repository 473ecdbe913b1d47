"""The ingestion's phases: the next chunk and record batch are prepared in a background thread
(apps.core.prefetch: order kept, errors raised in the caller, thread stopped early), and errors name the file."""

import contextlib
import io
import threading

import pytest

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IngestionRun, RunPhase, RunStatus
from apps.connectors.spill import Spill
from apps.connectors.storage import store_upload
from apps.core.prefetch import prefetched
from apps.footprint import record_writer, usage_frame
from apps.footprint.models import UsageRecord


def _threads():
    return [t for t in threading.enumerate() if t.name == "ingest-prefetch"]


def test_items_come_in_order_and_the_thread_ends():
    assert list(prefetched(iter(range(50)), depth=2)) == list(range(50))
    assert _threads() == []


def test_an_error_in_the_thread_is_raised_in_the_caller_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("row 3, column input_tokens: not a number")

    seen = []
    with pytest.raises(ValueError, match="row 3, column input_tokens"):
        for item in prefetched(items(), depth=1):
            seen.append(item)
    assert seen == [1, 2]
    assert _threads() == []


def test_closing_early_stops_the_thread_without_reading_everything():
    produced = []

    def items():
        for i in range(1000):
            produced.append(i)
            yield i

    with contextlib.closing(prefetched(items(), depth=1)) as ahead:
        assert next(ahead) == 0
    assert _threads() == []
    assert len(produced) <= 3  # one taken, one waiting, at most one being made


def test_a_failure_while_preparing_records_fails_the_run_and_stores_nothing(org_a, monkeypatch):
    def broken_estimate(frame, factor_set):
        raise RuntimeError("factor table unreadable")

    monkeypatch.setattr(record_writer, "estimate", broken_estimate)
    content = (
        b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
        b"2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n"
    )
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(content), "usage.csv")).pk)
    assert run.status == RunStatus.FAILED and "internal error" in run.errors[0]["message"]
    assert UsageRecord.objects.count() == 0 and _threads() == []


def test_a_normalised_frame_error_names_the_file(org_a, monkeypatch):
    def bad_conform(frame):
        raise usage_frame.UsageFrameError("output_tokens", "expected a whole number >= 0", row=4)

    monkeypatch.setattr(usage_frame, "conform", bad_conform)
    content = (
        b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
        b"2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n"
    )
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(content), "march.csv")).pk)
    assert run.status == RunStatus.FAILED
    assert [{k: e[k] for k in ("row", "column", "message")} for e in run.errors] == [
        {
            "row": 4,
            "column": "output_tokens",
            "message": "march.csv: column 'output_tokens', row 4: expected a whole number >= 0",
        }
    ]


def test_a_running_run_says_whether_it_reads_the_file_or_stores_its_records(org_a, client_for, monkeypatch):
    org = org_a["org"]
    client = client_for(org_a["users"][Role.OFFICER])
    content = (
        b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
        b"2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n"
    )
    run = create_run(org, "generic_csv", store_upload(org, io.BytesIO(content), "march.csv"))
    seen = []

    def status():
        return client.get(f"/o/org-a/runs/{run.pk}/status/").json()

    real_add, real_write = Spill.add, record_writer._RecordTable.write

    def add(spill, chunk):
        seen.append(("reading", IngestionRun.objects.get(pk=run.pk).phase, status()["phase_label"]))
        return real_add(spill, chunk)

    def write(table, batches):  # looked at as the records start to go out (on PostgreSQL, a COPY then holds the line)
        stored = IngestionRun.objects.get(pk=run.pk)
        seen.append(("storing", stored.phase, stored.progress_percent))
        return real_write(table, batches)

    monkeypatch.setattr(Spill, "add", add)
    monkeypatch.setattr(record_writer._RecordTable, "write", write)
    run = execute_run(run.pk)
    assert run.status == RunStatus.SUCCEEDED and run.progress_percent == 100
    assert seen == [("reading", RunPhase.READING, "Reading the file"), ("storing", RunPhase.STORING, 95)]
    assert status()["phase_label"] == ""  # finished: no phase shown
