"""The web process SIGKILLed in the middle of an upload (issue 19): gunicorn, on this test's database and a DATA_DIR
of its own, receives the head of a 6 MiB multipart upload to the API; once Django has spooled part of the file to
FILE_UPLOAD_TEMP_DIR (a stable state: the rest of the body has not been sent), the process is killed. The spooled
file is left behind, as the probe of issue 19 found (78-155 MB each there); the reaper's pass removes it once older
than TASK_LEFTOVER_SECONDS, and nothing of the upload reached the database (no file, no run)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.accounts.models import ApiToken, Role
from apps.connectors import reaper
from apps.connectors.models import IngestionRun, SourceFile

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE_S = 120  # the server's start-up and the spooling on a loaded machine; nothing is timed
BOUNDARY = "LedgerKillBoundary"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    from ..celery_workers import database_url

    return database_url()


def _wait(condition, what: str, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert proc.poll() is None, f"gunicorn exited: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"{what} not within {DEADLINE_S} s: {log.read_text()[-2000:]}"
        time.sleep(0.05)


@pytest.fixture
def server(tmp_path):
    """gunicorn on 127.0.0.1 (one sync worker), sharing this test's database; yields (port, its DATA_DIR, proc)."""
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).is_file():
        pytest.skip("needs the test database in a file (tests/conftest.py puts SQLite's in one)")
    data_dir, port, log = tmp_path / "web-data", _free_port(), tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reporting.settings",
        "DATABASE_URL": _database_url(),
        "DATA_DIR": str(data_dir),
        "TASK_POOL_WORKERS": "0",
        "TASK_REAP_INTERVAL_SECONDS": "0",  # no reaper of its own: the test runs the pass
    }
    env.pop("REDIS_URL", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "reporting.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "-t", "300"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                return False

        _wait(answers, "gunicorn to listen", proc, log)
        yield port, data_dir, proc, log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_an_upload_cut_by_a_killed_web_process_leaves_nothing_the_reaper_does_not_remove(org_a, server, settings):
    port, data_dir, proc, log = server
    org, token = org_a["org"], ApiToken.issue(org_a["users"][Role.OFFICER], "kill")[1]
    line = b"2025-04-01,openai,gpt-4o,1,100,10,a@x.example,,FR,0,EUR\n"
    content = b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    content += line * (6 * (1 << 20) // len(line))  # over FILE_UPLOAD_MAX_MEMORY_SIZE: spooled to disk
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="source"\r\n\r\ngeneric_csv\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="usage.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    request = (
        f"POST /api/v1/o/{org.slug}/runs/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(head) + len(content) + len(tail)}\r\nConnection: close\r\n\r\n"
    ).encode()
    spool = data_dir / "tmp-uploads"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request + head + content[: 4 << 20])  # two thirds of the file; the rest never comes

        def spooled() -> bool:
            return any(path.stat().st_size > 0 for path in spool.glob("*.upload*"))

        _wait(spooled, "Django to spool the upload", proc, log)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    left = sorted(spool.glob("*.upload*"))
    assert left, "the killed process left no spooled upload: the fault was not reproduced"
    assert not SourceFile.objects.filter(organisation=org).exists()
    assert not IngestionRun.objects.filter(organisation=org).exists()

    settings.FILE_UPLOAD_TEMP_DIR, settings.MEDIA_ROOT = str(spool), data_dir / "uploads"
    settings.TASK_LEFTOVER_SECONDS = 3600
    assert reaper.reap_leftovers()["uploads"] == 0  # younger than the bound: may be a live upload's
    assert all(path.exists() for path in left)
    assert reaper.reap_leftovers(now=time.time() + 3601)["uploads"] == len(left)
    assert not any(path.exists() for path in left)
