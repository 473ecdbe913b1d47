"""Leases of task-backed rows (ingestion runs, sign-offs, exports): a `heartbeat_at` column that says when the row
was last queued or last seen alive, so apps.connectors.reaper can tell a task that is slow from one whose worker
is gone, without waiting for the broker's visibility timeout.

A task holds its row's lease with `heartbeat(...)`: a daemon thread writes the time every
TASK_HEARTBEAT_SECONDS on its own database connection, so the lease stays fresh while the task's own thread is
busy in a long parse or a long write transaction."""

import datetime as dt
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)


def lease_seconds() -> int:
    """How long a running task may go without a heartbeat before it is taken for dead."""
    return int(settings.TASK_LEASE_SECONDS)


def queued_seconds() -> int:
    """How long a task may wait in the queue, no worker taking it, before it is taken for lost by the broker."""
    return int(settings.TASK_QUEUED_SECONDS)


def heartbeat_seconds() -> float:
    """How often a running task renews its lease: a quarter of the lease, so one late beat does not expire it."""
    return max(0.05, lease_seconds() / 4)


def stale_before(seconds: int, now: dt.datetime | None = None) -> dt.datetime:
    """The time before which a lease of `seconds` has expired."""
    return (now or timezone.now()) - dt.timedelta(seconds=seconds)


def _beat(queryset, stop: threading.Event, interval: float) -> None:
    try:
        while not stop.wait(interval):
            try:
                queryset.update(heartbeat_at=timezone.now())
            except Exception as exc:  # a locked SQLite database or a dropped connection: the next beat retries
                log.warning("heartbeat of %s failed: %s", queryset.model.__name__, exc)
    finally:
        connection.close()  # this thread's own connection


@contextmanager
def heartbeat(queryset, interval: float | None = None):
    """Keep `heartbeat_at` of the rows of `queryset` (a filter on the task's row) fresh while the block runs."""
    queryset.update(heartbeat_at=timezone.now())
    stop = threading.Event()
    beater = threading.Thread(
        target=_beat, args=(queryset, stop, interval or heartbeat_seconds()), name="ledger-heartbeat", daemon=True
    )
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join(timeout=30)
