"""Measured rows (usage_kind=measured_energy): the kWh CodeCarbon measured (its configured PUE included)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .ranges import RangeValue


def measured_energy(measured_kwh: np.ndarray, method: Mapping[str, Any]) -> RangeValue:
    """kWh of each row: the measurement times the set's uplift (1 by default); no range, it was measured."""
    kwh = measured_kwh * float(method.get("measured_energy_pue", 1.0))
    return RangeValue(kwh, kwh, kwh)
