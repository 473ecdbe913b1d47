"""Seconds to build and render the annual disclosure of the demo organisation.

Usage: python bench/disclose.py [--scale 1.0]

In a fresh SQLite database in a temp DATA_DIR: seeds the demo organisation with its year of usage (not
timed), creates the reporting period (the officer submits it, the admin signs it off), then times computing the
snapshot (re-estimating the year's records with the period's instruments), the sign-off request (the page's POST,
answered before the work) and the thread pool freezing the period and rendering every export, and rendering each
export (PDF, XLSX, CSV, inline XBRL, evidence pack) from the frozen snapshot. Prints figures only.
"""

from __future__ import annotations

import datetime as dt
import time

from demo_setup import scale_option, seed_demo, throwaway_database


def main() -> None:
    scale = scale_option(__doc__)
    throwaway_database("bench-disclose-")
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from apps.accounts.models import Membership, Role
    from apps.connectors.dispatch import wait_for_pool
    from apps.disclosures import services
    from apps.disclosures.models import ReportingPeriod
    from apps.footprint.models import UsageRecord

    started = time.perf_counter()
    org, year = seed_demo(scale)
    records = UsageRecord.objects.for_org(org).count()
    print(f"seeded demo year {year}: {records:,} records in {time.perf_counter() - started:.1f} s (not timed)")

    period = services.create_period(
        org,
        None,
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        net_revenue_eur=400_000_000,
        internal_carbon_price_eur_per_t=80,
    )
    # Four eyes, as the demo's roles do it: the officer submits the period, the admin signs it off.
    members = {m.role: m for m in Membership.objects.filter(organisation=org)}
    timings = {}
    t = time.perf_counter()
    services.build_snapshot(period)
    timings["compute snapshot (draft)"] = time.perf_counter() - t
    period = services.submit_for_review(period, members[Role.OFFICER])
    # Sign-off as a person asks for it, on the embedded default: the page's POST answers, then the thread
    # pool freezes the period and renders every export (apps.connectors.dispatch).
    settings.TASK_POOL_WORKERS = 2
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(members[Role.ADMIN].user)
    t = time.perf_counter()
    # The demo's factors are still to verify: signed off as an explicit exception, as evidence_recompute.py does.
    form = {"comment": "bench", "accept_unverified": "on"}
    response = client.post(reverse("disclosures:period_sign_off", args=[org.slug, period.pk]), form)
    timings["sign-off request (answer)"] = time.perf_counter() - t
    print(f"sign-off request answered in {timings['sign-off request (answer)']:.2f} s", flush=True)
    assert response.status_code == 302, response.status_code
    while (period := ReportingPeriod.objects.get(pk=period.pk)).is_signing:
        time.sleep(0.05)
    assert period.is_signed_off, period.sign_off_error
    timings["  then frozen, by the pool"] = time.perf_counter() - t
    wait_for_pool(timeout=3600)
    timings["  then all exports ready"] = time.perf_counter() - t
    states = {row["format"]: row["state"] for row in services.task_status(period)["exports"]}
    assert set(states.values()) == {"ready"}, states
    sizes = {}
    for fmt in ("pdf", "xlsx", "csv", "xhtml", "evidence"):
        t = time.perf_counter()
        content = services.render(period, fmt)
        timings[f"render {fmt}"] = time.perf_counter() - t
        sizes[fmt] = len(content)
    for name, seconds in timings.items():
        size = sizes.get(name.removeprefix("render "))
        print(f"{name:30} {seconds:7.2f} s" + (f"   {size / 1024:,.0f} KiB" if size else ""))
    print(f"annual PDF, build + render: {timings['compute snapshot (draft)'] + timings['render pdf']:.2f} s")


if __name__ == "__main__":
    main()
