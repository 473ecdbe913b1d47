"""A worker SIGKILLed in the middle of a large ingestion, once or again and again at different points of the
same run: the task is delivered again to a new worker, the final records and the run's counters equal those
of a clean run, and no observation ever sees the run succeeded before all its records are stored (nor any of
its records before it succeeded).

The kill points are read from outside, whatever way the ingestion writes: the run's rows_read while the
file is parsed (bytes_done is no measure here: Arrow reads a file this size ahead, so it reaches bytes_total
at the first chunk), then PostgreSQL's view of the worker's session (pg_stat_activity, pg_locks): all rows
read but no record written yet, records written in its open transaction, its COMMIT running. The run is
watched every few milliseconds from the first delivery to the end, each observation one SQL statement (one
snapshot) reading the run and its organisation's records together.

Needs a real worker on Redis and a database the worker shares (PostgreSQL): CI runs it."""

import io
import os
import time
import uuid
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.db.models import Count, Sum

from apps.accounts.services import create_organisation
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IngestionRun, RunStatus
from apps.connectors.storage import store_upload
from apps.connectors.tasks import ingest_run
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

# Short, so a killed worker's task comes back within seconds; the settings sweep for it every second.
VISIBILITY_TIMEOUT_S = 4
# 400,000 rows (~28 MB): eight parse chunks, so rows_read moves in eighths; 60 people with a team and zone
# each, so ~65,000 records and a write phase of a few seconds.
ROWS, PEOPLE = 400_000, 60
POLL_S = 0.005
DEADLINE_S = 240  # per wait: generous for a loaded 2-core machine; nothing is timed

# Where a run can be, in the order an attempt goes through them: "writing" once the last row is read and
# before any record is written (summing, estimating); "storing" while a session holds a write lock on the
# records table in its open transaction; "committing" while that session runs its COMMIT.
PHASES = ("queued", "parsing", "writing", "storing", "committing", "succeeded")
EXACT = ("n", "requests", "input_tokens", "output_tokens")


@cache
def _large_generic_csv() -> tuple[bytes, dict]:
    """The file, and what any correct load of it must give, counted by pandas from the rows themselves."""
    rng = np.random.default_rng(7)
    person = rng.integers(0, PEOPLE, ROWS)
    frame = pd.DataFrame(
        {
            "date": (pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, ROWS), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "provider": "openai",
            "model": rng.choice(["gpt-4o", "gpt-4o-mini", "gpt-4.1"], ROWS),
            "requests": rng.integers(1, 5, ROWS),
            "input_tokens": rng.integers(0, 5000, ROWS),
            "output_tokens": rng.integers(0, 1500, ROWS),
            "user": [f"user{i}@example.com" for i in person],
            "team": np.array(["a", "b", "c", "d"])[person % 4],
            "zone": np.array(["FR", "DE", "SE", ""])[person % 4],
            "cost": 0.0,
            "currency": "USD",
        }
    )
    facts = {
        "n": frame.groupby(["date", "model", "user"]).ngroups,  # team and zone follow the person
        **{name: int(frame[name].sum()) for name in ("requests", "input_tokens", "output_tokens")},
    }
    return frame.to_csv(index=False).encode(), facts


_clean_runs: dict[str, dict] = {}


def _clean_run() -> dict:
    """Totals and counters of the file loaded once in this process, no worker, no kill. Computed in the first
    test and kept: the file and the factors are the same in every test."""
    if not _clean_runs:
        content, facts = _large_generic_csv()
        org = create_organisation(f"clean-{uuid.uuid4().hex[:6]}", "Clean")
        run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(content), "year.csv")).pk)
        assert run.status == RunStatus.SUCCEEDED, run.errors
        totals = _record_totals(org.pk)
        # The clean run itself is checked against the rows of the file.
        assert {k: totals[k] for k in EXACT} == facts
        assert run.records_stored == facts["n"] and run.rows_read == ROWS and run.energy_kwh > 0
        _clean_runs["totals"] = totals
        _clean_runs["counters"] = _counters(run)
    return _clean_runs


def _record_totals(org_id: int) -> dict:
    sums = {name: Sum(name) for name in (*EXACT[1:], "energy_kwh", "co2e_location_kg")}
    return UsageRecord.objects.filter(organisation_id=org_id).aggregate(n=Count("id"), **sums)


def _counters(run: IngestionRun) -> dict:
    return {
        name: getattr(run, name)
        for name in (
            "rows_read",
            "rows_skipped",
            "records_stored",
            "requests",
            "input_tokens",
            "cached_input_tokens",
            "output_tokens",
            "energy_kwh",
            "co2e_kg",
            "bytes_done",
            "bytes_total",
        )
    }


def _assert_counters_equal(got: dict, expected: dict) -> None:
    floats = ("energy_kwh", "co2e_kg")
    assert {k: v for k, v in got.items() if k not in floats} == {k: v for k, v in expected.items() if k not in floats}
    for name in floats:  # summed bucket by bucket in float: equal up to the order of additions
        assert got[name] == pytest.approx(expected[name], rel=1e-9), name


@dataclass(frozen=True)
class State:
    status: str
    attempts: int
    rows_read: int
    bytes_done: int
    bytes_total: int
    phase: str
    totals: dict
    seen_at: float  # time.monotonic(), for the messages of a failure only


class Observer:
    """Watches one run from outside and checks, at every observation, that it is all or nothing: not
    succeeded, none of its records are visible; succeeded, all of them are, with the clean run's totals."""

    def __init__(self, run: IngestionRun, expected: dict, alive):
        self.run_id, self.expected, self.alive, self.history = run.pk, expected, alive, []
        qn = connection.ops.quote_name
        records_table = qn(UsageRecord._meta.db_table)
        # One statement, so the run's status and its records come from the same snapshot.
        self.sql = f"""
            SELECT r.status, r.attempts, r.rows_read, r.bytes_done, r.bytes_total,
                   u.n, u.requests, u.input_tokens, u.output_tokens, u.energy_kwh, u.co2e_location_kg,
                   ARRAY(SELECT CASE WHEN left(a.query, 6) = 'COMMIT' AND a.state = 'active'
                                     THEN 'committing' ELSE 'storing' END
                         FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
                         WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
                           AND l.relation = to_regclass(%s) AND l.mode = 'RowExclusiveLock' AND l.granted)
            FROM {qn(IngestionRun._meta.db_table)} r,
                 LATERAL (SELECT count(*) AS n, sum(requests) AS requests, sum(input_tokens) AS input_tokens,
                                 sum(output_tokens) AS output_tokens, sum(energy_kwh) AS energy_kwh,
                                 sum(co2e_location_kg) AS co2e_location_kg
                          FROM {records_table} WHERE organisation_id = r.organisation_id) u
            WHERE r.id = %s"""  # noqa: S608 (table names from the models' meta, quoted)

    @staticmethod
    def _phase(status: str, rows_read: int, writers: list[str]) -> str:
        if status == RunStatus.SUCCEEDED:
            return "succeeded"
        if status != RunStatus.RUNNING:
            return "queued"
        if rows_read < ROWS:  # a session writing records now is a killed attempt's, rolling back
            return "parsing"
        return max(writers, key=PHASES.index, default="writing")

    def observe(self) -> State:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [UsageRecord._meta.db_table, self.run_id])
            status, attempts, rows_read, done, total, *sums, writers = cursor.fetchone()
        totals = dict(zip(("n", *EXACT[1:], "energy_kwh", "co2e_location_kg"), sums, strict=True))
        state = State(
            status, attempts, rows_read, done, total, self._phase(status, rows_read, writers), totals, time.monotonic()
        )
        assert status != RunStatus.FAILED, IngestionRun.objects.get(pk=self.run_id).errors
        assert 0 <= done <= total and 0 <= rows_read <= ROWS, state
        if self.history:  # progress only goes back when a new attempt starts the file again
            last = self.history[-1]
            assert attempts >= last.attempts, (last, state)
            assert attempts > last.attempts or (done >= last.bytes_done and rows_read >= last.rows_read), (last, state)
        if status == RunStatus.SUCCEEDED:
            assert {k: totals[k] for k in EXACT} == {k: self.expected[k] for k in EXACT}, (
                f"run reported succeeded with {totals}, a clean run stores {self.expected}"
            )
            for name in ("energy_kwh", "co2e_location_kg"):
                assert totals[name] == pytest.approx(self.expected[name], rel=1e-9), name
        else:
            assert totals["n"] == 0, f"records visible while the run is {status}: {state}"
        self.history.append(state)
        return state

    def timeline(self) -> list[tuple]:
        """Each change of attempt or phase seen: (seconds from the first observation, attempt, phase, rows)."""
        start, changes = self.history[0].seen_at, []
        for state in self.history:
            if not changes or changes[-1][1:3] != (state.attempts, state.phase):
                changes.append((round(state.seen_at - start, 3), state.attempts, state.phase, state.rows_read))
        return changes

    def wait_for(self, reached, what: str) -> State:
        """Observe every POLL_S until `reached(state)`; fails past DEADLINE_S, or at once when the run
        finished first or the worker died."""
        deadline = time.monotonic() + DEADLINE_S
        while not reached(state := self.observe()):
            assert time.monotonic() < deadline, f"gave up waiting for {what}; {self.timeline()}"
            assert state.status != RunStatus.SUCCEEDED, f"the run succeeded before {what}: {self.timeline()}"
            assert self.alive(), f"the worker exited while waiting for {what}; see its log in DATA_DIR"
            time.sleep(POLL_S)
        return state


def _reached(attempt: int, phase: str, fraction: float = 0.0):
    """The kill point: this attempt at this phase or later (at least this fraction of the rows read, while
    parsing)."""

    def reached(state: State) -> bool:
        if state.status != RunStatus.RUNNING or state.attempts != attempt:
            return False
        rank, target = PHASES.index(state.phase), PHASES.index(phase)
        return rank > target or (rank == target and state.rows_read >= fraction * ROWS)

    return reached


@pytest.fixture
def worker_env(tmp_path, settings):
    """The worker shares this test's database and files, with the short visibility timeout."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return {
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(tmp_path),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
    }


@pytest.fixture
def workers():
    """Starts workers on a queue of the test's own; stops whatever is still running at the end."""
    queue, started = f"kill-{uuid.uuid4().hex[:8]}", []

    class Workers:
        def __init__(self):
            self.queue = queue

        def start(self, env, wait=True):
            started.append(start_worker(queue, env, wait=wait))
            return started[-1]

        def alive(self) -> bool:
            return started[-1].poll() is None

    yield Workers()
    for proc in started:
        if proc.poll() is None:
            stop_worker(proc)
    with celery_app.connection_for_write() as conn:  # copies of the task handed back after the end
        conn.default_channel.queue_delete(queue)


def _load_with_kills(workers, env, kill_points) -> tuple[IngestionRun, list[State], Observer]:
    """Queue the file's run on a real worker; at each kill point SIGKILL the worker and start a new one;
    watch the run to the end. Returns the run, the state seen right before each kill and the observer."""
    clean = _clean_run()
    content, _ = _large_generic_csv()
    org = create_organisation(f"killed-{uuid.uuid4().hex[:6]}", "Killed")
    run = create_run(org, "generic_csv", store_upload(org, io.BytesIO(content), "year.csv"))
    observer = Observer(run, clean["totals"], workers.alive)
    worker = workers.start(env)
    result = ingest_run.apply_async((run.pk,), queue=workers.queue)
    killed_at = []
    for attempt, (phase, fraction) in enumerate(kill_points, start=1):
        killed_at.append(observer.wait_for(_reached(attempt, phase, fraction), f"attempt {attempt} at {phase}"))
        kill_worker(worker)
        observer.observe()
        # Not waiting for a ping: the new worker may take the task back at once, and a solo worker busy
        # with a task answers no ping. Redis hands the task back once the visibility timeout has passed.
        worker = workers.start(env, wait=False)
    observer.wait_for(lambda s: s.status == RunStatus.SUCCEEDED, "the run to succeed")
    assert result.get(timeout=DEADLINE_S) == RunStatus.SUCCEEDED  # the last delivery ran to its end
    final = observer.observe()
    assert final.phase == "succeeded"
    run.refresh_from_db()
    _assert_counters_equal(_counters(run), clean["counters"])
    assert run.errors == [] and run.factor_set_id is not None
    return run, killed_at, observer


@pytest.mark.parametrize(
    ("phase", "fraction"),
    [
        ("parsing", 0.25),
        ("parsing", 0.75),
        ("writing", 0.0),
        ("storing", 0.0),
    ],
    ids=["parse-25pc", "parse-75pc", "estimating", "storing"],
)
def test_one_kill_ends_with_the_totals_of_a_clean_run(workers, worker_env, phase, fraction):
    run, killed_at, observer = _load_with_kills(workers, worker_env, [(phase, fraction)])
    assert killed_at[0].status == RunStatus.RUNNING and killed_at[0].totals["n"] == 0
    # The killed attempt stored nothing; the second did all of it.
    assert run.attempts == 2, observer.timeline()
    assert next(s.attempts for s in observer.history if s.status == RunStatus.SUCCEEDED) == 2


def test_killed_again_and_again_in_one_run_ends_with_the_totals_of_a_clean_run(workers, worker_env):
    kill_points = [("parsing", 0.1), ("parsing", 0.5), ("storing", 0.0), ("committing", 0.0)]
    run, killed_at, observer = _load_with_kills(workers, worker_env, kill_points)
    assert [s.attempts for s in killed_at] == [1, 2, 3, 4]
    assert all(s.status == RunStatus.RUNNING and s.totals["n"] == 0 for s in killed_at)
    # Each attempt read the file from its start again; the parse kills came before the last row.
    assert [s.phase for s in killed_at[:2]] == ["parsing", "parsing"], observer.timeline()
    assert 0 < killed_at[0].rows_read < killed_at[1].rows_read < ROWS
    # Killed during its COMMIT, the fourth attempt's transaction either committed whole (then the task
    # delivered again finds the run finished) or not at all (then a fifth attempt loads the file).
    assert run.attempts in (4, 5), observer.timeline()
    assert sum(1 for s in observer.history if s.status == RunStatus.SUCCEEDED) >= 1
