"""Seat rows (usage_kind=seat_activity): active user-days x interactions per active day x Wh per interaction.

Each factor is sourced in the set (interactions per day is an assumption until telemetry exists). No Django."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..factor_set import FactorSet
from ..usage_frame import USAGE_KIND_SEAT_ACTIVITY
from .ranges import RangeValue


class SeatCoefficients(NamedTuple):
    """kWh per active user-day of each distinct key (zero for other kinds), with each key's note."""

    kwh_per_user_day: RangeValue
    notes: list[str]


def seat_coefficients(fs: FactorSet, keys: list[tuple]) -> SeatCoefficients:
    """kWh per active user-day, low / high / central, of each distinct (kind, provider, model) key."""
    k = len(keys)
    low, high, central = np.zeros(k), np.zeros(k), np.zeros(k)
    notes = [""] * k
    for i, (kind, provider, model) in enumerate(keys):
        if kind != USAGE_KIND_SEAT_ACTIVITY:
            continue
        s = fs.seat_tool(model, provider)
        central[i] = s["interactions_per_day"] * s["wh_per_interaction"] / 1000
        low[i] = s["interactions_per_day_low"] * s["wh_per_interaction_low"] / 1000
        high[i] = s["interactions_per_day_high"] * s["wh_per_interaction_high"] / 1000
        notes[i] = (
            f"seat tool '{s['tool']}': assumed {s['interactions_per_day']} interactions per "
            f"active day x {s['wh_per_interaction']} Wh"
        )
    return SeatCoefficients(RangeValue(low, high, central), notes)


def seat_energy(active_user_days: np.ndarray, coefficients: SeatCoefficients, key_id: np.ndarray) -> RangeValue:
    """kWh of each row: active user-days x kWh per active user-day (0 for rows of other kinds)."""
    c = coefficients.kwh_per_user_day
    return RangeValue(
        low=active_user_days * c.low[key_id],
        high=active_user_days * c.high[key_id],
        central=active_user_days * c.central[key_id],
    )
