"""Load bench: locust (headless) against gunicorn + PostgreSQL serving the demo organisation.

Usage: python bench/load.py [--users 50] [--duration 60] [--workers 4] [--scale 1.0] [--think 1.0]
                            [--database-url postgres://postgres@127.0.0.1:5432/ledger_load] [--keep-db]

Needs PostgreSQL and requirements-bench.txt (locust). `make load` installs that and runs this. It sets up
everything itself, in this order:

1. a database of its own (``ledger_load`` by default, dropped and created again), migrated and seeded with
   the demo organisation (``seed_demo``, its year of usage at ``--scale``); a bench user with the officer
   role, an API token for it (``ApiToken.issue``) and one logged-in session per simulated user (made
   directly, so the login rate limit is not what is measured);
2. gunicorn on 127.0.0.1 (``--workers`` sync workers; 4 by default, two per core of a 2-core machine, as a
   request spends part of its time waiting on PostgreSQL), DEBUG off, no REDIS_URL: Celery runs eager in
   the gunicorn process, so an upload's ingestion is done inside its request and its latency includes it;
3. locust, headless: ``--users`` users started at once for ``--duration`` seconds, each waiting about
   ``--think`` seconds (uniform from half to one and a half times) between requests, three dashboard
   page views and three summary API reads (``GET /api/v1/o/<org>/summary/``, token auth) for each upload
   (``POST /api/v1/o/<org>/runs/``: a 20-row generic_csv file, unique each time, so it is stored and
   ingested);
4. prints requests/s, p50/p95/p99 latency (locust's percentiles: ms, rounded to two significant figures
   above 100 ms) and error counts per endpoint and in total, the first error messages, and what became of
   the uploads' runs; then stops gunicorn and drops the database (``--keep-db`` keeps it).

Prints figures only; nothing is asserted. Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
BENCH_EMAIL = "load-bench@demo.example"
ENDPOINTS = ("dashboard", "summary API", "upload API")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users (default 50)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a user waits between requests")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the demo year to seed (default 1.0)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/ledger_load",
        help="a PostgreSQL database for the bench alone: it is dropped and created again",
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database (and data folder) in place")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    """Drop and create the bench database, through the server's maintenance database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql") or not name:
        sys.exit(f"--database-url must be a PostgreSQL URL with a database name, not {url!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parts.path.lstrip("/"))))


def set_up_site(users: int, scale: float) -> dict:
    """Migrate, seed the demo organisation, and make the bench user, its token and sessions (in this
    process: the environment is already the bench's). Returns the locust users' configuration."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max

    from apps.accounts.demo import DEMO_SLUG
    from apps.accounts.models import ApiToken, Organisation, Role
    from apps.accounts.services import add_member
    from apps.footprint.models import UsageRecord

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    out = io.StringIO()
    call_command("seed_demo", scale=scale, stdout=out)
    org = Organisation.objects.get(slug=DEMO_SLUG)
    records = UsageRecord.objects.filter(organisation=org)
    print(
        f"seeded the demo organisation '{org.slug}' (scale {scale}): {records.count():,} usage records "
        f"in {time.perf_counter() - started:.0f} s"
    )
    membership, _ = add_member(org, BENCH_EMAIL, Role.OFFICER)
    user = membership.user
    _, token = ApiToken.issue(user, "load bench")
    session_store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore
    sessions = []
    for _ in range(users):
        session = session_store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    last_day = records.aggregate(last=Max("day"))["last"]
    connection.close()  # gunicorn's workers open their own
    return {
        "org": org.slug,
        "token": token,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": sessions,
        "year": last_day.year if last_day else time.gmtime().tm_year,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited ({proc.returncode}); see {log}")
        health = f"{base}/healthz"
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=5) as response:  # noqa: S310
            if response.status == 200:
                return
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer /healthz within 120 s; see {log}")


def check_endpoints(base: str, config: dict) -> None:
    """One request to each read endpoint before the load: a set-up mistake stops here, not as 100% errors."""
    for path, headers in (
        (f"/o/{config['org']}/", {"Cookie": f"{config['session_cookie']}={config['sessions'][0]}"}),
        (f"/api/v1/o/{config['org']}/summary/", {"Authorization": f"Bearer {config['token']}"}),
    ):
        request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (our own URL)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            sys.exit(f"GET {path} answered {status} before the load started")


def run_locust(base: str, config_path: Path, args, out_dir: Path) -> int:
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(out_dir / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOAD_BENCH_CONFIG": str(config_path)}
    with (out_dir / "locust.log").open("w") as log:
        return subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, check=False).returncode


def print_results(out_dir: Path, args) -> None:
    with (out_dir / "locust_stats.csv").open() as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    print(f"\n{args.users} users, {args.duration} s, gunicorn {args.workers} workers, think ~{args.think} s")
    header = f"{'endpoint':14} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for name in (*ENDPOINTS, "Aggregated"):
        row = rows.get(name)
        if row is None:
            print(f"{name:14} {'no requests':>9}")
            continue
        print(
            f"{'total' if name == 'Aggregated' else name:14} {int(row['Request Count']):>9} "
            f"{float(row['Requests/s']):>8.1f} {row['50%']:>8} {row['95%']:>8} {row['99%']:>8} "
            f"{int(row['Failure Count']):>7}"
        )
    failures = out_dir / "locust_failures.csv"
    if failures.exists():
        with failures.open() as fh:
            listed = list(csv.DictReader(fh))
        for row in listed[:5]:
            print(f"  error: {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")


def print_uploads() -> None:
    """What became of the runs the uploads created (eager ingestion: all are finished by now)."""
    from django.db.models import Count

    from apps.connectors.models import IngestionRun

    counts = {
        row["status"]: row["n"]
        for row in IngestionRun.objects.filter(uploaded_by__username=BENCH_EMAIL)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    }
    print(
        "upload runs in the database: "
        + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none")
        + " (may exceed locust's count by the uploads still running when it wrote its figures)"
    )


def main() -> None:
    args = parse_args()
    recreate_database(args.database_url)
    data_dir = Path(tempfile.mkdtemp(prefix="ledger-load-"))
    # The bench's own site: its database, a fresh data folder, DEBUG off, no broker (Celery eager).
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DATA_DIR": str(data_dir),
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "reporting.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("PRODUCTION", None)  # plain HTTP on 127.0.0.1
    sys.path.insert(0, str(ROOT))
    gunicorn = None
    try:
        config = set_up_site(args.users, args.scale)
        config["think_seconds"] = args.think
        config_path = data_dir / "load-config.json"
        config_path.write_text(json.dumps(config))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn_log = data_dir / "gunicorn.log"
        with gunicorn_log.open("w") as log:
            gunicorn = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "reporting.wsgi",
                    "--workers",
                    str(args.workers),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(base, gunicorn, gunicorn_log)
        check_endpoints(base, config)
        print(f"gunicorn up on {base}; locust: {args.users} users for {args.duration} s ...", flush=True)
        code = run_locust(base, config_path, args, data_dir)
        if not (data_dir / "locust_stats.csv").exists():
            sys.exit(f"locust wrote no figures (exit {code}); see {data_dir / 'locust.log'}")
        print_results(data_dir, args)
        print_uploads()
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if args.keep_db:
            print(f"kept the database {args.database_url} and {data_dir}")
        else:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            drop_database(args.database_url)
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
