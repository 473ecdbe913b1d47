"""A page's write while a task holds the database's write lock waits for it, on every database.

The thread-pool task of the embedded default (an ingestion's store phase, a sign-off) holds SQLite's write lock
for seconds; a request saving its session meanwhile must wait, not fail with "database table is locked"."""

import threading
import time

import pytest
from django.db import connection, transaction

from apps.accounts.models import Organisation

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
