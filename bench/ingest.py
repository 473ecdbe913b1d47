"""End-to-end ingestion speed and memory of LiteLLM gateway logs, next to pyarrow's bare read of the same file.

Usage: python bench/ingest.py [--rows N] [--people] [--profile] [--keep] [--database-url postgres://...]

Generates N LiteLLM spend-log rows (default 1,000,000) with the demo generator (2,000 people, several teams,
keys and models, a year of timestamps) as a CSV in a temp dir. Then, each in a fresh process so their memory
does not mix:

* the bare read: ``pyarrow.csv.read_csv`` of the file (all columns, all threads);
* the ingestion: store_upload + create_run + execute_run against a fresh SQLite database in a temp
  DATA_DIR (migrated first; the migration is not timed), or, with --database-url, against a PostgreSQL
  database of that name, dropped and created again first (never point it at a database you keep).

With ``--people`` the organisation has the generator's 2,000 people and their teams before the run (not
timed), so records are attributed to people and the person rollups are written too (without it, no record
has a person: the figures before 2026-12-03 were measured so).

Prints rows/s, seconds, the ratio to the bare read and peak RSS (ru_maxrss of the child process). Targets
(issue 14): end-to-end within 3.5x the bare read at 1M rows, peak RSS flat from 1M to 5M rows. Prints
figures only; nothing is asserted. ``--profile`` prints the top of a cProfile of the ingestion.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Peak RSS of this process: VmHWM, because ru_maxrss survives exec on Linux and would report the
# parent's peak (the generator's) instead of the child's.
PEAK_RSS = """
def peak_rss_mib():
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

ARROW_CHILD = (
    PEAK_RSS
    + """
import json, sys, time
import pyarrow.csv as c
t = time.perf_counter()
rows = c.read_csv(sys.argv[1]).num_rows
secs = time.perf_counter() - t
print(json.dumps({"rows": rows, "seconds": secs, "peak_rss_mib": peak_rss_mib()}))
"""
)

INGEST_CHILD = (
    PEAK_RSS
    + """
import json, os, sys, time
sys.path.insert(0, os.environ["BENCH_ROOT"])
import django
django.setup()
from apps.accounts.models import Organisation
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload

org = Organisation.objects.create(slug="bench", name="Bench")
if os.environ.get("BENCH_PEOPLE"):
    from apps.accounts.models import Person, Team
    from apps.demo.people import demo_people
    people = demo_people()
    teams = {name: Team.objects.create(organisation=org, name=name) for name in sorted({p.team for p in people})}
    Person.objects.bulk_create(
        [Person(organisation=org, email=p.email, name=p.name, team=teams[p.team]) for p in people]
    )
path = sys.argv[1]
rss_before = peak_rss_mib()

def ingest():
    t0 = time.perf_counter()
    with open(path, "rb") as fh:
        source_file = store_upload(org, fh, os.path.basename(path))
    t1 = time.perf_counter()
    run = create_run(org, os.environ.get("BENCH_SOURCE", "litellm_spend_logs"), source_file)
    run = execute_run(run.pk)
    t2 = time.perf_counter()
    return run, t1 - t0, t2 - t0

if os.environ.get("BENCH_PROFILE"):
    import cProfile, io, pstats
    prof = cProfile.Profile()
    run, upload_s, total_s = prof.runcall(ingest)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(35)
    print(out.getvalue(), file=sys.stderr)
else:
    run, upload_s, total_s = ingest()
from apps.footprint.models import DailyRollup, PersonMonthRollup
rollup_rows = {"daily": DailyRollup.objects.count(), "person_month": PersonMonthRollup.objects.count()}
parse_s = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else None
print(json.dumps({"status": run.status, "errors": run.errors[:1], "rows": run.rows_read,
                  "records": run.records_stored, "seconds": total_s, "upload_seconds": upload_s,
                  "run_seconds": parse_s, "rss_before_mib": rss_before,
                  "peak_rss_mib": peak_rss_mib(), "rollup_rows": rollup_rows}))
"""
)


def generate(path: Path, rows: int) -> float:
    """Write `rows` gateway log rows to `path` with the demo generator; returns the seconds it took."""
    from apps.demo.litellm import write_litellm_csv
    from apps.demo.people import demo_people
    from apps.demo.timeline import demo_year

    started = time.perf_counter()
    write_litellm_csv(str(path), rows, demo_year(), demo_people())
    return time.perf_counter() - started


def fresh_postgres_database(url: str) -> None:
    """Drop and create the database named in `url`, through the server's `postgres` database."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"--database-url needs a plain database name, got {name!r}")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def child(code: str, path: Path, env: dict) -> dict:
    """Run `code` in a fresh interpreter on `path`; its last stdout line is a JSON object of figures."""
    proc = subprocess.run([sys.executable, "-c", code, str(path)], env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child process failed with exit code {proc.returncode}")
    if proc.stderr.strip() and env.get("BENCH_PROFILE"):
        print(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="gateway log rows to generate")
    parser.add_argument("--profile", action="store_true", help="cProfile the ingestion (slower)")
    parser.add_argument("--people", action="store_true", help="the generator's people and teams exist first")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (file and database)")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL URL whose database is dropped and created for the bench (default: SQLite)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        path = tmp / "litellm_spend_logs.csv"
        gen_s = generate(path, args.rows)
        size_mib = path.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows, {size_mib:,.0f} MiB in {gen_s:.1f} s: {path}")

        env = dict(
            os.environ,
            BENCH_ROOT=str(ROOT),
            DATA_DIR=str(tmp / "data"),
            DJANGO_SETTINGS_MODULE="reporting.settings",
            MAX_UPLOAD_MB=str(int(size_mib) + 100),
        )  # the file is far above the upload default
        env.pop("DATABASE_URL", None)  # a fresh SQLite database in the temp DATA_DIR, unless --database-url
        if args.database_url:
            fresh_postgres_database(args.database_url)
            env["DATABASE_URL"] = args.database_url
        env["DEBUG"] = "0"  # as a worker runs: no query log
        if args.profile:
            env["BENCH_PROFILE"] = "1"
        if args.people:
            env["BENCH_PEOPLE"] = "1"
        arrow = child(ARROW_CHILD, path, env)
        # Migrate in its own process: the ingestion child then measures what a worker holds, not the migration.
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
        ingest = child(INGEST_CHILD, path, env)
        if ingest["status"] != "succeeded":
            raise SystemExit(f"ingestion failed: {ingest['errors']}")

        ratio = ingest["seconds"] / arrow["seconds"]
        print(
            f"pyarrow read_csv : {arrow['seconds']:8.2f} s  {arrow['rows'] / arrow['seconds']:>12,.0f} rows/s  "
            f"peak RSS {arrow['peak_rss_mib']:,.0f} MiB"
        )
        print(
            f"ingestion        : {ingest['seconds']:8.2f} s  {ingest['rows'] / ingest['seconds']:>12,.0f} rows/s  "
            f"peak RSS {ingest['peak_rss_mib']:,.0f} MiB (before: {ingest['rss_before_mib']:,.0f} MiB)"
        )
        print(
            f"  of which upload (copy + SHA-256) {ingest['upload_seconds']:.2f} s, "
            f"run {ingest['run_seconds']:.2f} s; "
            f"{ingest['rows']:,} rows read -> {ingest['records']:,} usage records; rollup rows: "
            f"{ingest['rollup_rows']['daily']:,} daily, {ingest['rollup_rows']['person_month']:,} person-month"
        )
        print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; people: {'yes' if args.people else 'no'}")
        print(f"ratio to bare read: {ratio:.2f}x (target <= 3.5x at 1M); peak RSS flat 1M -> 5M")
        print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
