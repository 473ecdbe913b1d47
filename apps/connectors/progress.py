"""How far a run's store phase has gone, kept outside the database.

The store phase writes every record and the run's success in one transaction that holds the run's row (and, on
SQLite, the whole database) until it commits: a progress update written to the run from there would not be seen
before the end, and one written from another connection would wait for it. So the writer reports here: in the
process's memory, which the pages of the embedded default read (its tasks run on threads of the web process),
and in the shared cache when it is not the database's own (Redis: a Celery worker elsewhere). Only a display:
a missing entry shows the phase without its count.
"""

from __future__ import annotations

import threading

from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache

_LOCAL: dict[int, dict] = {}
_LOCK = threading.Lock()
TIMEOUT_SECONDS = 3600


def _shared() -> bool:
    # A database cache would write inside (or wait for) the store phase's transaction: memory only then.
    return not isinstance(caches["default"], BaseDatabaseCache)


def _key(run_id: int) -> str:
    return f"run-store-progress:{run_id}"


def report(run_id: int, attempt: int, *, records: int, part: int, parts: int) -> None:
    """The attempt has stored `records` records, `part` of its `parts` parts (spill buckets) done."""
    value = {"attempt": attempt, "records": records, "part": part, "parts": parts}
    with _LOCK:
        _LOCAL[run_id] = value
    if _shared():
        caches["default"].set(_key(run_id), value, TIMEOUT_SECONDS)


def read(run_id: int, attempt: int) -> dict | None:
    """The attempt's last report ({records, part, parts}), None when there is none (or it is an older attempt's)."""
    with _LOCK:
        value = _LOCAL.get(run_id)
    if value is None and _shared():
        value = caches["default"].get(_key(run_id))
    return value if value and value.get("attempt") == attempt else None


def clear(run_id: int) -> None:
    """Forget the run's progress (it has finished)."""
    with _LOCK:
        _LOCAL.pop(run_id, None)
    if _shared():
        caches["default"].delete(_key(run_id))
