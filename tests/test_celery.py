"""Tasks run on a separate worker over Redis when REDIS_URL is set, and in-process otherwise."""

import os

import pytest
from django.conf import settings

from reporting.celery import app as celery_app
from reporting.celery import worker_pid


@pytest.mark.celery_worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")
def test_task_runs_on_a_separate_worker_process_over_redis(celery_worker_queue):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not celery_app.conf.task_always_eager
    result = worker_pid.apply_async(queue=celery_worker_queue["queue"])
    pid = result.get(timeout=30)
    assert pid == celery_worker_queue["pid"]
    assert pid != os.getpid()


@pytest.mark.celery_worker
@pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="REDIS_URL is set: tasks go to the broker")
def test_without_redis_tasks_run_in_process():
    assert celery_app.conf.task_always_eager is True
    assert worker_pid.delay().get() == os.getpid()
