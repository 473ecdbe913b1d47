"""A page's write while a task holds the database's write lock waits for it, on every database.

The thread-pool task of the embedded default (an ingestion's store phase, a sign-off) holds SQLite's write lock
for seconds; a request saving its session meanwhile must wait, not fail with "database table is locked"."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from apps.accounts.models import Organisation, Role

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_waits_for_another_connections_write_transaction():
    locked = threading.Event()
    errors = []

    def task():
        try:
            with transaction.atomic():
                Organisation.objects.create(name="Held", slug="held")
                locked.set()
                time.sleep(0.5)  # the write lock is held this long
        except Exception as exc:  # reported to the test below
            errors.append(exc)
            locked.set()
        finally:
            connection.close()

    thread = threading.Thread(target=task)
    thread.start()
    assert locked.wait(5)
    Organisation.objects.create(name="Waiting", slug="waiting")  # raised OperationalError on shared-cache memory
    thread.join(5)

    assert errors == []
    assert sorted(Organisation.objects.values_list("slug", flat=True)) == ["held", "waiting"]


def test_a_login_request_saving_its_session_waits_for_a_task_holding_the_write_lock(client, org_a):
    """The defect of issue 19: a pool task (here a thread) holds the write lock in an open transaction while a
    request saves its session. The request must wait for the commit and then answer as it would alone."""
    from django.contrib.sessions.models import Session

    officer = org_a["users"][Role.OFFICER]
    holding, release, errors, answers = threading.Event(), threading.Event(), [], []

    def task():
        try:
            with transaction.atomic():
                Organisation.objects.create(name="Held", slug="held")  # IMMEDIATE: the write lock is ours now
                holding.set()
                release.wait(60)
        except Exception as exc:  # reported to the test below
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    def request():
        try:
            answers.append(client.post(reverse("login"), {"username": officer.email, "password": PASSWORD}))
        except Exception as exc:  # an OperationalError here is the defect
            errors.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=task)
    holder.start()
    assert holding.wait(30)
    requester = threading.Thread(target=request)
    try:
        requester.start()
        requester.join(1)
        if connection.vendor == "sqlite":
            # Its session cannot be written while the lock is held: still waiting, not failed at once.
            assert requester.is_alive() and errors == [], errors
    finally:
        release.set()
        holder.join(30)
    requester.join(60)
    assert errors == [] and not requester.is_alive()
    assert answers[0].status_code == 302, answers[0].content[:300]
    assert Session.objects.filter(session_key=answers[0].cookies["sessionid"].value).exists()
    assert Organisation.objects.filter(slug="held").exists()


def test_sqlite_waits_for_the_write_lock_longer_than_pythons_default():
    """Python's sqlite3 gives up after 5 s; an ingestion's write phase can hold the lock longer."""
    from reporting import settings as project_settings

    options = project_settings.DATABASES["default"].get("OPTIONS", {})
    if project_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the busy timeout is SQLite's")
    assert options["timeout"] >= 30 and options["transaction_mode"] == "IMMEDIATE"
