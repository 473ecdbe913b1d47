"""Read bench: every page and export of a year of a large organisation, next to the database's own aggregate.

Usage: python bench/read.py [--records 5000000] [--database sqlite|postgres] [--reuse] [--workers 4]
                            [--repeat 10] [--budget 120] [--users 10,50] [--duration 20] [--skip NAME,...]

1. An organisation of its own database: SQLite in ``<tmp>/ledger-bench-read-sqlite`` (the DATA_DIR, kept
   between runs), or PostgreSQL ``postgres://postgres@127.0.0.1:5432/ledger_bench_read`` (``--database-url``
   to name another; dropped and created again unless ``--reuse``). ``--records`` usage records of one year for
   10,000 people in 100 teams, 15 models of 4 providers, 3 sources, written through the documented bulk path
   of bench/read_build.py (calculator + the real record writer, chunk by chunk, one run per source; rollups
   rebuilt when ``rebuild_rollups`` exists) and a draft reporting period. ``--reuse`` keeps an organisation
   already built (and says how many records it has); a period an earlier run signed off is reopened, so the
   exports read a draft again.
2. gunicorn (``--workers`` sync workers, DEBUG off, no broker: tasks run as the embedded default runs them),
   an officer logged in through the login page, and an API token of theirs.
3. Single user, one request after another: up to ``--repeat`` requests per page (fewer once a page has used
   ``--budget`` seconds; n says how many), the median and p95, and the largest RSS a worker had meanwhile.
   A page that answers 202 (a task) is timed until its result is there. The exports are the draft period's
   (PDF, XLSX and evidence pack requested by POST and downloaded once their task rendered them; CSV and iXBRL
   downloaded). Then "cold": the first view of the main pages after a change (one day's rollups summed again,
   a new generation), without the warm-up task (a change before each page), and with it (the task timed, then
   each page). Sign-off comes last (each repeat signs off a new version, reopened and submitted for review by
   the admin in between, outside the timing): the request's answer, the period frozen, every export ready.
4. The floor of each row: the same question asked of the database in one SQL statement, timed in this
   process (median of ``--repeat``): the year summed by month (dashboard, summary, disclosure, PDF), by team
   and model (cost pages), the first 100 records (records list), every record of the year read (XLSX,
   evidence pack, sign-off).
5. The dashboard/summary mix at each of ``--users`` concurrent users for ``--duration`` seconds, each user
   sending its next request when the last answered: requests/s, p50/p95 and errors.
6. Each gunicorn worker's peak RSS (VmHWM).

Prints figures only; nothing is asserted. Not part of the test run. ``make bench-read READ_ARGS="..."``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from load import free_port, recreate_database, wait_until_up  # noqa: E402
from read_http import Client, WorkerMemory, concurrent_mix, median, percentile, time_requests  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/ledger_bench_read"
OFFICER = "officer@demo.example"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5_000_000, help="usage records of the year (default 5 M)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", default=PG_URL, help="the PostgreSQL database of the bench alone")
    parser.add_argument("--reuse", action="store_true", help="keep the organisation when it is already built")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--repeat", type=int, default=10, help="requests per page, single user (default 10)")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per page before repeats stop")
    parser.add_argument("--users", default="10,50", help="concurrent users of the dashboard/summary mix")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of each concurrent run")
    parser.add_argument("--timeout", type=int, default=3600, help="gunicorn's and the client's timeout, s")
    parser.add_argument("--skip", default="", help="comma-separated row names to leave out, e.g. 'xlsx,sign-off'")
    return parser.parse_args()


def environment(args) -> Path:
    """The bench's own site: its database, its data folder, DEBUG off, no broker. Returns the data folder."""
    data_dir = Path(tempfile.gettempdir()) / f"ledger-bench-read-{args.database}"
    if not args.reuse:
        shutil.rmtree(data_dir, ignore_errors=True)
        if args.database == "postgres":
            recreate_database(args.database_url)
    elif args.database == "postgres" and not _database_exists(args.database_url):
        recreate_database(args.database_url)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update({"DATA_DIR": str(data_dir), "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "reporting.settings"})
    os.environ["MAX_UPLOAD_MB"] = os.environ.get("MAX_UPLOAD_MB", "2000")
    for name in ("REDIS_URL", "PRODUCTION", "DATABASE_URL"):
        os.environ.pop(name, None)
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.database_url
    return data_dir


def _database_exists(url: str) -> bool:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]).fetchone()
    return found is not None


def set_up(args) -> dict:
    """Migrate, build (or reuse) the organisation, and issue the officer's API token."""
    import django

    django.setup()
    import read_build
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.demo import DEMO_SLUG
    from apps.accounts.models import ApiToken, Organisation
    from apps.demo.timeline import demo_year
    from apps.footprint.models import UsageRecord

    call_command("migrate", verbosity=0)
    org = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if org is None or not UsageRecord.objects.for_org(org).exists():
        started = time.perf_counter()
        timings = read_build.build(args.records, demo_year())
        print(f"built the organisation in {time.perf_counter() - started:.0f} s:")
        for step, seconds in timings.items():
            print(f"  {step:40} {seconds:8.1f} s")
        org = Organisation.objects.get(slug=DEMO_SLUG)
        wait_for_warm_up()  # the build's last change sent one (apps.costs.warm): not left to run under the timings
    else:
        print("reusing the organisation already built")
    records = UsageRecord.objects.for_org(org)
    count = records.count()
    if count != args.records:
        print(f"  note: it has {count:,} records, not --records {args.records:,}")
    membership = org.memberships.get(user__username=OFFICER)
    period = draft_period(org, membership)
    user = membership.user
    _, token = ApiToken.issue(user, "read bench")
    connection.close()  # gunicorn's workers open their own
    return {"org": org, "records": count, "period": period, "token": token, "year": period.start.year}


def wait_for_warm_up() -> float:
    """Wait for the cache warm-up tasks this process sent (the thread pool) and their cache writes; seconds."""
    from apps.connectors.dispatch import wait_for_pool
    from apps.core.cache import flush_writes

    started = time.perf_counter()
    wait_for_pool(timeout=3600)
    flush_writes()
    return time.perf_counter() - started


# The first views after a change, timed once each in "cold" (COLD_ROWS names rows of rows_to_time).
COLD_ROWS = (
    "dashboard",
    "summary API",
    "cost overview",
    "cost: ROI",
    "cost: right-sizing",
    "cost: rebound",
    "disclosure page (draft)",
    "PDF export (draft)",
)


def make_a_change(org, year: int) -> None:
    """What every ingestion's commit does to the figures, without new data: one day's rollups summed again in a
    transaction, which draws a new generation (every cached figure of the organisation is then stale)."""
    from django.db import transaction

    from apps.footprint import rollups

    with transaction.atomic():
        rollups.refresh(org.pk, [dt.date(year, 6, 2)])


def time_cold(client: Client, memory: WorkerMemory, config: dict, args) -> list[dict]:
    """The first view of each COLD_ROWS page after a change: without the warm-up (a change before each page, which
    computes its figures), then with it (one change; the warm-up task, run by this process's thread pool as the
    web process that stored a run runs it, waited for and timed; then each page asked once)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    rows = {
        name: (method, path, api)
        for name, method, path, api, _ in rows_to_time(config["org"].slug, config["period"].pk)
    }
    results = []
    for warmed in (False, True):
        settings.WARM_CACHES_AFTER_CHANGES = warmed
        make_a_change(config["org"], config["year"])
        label = "after the warm-up" if warmed else "no warm-up"
        if warmed:
            memory.label = "warm-up task (bench process)"
            seconds = wait_for_warm_up()
            results.append(
                {
                    "name": "warm-up task",
                    "seconds": [seconds],
                    "statuses": ["task"],
                    "bytes": 0,
                    "floor": "month",
                    "rss_mib": 0,
                }
            )
            print(f"  cold: the warm-up task took {seconds:.3f} s", flush=True)
        connection.close()
        for name in COLD_ROWS:
            if name not in rows:
                continue
            method, path, api = rows[name]
            if not warmed:
                make_a_change(config["org"], config["year"])  # each page its own change: none reads another's work
                connection.close()
            memory.label = f"cold, {label}: {name}"
            seconds, statuses, size = time_requests(client, method, path, api, 1, 0)
            results.append(
                {
                    "name": f"{'warmed' if warmed else 'cold'}: {name}"[:26],
                    "seconds": seconds,
                    "statuses": statuses,
                    "bytes": size,
                    "floor": rows_floor(name),
                    "rss_mib": memory.peak_mib(memory.label),
                }
            )
            print(f"  first view after a change, {label}: {name} {seconds[0]:.3f} s", flush=True)
    return results


def rows_floor(name: str) -> str:
    return next(floor for row, _m, _p, _a, floor in rows_to_time("o", 0) if row == name)


def draft_period(org, membership):
    """The year's draft period to read: the latest version, reopened when an earlier run signed it off."""
    from apps.disclosures import services
    from apps.disclosures.models import ReportingPeriod

    period = ReportingPeriod.objects.for_org(org).order_by("-start", "-version").first()
    if period.is_signed_off:
        period = services.reopen(period, membership, "bench/read.py: a draft to read again (--reuse)")
    return period


def start_gunicorn(args, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = data_dir / "gunicorn.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
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
                str(args.timeout),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    wait_until_up(base, proc, log_path)
    return proc, base


def log_in(base: str, password: str, timeout: float) -> dict:
    """The officer's session cookies, from the login page as a browser gets them."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=timeout)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    answer = session.post(
        f"{base}/login/",
        data={"username": OFFICER, "password": password, "csrfmiddlewaretoken": match.group(1) if match else ""},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=timeout,
    )
    if answer.status_code != 302:
        sys.exit(f"logging in as {OFFICER} answered {answer.status_code}")
    return session.cookies.get_dict()


def rows_to_time(org: str, period: int) -> list[tuple[str, str, str, bool, str]]:
    """(row name, method, path, API?, floor) of every page and export timed single-user, in this order."""
    o, p = f"/o/{org}", f"/o/{org}/periods/{period}"
    return [
        ("dashboard", "GET", f"{o}/", False, "month"),
        ("summary API", "GET", f"/api/v1/o/{org}/summary/", True, "month"),
        ("records API, first page", "GET", f"/api/v1/o/{org}/records/", True, "first100"),
        ("records page", "GET", f"{o}/records/", False, "first100"),
        ("cost overview", "GET", f"{o}/costs/", False, "team"),
        ("cost: seats", "GET", f"{o}/costs/seats/", False, "team"),
        ("cost: ROI", "GET", f"{o}/costs/roi/", False, "team"),
        ("cost: right-sizing", "GET", f"{o}/costs/right-sizing/", False, "team"),
        ("cost: rebound", "GET", f"{o}/costs/rebound/", False, "month"),
        ("cost: frugality", "GET", f"{o}/costs/frugality/", False, "team"),
        ("disclosure page (draft)", "GET", f"{p}/", False, "month"),
        ("disclosure API (draft)", "GET", f"/api/v1/o/{org}/periods/{period}/disclosure/", True, "month"),
        # A draft's PDF, XLSX and evidence pack are rendered by a task: requested (POST), then downloaded once
        # ready (the export URL answers 202 while it renders); timed from the request to the download.
        ("PDF export (draft)", "POST", f"/api/v1/o/{org}/periods/{period}/exports/pdf/", True, "month"),
        # CSV (datapoints) and iXBRL come from the draft's cached snapshot, downloaded at once.
        ("CSV export (draft)", "GET", f"/api/v1/o/{org}/periods/{period}/exports/csv/", True, "month"),
        ("iXBRL export (draft)", "GET", f"/api/v1/o/{org}/periods/{period}/exports/xhtml/", True, "month"),
        ("XLSX export (draft)", "POST", f"/api/v1/o/{org}/periods/{period}/exports/xlsx/", True, "scan"),
        ("evidence pack (draft)", "POST", f"/api/v1/o/{org}/periods/{period}/exports/evidence/", True, "scan"),
    ]


def floors(year: int, org_id: int, repeat: int) -> dict[str, tuple[str, float]]:
    """The database's own answer to each question, median seconds of `repeat`: {floor: (what, seconds)}."""
    import django

    django.setup()
    from django.db import connection

    from apps.footprint.models import UsageRecord

    table = connection.ops.quote_name(UsageRecord._meta.db_table)
    month = "date_trunc('month', day)" if connection.vendor == "postgresql" else "substr(day, 1, 7)"
    sums = (
        "SUM(energy_kwh), SUM(co2e_location_kg), SUM(co2e_market_kg), SUM(cost), SUM(requests), "
        "SUM(input_tokens), SUM(output_tokens), COUNT(*)"
    )
    where = f"FROM {table} WHERE organisation_id = %s AND day BETWEEN %s AND %s"
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    # SQLite stores days as ISO text; PostgreSQL gets dates.
    params = [org_id, first, last] if connection.vendor == "postgresql" else [org_id, str(first), str(last)]
    questions = {
        "month": ("the year summed by month", f"SELECT {month}, {sums} {where} GROUP BY {month}"),
        "team": ("summed by team and model", f"SELECT team_id, provider, model, {sums} {where} GROUP BY 1, 2, 3"),
        "first100": ("first 100 records", f"SELECT * {where} ORDER BY day DESC, id DESC LIMIT 100"),
        "scan": (
            "every record read",
            f"SELECT day, source, provider, model, person_ref, team_id, requests, input_tokens, output_tokens, "
            f"energy_kwh, co2e_location_kg, co2e_market_kg, cost {where}",
        ),
    }
    out = {}
    for key, (what, sql) in questions.items():
        seconds = []
        for _ in range(repeat if key != "scan" else max(1, min(repeat, 3))):
            t = time.perf_counter()
            _read_all(connection, sql, params)
            seconds.append(time.perf_counter() - t)
        out[key] = (what, median(seconds))
    connection.close()
    return out


def _read_all(connection, sql: str, params: list) -> int:
    """Every row of `sql`, fetched in batches (a server-side cursor on PostgreSQL, so memory stays flat)."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.connection.transaction(), connection.connection.cursor(name="floor") as cursor:
            cursor.execute(sql, params)
            return sum(len(rows) for rows in iter(lambda: cursor.fetchmany(20_000), []))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sum(len(rows) for rows in iter(lambda: cursor.fetchmany(20_000), []))


def print_single(results: list[dict], floor: dict) -> None:
    header = (
        f"{'page or export':26} {'n':>3} {'median ms':>10} {'p95 ms':>9} {'HTTP':>5} {'KiB':>8}  "
        f"{'floor: the same in SQL':26} {'floor ms':>9} {'x floor':>8} {'worker RSS':>11}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        what, floor_s = floor[r["floor"]]
        statuses = sorted({str(s) for s in r["statuses"]})
        print(
            f"{r['name']:26} {len(r['seconds']):>3} {median(r['seconds']) * 1000:>10,.0f} "
            f"{percentile(r['seconds'], 95) * 1000:>9,.0f} {'/'.join(statuses):>5} {r['bytes'] / 1024:>8,.0f}  "
            f"{what:26} {floor_s * 1000:>9,.1f} {median(r['seconds']) / floor_s:>8,.1f} "
            f"{r['rss_mib']:>7,.0f} MiB"
        )


def submit_for_review(period, signer) -> None:
    """Four eyes: another member (the admin) submits the draft for review, so the officer may sign it off."""
    from apps.accounts.models import Membership, Role
    from apps.disclosures import services
    from apps.disclosures.models import PeriodStatus

    period.refresh_from_db()
    if period.status == PeriodStatus.DRAFT and not period.organisation.single_signer_allowed:
        admins = Membership.objects.filter(organisation=signer.organisation, role=Role.ADMIN)
        reviewer = admins.exclude(user=signer.user).order_by("pk").first()
        services.submit_for_review(period, reviewer)


def time_sign_off(client: Client, memory: WorkerMemory, config: dict, args) -> list[dict]:
    """Sign-off through the API, each repeat on a new version (the signed-off one reopened and submitted for
    review in between, in this process and not timed): three rows, the request's answer, the period frozen (its
    status polled), and every export rendered by the tasks."""
    import django
    import requests

    django.setup()
    from django.db import connection

    from apps.accounts.models import Membership, Role
    from apps.disclosures import services

    membership = Membership.objects.get(organisation=config["org"], user__username=OFFICER, role=Role.OFFICER)
    period, statuses = config["period"], []
    times = {"answer": [], "frozen": [], "exports": []}
    memory.label = "sign-off"
    session = client.session()
    started = time.perf_counter()
    while len(statuses) < args.repeat and (not statuses or time.perf_counter() - started < args.budget):
        if statuses:
            period.refresh_from_db()
            if not period.is_signed_off:
                print(f"  sign-off answered {statuses[-1]} and the period is not signed off: not repeated")
                break
            period = services.reopen(period, membership, "bench/read.py: timing sign-off again")
        submit_for_review(period, membership)
        connection.close()
        url = f"{client.base}/api/v1/o/{config['org'].slug}/periods/{period.pk}/sign-off/"
        t = time.perf_counter()
        answer = session.post(url, json={"comment": "bench"}, headers=client.headers(True), timeout=client.timeout)
        times["answer"].append(time.perf_counter() - t)
        statuses.append(answer.status_code)
        status_url = answer.headers.get("Location")
        if answer.status_code != 202 or not status_url:
            print(f"  sign-off answered {answer.status_code}: {answer.text[:200]}")
            break
        frozen = None
        while True:
            try:
                body = session.get(status_url, headers=client.headers(True), timeout=client.timeout).json()
            except (requests.RequestException, ValueError):
                body = {}
            if frozen is None and body.get("status") == "signed_off":
                frozen = time.perf_counter() - t
            if body.get("status") not in ("signing", "signed_off") or (frozen is not None and body.get("finished")):
                break
            time.sleep(0.2)
        if frozen is None:
            print(f"  sign-off did not freeze: {body.get('status')} {body.get('sign_off_error', '')}")
            break
        times["frozen"].append(frozen)
        times["exports"].append(time.perf_counter() - t)
    return [
        {
            "name": name,
            "seconds": times[key],
            "statuses": statuses,
            "bytes": 0,
            "floor": "scan",
            "rss_mib": memory.peak_mib("sign-off"),
        }
        for key, name in (
            ("answer", "sign-off: answer"),
            ("frozen", "sign-off: frozen"),
            ("exports", "sign-off: all exports"),
        )
    ]


def main() -> None:
    args = parse_args()
    skip = {name.strip().lower() for name in args.skip.split(",") if name.strip()}
    data_dir = environment(args)
    config = set_up(args)
    org = config["org"].slug
    gunicorn = None
    try:
        gunicorn, base = start_gunicorn(args, data_dir)
        import read_build

        client = Client(base, log_in(base, read_build.BENCH_PASSWORD, args.timeout), config["token"], args.timeout)
        print(
            f"\n{config['records']:,} records on {args.database}, gunicorn {args.workers} workers, "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores"
        )
        floor = floors(config["year"], config["org"].pk, args.repeat)
        results = []
        with WorkerMemory(gunicorn.pid) as memory:
            for name, method, path, api, floor_key in rows_to_time(org, config["period"].pk):
                if any(word in name.lower() for word in skip):
                    continue
                memory.label = name
                client.until_ready(client.session(), method, path, api) if not _slow(name) else None  # warm-up
                seconds, statuses, size = time_requests(client, method, path, api, args.repeat, args.budget)
                results.append(
                    {
                        "name": name,
                        "seconds": seconds,
                        "statuses": statuses,
                        "bytes": size,
                        "floor": floor_key,
                        "rss_mib": memory.peak_mib(name),
                    }
                )
                print(f"  {name}: median {median(seconds):.3f} s of {len(seconds)}", flush=True)
            if "cold" not in skip:
                results += time_cold(client, memory, config, args)
            mix = [(f"/o/{org}/", False), (f"/api/v1/o/{org}/summary/", True)]
            concurrent = []
            for users in (int(u) for u in args.users.split(",") if u.strip()):
                memory.label = f"{users} users"
                concurrent.append(concurrent_mix(client, mix, users, args.duration))
                concurrent[-1]["rss_mib"] = memory.peak_mib(f"{users} users")
                c = concurrent[-1]  # said now too: a run stopped during sign-off keeps it
                print(f"  {users} users: {c['per_s']:.1f} req/s, p95 {c['p95'] * 1000:,.0f} ms, {c['errors']} errors")
            if "sign-off" not in skip:
                results += time_sign_off(client, memory, config, args)
        print_single(results, floor)
        print(f"\ndashboard/summary mix, closed loop (no think time), {args.duration:.0f} s each")
        print(f"{'users':>5} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'worker RSS':>11}")
        for c in concurrent:
            print(
                f"{c['users']:>5} {c['requests']:>9} {c['per_s']:>7.1f} {c['p50'] * 1000:>8,.0f} "
                f"{c['p95'] * 1000:>8,.0f} {c['errors']:>7} {c['rss_mib']:>7,.0f} MiB"
                + (f"   e.g. {c['first_errors'][0]}" if c["first_errors"] else "")
            )
        print(
            "\npeak RSS per gunicorn worker (VmHWM): "
            + ", ".join(f"pid {pid} {kib / 1024:,.0f} MiB" for pid, kib in sorted(memory.hwm.items()))
        )
        print(
            "targets (issue 14): pages median <= 50 ms, p95 <= 150 ms; 50 users >= 100 req/s, p95 <= 500 ms, "
            "0 errors; XLSX <= 60 s, PDF <= 2 s, evidence pack <= 30 s, sign-off <= 2 s (at 5 M records)"
        )
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
    print(
        f"the organisation stays in {args.database_url if args.database == 'postgres' else data_dir} "
        "(--reuse reads it again)"
    )


def _slow(name: str) -> bool:
    """Exports are not warmed up: one more of them would cost as much as the timing itself."""
    return "export" in name or "evidence" in name


if __name__ == "__main__":
    main()
