"""The staged ingestion: each chunk of a file is spilled to the attempt's bucket files by natural key, then
each bucket is summed, estimated and written on its own. The records and run totals equal those of summing
the whole file at once; a failed or interrupted run leaves no spill files and no records behind."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.conf import settings

from apps.connectors import ingestion, spill
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IngestionRun, RunStatus
from apps.connectors.sources import combine, iter_source_chunks
from apps.connectors.storage import store_upload
from apps.footprint import record_writer, usage_frame
from apps.footprint.models import UsageRecord
from apps.footprint.services import estimate_for

pytestmark = pytest.mark.django_db

HEADER = "date,provider,model,requests,input_tokens,output_tokens,user,team,project,zone,cost,currency\n"
RUN_TOTALS = (
    "rows_read",
    "rows_skipped",
    "records_stored",
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
)
RECORD_FIELDS = (
    "key_sha256",
    "day",
    "source",
    "provider",
    "model",
    "usage_kind",
    "self_hosted",
    "person_ref",
    "team_ref",
    "project",
    "api_key",
    "zone",
    "currency",
    "person_id",
    "team_id",
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "measured_energy_kwh",
    "cost",
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "co2e_location_kg",
    "co2e_market_kg",
    "co2e_embodied_kg",
    "grid_zone",
    "grid_gco2e_per_kwh",
    "scope",
    "data_quality",
    "warning",
)


def _csv(rows: int, seed: int = 3) -> str:
    """Rows whose natural keys repeat all over the file, so every key is summed across many chunks."""
    rng = np.random.default_rng(seed)
    lines = [HEADER]
    for _ in range(rows):
        day = 1 + int(rng.integers(0, 4))
        model = ["gpt-4o", "gpt-4o-mini", "mystery-model"][int(rng.integers(0, 3))]
        user = ["dev@org-a.example", "robot-7", ""][int(rng.integers(0, 3))]
        team = ["", "Platform", "growth"][int(rng.integers(0, 3))]
        zone = ["FR", "DE", ""][int(rng.integers(0, 3))]
        lines.append(
            f"2025-03-{day:02d},openai,{model},{rng.integers(1, 4)},{rng.integers(0, 900)},"
            f"{rng.integers(0, 300)},{user},{team},p{rng.integers(0, 2)},{zone},"
            f"{rng.integers(0, 100) / 100},EUR\n"
        )
    return "".join(lines)


def _load(org, content: str, filename="usage.csv", source="generic_csv"):
    source_file = store_upload(org, io.BytesIO(content.encode()), filename)
    return execute_run(create_run(org, source, source_file).pk)


def _records(org) -> list[tuple]:
    return sorted(UsageRecord.objects.for_org(org).values_list(*RECORD_FIELDS))


def _small_chunks(monkeypatch, chunk_rows=7):
    def chunks(key, stream, filename):
        return iter_source_chunks(key, stream, filename, chunk_rows=chunk_rows)

    monkeypatch.setattr(ingestion, "iter_source_chunks", chunks)
    monkeypatch.setattr(spill, "SPILL_BUCKET_BYTES", 512)  # many buckets, each summed and written alone
    monkeypatch.setattr(record_writer, "UPSERT_BATCH", 3)


def _spilled() -> list:
    root = spill.spill_root()
    return sorted(root.rglob("*")) if root.exists() else []


def _assert_same(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        for x, y in zip(a, b, strict=True):  # floats may differ in the last bits with the order of the sums
            assert x == (pytest.approx(y, rel=1e-12, abs=1e-15) if isinstance(y, float) else y), (a, b)


def test_many_chunks_give_the_records_and_totals_of_one(org_a, monkeypatch):
    content = _csv(400)
    org = org_a["org"]
    whole = _load(org, content, filename="whole.csv")  # one chunk, one staged upsert, one write batch
    assert whole.status == RunStatus.SUCCEEDED, whole.errors
    expected_records = _records(org)
    UsageRecord.objects.for_org(org).delete()

    _small_chunks(monkeypatch)
    chunked = _load(org, content + "\n", filename="chunked.csv")  # another file: not a duplicate of the first
    assert chunked.status == RunStatus.SUCCEEDED, chunked.errors
    assert chunked.duplicate_of is None and chunked.records_stored == whole.records_stored > 4 * 3
    _assert_same(_records(org), expected_records)
    assert [getattr(chunked, f) for f in RUN_TOTALS] == [getattr(whole, f) for f in RUN_TOTALS]
    assert chunked.energy_kwh == pytest.approx(whole.energy_kwh, rel=1e-12)
    assert chunked.co2e_kg == pytest.approx(whole.co2e_kg, rel=1e-12)
    assert chunked.warnings == whole.warnings and chunked.warnings  # mystery-model's fallback warning
    assert chunked.rows_read == 400 and chunked.bytes_done == chunked.bytes_total
    assert _spilled() == []

    # And both equal the calculator run once on the file summed in memory, as the ingestion did before.
    with open(_stored_path(chunked), "rb") as fh:
        frame = combine(iter_source_chunks("generic_csv", fh, "chunked.csv"))
    estimated = estimate_for(org, frame, chunked.factor_set)
    assert len(estimated) == chunked.records_stored
    assert int(estimated["output_tokens"].sum()) == chunked.output_tokens
    assert float(estimated["co2e_location_kg"].sum()) == pytest.approx(chunked.co2e_kg, rel=1e-12)
    keys = record_writer.natural_keys(estimated)
    stored = dict(UsageRecord.objects.for_org(org).values_list("key_sha256", "co2e_location_kg"))
    assert set(keys) == set(stored)
    for key, co2e in zip(keys, estimated["co2e_location_kg"], strict=True):
        assert stored[key] == pytest.approx(co2e, rel=1e-12)


def _stored_path(run):
    return f"{settings.MEDIA_ROOT}/{run.source_file.stored_path}"


def test_seat_rows_are_estimated_on_their_final_sums(org_a, monkeypatch):
    """Seat rows fall back to spend when they have cost but no active days: a key whose days and cost arrive in
    different chunks must be estimated once summed, never chunk by chunk."""
    seat = {
        "day": pd.Timestamp("2025-03-01"),
        "source": "github_copilot_seats",
        "provider": "github",
        "model": "copilot",
        "usage_kind": usage_frame.USAGE_KIND_SEAT_ACTIVITY,
        "person": "dev@org-a.example",
        "currency": "USD",
    }
    chunks = [
        usage_frame.conform(pd.DataFrame([{**seat, "cost": 19.0, "active_user_days": 0}])),
        usage_frame.conform(
            pd.DataFrame([{**seat, "cost": 0.0, "active_user_days": 5}, {**seat, "person": "other", "cost": 7.0}])
        ),
    ]
    for chunk in chunks:
        chunk.attrs.update(rows_read=len(chunk))
    monkeypatch.setattr(ingestion, "iter_source_chunks", lambda key, fh, filename: iter(chunks))
    monkeypatch.setattr(spill, "SPILL_BUCKET_BYTES", 1)  # a bucket per byte of the file: several buckets
    run = _load(org_a["org"], "anything\n", filename="seats.csv")
    assert run.status == RunStatus.SUCCEEDED, run.errors
    expected = estimate_for(org_a["org"], combine(chunks), run.factor_set)
    got = UsageRecord.objects.for_org(org_a["org"])
    dev = got.get(person_ref="dev@org-a.example")
    assert (dev.active_user_days, dev.cost) == (5, 19.0)
    row = expected[expected["person"] == "dev@org-a.example"].iloc[0]
    assert dev.energy_kwh == pytest.approx(row["energy_kwh"]) and dev.energy_kwh > 0  # activity-based, not spend
    assert dev.co2e_location_kg == pytest.approx(row["co2e_location_kg"])
    assert dev.data_quality == row["data_quality"]
    assert got.get(person_ref="other").energy_kwh is None  # spend only: no energy
    assert run.co2e_kg == pytest.approx(float(expected["co2e_location_kg"].sum()))
    assert run.rows_read == 3 and run.records_stored == 2


def test_a_bad_row_in_a_later_chunk_fails_the_run_and_leaves_no_spill_files(org_a, monkeypatch):
    _small_chunks(monkeypatch, chunk_rows=5)
    staged_before_failure = []
    real_add = spill.Spill.add

    def add(self, frame):
        real_add(self, frame)
        staged_before_failure.append(len(_spilled()))

    monkeypatch.setattr(spill.Spill, "add", add)
    content = _csv(60) + "2025-03-09,openai,gpt-4o,1,abc,10,,,,FR,0,EUR\n"
    run = _load(org_a["org"], content, filename="bad.csv")
    assert run.status == RunStatus.FAILED
    assert run.errors[0]["row"] == 62 and run.errors[0]["column"] == "input_tokens"
    assert staged_before_failure and staged_before_failure[-1] > 0  # chunks were staged before the bad one
    assert _spilled() == [] and UsageRecord.objects.count() == 0 and run.records_stored == 0


def test_a_failure_while_writing_leaves_no_spill_files(org_a, monkeypatch):
    _small_chunks(monkeypatch)

    def failing_write_batch(cursor, writer, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(record_writer, "write_batch", failing_write_batch)
    run = _load(org_a["org"], _csv(50))
    assert run.status == RunStatus.FAILED and "internal error" in run.errors[0]["message"]
    assert _spilled() == [] and UsageRecord.objects.count() == 0


def test_an_interrupted_attempt_is_dropped_and_the_retry_gives_a_clean_runs_totals(org_a, org_b, monkeypatch):
    _small_chunks(monkeypatch)
    content = _csv(120)
    clean = _load(org_b["org"], content)
    org = org_a["org"]
    source_file = store_upload(org, io.BytesIO(content.encode()), "usage.csv")
    run = create_run(org, "generic_csv", source_file)
    first = ingestion._claim(run.pk)
    parsed = ingestion._parse(first, _path(first))  # the worker dies after spilling, before writing
    assert parsed["spill"].rows > 0 and spill.spill_dir(first).exists()

    retried = execute_run(run.pk)  # the task delivered again
    assert retried.status == RunStatus.SUCCEEDED and retried.attempts == 2
    assert [getattr(retried, f) for f in RUN_TOTALS] == [getattr(clean, f) for f in RUN_TOTALS]
    assert retried.co2e_kg == pytest.approx(clean.co2e_kg, rel=1e-12)
    assert _spilled() == []  # the killed attempt's files were removed by the retry

    # The first attempt, still alive somewhere, can no longer write or fail the run: it is another attempt's.
    ingestion._store(first, parsed)
    ingestion._fail(first, [{"row": None, "column": None, "message": "late failure"}])
    assert IngestionRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED
    assert IngestionRun.objects.get(pk=run.pk).records_stored == clean.records_stored
    assert UsageRecord.objects.for_org(org).count() == clean.records_stored


def test_a_superseded_attempt_writes_nothing_and_the_new_one_sums_from_scratch(org_a, monkeypatch):
    _small_chunks(monkeypatch)
    org = org_a["org"]
    run = create_run(org, "generic_csv", store_upload(org, io.BytesIO(_csv(80).encode()), "usage.csv"))
    first = ingestion._claim(run.pk)
    parsed_first = ingestion._parse(first, _path(first))
    second = ingestion._claim(run.pk)  # redelivered while the first attempt is still alive
    assert not spill.spill_dir(first).exists()  # dropped by the new claim
    ingestion._store(first, parsed_first)  # the old attempt reaches its write phase: it must step aside
    assert UsageRecord.objects.count() == 0
    assert IngestionRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    ingestion._store(second, ingestion._parse(second, _path(second)))
    done = IngestionRun.objects.get(pk=run.pk)
    assert done.status == RunStatus.SUCCEEDED and done.rows_read == 80
    assert done.records_stored == UsageRecord.objects.count() > 0


def _path(run):
    return Path(_stored_path(run))
