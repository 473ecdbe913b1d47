"""The columns of a usage frame the calculator reads, as arrays: from a frame, or for one typed-in request."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from .usage_frame import USAGE_KIND_MEASURED_ENERGY, USAGE_KIND_SEAT_ACTIVITY, USAGE_KIND_TOKENS
from .zones import usage_years


class UsageRows(NamedTuple):
    """Per row, what the estimators read. String columns stay Series (factorising Arrow strings is far
    faster than Python objects); amounts are float64 arrays."""

    kind: pd.Series | np.ndarray
    provider: pd.Series | np.ndarray
    model: pd.Series | np.ndarray
    zone: pd.Series | np.ndarray
    day: pd.Series | np.ndarray  # datetime64[ns]
    years: np.ndarray
    currency: pd.Series
    self_hosted: np.ndarray
    output_tokens: np.ndarray
    requests: np.ndarray
    input_tokens: np.ndarray  # uncached
    cached_input_tokens: np.ndarray
    active_user_days: np.ndarray
    measured_kwh: np.ndarray
    cost: np.ndarray
    is_tokens: np.ndarray
    is_seat: np.ndarray
    is_measured: np.ndarray


def usage_rows(frame: pd.DataFrame) -> UsageRows:
    """The rows of a validated usage frame."""
    kind = frame["usage_kind"]
    return UsageRows(
        kind=kind,
        provider=frame["provider"],
        model=frame["model"],
        zone=frame["zone"],
        day=frame["day"],
        years=usage_years(frame["day"]),
        currency=frame["currency"],
        self_hosted=frame["self_hosted"].to_numpy(dtype=bool),
        output_tokens=frame["output_tokens"].to_numpy(dtype=np.float64),
        requests=frame["requests"].to_numpy(dtype=np.float64),
        input_tokens=frame["input_tokens"].to_numpy(dtype=np.float64),
        cached_input_tokens=frame["cached_input_tokens"].to_numpy(dtype=np.float64),
        active_user_days=frame["active_user_days"].to_numpy(dtype=np.float64),
        measured_kwh=frame["measured_energy_kwh"].to_numpy(dtype=np.float64),
        cost=frame["cost"].to_numpy(dtype=np.float64),
        is_tokens=(kind == USAGE_KIND_TOKENS).to_numpy(dtype=bool),
        is_seat=(kind == USAGE_KIND_SEAT_ACTIVITY).to_numpy(dtype=bool),
        is_measured=(kind == USAGE_KIND_MEASURED_ENERGY).to_numpy(dtype=bool),
    )


def token_request_row(
    provider: str,
    model: str,
    zone: str,
    day: dt.date,
    output_tokens: float,
    requests: float,
    input_tokens: float = 0,
    cached_input_tokens: float = 0,
) -> UsageRows:
    """One token row, bought from a provider (not self-hosted), with no cost: what `estimate_request` prices.

    Built directly rather than through a DataFrame: a frame costs milliseconds, callers price many."""

    def one(value, dtype=object) -> np.ndarray:
        return np.array([value], dtype=dtype)

    return UsageRows(
        kind=one(USAGE_KIND_TOKENS),
        provider=one(provider),
        model=one(model),
        zone=one(zone),
        day=one(day, "datetime64[ns]"),
        years=one(day.year, np.int64),
        currency=pd.Series([""], dtype=object),
        self_hosted=one(False, bool),
        output_tokens=one(output_tokens, np.float64),
        requests=one(requests, np.float64),
        input_tokens=one(input_tokens, np.float64),
        cached_input_tokens=one(cached_input_tokens, np.float64),
        active_user_days=np.zeros(1),
        measured_kwh=np.zeros(1),
        cost=np.zeros(1),
        is_tokens=one(True, bool),
        is_seat=one(False, bool),
        is_measured=one(False, bool),
    )
