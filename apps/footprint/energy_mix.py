"""ESRS E1-5 energy mix: self-hosted energy split into fossil, nuclear and renewable MWh. No Django."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from apps.core.distinct import distinct_keys

from .catalogue import default_factor_set
from .factor_set import FactorSet
from .market import allocate_instruments
from .usage_frame import UsageFrameError
from .zones import usage_years


def energy_mix_split(
    frame_with_estimates: pd.DataFrame, factor_set: FactorSet | None = None, instruments: Any = None
) -> dict[str, Any]:
    """ESRS E1-5 split of self-hosted energy into fossil / nuclear / renewable MWh.

    Only self-hosted rows count (own operations; purchased services are Scope 3, not E1-5).
    Renewable: only what contractual instruments cover (AR 32(j)); instruments flagged nuclear
    or fossil go to those buckets. The uncovered rest is split between fossil and nuclear in the
    proportion of the grid's fossil and nuclear generation shares for the zone and year: the grid's
    uncertified renewable share is NOT counted renewable (its attributes went to certificate holders),
    so it is spread over the non-renewable sources. Zones without share data, or whose grid has no
    fossil or nuclear generation, count as fossil (conservative)."""
    fs = factor_set or default_factor_set()
    df = frame_with_estimates
    for col in ("energy_kwh", "grid_zone", "self_hosted", "day"):
        if col not in df.columns:
            raise UsageFrameError(col, "column is missing (run estimate() first)")
    own = df["self_hosted"].to_numpy(dtype=bool) & df["energy_kwh"].notna().to_numpy()
    energy = np.where(own, df["energy_kwh"].to_numpy(dtype=np.float64), 0.0)
    energy = np.nan_to_num(energy)
    grid_zone = df["grid_zone"].to_numpy(dtype=object)
    alloc = allocate_instruments(df["day"], grid_zone, energy, own, instruments, fs)
    uncovered = energy - alloc["covered_kwh"]
    gid, gkeys = distinct_keys(grid_zone, usage_years(df["day"]))
    nuc_part = []
    for z, y in gkeys:
        f = fs.grid_factor(z, int(y))
        fossil, nuclear = f.fossil_share, f.nuclear_share
        if fossil is None or nuclear is None or fossil + nuclear <= 0:
            nuc_part.append(0.0)
        else:
            nuc_part.append(nuclear / (fossil + nuclear))
    nuc = np.array(nuc_part)[gid]
    nuclear_kwh = uncovered * nuc + alloc["covered_nuclear_kwh"]
    fossil_kwh = uncovered * (1 - nuc) + alloc["covered_fossil_kwh"]
    renewable_kwh = alloc["covered_renewable_kwh"]
    total = float(energy.sum())

    def share(x: float) -> float | None:
        return x / total if total > 0 else None

    out = {
        "total_mwh": total / 1000,
        "fossil_mwh": float(fossil_kwh.sum()) / 1000,
        "nuclear_mwh": float(nuclear_kwh.sum()) / 1000,
        "renewable_mwh": float(renewable_kwh.sum()) / 1000,
        "instrument_covered_mwh": float(alloc["covered_kwh"].sum()) / 1000,
        "instruments": alloc["report"],
        "basis": "renewable = contractual instruments only (ESRS E1 AR 32(j)); rest by grid fossil:nuclear",
        # Per-row split, so a disclosure's evidence can be summed back from its records.
        "rows": {"fossil_kwh": fossil_kwh, "nuclear_kwh": nuclear_kwh, "renewable_kwh": renewable_kwh},
    }
    out["fossil_share"] = share(out["fossil_mwh"] * 1000)
    out["nuclear_share"] = share(out["nuclear_mwh"] * 1000)
    out["renewable_share"] = share(out["renewable_mwh"] * 1000)
    return out
