"""Seconds and peak memory of the evidence pack's recompute.py on the demo year, run as an outsider runs it.

Usage: python bench/evidence_recompute.py [--scale 1.0]

In a fresh SQLite database in a temp DATA_DIR: seeds the demo organisation with its year of usage, signs the year
off (the officer submits, the admin signs), renders the evidence pack (timed), unpacks it, then runs
`python -I recompute.py` in a subprocess in a temporary directory (timed; peak resident memory of the child from
getrusage). Prints figures only.
"""

from __future__ import annotations

import datetime as dt
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from demo_setup import scale_option, seed_demo, throwaway_database


def main() -> None:
    scale = scale_option(__doc__)
    tmp = throwaway_database("bench-recompute-")
    from apps.accounts.models import Membership, Role
    from apps.disclosures import services
    from apps.footprint.models import UsageRecord

    org, year = seed_demo(scale)
    print(f"demo year {year}: {UsageRecord.objects.for_org(org).count():,} records")
    period = services.create_period(org, None, dt.date(year, 1, 1), dt.date(year, 12, 31), net_revenue_eur=125_000_000)
    members = {m.role: m for m in Membership.objects.filter(organisation=org)}
    services.submit_for_review(period, members[Role.OFFICER])
    period = services.sign_off(period, members[Role.ADMIN], "bench", accept_unverified=True)
    started = time.perf_counter()
    data = services.render(period, "evidence")
    print(f"evidence pack: {len(data) / 2**20:.1f} MiB rendered in {time.perf_counter() - started:.1f} s")
    where = tmp / "pack"
    (tmp / "pack.zip").write_bytes(data)
    with zipfile.ZipFile(tmp / "pack.zip") as archive:
        archive.extractall(where)
    # GNU time reports the child's own peak (getrusage's children figure counts forks of this large process too)
    command = ["/usr/bin/time", "-f", "%M %U %S"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    done = subprocess.run(
        [*command, sys.executable, "-I", str(where / "recompute.py")], cwd=tmp, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    kib, user, system = done.stderr.split()[-3:] if command else (usage.ru_maxrss, usage.ru_utime, usage.ru_stime)
    print(f"recompute.py: exit {done.returncode}, {done.stdout.strip().splitlines()[-1]}")
    print(
        f"recompute.py: {seconds:.1f} s wall, {float(user) + float(system):.1f} s CPU, peak {int(kib) / 1024:.0f} MiB "
        "(python -I, standard library only)"
    )
    shutil.rmtree(tmp, ignore_errors=True)  # the database, the uploads and the pack: hundreds of MB at scale 1


if __name__ == "__main__":
    main()
