"""Row warnings as codes: a bitmask per row, turned into text only by `warning_messages`.

The notes that name something (a model, a zone, a seat tool's assumed factors) are written once per
distinct key by the estimators and the zone resolution; the conditions a row is in are these flags."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import numpy as np


class RowWarning(enum.IntFlag):
    """Conditions of a row that its figures carry a warning for. The values are bits of one int64 per row."""

    SPEND_BASED = 1
    NO_EXCHANGE_RATE = 2
    RESIDUAL_MIX_UNVERIFIED = 4
    REQUEST_COUNT_MISSING = 8
    RENTED_MEASURED_COMPUTE = 16
    GRID_VINTAGE_GAP = 32
    GRID_OTHER_BOUNDARY = 64
    FACILITY_PUE_ASSUMED = 128
    SEAT_INTERACTIONS_ASSUMED = 256
    NO_RESIDUAL_MIX = 512


MESSAGES = {
    RowWarning.SPEND_BASED: "spend-based: CO2e from cost (EEIO factor), energy not estimated",
    RowWarning.NO_EXCHANGE_RATE: "no exchange rate for the row's currency: spend-based CO2e unknown",
    RowWarning.RESIDUAL_MIX_UNVERIFIED: "residual-mix factor not yet verified against the AIB publication",
    RowWarning.REQUEST_COUNT_MISSING: "request count missing: time-to-first-token share omitted",
    RowWarning.RENTED_MEASURED_COMPUTE: "rented (not self-hosted) measured compute: Scope 3 cat. 1, not E1-5 energy",
    RowWarning.GRID_VINTAGE_GAP: (
        "grid or residual-mix factor of another year than the year of use (the latest earlier one or else the "
        "earliest; grid_year)"
    ),
    RowWarning.GRID_OTHER_BOUNDARY: (
        "grid factor on another boundary than the scope asks (Scope 2: generation, Scope 3: life cycle): "
        "the zone has no other"
    ),
    RowWarning.FACILITY_PUE_ASSUMED: "facility PUE not entered for the site: industry average assumed",
    RowWarning.SEAT_INTERACTIONS_ASSUMED: (
        "seat interactions assumed (the source counts no requests for the row's day): active user-days x the tool's "
        "interactions per active day"
    ),
    RowWarning.NO_RESIDUAL_MIX: (
        "no residual mix for the zone and year (none published or NA under full disclosure): market-based at "
        "the grid average for the share no instrument covers (GHG Protocol Scope 2 hierarchy)"
    ),
}


def row_flags(conditions: Mapping[RowWarning, np.ndarray], n: int) -> np.ndarray:
    """One int64 bitmask per row from a boolean array per warning."""
    flags = np.zeros(n, dtype=np.int64)
    for flag, mask in conditions.items():
        flags |= mask.astype(np.int64) * int(flag)
    return flags


def warning_messages(flags: int) -> list[str]:
    """The text of each warning set in `flags`, in the order of the codes."""
    flags = RowWarning(int(flags))
    return [text for flag, text in MESSAGES.items() if flag in flags]
