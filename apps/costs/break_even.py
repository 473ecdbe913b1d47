"""ROI as evidence, not a claim: the break-even time saving of a tool beside the published range of measured
savings, the value as a capped multiple of the cost. Numbers in, numbers out (no Django)."""

from __future__ import annotations

import math

from .calc import DAYS_PER_MONTH

# Above this multiple of its cost, a tool's value is shown as "more than x10": the inputs (minutes saved,
# hourly cost) are estimates, and a figure of x500 would claim a precision they do not have. A display choice
# of this project, not a published figure.
VALUE_MULTIPLE_CAP = 10.0


def evidence(
    band: dict,
    inputs: dict,
    seats_bought: int,
    active_user_days: float,
    months: float,
    assumed: tuple[str, ...] = (),
) -> dict:
    """The break-even (minutes saved per active user-day, and hours per seat per month when seats are bought)
    beside the range of minutes saved the inputs take from published studies, and where it falls in it:
    `below_low` (pays back even at the low end), `within` or `above_high` (needs more than the studies found).
    The central break-even uses the central hourly cost; its low-high uses the high and low hourly cost.

    The multiple (value / cost) is capped at VALUE_MULTIPLE_CAP, and the payback with it: a value over x10 the
    cost pays back within a tenth of the window, which is all `payback_within_days` then says (`payback_capped`).
    `assumed` names the inputs that are assumptions (defaults.assumed_inputs), for the page to flag."""
    central = band["central"]["break_even_minutes_per_active_day"]
    low_m, high_m = inputs["minutes_saved_low"], inputs["minutes_saved_high"]
    if central is None:
        verdict = None
    elif central <= low_m:
        verdict = "below_low"
    elif central <= high_m:
        verdict = "within"
    else:
        verdict = "above_high"
    per_seat = None
    if central is not None and seats_bought and months:
        per_seat = central * active_user_days / 60 / seats_bought / months
    multiple = band["central"]["value_multiple"]
    capped = multiple is not None and multiple > VALUE_MULTIPLE_CAP
    payback = band["central"]["payback_days"]
    if capped:
        payback = months * DAYS_PER_MONTH / VALUE_MULTIPLE_CAP
    return {
        "break_even_minutes": central,
        "break_even_minutes_low": band["high"]["break_even_minutes_per_active_day"],
        "break_even_minutes_high": band["low"]["break_even_minutes_per_active_day"],
        "break_even_hours_per_seat_month": per_seat,
        "verdict": verdict,
        "multiple": multiple,
        "multiple_low": band["low"]["value_multiple"],
        "multiple_high": band["high"]["value_multiple"],
        "multiple_capped": capped,
        "multiple_low_capped": _over_cap(band["low"]["value_multiple"]),
        "multiple_high_capped": _over_cap(band["high"]["value_multiple"]),
        "cap": VALUE_MULTIPLE_CAP,
        "payback_days": band["central"]["payback_days"],
        # Whole days, rounded up: "paid back within N days" (the page's plural needs a whole number).
        "payback_within_days": math.ceil(payback) if payback is not None else None,
        "payback_capped": capped,
        "minutes_saved_low": inputs["minutes_saved_low"],
        "minutes_saved_high": inputs["minutes_saved_high"],
        "assumed_inputs": list(assumed),
    }


def _over_cap(multiple: float | None) -> bool:
    return multiple is not None and multiple > VALUE_MULTIPLE_CAP
