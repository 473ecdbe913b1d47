"""Without Redis the cache is a table of the default database, created by `migrate`: a figure one process (a
gunicorn worker, the task pool) stores, another reads; on a SQLite file a page's `set` does not wait for an
ingestion's write lock (apps.core.cache)."""

import os
import subprocess
import sys

from django.conf import settings


def _manage(*args, data_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["DATA_DIR"] = str(data_dir)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


BACKEND = "from django.core.cache import cache, caches; from apps.core.cache import flush_writes; "
BACKEND += "print(type(caches['default']).__name__);"
# An ingestion holding SQLite's write lock for 3 s: the page's `set` answers at once, its thread writes after.
HELD = """
import sqlite3, time
ingestion = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
ingestion.execute("BEGIN IMMEDIATE")
started = time.perf_counter()
cache.set("held", [1, 2, 3], 60)
print("answered_at_once", time.perf_counter() - started < 1.5, "meanwhile", cache.get("held"))
time.sleep(3)
ingestion.execute("COMMIT")
flush_writes()
print("after", cache.get("held"))
"""


def test_a_value_one_process_caches_another_reads(tmp_path):
    _manage("migrate", "--noinput", data_dir=tmp_path)
    write = BACKEND + "cache.set('figure', {'co2e_kg': 41.5}, 60); flush_writes()"
    assert _manage("shell", "-c", write, data_dir=tmp_path).split()[-1] == "SharedDatabaseCache"
    reader = _manage("shell", "-c", BACKEND + "print(cache.get('figure'))", data_dir=tmp_path)
    assert reader.split()[-3:] == ["SharedDatabaseCache", "{'co2e_kg':", "41.5}"]
    script = "from django.conf import settings; " + BACKEND + HELD
    held = " ".join(_manage("shell", "-c", script, data_dir=tmp_path).split()[-8:])
    assert held == "answered_at_once True meanwhile None after [1, 2, 3]"
    # A command's last task caching while the interpreter exits (its writer thread already shut): written at once,
    # not "cannot schedule new futures after shutdown" (seen at the end of `seed_demo`).
    exiting = BACKEND + "from apps.core import cache as c; c._writer().shutdown(); cache.set('late', 7, 60)"
    _manage("shell", "-c", exiting, data_dir=tmp_path)
    assert _manage("shell", "-c", BACKEND + "print(cache.get('late'))", data_dir=tmp_path).split()[-1] == "7"
