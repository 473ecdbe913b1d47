"""The cost pages' figures (overview, ROI, right-sizing, rebound), computed once and cached until an input
behind them changes, so a warm page costs a few small queries and no pandas work.

The key holds everything the figures read: the rollup generation (records, mapping, runs), the prices, the
factor set, the licences, the ROI inputs, the seat runs, the teams and people (names shown), the window with its
period and carbon price, and the page's own parameters. Licences and teams are few: their rows are hashed whole,
since a licence is edited in place and has no updated_at."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max

from apps.accounts.models import Person, Team
from apps.connectors.models import IngestionRun, RunStatus
from apps.footprint import rollups
from apps.footprint.services import own_factor_set_id

from . import sizing
from .models import Licence, ModelPrice, RoiAssumption
from .reconciliation import reconcile
from .records import frame_cost_total
from .roi import roi_report
from .seats import seat_report
from .summary import usage_summary
from .usage import read_usage
from .window import Window

TIMEOUT_S = 24 * 3600


def _digest(rows) -> str:
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def inputs_stamp(org) -> str:
    """A text that changes whenever any input of the cost pages' figures may have changed (module docstring)."""
    prices = ModelPrice.objects.for_org(org).aggregate(n=Count("pk"), last=Max("pk"))
    assumptions = RoiAssumption.objects.for_org(org).aggregate(n=Count("pk"), last=Max("updated_at"))
    runs = IngestionRun.objects.for_org(org).filter(status=RunStatus.SUCCEEDED).aggregate(n=Count("pk"), last=Max("pk"))
    people = Person.objects.for_org(org).aggregate(n=Count("pk"), last=Max("pk"))
    licences = Licence.objects.for_org(org).order_by("pk").values_list()
    teams = Team.objects.for_org(org).order_by("pk").values_list("pk", "name")
    parts = (
        rollups.generation(org.pk),
        prices["n"],
        prices["last"],
        own_factor_set_id(org) or "default",
        assumptions["n"],
        assumptions["last"],
        runs["n"],
        runs["last"],
        people["n"],
        people["last"],
        _digest(licences),
        _digest(teams),
    )
    return ":".join(str(part) for part in parts)


def cache_key(org, window: Window, page: str, params: tuple) -> str:
    """The key a page's figures are cached under: the inputs' stamp, the window and the page's parameters."""
    window_part = (window.start, window.end, window.period_id, window.carbon_price_eur_per_t)
    text = ":".join(str(p) for p in (inputs_stamp(org), *window_part, *params))
    # Hashed: the parts hold spaces (timestamps), which memcached-style keys may not.
    return f"cost-page:{page}:{org.pk}:{hashlib.sha256(text.encode()).hexdigest()}"


def _cached(org, window: Window, page: str, params: tuple, compute):
    key = cache_key(org, window, page, params)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=TIMEOUT_S)
    return found


def overview_figures(org, window: Window) -> dict:
    """summary, seats, roi, api_cost and the reconciliation lines of the months with a vendor's bill."""

    def compute() -> dict:
        usage = read_usage(org, window)  # from the rollups, read once for the three
        seats = seat_report(org, window)
        return {
            "summary": usage_summary(org, window, usage=usage, seats=seats),
            "seats": seats,
            "roi": roi_report(org, window, usage=usage, seats=seats),
            "api_cost": frame_cost_total(org, usage.rows),
            # Only the months with a vendor's bill: without one there is nothing to reconcile.
            "reconciliation": [m for m in reconcile(org, window.start, window.end) if m.billed_eur is not None],
        }

    return _cached(org, window, "overview", (), compute)


def roi_figures(org, window: Window) -> list[dict]:
    """roi_report of the window, cached (callers add their forms to copies of the items)."""
    return _cached(org, window, "roi", (), lambda: roi_report(org, window))


def right_sizing_figures(org, window: Window, share: float) -> dict:
    """sizing.right_sizing of the window at `share`, cached."""
    return _cached(org, window, "right-sizing", (repr(share),), lambda: sizing.right_sizing(org, window, share))


def rebound_figures(org, window: Window, basis: str) -> dict:
    """sizing.rebound of the window on `basis`, cached."""
    return _cached(org, window, "rebound", (basis,), lambda: sizing.rebound(org, window, basis))
