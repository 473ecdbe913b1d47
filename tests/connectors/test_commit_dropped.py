"""The database connection dropped during the ingestion's COMMIT (issue 19): the server ends the worker's session
(pg_terminate_backend, as a restarted server, a failover or a proxy cutting idle links would) at the commit of the
write transaction. Either the COMMIT never reached the server, or the server took it and the answer was lost. In
both the run must not stay "running", must never show succeeded without all its records, and loading the file
again must end with a clean run's totals (summed here from the file, not by the parser).

PostgreSQL only: an embedded SQLite file has no connection to drop."""

import csv
import io

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.models import Count, Sum

from apps.connectors import ingestion
from apps.connectors.models import RunStatus
from apps.connectors.storage import store_upload
from apps.footprint import rollups
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db(transaction=True)

# Two days, two people, three requests each: the records are (day, person) pairs.
FILE = (
    b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    b"2025-04-01,openai,gpt-4o,3,300,30,a@x.example,,FR,0,EUR\n"
    b"2025-04-01,openai,gpt-4o,3,300,30,b@x.example,,FR,0,EUR\n"
    b"2025-04-02,openai,gpt-4o,3,300,30,a@x.example,,FR,0,EUR\n"
    b"2025-04-02,openai,gpt-4o,3,300,30,a@x.example,,FR,0,EUR\n"
)


def _from_the_file() -> dict:
    rows = list(csv.DictReader(io.StringIO(FILE.decode())))
    pairs = {(r["date"], r["user"]) for r in rows}
    return {
        "n": len(pairs),
        "requests": sum(int(r["requests"]) for r in rows),
        "inp": sum(int(r["input_tokens"]) for r in rows),
        "out": sum(int(r["output_tokens"]) for r in rows),
    }


def _stored(org) -> dict:
    return UsageRecord.objects.filter(organisation=org).aggregate(
        n=Count("id"), requests=Sum("requests"), inp=Sum("input_tokens"), out=Sum("output_tokens")
    )


def _drop_this_session() -> None:
    """End this connection's server session from another one, as the server or the network would."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.fixture
def drop_at_the_store_commit(monkeypatch):
    """Arms a drop of the connection at the COMMIT of the transaction that stores the records (the first commit
    after the rollups are refreshed, which happens inside it). `before`: the COMMIT never reaches the server;
    otherwise the server commits and the answer is lost."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CI sets DATABASE_URL): SQLite has no connection to drop")
    armed = {"storing": False, "dropped": 0}
    refresh, commit = rollups.refresh_run, connection._commit

    def refreshing(*args, **kwargs):
        armed["storing"] = True
        return refresh(*args, **kwargs)

    def install(before: bool):
        def committing():
            if not armed["storing"] or armed["dropped"]:
                return commit()
            armed["dropped"] += 1
            if before:
                _drop_this_session()
                return commit()  # the server has gone: OperationalError, nothing committed
            commit()
            _drop_this_session()
            raise OperationalError("server closed the connection unexpectedly")  # committed, the answer lost

        monkeypatch.setattr(rollups, "refresh_run", refreshing)
        monkeypatch.setattr(connection, "_commit", committing)
        return armed

    yield install
    connection.close()  # the next test gets a fresh session


def _load(org):
    source_file = store_upload(org, io.BytesIO(FILE), "usage.csv")
    return ingestion.execute_run(ingestion.create_run(org, "generic_csv", source_file).pk)


def test_a_commit_the_server_never_got_fails_the_run_saying_why_and_a_reload_stores_the_file(
    org_a, drop_at_the_store_commit
):
    org, armed = org_a["org"], drop_at_the_store_commit(before=True)
    run = _load(org)
    assert armed["dropped"] == 1
    assert run.status == RunStatus.FAILED  # not left running for the reaper, nor succeeded
    assert [{k: e[k] for k in ("row", "column", "message")} for e in run.errors] == [
        {
            "row": None,
            "column": None,
            "message": "usage.csv: the database connection was lost or gave up while loading (load the file again); "
            "nothing was stored.",
        }
    ]
    # Its template and values too, for the run page in another language.
    assert run.errors[0]["message_template"] == {
        "template": "{file}: {why}; nothing was stored.",
        "params": {
            "file": "usage.csv",
            "why": {
                "template": "the database connection was lost or gave up while loading (load the file again)",
                "params": {},
            },
        },
    }
    assert _stored(org)["n"] == 0 and run.records_stored == 0
    again = _load(org)  # the same file, loaded again once the database is back
    assert again.status == RunStatus.SUCCEEDED and again.pk != run.pk, again.errors
    assert _stored(org) == _from_the_file()


def test_a_commit_whose_answer_was_lost_leaves_the_run_succeeded_and_a_reload_stores_nothing_twice(
    org_a, drop_at_the_store_commit
):
    org, armed = org_a["org"], drop_at_the_store_commit(before=False)
    run = _load(org)
    assert armed["dropped"] == 1
    # The server committed: the run is succeeded with all its records (the failure is not written over it).
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert _stored(org) == _from_the_file() and run.records_stored == _from_the_file()["n"]
    again = _load(org)
    assert again.status == RunStatus.SUCCEEDED and again.duplicate_of_id == run.pk
    assert _stored(org) == _from_the_file()
