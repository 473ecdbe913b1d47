"""Warming the shared cache after a change, so the first view after it does not wait for the computation.

Every change behind the cached figures (an ingestion run stored, a run deleted, a mapping edited, a price saved:
each draws a new rollup generation; an organisation's own factor set stored) sends, once its transaction commits,
one `costs.warm_caches` task through apps.connectors.dispatch (a broker's worker, else the web process's thread
pool). The task computes into the shared cache what the first views would: the dashboard's, the summary API's and
the records page's figures for the default filters, the filter choices, the cost pages' figures for the default
window, and the snapshot of each recent draft period (with its PDF annex table), once: a snapshot is the same in
every language. Each is read back under the key the pages compute, so nothing is served that the pages would not
compute themselves. A bulk load (seed_demo) sends one warm-up at its end, not one per run (`deferred`).

Here, in costs, because it reads both the cost figures and the disclosures (apps below it); the pages above read
the same functions. `WARM_CACHES_AFTER_CHANGES=0` turns it off (the tests do, but the ones about it).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from apps.accounts.models import Organisation
from apps.connectors.dispatch import dispatch
from apps.disclosures import filters as period_filters
from apps.disclosures.models import ReportingPeriod
from apps.disclosures.snapshots import draft_of
from apps.footprint import rollups, selectors
from apps.footprint.services import own_factor_set_id

from . import page_figures, sizing
from .figures import usage_figures
from .window import window_for

log = logging.getLogger(__name__)

# Drafts warmed per change: the most recent periods (by end) that are drafts; older drafts compute when viewed.
RECENT_DRAFTS = 3
CLAIM_SECONDS = 3600
_deferred = threading.local()  # this thread's deferred() block: the organisations it owes a warm-up


@contextlib.contextmanager
def deferred():
    """Within it, this thread's changes send no warm-up; one per organisation they changed is sent at its end
    (once the transaction around it, if any, commits): a bulk load of many runs warms once, after the last."""
    if getattr(_deferred, "organisations", None) is not None:  # nested: the outer block sends
        yield
        return
    _deferred.organisations = set()
    try:
        yield
        owed = _deferred.organisations
    finally:
        _deferred.organisations = None
    for organisation_id in sorted(owed):
        warm_when_committed(organisation_id)


def warm_when_committed(organisation_id: int | None) -> None:
    """Send one warm-up of the organisation once the current transaction commits (nothing if it rolls back; one
    task however many changes the transaction made; at the end of a deferred() block, inside one)."""
    if organisation_id is None or not getattr(settings, "WARM_CACHES_AFTER_CHANGES", True):
        return
    owed = getattr(_deferred, "organisations", None)
    if owed is not None:
        owed.add(organisation_id)
        return
    # One already waiting for this transaction's commit will warm after this change too.
    for entry in transaction.get_connection().run_on_commit:
        if getattr(entry[1], "warms_organisation", None) == organisation_id and not entry[1].sent:
            return

    def send() -> None:
        from .tasks import warm_caches

        send.sent = True
        dispatch(warm_caches, organisation_id)

    send.warms_organisation, send.sent = organisation_id, False
    transaction.on_commit(send)


def on_generation(sender, instance, **kwargs) -> None:
    """post_save of RollupStamp: the organisation's records, mapping, runs or prices changed."""
    warm_when_committed(instance.organisation_id)


def on_factor_set(sender, instance, created, **kwargs) -> None:
    """post_save of FactorSetVersion: an organisation's own set (the built-in one has none) changes its figures."""
    if created:
        warm_when_committed(instance.organisation_id)


def recent_drafts(org) -> list[ReportingPeriod]:
    """The latest version of each of the most recent periods, where it is a draft (not signed off nor signing)."""
    latest: dict = {}
    for period in ReportingPeriod.objects.for_org(org).select_related("organisation").order_by("-end", "-version"):
        latest.setdefault((period.start, period.end), period)
    recent = list(latest.values())[:RECENT_DRAFTS]
    return [p for p in recent if not p.is_signed_off and not p.is_signing]


def warm(organisation_id: int) -> dict:
    """Compute the organisation's first-view figures into the shared cache (module docstring). Returns what it
    did: {"warmed": [what, seconds], ...} or {"skipped": why}. A second task for the same generation and factor set
    (another process, a redelivery) finds the claim and skips."""
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:
        return {"skipped": "no such organisation"}
    claim = f"cache-warm:{org.pk}:{rollups.generation(org.pk)}:{own_factor_set_id(org)}"
    if not cache.add(claim, True, timeout=CLAIM_SECONDS):
        return {"skipped": "already warmed for this generation"}
    done = []

    def step(what: str, compute) -> None:
        started = time.perf_counter()
        compute()
        done.append((what, round(time.perf_counter() - started, 3)))

    filters = period_filters.parse_filters(org, {})
    # The summary API (every series), the dashboard (its charts' series), the records page (totals only).
    for names in (tuple(selectors.SERIES), tuple(selectors.CHART_SERIES), ()):
        step(f"usage figures {','.join(names) or 'totals'}", lambda names=names: usage_figures(org, filters, names))
    step("filter choices", lambda: period_filters.choices(org))
    window = window_for(org)
    step("cost overview", lambda: page_figures.overview_figures(org, window))
    step("cost ROI", lambda: page_figures.roi_figures(org, window))
    step("right-sizing", lambda: page_figures.right_sizing_figures(org, window, sizing.DEFAULT_SHIFT_SHARE))
    step("rebound", lambda: page_figures.rebound_figures(org, window, "requests"))
    for period in recent_drafts(org):  # one snapshot serves every language (snapshots._draft_key)
        step(f"draft {period.pk}", lambda period=period: draft_of(period, warming=True))
    log.info("warmed the cache of organisation %s: %s", org.pk, done)
    return {"warmed": done}
