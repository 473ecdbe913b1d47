"""Energy to location-based GHG, whatever the usage kind (EcoLogits' request_usage_gwp)."""

from __future__ import annotations

import numpy as np

from .ranges import RangeValue


def request_usage_gwp(energy_kwh: RangeValue, gco2e_per_kwh: np.ndarray) -> RangeValue:
    """kgCO2e of each row's energy at its grid factor (low, high and central alike)."""
    return RangeValue(
        low=energy_kwh.low * gco2e_per_kwh / 1000,
        high=energy_kwh.high * gco2e_per_kwh / 1000,
        central=energy_kwh.value * gco2e_per_kwh / 1000,
    )
