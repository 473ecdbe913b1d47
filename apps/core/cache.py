"""The cache without Redis: Django's DatabaseCache on the default database, shared by every worker process.

On a SQLite file one connection writes at a time: a page storing a figure while an ingestion holds the write
lock would wait for it (up to the database's 30 s timeout). So there a `set` is handed to a thread of the
process, which waits instead, and the page answers at once (it reads through WAL, never blocked). A page asking
for the figure before the thread has written computes it again: slower, never wrong (the keys say what a figure
is computed from). On PostgreSQL, and where tasks run in the request too (TASK_POOL_WORKERS = 0: the tests),
`set` writes in the request as usual.
"""

from __future__ import annotations

import os
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router

_lock = threading.Lock()
_writers: dict[int, ThreadPoolExecutor] = {}  # per process id: a forked worker starts its own thread


def _writer() -> ThreadPoolExecutor:
    with _lock:
        pool = _writers.get(os.getpid())
        if pool is None:
            pool = _writers[os.getpid()] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
        return pool


class SharedDatabaseCache(DatabaseCache):
    """DatabaseCache whose `set` on a SQLite file is written behind, by a thread (see the module)."""

    def _writes_behind(self) -> bool:
        connection = connections[router.db_for_write(self.cache_model_class)]
        return connection.vendor == "sqlite" and settings.TASK_POOL_WORKERS > 0 and not connection.is_in_memory_db()

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store `value`: now, or (SQLite file) by the writer thread, from a copy taken now."""
        if not self._writes_behind():
            return super().set(key, value, timeout, version)
        frozen = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)  # later changes by the caller are not stored
        try:
            _writer().submit(self._set_behind, key, frozen, timeout, version)
        except RuntimeError:  # the interpreter is exiting (a command's last task): its writer is shut, write now
            return super().set(key, value, timeout, version)
        return None

    def _set_behind(self, key, frozen: bytes, timeout, version) -> None:
        try:
            super().set(key, pickle.loads(frozen), timeout, version)  # noqa: S301 (our own bytes)
        finally:
            connections.close_all()  # this thread's connection: not left open between writes


def flush_writes() -> None:
    """Wait for the writes handed to this process's writer thread (tests, a command before it exits, a warm-up
    before it lifts its mark)."""
    try:
        _writer().submit(lambda: None).result()
    except RuntimeError:  # the writer is shut (the interpreter exits): every set since was written at once
        return
