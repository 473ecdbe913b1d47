"""Upstream of purchased electricity (GHG Protocol Scope 3 category 3, "fuel- and energy-related activities"):
the life-cycle share of Scope 2's electricity that the generation boundary leaves out (fuel extraction and
transport, plant construction, grid losses). No Django.

Location-based Scope 2 is on the generation boundary (apps.footprint.zones.grid_factors); what the life-cycle
factor adds is reported apart, per grid zone and year of use, from Scope 2's energy summed per zone: no
per-record column. A zone without a generation factor already has the life-cycle factor in Scope 2 (flagged):
its upstream is 0, inside Scope 2. A US state has eGRID's generation factor and no life-cycle one: the national
upstream (USA life cycle - USA generation, per kWh) stands for it, flagged as an assumption.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .factor_set import FactorSet
from .factor_table import BOUNDARY_GENERATION, BOUNDARY_LIFE_CYCLE, FactorLookupError, GridFactor

SCOPE2 = "scope2"
US_STATE_PREFIX, US = "US-", "USA"
# Flags, fixed English (pages translate them; the snapshot and the evidence pack store them as they are).
FLAG_INSIDE_SCOPE2 = "no generation factor for the zone: Scope 2 uses the life-cycle factor, upstream is inside Scope 2"
FLAG_NATIONAL = "no life-cycle factor for the US state: the national upstream (USA) per kWh applied, an assumption"
FLAG_NO_LIFE_CYCLE = "no life-cycle factor for the zone: upstream not estimated (0)"
FLAG_BELOW = "life-cycle factor below the generation factor (different sources): upstream 0"
UPSTREAM_METHOD = (
    "Scope 3 category 3 (upstream of purchased electricity, GHG Protocol 'fuel- and energy-related activities'): "
    "per grid zone and year of use, Scope 2 kWh (facility, after PUE) x (life-cycle factor - generation factor) "
    "/ 1000 kgCO2e, the factors of that zone and year (or the latest earlier vintage, named); a zone without a "
    "generation factor has its upstream inside Scope 2 (0 here). Low/high: Scope 2's kWh range at the same factors "
    "(measured energy has none). Added to the Scope 3 total and the GHG totals (category 3 is part of Scope 3), "
    "not to category 1 nor to the cloud subset; secondary data in E1-6_25 (database factors)."
)


def zone_upstream(fs: FactorSet, zone: str, year: int) -> dict[str, Any]:
    """The generation and life-cycle factors of one zone and year of use, the upstream gCO2e/kWh between them
    and the flag saying why it is 0 or borrowed (empty when neither)."""
    generation = fs.grid_factor(zone, year, BOUNDARY_GENERATION)
    life_cycle = fs.grid_factor(zone, year, BOUNDARY_LIFE_CYCLE)
    flag, basis, generation_us = "", life_cycle, generation
    if generation.boundary != BOUNDARY_GENERATION:
        flag = FLAG_INSIDE_SCOPE2
    elif life_cycle.boundary != BOUNDARY_LIFE_CYCLE:
        national = _national(fs, zone, year)
        if national is None:
            flag = FLAG_NO_LIFE_CYCLE
        else:
            flag, basis, generation_us = FLAG_NATIONAL, national[0], national[1]
    counted = flag in ("", FLAG_NATIONAL)  # the two factors the upstream is the difference of
    upstream = basis.gco2e_per_kwh - generation_us.gco2e_per_kwh if counted else 0.0
    if upstream < 0:
        upstream, flag = 0.0, FLAG_BELOW
    return {
        "grid_zone": zone,
        "year": int(year),
        "generation_gco2e_per_kwh": generation.gco2e_per_kwh,
        "generation_year": generation.year,
        "generation_source": generation.source if generation.boundary == BOUNDARY_GENERATION else "",
        "life_cycle_gco2e_per_kwh": basis.gco2e_per_kwh if basis.boundary == BOUNDARY_LIFE_CYCLE else None,
        "life_cycle_year": basis.year if basis.boundary == BOUNDARY_LIFE_CYCLE else None,
        "life_cycle_source": basis.source if basis.boundary == BOUNDARY_LIFE_CYCLE else "",
        # The generation factor subtracted (the zone's, or the USA's for a state); None when nothing is.
        "basis_generation_gco2e_per_kwh": generation_us.gco2e_per_kwh if counted else None,
        "upstream_gco2e_per_kwh": upstream,
        "flag": flag,
    }


def _national(fs: FactorSet, zone: str, year: int) -> tuple[GridFactor, GridFactor] | None:
    """(USA life-cycle, USA generation) for a US state, when the set has both; else None."""
    if not zone.startswith(US_STATE_PREFIX):
        return None
    try:
        life_cycle = fs.grid_factor(US, year, BOUNDARY_LIFE_CYCLE)
        generation = fs.grid_factor(US, year, BOUNDARY_GENERATION)
    except FactorLookupError:
        return None
    if life_cycle.boundary != BOUNDARY_LIFE_CYCLE or generation.boundary != BOUNDARY_GENERATION:
        return None
    return life_cycle, generation


def upstream_of_electricity(records: pd.DataFrame, fs: FactorSet) -> dict[str, Any]:
    """Scope 3 category 3 of an estimated frame (records or rollup rows, with `scope`, `grid_zone`, `day` and
    `energy_kwh` with its range): per (grid zone, year of use) row its kWh, factors, upstream kg (low, high) and
    flag, and the total in tCO2e as (central, low, high)."""
    empty = {"rows": [], "total_t": (0.0, 0.0, 0.0), "method": UPSTREAM_METHOD}
    if records.empty or "scope" not in records.columns:
        return empty
    own = records["scope"].astype(str).to_numpy(dtype=object) == SCOPE2
    if not own.any():
        return empty
    frame = pd.DataFrame(
        {
            "grid_zone": records["grid_zone"].astype(str).to_numpy(dtype=object)[own],
            "year": pd.to_datetime(records["day"]).dt.year.to_numpy(dtype=np.int64)[own],
            **{
                c: np.nan_to_num(records[c].to_numpy(dtype=np.float64)[own])
                for c in ("energy_kwh", "energy_kwh_low", "energy_kwh_high")
            },
        }
    )
    sums = frame.groupby(["grid_zone", "year"], sort=True).sum()
    rows, total = [], np.zeros(3)
    for (zone, year), kwh in sums.iterrows():
        row = zone_upstream(fs, str(zone), int(year))
        per_kwh = row["upstream_gco2e_per_kwh"] / 1000
        kg = np.array([kwh["energy_kwh"], kwh["energy_kwh_low"], kwh["energy_kwh_high"]]) * per_kwh
        total += kg
        rows.append(
            {
                **row,
                "energy_kwh": float(kwh["energy_kwh"]),
                "upstream_kg": float(kg[0]),
                "upstream_kg_low": float(kg[1]),
                "upstream_kg_high": float(kg[2]),
            }
        )
    return {"rows": rows, "total_t": tuple(float(x) / 1000 for x in total), "method": UPSTREAM_METHOD}
