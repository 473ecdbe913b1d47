"""Without Redis the cache is a table of the default database, created by `migrate`: a figure one process (a
gunicorn worker, the task pool) stores, another reads."""

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


def test_a_value_one_process_caches_another_reads(tmp_path):
    _manage("migrate", "--noinput", data_dir=tmp_path)
    backend = "from django.core.cache import cache, caches; print(type(caches['default']).__name__);"
    writer = _manage("shell", "-c", backend + "cache.set('figure', {'co2e_kg': 41.5}, 60)", data_dir=tmp_path)
    assert writer.split()[-1] == "DatabaseCache"
    reader = _manage("shell", "-c", backend + "print(cache.get('figure'))", data_dir=tmp_path)
    assert reader.split()[-3:] == ["DatabaseCache", "{'co2e_kg':", "41.5}"]
