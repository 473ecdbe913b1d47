"""The Celery app. Broker and eagerness come from settings (REDIS_URL set: Redis; unset: in-process)."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reporting.settings")

app = Celery("reporting")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="reporting.worker_pid")
def worker_pid() -> int:
    """Return the id of the process that ran the task: tells a real worker from eager execution."""
    return os.getpid()


@worker_ready.connect
def _start_reaper(**_kwargs):
    """A worker looks for lost tasks as it starts and then every TASK_REAP_INTERVAL_SECONDS (apps.connectors
    .reaper): no beat process is needed for it."""
    from apps.connectors.reaper import start_periodic

    start_periodic()
