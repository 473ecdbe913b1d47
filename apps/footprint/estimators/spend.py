"""The spend-based fallback: rows with a cost but no activity get CO2e from the cost (EEIO kgCO2e per USD).

Energy is not estimable from spend: those rows' energy is NaN, not a silent zero. No Django."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from apps.core.distinct import map_distinct

from ..factor_set import FactorSet
from ..usage_frame import USAGE_KIND_SEAT_ACTIVITY, USAGE_KIND_TOKENS
from .ranges import RangeValue

# Which spend factor each usage kind takes; measured rows always have their energy.
SPEND_CATEGORY = {USAGE_KIND_TOKENS: "api", USAGE_KIND_SEAT_ACTIVITY: "seat"}


class SpendImpacts(NamedTuple):
    """Per row: whether the row is spend-based, its CO2e range, and whether its currency had no rate."""

    rows: np.ndarray
    co2e_kg: RangeValue
    no_exchange_rate: np.ndarray


def spend_factors(fs: FactorSet, keys: list[tuple]) -> np.ndarray:
    """kgCO2e per USD of each distinct (kind, provider, model) key (0 for measured rows)."""
    factors = np.zeros(len(keys))
    for i, (kind, _, _) in enumerate(keys):
        if kind in SPEND_CATEGORY:
            factors[i] = fs.spend_factor(SPEND_CATEGORY[kind])["kgco2e_per_usd"]
    return factors


def spend_based_emissions(
    fs: FactorSet,
    spend: np.ndarray,
    cost: np.ndarray,
    currency: pd.Series,
    kgco2e_per_usd: np.ndarray,
) -> SpendImpacts:
    """CO2e of the `spend` rows from their cost, converted to USD at the set's rates.

    The range is the method's spend_low_factor / spend_high_factor around it (EEIO data are uncertain by
    a factor of about 2 either way). A currency without a rate gives NaN and a flag."""
    n = len(cost)
    usd_rate = np.ones(n)
    no_rate = np.zeros(n, dtype=bool)
    if spend.any():
        usd_rate = map_distinct(currency, lambda c: fs.usd_per_unit(c or "USD") or np.nan, "float64").to_numpy()
        no_rate = spend & np.isnan(usd_rate)
    kg = cost * usd_rate * kgco2e_per_usd
    low_factor, high_factor = _spend_range(fs.method)
    return SpendImpacts(spend, RangeValue(kg * low_factor, kg * high_factor, kg), no_rate)


def no_activity(
    is_tokens: np.ndarray,
    is_seat: np.ndarray,
    output_tokens: np.ndarray,
    requests: np.ndarray,
    active_user_days: np.ndarray,
) -> np.ndarray:
    """Rows with no activity to estimate from: seats with no active user-day nor counted request, tokens with no
    token nor request."""
    return (is_seat & (active_user_days == 0) & (requests == 0)) | (is_tokens & (output_tokens == 0) & (requests == 0))


def _spend_range(method: Mapping[str, Any]) -> tuple[float, float]:
    return float(method.get("spend_low_factor", 0.5)), float(method.get("spend_high_factor", 2.0))
