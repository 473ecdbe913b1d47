"""Zone resolution and grid factors: where each row's electricity was used, and its factor for the year.

The row's zone (country or cloud region), or else the seat tool's default zone, or the provider's
data-centre location in EcoLogits, or else the world average (with a note saying so). Then the
location-based grid factor of the zone for the year of use (or the latest earlier vintage the data has,
flagged), on the boundary the row's scope asks, and the residual mix the market-based figure falls back
on. Once per distinct key, taken to the rows. No Django."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from apps.core.distinct import distinct_keys
from apps.core.messages import Message

from .factor_set import WORLD_ZONE, FactorSet
from .factor_table import BOUNDARY_GENERATION, BOUNDARY_LIFE_CYCLE, GridFactor
from .usage_frame import USAGE_KIND_BILLED_COST, USAGE_KIND_SEAT_ACTIVITY, USAGE_KIND_TOKENS
from .warning_codes import NO_ZONE, SEAT_DEFAULT_ZONE, UNKNOWN_ZONE


class ResolvedZones(NamedTuple):
    """Per row the id of its distinct (kind, provider, model, zone) key; per key its grid zone and note."""

    key_id: np.ndarray
    names: list[str]
    notes: list[str]


class GridFactors(NamedTuple):
    """Per row: grid zone, location-based factor and its vintage (-1 undated), residual mix; whether the factor
    is of another year than the year of use, and whether it is on another boundary than the row's scope asks."""

    grid_zone: np.ndarray  # object array, for matching contractual instruments
    gco2e_per_kwh: np.ndarray
    grid_year: np.ndarray
    residual_gco2e_per_kwh: np.ndarray  # the grid factor where the zone has no residual mix
    residual_unverified: np.ndarray
    residual_missing: np.ndarray  # bool: no residual mix for the zone and year (none published, or NA)
    vintage_gap: np.ndarray  # bool: the grid (or Scope 2 residual-mix) data is of another year than the year of use
    other_boundary: np.ndarray  # bool: Scope 2 without a generation factor, or Scope 3 without a life-cycle one


def usage_years(day: pd.Series) -> np.ndarray:
    """Calendar year of each row's day: the grid vintage it asks for."""
    return day.dt.year.to_numpy(dtype=np.int64)


def resolve_zone(fs: FactorSet, kind: str, provider: str, model: str, zone: str) -> tuple[str, str]:
    """(grid zone, note) for one distinct (kind, provider, model, zone)."""
    if zone:
        resolved = fs.resolve_zone(zone)
        if resolved is not None:
            return resolved, ""
        return WORLD_ZONE, Message(UNKNOWN_ZONE, zone=repr(zone))
    if kind == USAGE_KIND_SEAT_ACTIVITY:
        default = fs.seat_tool(model, provider)["default_zone"]
        return default, Message(SEAT_DEFAULT_ZONE, zone=default)
    if kind == USAGE_KIND_TOKENS:
        dc = fs.datacenter(provider)
        if dc is not None:
            return dc["zone"], ""  # EcoLogits' own default, not worth a warning
    if kind == USAGE_KIND_BILLED_COST:
        return WORLD_ZONE, ""  # a bill line has no energy: its zone weighs nothing, no warning to read
    return WORLD_ZONE, Message(NO_ZONE)


def resolve_zones(
    fs: FactorSet, kind: pd.Series, provider: pd.Series, model: pd.Series, zone: pd.Series
) -> ResolvedZones:
    """The grid zone of every row, resolved once per distinct (kind, provider, model, zone)."""
    key_id, keys = distinct_keys(kind, provider, model, zone)
    resolved = [resolve_zone(fs, *key) for key in keys]
    return ResolvedZones(key_id, [z for z, _ in resolved], [w for _, w in resolved])


def grid_factors(fs: FactorSet, zones: ResolvedZones, years: np.ndarray, scope2: np.ndarray) -> GridFactors:
    """Grid and residual-mix factors of every row, looked up once per distinct (grid zone, year, scope).

    Location-based Scope 2 takes the generation boundary (direct emissions at the plants, GHG Protocol Scope 2;
    the upstream part belongs to Scope 3 category 3), Scope 3 rows the life-cycle boundary (the service's
    cradle-to-gate, as EcoLogits): each falls back on the zone's other boundary, flagged, when it has no other.
    The residual mix is AIB's direct CO2: the generation boundary."""
    zone_names = np.array(zones.names, dtype=object)
    grid_zone = zone_names[zones.key_id]
    zone_idx, zone_uniq = pd.factorize(zone_names)  # few distinct keys -> int id per row, cheap to combine
    gid, gkeys = distinct_keys(zone_idx[zones.key_id], years, np.asarray(scope2, dtype=bool))
    gkeys = [(zone_uniq[zi], int(y), bool(own)) for zi, y, own in gkeys]
    wanted = [BOUNDARY_GENERATION if own else BOUNDARY_LIFE_CYCLE for _, _, own in gkeys]
    grid = [fs.grid_factor(z, y, b) for (z, y, _), b in zip(gkeys, wanted, strict=True)]
    residual = [fs.residual_factor(z, y) for z, y, _ in gkeys]
    return GridFactors(
        grid_zone=grid_zone,
        gco2e_per_kwh=np.array([f.gco2e_per_kwh for f in grid])[gid],
        grid_year=np.array([-1 if f.year is None else f.year for f in grid], dtype=np.int64)[gid],
        residual_gco2e_per_kwh=np.array([r[1] if r else f.gco2e_per_kwh for r, f in zip(residual, grid, strict=False)])[
            gid
        ],
        residual_unverified=np.array([bool(r and r[2] != "verified") for r in residual], dtype=bool)[gid],
        residual_missing=np.array([r is None for r in residual], dtype=bool)[gid],
        vintage_gap=np.array(
            [_older(f, r, y, own) for f, r, (_, y, own) in zip(grid, residual, gkeys, strict=True)], dtype=bool
        )[gid],
        other_boundary=np.array([f.boundary != b for f, b in zip(grid, wanted, strict=True)], dtype=bool)[gid],
    )


def _older(grid: GridFactor, residual: tuple | None, year: int, scope2: bool) -> bool:
    """Whether the grid factor, or for Scope 2 the residual mix, is of another year than the year of use: an
    earlier one (no newer data yet) or, for a year before the data starts, a later one."""
    if grid.year is not None and grid.year != year:
        return True
    return scope2 and residual is not None and residual[0] != year
