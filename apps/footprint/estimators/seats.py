"""Seat rows (usage_kind=seat_activity): the interactions of the row x Wh per interaction.

The interactions are measured where the source counts requests (GitHub Copilot metrics and usage reports,
Microsoft 365 Copilot v2 prompts, ChatGPT Enterprise messages: the row's `requests`; the sources spread a period's
count over the user's days, so a counted user's day is not also on the assumption); otherwise active user-days x
the seat tool's interactions per active day, an assumption (status `assumption` in the set's seat_tools table).
Each factor is sourced in the set. No Django."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..factor_set import FactorSet
from ..usage_frame import USAGE_KIND_SEAT_ACTIVITY
from .ranges import RangeValue


class SeatCoefficients(NamedTuple):
    """Per distinct key (zero for other kinds): kWh per active user-day (assumed interactions) and kWh per
    interaction (measured requests), with each key's note."""

    kwh_per_user_day: RangeValue
    kwh_per_interaction: RangeValue
    notes: list[str]


def seat_coefficients(fs: FactorSet, keys: list[tuple]) -> SeatCoefficients:
    """kWh per active user-day and per interaction, low / high / central, of each distinct (kind, provider,
    model) key."""
    k = len(keys)
    day_low, day_high, day_central = np.zeros(k), np.zeros(k), np.zeros(k)
    low, high, central = np.zeros(k), np.zeros(k), np.zeros(k)
    notes = [""] * k
    for i, (kind, provider, model) in enumerate(keys):
        if kind != USAGE_KIND_SEAT_ACTIVITY:
            continue
        s = fs.seat_tool(model, provider)
        central[i] = s["wh_per_interaction"] / 1000
        low[i] = s["wh_per_interaction_low"] / 1000
        high[i] = s["wh_per_interaction_high"] / 1000
        day_central[i] = s["interactions_per_day"] * central[i]
        day_low[i] = s["interactions_per_day_low"] * low[i]
        day_high[i] = s["interactions_per_day_high"] * high[i]
        status = s.get("interactions_status") or "assumption"
        notes[i] = (
            f"seat tool '{s['tool']}': {s['wh_per_interaction']} Wh per interaction; assumed "
            f"{s['interactions_per_day']} interactions per active day ({status}) where the source counts no requests"
        )
    return SeatCoefficients(RangeValue(day_low, day_high, day_central), RangeValue(low, high, central), notes)


def measured_interactions(is_seat: np.ndarray, requests: np.ndarray) -> np.ndarray:
    """Seat rows whose source counted the requests: their interactions are measured, not assumed."""
    return is_seat & (requests > 0)


def seat_energy(
    active_user_days: np.ndarray,
    requests: np.ndarray,
    measured: np.ndarray,
    coefficients: SeatCoefficients,
    key_id: np.ndarray,
) -> RangeValue:
    """kWh of each row: measured requests x kWh per interaction, else active user-days x kWh per active
    user-day (0 for rows of other kinds: their coefficients are 0)."""
    per_day, per_req = coefficients.kwh_per_user_day, coefficients.kwh_per_interaction

    def pick(day_coef: np.ndarray, req_coef: np.ndarray) -> np.ndarray:
        return np.where(measured, requests * req_coef[key_id], active_user_days * day_coef[key_id])

    return RangeValue(
        low=pick(per_day.low, per_req.low),
        high=pick(per_day.high, per_req.high),
        central=pick(per_day.value, per_req.value),
    )
