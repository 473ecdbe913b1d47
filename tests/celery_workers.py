"""Starting, stopping and killing real Celery worker processes for the tests that need one (Redis broker)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from reporting.celery import app as celery_app


def database_url() -> str:
    """The URL of the database this process is connected to (the test database under pytest), for a worker
    that must read and write the same rows as the test."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(queue: str, env_extra: dict | None = None, wait: bool = True) -> subprocess.Popen:
    """Start `celery worker` consuming `queue` in a process of its own; with `wait`, return once it answers
    a ping. A solo worker answers pings only between tasks: to watch a task it takes at once (one handed
    back after a kill), start it with wait=False.

    The worker gets this process's environment, the broker this process uses (so a ping and a task reach
    it), then `env_extra` (e.g. DATABASE_URL from database_url())."""
    node = f"{queue}-{uuid.uuid4().hex[:6]}@localhost"
    log_path = Path(settings.DATA_DIR) / f"worker-{queue}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reporting.settings"}
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    env.update(env_extra or {})
    with log_path.open("a") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "reporting",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                node,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120  # a loaded machine imports slowly
    while wait and not celery_app.control.ping(destination=[node], timeout=1.0):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"Celery worker did not start; see {log_path}")
    return proc


def kill_worker(proc: subprocess.Popen) -> None:
    """SIGKILL: no warm shutdown, no chance to acknowledge or hand back the task it holds."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def stop_worker(proc: subprocess.Popen) -> None:
    """Warm shutdown (the current task finishes), then a kill if it takes longer than 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
