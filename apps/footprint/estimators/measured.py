"""Measured rows (usage_kind=measured_energy): the IT energy CodeCarbon measured, times the facility PUE of the
site (the officer's figure for the zone, else the set's assumed industry average): measured IT energy, modelled
facility."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..factor_set import FactorSet
from .ranges import RangeValue

PUE_ASSUMED = "assumed"


class FacilityPue(NamedTuple):
    """Per row: the facility PUE applied, whether it came from the set's facility table (the facility part is
    then modelled) and whether that figure is the assumed default rather than one entered for the site."""

    pue: np.ndarray
    modelled: np.ndarray
    assumed: np.ndarray


def facility_pue(fs: FactorSet, zone_names: list[str], zone_key_id: np.ndarray) -> FacilityPue:
    """The facility PUE of every row's grid zone, looked up once per distinct zone key. A set without a
    facility table (stored before it) applies its method's `measured_energy_pue` uplift (1: IT energy only)."""
    per_key = [fs.facility_pue(z) for z in zone_names]
    uplift = float(fs.method.get("measured_energy_pue", 1.0))
    return FacilityPue(
        pue=np.array([p[0] if p else uplift for p in per_key], dtype=np.float64)[zone_key_id],
        modelled=np.array([p is not None for p in per_key], dtype=bool)[zone_key_id],
        assumed=np.array([bool(p) and p[1] == PUE_ASSUMED for p in per_key], dtype=bool)[zone_key_id],
    )


def measured_energy(measured_kwh: np.ndarray, pue: np.ndarray | float) -> RangeValue:
    """kWh of each row: the measured IT energy times the facility PUE; no range (one PUE a site, its status
    says whether it was entered or assumed)."""
    kwh = measured_kwh * pue
    return RangeValue(kwh, kwh, kwh)
