"""The reaper: finds task-backed rows whose task is lost and removes what crashed processes left on disk.

- A running ingestion run whose lease (apps.connectors.leases) is older than TASK_LEASE_SECONDS lost its worker
  (killed, or the broker's queue flushed under it): it is re-queued and sent again. A run is all or nothing and
  an attempt that comes back to life cannot write over the next one (apps.connectors.ingestion), so starting
  it again from its stored file is safe and spares the user an upload; after TASK_MAX_RESENDS re-sends it is
  failed with a reason saying so, so a file that kills its worker does not loop for ever.
- A queued run no worker took within TASK_QUEUED_SECONDS was lost by the broker: it is sent again.
- Spill directories of attempts that are not running any more, temporary uploads (FILE_UPLOAD_TEMP_DIR) and
  `incoming-*` files of storage older than TASK_LEFTOVER_SECONDS are removed.
- Other apps register their own passes (`register`): apps.disclosures does sign-offs and exports.

It runs in the Celery worker (at start and every TASK_REAP_INTERVAL_SECONDS, reporting.celery), in the web
process when it runs tasks on its thread pool (the same, apps.connectors.dispatch), after dispatch sends a task
(at most once an interval, on the worker or the pool, never in the request) and by `manage.py reap`. Every change
is one conditional UPDATE on the stale lease, so reapers running at once in several processes act once.
"""

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import leases
from .models import IngestionRun, RunStatus
from .spill import spill_root

log = logging.getLogger(__name__)

_passes: list[tuple[str, Callable[[], dict], Callable[[], dict]]] = []


def register(name: str, reap_pass: Callable[[], dict], stuck: Callable[[], dict]) -> None:
    """Add an app's pass (returns what it did, by kind) and its count of stuck rows (for /healthz)."""
    if all(existing != name for existing, _, _ in _passes):
        _passes.append((name, reap_pass, stuck))


def stale_runs(now=None) -> Q:
    """Runs whose task is lost: running with an expired lease, or queued too long."""
    running = Q(status=RunStatus.RUNNING) & (
        Q(heartbeat_at__lt=leases.stale_before(leases.lease_seconds(), now)) | Q(heartbeat_at__isnull=True)
    )
    queued = Q(status=RunStatus.QUEUED) & (
        Q(heartbeat_at__lt=leases.stale_before(leases.queued_seconds(), now)) | Q(heartbeat_at__isnull=True)
    )
    return running | queued


def _lost_run_reason(run: IngestionRun) -> str:
    return (
        f"{run.source_file.filename}: the worker running this file stopped {run.resends + 1} times (killed or "
        "lost by the task queue) and it was not started again; nothing was stored. Load the file again, or ask "
        "an administrator to check the worker's logs."
    )


def reap_runs() -> dict:
    """Re-send lost runs, or fail those re-sent too often. Returns {"resent": n, "failed": n}."""
    done = {"resent": 0, "failed": 0}
    for run in IngestionRun.objects.filter(stale_runs()).select_related("source_file").order_by("pk")[:500]:
        outcome = _reap_run(run)
        if outcome:
            done[outcome] += 1
            log.warning("reaper: %s run %s was %s (lease %s)", run.status, run.pk, outcome, run.heartbeat_at)
    return done


def _reap_run(run: IngestionRun) -> str | None:
    from .dispatch import dispatch
    from .tasks import ingest_run

    with transaction.atomic():
        # A row another transaction holds is a live worker writing its records: skip it (PostgreSQL).
        locked = IngestionRun.objects.select_for_update(skip_locked=True).filter(stale_runs(), pk=run.pk)
        if not locked.exists():
            return None
        if run.resends >= settings.TASK_MAX_RESENDS:
            locked.update(
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                errors=[{"row": None, "column": None, "message": _lost_run_reason(run)}],
            )
            return "failed"
        locked.update(status=RunStatus.QUEUED, heartbeat_at=timezone.now(), resends=run.resends + 1)
        dispatch(ingest_run, run.pk)
        return "resent"


def _older_than(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _live_attempts() -> set[str]:
    """The spill directory names of attempts running now (kept whatever their age)."""
    running = IngestionRun.objects.filter(status=RunStatus.RUNNING).values_list("pk", "attempts")
    return {f"run{pk}-attempt{attempts}" for pk, attempts in running}


def reap_leftovers(now: float | None = None) -> dict:
    """Remove crash leftovers: spill directories of attempts not running (older than the lease), temporary
    uploads and `incoming-*` files (older than TASK_LEFTOVER_SECONDS). Returns {"spill": n, "uploads": n}."""
    now = now or time.time()
    done = {"spill": 0, "uploads": 0}
    root = spill_root()
    if root.is_dir():
        live, cutoff = _live_attempts(), now - leases.lease_seconds()
        for directory in root.iterdir():
            if directory.name not in live and _older_than(directory, cutoff):
                shutil.rmtree(directory, ignore_errors=True)
                done["spill"] += 1
    cutoff = now - int(settings.TASK_LEFTOVER_SECONDS)
    media = Path(settings.MEDIA_ROOT)
    temporary = [media.glob("incoming-*") if media.is_dir() else []]
    if settings.FILE_UPLOAD_TEMP_DIR and Path(settings.FILE_UPLOAD_TEMP_DIR).is_dir():
        temporary.append(Path(settings.FILE_UPLOAD_TEMP_DIR).glob("*.upload*"))
    for paths in temporary:
        for path in paths:
            if path.is_file() and _older_than(path, cutoff):
                path.unlink(missing_ok=True)
                done["uploads"] += 1
    return done


def stuck_runs() -> dict:
    """How many runs are stuck now (what /healthz reports)."""
    return {"runs": IngestionRun.objects.filter(stale_runs()).count()}


register("runs", reap_runs, stuck_runs)


def reap() -> dict:
    """One pass of every registered reaper and of the leftovers. Returns what each did."""
    done = {}
    for name, reap_pass, _stuck in list(_passes):
        try:
            done[name] = reap_pass()
        except Exception:  # one failing pass must not stop the others (nor the worker that runs them)
            log.exception("reaper pass %s failed", name)
    try:
        done["leftovers"] = reap_leftovers()
    except Exception:
        log.exception("reaper: removing leftovers failed")
    return done


def stuck() -> dict:
    """Stuck rows by kind, over every registered pass."""
    counts: dict = {}
    for _name, _reap_pass, count in list(_passes):
        counts.update(count())
    return counts


def due() -> bool:
    """True at most once every TASK_REAP_INTERVAL_SECONDS across processes (the shared cache decides)."""
    interval = int(settings.TASK_REAP_INTERVAL_SECONDS)
    return interval > 0 and cache.add("connectors:reaper:due", os.getpid(), timeout=interval)


def _periodic(interval: float) -> None:
    first = True
    while True:
        try:
            if first or due():  # several processes each run this thread: one pass an interval between them
                reap()
            first = False
        except Exception:
            log.exception("reaper failed")
        finally:
            connection.close()
        time.sleep(interval)


_started = threading.Event()


def start_periodic() -> bool:
    """Start the reaper thread of this process (once): a pass now, then one every TASK_REAP_INTERVAL_SECONDS.
    Returns False when it was already started or the interval is 0 (off)."""
    interval = int(settings.TASK_REAP_INTERVAL_SECONDS)
    if interval <= 0 or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_periodic, args=(interval,), name="ledger-reaper", daemon=True).start()
    return True
