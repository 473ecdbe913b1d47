"""Where a task runs (apps.connectors.dispatch): the broker when there is one, else the web process's thread
pool after the request has answered, else (the tests' default) synchronously at commit."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors import dispatch, tasks
from apps.connectors.models import IngestionRun, RunStatus
from reporting.celery import app as celery_app

CSV = (
    b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    b"2025-03-01,openai,gpt-4o,10,12000,3000,dev@org-a.example,,FR,1.5,EUR\n"
)


def _post(client):
    return client.post(
        reverse("connectors:runs", args=["org-a"]),
        {"source": "generic_csv", "file": SimpleUploadedFile("usage.csv", CSV, content_type="text/csv")},
    )


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_upload_answers_before_its_run(client_for, org_a, settings, monkeypatch):
    settings.TASK_POOL_WORKERS = 2
    monkeypatch.setattr(dispatch, "_pool", None)
    release, ran_in = threading.Event(), []
    real = tasks.execute_run

    def held(run_id, **kwargs):
        ran_in.append(threading.current_thread().name)
        assert release.wait(30)
        return real(run_id, **kwargs)

    monkeypatch.setattr(tasks, "execute_run", held)
    client = client_for(org_a["users"][Role.OFFICER])
    response = _post(client)
    run = IngestionRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/runs/{run.pk}/")
    assert run.status == RunStatus.QUEUED  # the page the user lands on shows the progress bar, not a result
    status = client.get(reverse("connectors:run_status", args=["org-a", run.pk])).json()
    assert status["finished"] is False
    release.set()
    dispatch.wait_for_pool(timeout=60)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.output_tokens == 3000
    assert ran_in and ran_in[0].startswith("ledger-task")


@pytest.mark.django_db(transaction=True)
def test_a_task_that_raises_in_the_pool_is_logged_and_the_pool_goes_on(settings, monkeypatch, caplog):
    settings.TASK_POOL_WORKERS = 1
    monkeypatch.setattr(dispatch, "_pool", None)
    done = []

    @celery_app.task(name="tests.dispatch_boom")
    def boom(value):
        raise RuntimeError(f"boom {value}")

    @celery_app.task(name="tests.dispatch_ok")
    def ok(value):
        done.append(value)

    with transaction.atomic():
        dispatch.dispatch(boom, 1)
        dispatch.dispatch(ok, 2)
        assert done == []  # nothing runs before the commit
    dispatch.wait_for_pool(timeout=30)
    assert done == [2]
    assert any("tests.dispatch_boom" in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_with_a_broker_the_task_is_sent_once_the_transaction_commits(
    client_for, org_a, monkeypatch, django_capture_on_commit_callbacks
):
    celery_app.conf.task_always_eager = False  # as with REDIS_URL set (tests/conftest.py restores it)
    sent = []
    monkeypatch.setattr(tasks.ingest_run, "apply_async", lambda args, kwargs: sent.append((args, kwargs)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post(client_for(org_a["users"][Role.OFFICER]))
    run = IngestionRun.objects.get()
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [((run.pk,), {})]
    assert IngestionRun.objects.get().status == RunStatus.QUEUED  # the worker, not this process, runs it
