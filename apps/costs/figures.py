"""The dashboard's and the summary API's figures for a set of filters: totals, series and API cost, read from
the rollups and cached until anything behind them changes.

The cache key holds the organisation's rollup generation (bumped in the transaction of every change to its
records), its prices (rows are never edited: a change is a new row, a removal lowers the count) and the factor
set in use (exchange rates), so a cached figure is never served after the records, a price or the rates
changed. The pages stay exact and cost a few small queries per view."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max

from apps.footprint import rollups, selectors
from apps.footprint.services import own_factor_set_id

from . import cost
from .models import ModelPrice

TIMEOUT_S = 24 * 3600


def _key(organisation, filters: selectors.Filters, names: tuple[str, ...]) -> str:
    prices = ModelPrice.objects.for_org(organisation).aggregate(n=Count("pk"), last=Max("pk"))
    own_set = own_factor_set_id(organisation)
    parts = (
        organisation.pk,
        rollups.generation(organisation.pk),
        prices["n"],
        prices["last"],
        own_set or "default",
        filters.querystring(),
        ",".join(names),
    )
    # Hashed: filter values come from the URL, and a cache key must stay short (250 characters for memcached,
    # 255 for the database cache's column).
    return "usage-figures:" + hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


def usage_figures(organisation, filters: selectors.Filters, names=tuple(selectors.SERIES)) -> dict:
    """{"totals", "series", "api_cost"} of what the filters select: selectors.totals and series over the rollups,
    and the cost owner's CostTotal. Callers may change what they get (it is a copy)."""
    key = _key(organisation, filters, tuple(names))
    found = cache.get(key)
    if found is None:
        usage = selectors.filtered_rollups(organisation, filters)
        found = {
            "totals": selectors.totals(usage),
            "series": selectors.series(usage, names),
            "api_cost": cost.filtered_cost_eur(organisation, filters),
        }
        cache.set(key, found, timeout=TIMEOUT_S)
    return found
