"""Seat rows (usage_kind=seat_activity): the interactions of the row x Wh per interaction.

The interactions are measured where the source counts requests (GitHub Copilot metrics and usage reports,
Microsoft 365 Copilot v2 prompts, ChatGPT Enterprise messages: the row's `requests`; the sources spread a period's
count over the user's days, so a counted user's day is not also on the assumption); otherwise active user-days x
the seat tool's interactions per active day, an assumption (status `assumption` in the set's seat_tools table).
Each factor is sourced in the set.

The two factors of an assumed row are independent (how often people ask; what one answer costs), so their
bounds combine as a product of independent uncertainties: the log bound ratios add in quadrature
(`combined_ratio`), not low x low and high x high, which would put both factors at their extreme at once.
Sets stored before method constant `seat_range` multiplied the extremes; they still do. No Django."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from apps.core.messages import Message

from ..factor_set import FactorSet
from ..usage_frame import USAGE_KIND_SEAT_ACTIVITY
from ..warning_codes import SEAT_TOOL
from .ranges import RangeValue

SEAT_RANGE_LOG_QUADRATURE = "log_quadrature"


def combined_ratio(*ratios: float) -> float:
    """The bound ratio of a product of independent factors, each with its own bound ratio (bound / central,
    or central / bound, >= 1): exp(sqrt(sum(ln(ratio)^2))). A factor without a range (ratio 1 or unknown)
    adds nothing."""
    return math.exp(math.sqrt(sum(math.log(r) ** 2 for r in ratios if r and r > 1)))


def _ratio(a: float, b: float) -> float:
    """a / b, 1 when b is 0 (no central figure: no spread to carry)."""
    return float(a) / float(b) if b else 1.0


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
    quadrature = fs.method.get("seat_range") == SEAT_RANGE_LOG_QUADRATURE
    for i, (kind, provider, model) in enumerate(keys):
        if kind != USAGE_KIND_SEAT_ACTIVITY:
            continue
        s = fs.seat_tool(model, provider)
        central[i] = s["wh_per_interaction"] / 1000
        low[i] = s["wh_per_interaction_low"] / 1000
        high[i] = s["wh_per_interaction_high"] / 1000
        per_day = s["interactions_per_day"]
        day_central[i] = per_day * central[i]
        if quadrature:
            day_low[i] = day_central[i] / combined_ratio(
                _ratio(per_day, s["interactions_per_day_low"]), _ratio(central[i], low[i])
            )
            day_high[i] = day_central[i] * combined_ratio(
                _ratio(s["interactions_per_day_high"], per_day), _ratio(high[i], central[i])
            )
        else:  # sets stored before `seat_range`: both factors at their extreme together
            day_low[i] = s["interactions_per_day_low"] * low[i]
            day_high[i] = s["interactions_per_day_high"] * high[i]
        status = s.get("interactions_status") or "assumption"
        notes[i] = Message(
            SEAT_TOOL,
            tool=s["tool"],
            wh=s["wh_per_interaction"],
            per_day=s["interactions_per_day"],
            status=Message(status),
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
