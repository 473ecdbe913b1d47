"""Starting and stopping real Celery worker processes for the tests that need one (Redis broker)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings

from reporting.celery import app as celery_app


def start_worker(queue: str, env_extra: dict | None = None) -> subprocess.Popen:
    """Start `celery worker` consuming `queue` in a process of its own; return once it answers a ping."""
    node = f"{queue}-{uuid.uuid4().hex[:6]}@localhost"
    log_path = Path(settings.DATA_DIR) / f"worker-{queue}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reporting.settings", **(env_extra or {})}
    with log_path.open("a") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "reporting", "worker", "--pool=solo", "-Q", queue, "-n", node,
             "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[node], timeout=1.0):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"Celery worker did not start; see {log_path}")
    return proc


def stop_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
