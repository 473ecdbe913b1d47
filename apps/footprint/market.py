"""Market-based allocation (GHG Protocol Scope 2 hierarchy): contractual instruments for the same zone and
period are allocated to self-hosted consumption pro rata, at their emission rate (0 for renewable GOs and
PPAs); the remainder at the zone's residual mix for the year, or the grid average where none exists.

Scope 3 rows have no location/market split: their market-based figure equals the location-based one.
No Django."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .estimators.ranges import RangeValue, choose
from .factor_set import FactorSet
from .factor_table import FactorLookupError
from .usage_frame import UsageFrameError
from .zones import GridFactors

INSTRUMENT_KINDS = {
    "go": "GO",
    "ppa": "PPA",
    "green_tariff": "green_tariff",
    "green tariff": "green_tariff",
    "supplier_rate": "supplier_rate",
}
ENERGY_SOURCES = ("renewable", "nuclear", "fossil")


INSTRUMENT_COLUMNS = ["kind", "mwh", "zone", "period_start", "period_end", "gco2e_per_kwh", "energy_source"]


def normalise_instruments(instruments: Any, fs: FactorSet) -> pd.DataFrame:
    """Contractual instruments (a list of dicts or a DataFrame) checked, with their grid zone, in allocation
    order (period start, period end, zone, kind). Raises UsageFrameError / FactorLookupError naming the row."""
    if instruments is None:
        return pd.DataFrame(columns=[*INSTRUMENT_COLUMNS, "grid_zone"])
    df = pd.DataFrame(instruments) if not isinstance(instruments, pd.DataFrame) else instruments.copy()
    if df.empty:
        return pd.DataFrame(columns=[*INSTRUMENT_COLUMNS, "grid_zone"])
    for col in ("kind", "mwh", "zone", "period_start", "period_end"):
        if col not in df.columns:
            raise UsageFrameError(col, "instrument column is missing")
    if "gco2e_per_kwh" not in df.columns:
        df["gco2e_per_kwh"] = 0.0
    if "energy_source" not in df.columns:
        df["energy_source"] = "renewable"
    df["gco2e_per_kwh"] = pd.to_numeric(df["gco2e_per_kwh"].fillna(0.0)).astype(float)
    df["mwh"] = pd.to_numeric(df["mwh"]).astype(float)
    _check_instruments(df)
    df["kind"] = [INSTRUMENT_KINDS[str(k).strip().lower()] for k in df["kind"]]
    df["grid_zone"] = _instrument_zones(df["zone"], fs)
    df["period_start"] = pd.to_datetime(df["period_start"]).astype("datetime64[ns]")
    df["period_end"] = pd.to_datetime(df["period_end"]).astype("datetime64[ns]")
    order = ["period_start", "period_end", "grid_zone", "kind"]
    return df.sort_values(order, kind="stable").reset_index(drop=True)


def _check_instruments(df: pd.DataFrame) -> None:
    for i, row in enumerate(df.itertuples(index=False)):  # a handful of contracts, not usage rows
        if str(row.kind).strip().lower() not in INSTRUMENT_KINDS:
            raise UsageFrameError(
                "kind",
                f"instrument kind must be one of GO, PPA, green_tariff, supplier_rate (found {row.kind!r})",
                row=i,
            )
        if row.mwh < 0 or row.gco2e_per_kwh < 0:
            raise UsageFrameError("mwh", "must be >= 0", row=i)
        if row.energy_source not in ENERGY_SOURCES:
            raise UsageFrameError("energy_source", f"must be one of {', '.join(ENERGY_SOURCES)}", row=i)


def _instrument_zones(zone: pd.Series, fs: FactorSet) -> list[str]:
    zones = []
    for i, z in enumerate(zone):
        resolved = fs.resolve_zone(z)
        if resolved is None:
            raise FactorLookupError(f"instrument zone (row {i})", z, fs.known_zones())
        zones.append(resolved)
    return zones


def allocate_instruments(
    day: pd.Series | np.ndarray,
    grid_zone: np.ndarray,
    energy_kwh: np.ndarray,
    eligible: np.ndarray,
    instruments: Any,
    factor_set: FactorSet,
) -> dict[str, Any]:
    """Allocate contractual instruments to eligible (self-hosted) consumption of the same zone and period.

    Each instrument (in order of period start) covers the still-uncovered eligible kWh of its zone
    and period pro rata, up to its volume. Returns per-row arrays `covered_kwh`, `instrument_kg`
    (emissions at the instruments' rates) and `covered_<source>_kwh` per energy source, plus a
    per-instrument `report` DataFrame (allocated and unused MWh)."""
    n = len(energy_kwh)
    inst = normalise_instruments(instruments, factor_set)
    covered = np.zeros(n)
    inst_kg = np.zeros(n)
    by_source = {s: np.zeros(n) for s in ENERGY_SOURCES}
    allocated = []
    if len(inst):
        remaining = np.where(eligible, np.nan_to_num(energy_kwh), 0.0)
        days = np.asarray(day, dtype="datetime64[ns]")
        for row in inst.itertuples(index=False):  # per contract, vectorised over rows
            mask = (
                (grid_zone == row.grid_zone)
                & (days >= np.datetime64(row.period_start))
                & (days <= np.datetime64(row.period_end))
                & (remaining > 0)
            )
            need = remaining[mask].sum()
            avail = row.mwh * 1000.0
            if need <= 0 or avail <= 0:
                allocated.append(0.0)
                continue
            take = remaining[mask] * min(1.0, avail / need)
            remaining[mask] -= take
            covered[mask] += take
            inst_kg[mask] += take * row.gco2e_per_kwh / 1000.0
            by_source[row.energy_source][mask] += take
            allocated.append(float(take.sum()) / 1000.0)
    report = inst.drop(columns=["grid_zone"]).copy() if len(inst) else inst
    if len(inst):
        report["allocated_mwh"] = allocated
        report["unused_mwh"] = report["mwh"] - report["allocated_mwh"]
    return {
        "covered_kwh": covered,
        "instrument_kg": inst_kg,
        "report": report,
        **{f"covered_{s}_kwh": v for s, v in by_source.items()},
    }


class MarketBased(NamedTuple):
    """Per row: market-based CO2e (kg) with its range, the kWh instruments covered and the covered share."""

    co2e_kg: RangeValue
    covered_kwh: np.ndarray
    covered_fraction: np.ndarray
    report: pd.DataFrame  # per instrument: allocated and unused MWh


def market_based_emissions(
    day: pd.Series | np.ndarray,
    grid: GridFactors,
    energy_kwh: RangeValue,
    location_kg: RangeValue,
    scope2: np.ndarray,
    instruments: Any,
    factor_set: FactorSet,
) -> MarketBased:
    """Market-based CO2e: Scope 2 rows at their instruments' rate for the covered share and at the residual
    mix for the rest; other rows equal their location-based figure."""
    alloc = allocate_instruments(day, grid.grid_zone, energy_kwh.value, scope2, instruments, factor_set)
    energy = energy_kwh.value
    covered = alloc["covered_kwh"]
    with np.errstate(invalid="ignore", divide="ignore"):
        covered_fraction = np.where(energy > 0, covered / energy, 0.0)
        instrument_rate = np.where(covered > 0, alloc["instrument_kg"] / covered, 0.0)  # kg per kWh covered
    kg_per_kwh = covered_fraction * instrument_rate + (1 - covered_fraction) * grid.residual_gco2e_per_kwh / 1000
    at_rate = RangeValue(energy_kwh.low * kg_per_kwh, energy_kwh.high * kg_per_kwh, energy * kg_per_kwh)
    return MarketBased(choose(scope2, at_rate, location_kg), covered, covered_fraction, alloc["report"])
