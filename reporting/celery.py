"""The Celery app. Broker and eagerness come from settings (REDIS_URL set: Redis; unset: in-process)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reporting.settings")

app = Celery("reporting")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="reporting.worker_pid")
def worker_pid() -> int:
    """Return the id of the process that ran the task: tells a real worker from eager execution."""
    return os.getpid()
