"""Long work out of the request: one place that decides where a task runs.

- A broker is configured (REDIS_URL set, Celery not eager): the task goes to a Celery worker.
- No broker (the embedded default): the task runs on a process-wide thread pool of `TASK_POOL_WORKERS`
  threads, so the request answers at once and the page polls the task's state.
- `TASK_POOL_WORKERS = 0` (the tests' default): the task runs in the commit callback itself, synchronously,
  so a test sees its result as soon as the callbacks it captured have run.

Either way the task is sent only after the transaction that asked for it commits: a worker or a thread never
looks for a row that is not there yet, and a rolled-back request queues nothing. The tasks themselves keep
their state in the database (runs, exports, periods), which is what pages and the API read back.
"""

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.db import connections, transaction

from reporting.celery import app as celery_app

log = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_futures: set[Future] = set()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.TASK_POOL_WORKERS, thread_name_prefix="ledger-task")
            # This process runs tasks, so it also looks for lost ones (no worker does it in this mode).
            from .reaper import start_periodic

            start_periodic()
        return _pool


def _run_in_thread(task, args: tuple, kwargs: dict) -> None:
    try:
        task(*args, **kwargs)
    except Exception:
        # The tasks record their own failures on their rows; this is for one that could not.
        log.exception("background task %s%r failed", task.name, args)
    finally:
        # Connections are per thread: close this one's, or each finished task leaves one open.
        connections.close_all()


def _send(task, args: tuple, kwargs: dict) -> None:
    _submit(task, args, kwargs)
    if task.name != "connectors.reap":
        _reap_if_due()


def _reap_if_due() -> None:
    """Now and then (once a TASK_REAP_INTERVAL_SECONDS across processes), a reaper pass where tasks run: a lost
    task is then found when work is sent, even without a periodic reaper. Never in the request; not in the
    synchronous mode of the tests, whose tasks would run it inline."""
    from . import reaper, tasks

    if celery_app.conf.task_always_eager and settings.TASK_POOL_WORKERS <= 0:
        return
    try:
        if reaper.due():
            _submit(tasks.reap, (), {})
    except Exception:  # a broker that just refused the task refuses this too; the task's own error is enough
        log.warning("could not send the reaper", exc_info=True)


def _submit(task, args: tuple, kwargs: dict) -> None:
    if not celery_app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
    elif settings.TASK_POOL_WORKERS > 0:
        future = _executor().submit(_run_in_thread, task, args, kwargs)
        with _pool_lock:
            _futures.add(future)
        future.add_done_callback(_forget)
    else:
        task(*args, **kwargs)


def _forget(future: Future) -> None:
    with _pool_lock:
        _futures.discard(future)


def dispatch(task, *args, **kwargs) -> None:
    """Run a Celery task (a `shared_task`) in the background once the current transaction commits."""
    transaction.on_commit(lambda: _send(task, args, kwargs))


def wait_for_pool(timeout: float = 60.0) -> None:
    """Block until the thread pool is idle, tasks queued by tasks included (tests and commands)."""
    deadline = time.monotonic() + timeout
    while True:
        with _pool_lock:
            pending = set(_futures)
        if not pending:
            return
        _done, not_done = wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        if not_done:
            raise TimeoutError(f"{len(not_done)} background task(s) still running after {timeout} s")
