"""The calculator: normalised usage frame + factor set -> energy (kWh) and GHG (kgCO2e), vectorised.

Pure functions on pandas DataFrames; no Django. Every figure carries a low/high range, its scope,
its data-quality class and the method version. See method_notes.METHOD_NOTES for the methodology
in words (the disclosures and the audit PDF quote it).

`estimate` composes the steps, each in its own module: one estimator per usage kind (`estimators`:
tokens, seat activity, measured energy, and the spend-based fallback), zone resolution and grid factors
(`zones`), market-based allocation of contractual instruments (`market`), row warnings as codes
(`warning_codes`), turned into the `warning` text only here, where the result leaves the calculator.

Public entry points:

* `estimate(frame, factor_set=None, instruments=None) -> DataFrame`
* `estimate_request(provider, model, output_tokens, ...) -> dict` (management command and API): a one-row
  `estimate`
* `diff_effect(...)`: what moving records to another factor set changes

The E1-5 energy split is `energy_mix.energy_mix_split`; the methodology in words is `method_notes.METHOD_NOTES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from apps.core.distinct import distinct_keys
from apps.core.messages import Message

from .catalogue import default_factor_set
from .estimators.emissions import request_usage_gwp
from .estimators.impacts import MultiCriteria, multi_criteria, onsite_water_per_kwh, zone_mix
from .estimators.measured import facility_pue, measured_energy
from .estimators.ranges import RangeValue, choose, select
from .estimators.seats import measured_interactions, seat_coefficients, seat_energy
from .estimators.spend import no_activity, spend_based_emissions, spend_factors
from .estimators.tokens import llm_impacts, token_coefficients
from .factor_set import FactorSet
from .factor_table import FactorLookupError, ModelParams
from .market import MarketBased, market_based_emissions
from .usage_frame import validate
from .usage_rows import UsageRows, token_request_row, usage_rows
from .warning_codes import (
    ESTIMATE_ARCH_NOT_RELEASED,
    RowWarning,
    WarningTexts,
    join_warnings,
    row_flags,
    warning_messages,
)
from .zones import GridFactors, ResolvedZones, grid_factors, resolve_zones

__all__ = [
    "DQ_ACTIVITY",
    "DQ_ACTIVITY_ASSUMED",
    "DQ_MEASURED",
    "DQ_MEASURED_IT",
    "DQ_SPEND",
    "OUTPUT_COLUMNS",
    "SCOPE2",
    "SCOPE3_CAT1",
    "TOTAL_COLUMNS",
    "diff_effect",
    "estimate",
    "estimate_request",
]


SCOPE3_CAT1 = "scope3_cat1"
SCOPE2 = "scope2"
DQ_MEASURED = "measured"
DQ_MEASURED_IT = "measured_it"  # measured IT energy, modelled facility (IT kWh x the site's PUE)
DQ_ACTIVITY = "activity_based"  # the vendor's activity data (tokens, requests), energy modelled
DQ_ACTIVITY_ASSUMED = "activity_assumed"  # seat rows: active user-days x an assumed interactions-per-day figure
DQ_SPEND = "spend_based"

# Columns `estimate` adds, in order (units in the names).
OUTPUT_COLUMNS = (
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "energy_prefill_kwh",
    "energy_prefill_kwh_low",
    "energy_prefill_kwh_high",
    "co2e_location_kg",
    "co2e_location_kg_low",
    "co2e_location_kg_high",
    "co2e_market_kg",
    "co2e_market_kg_low",
    "co2e_market_kg_high",
    "co2e_embodied_kg",
    "water_l",
    "water_l_low",
    "water_l_high",
    "adpe_kgsbeq",
    "adpe_kgsbeq_low",
    "adpe_kgsbeq_high",
    "pe_mj",
    "pe_mj_low",
    "pe_mj_high",
    "instrument_covered_kwh",
    "grid_zone",
    "grid_gco2e_per_kwh",
    "grid_year",
    "model_resolved",
    "scope",
    "data_quality",
    "method_version",
    "factor_set",
    "warning",
)


class _Figures(NamedTuple):
    """What the steps give for each row, before it becomes the result's columns."""

    energy_kwh: RangeValue  # at the meter, the prefill term included
    prefill_kwh: RangeValue  # the part of energy_kwh from input tokens (beyond EcoLogits)
    multi: MultiCriteria
    location_kg: RangeValue
    market: MarketBased
    embodied_kg: np.ndarray
    spend_based: np.ndarray
    facility_modelled: np.ndarray  # measured rows whose facility overhead is a PUE from the set
    zones: ResolvedZones
    grid: GridFactors
    key_id: np.ndarray  # distinct (kind, provider, model)
    key_notes: list[str]  # per key: what the estimators assumed ("" when nothing)
    key_resolved: list[str]  # per key: the model repository entry used ("" for other kinds)
    seat_assumed: np.ndarray  # seat rows on the assumed interactions per day (no request count)
    flags: np.ndarray  # RowWarning bits


def estimate(frame: pd.DataFrame, factor_set: FactorSet | None = None, instruments: Any = None) -> pd.DataFrame:
    """Add energy, CO2e (location, market, embodied), scope, data quality, method version and warnings.

    `frame` is a normalised usage frame (see usage_frame.COLUMNS); it is validated, not changed.
    `instruments`: contractual instruments for market-based Scope 2, a list of dicts or a DataFrame
    with kind (GO/PPA/green_tariff/supplier_rate), mwh, zone, period_start, period_end and optionally
    gco2e_per_kwh (default 0) and energy_source (renewable/nuclear/fossil, default renewable).
    Returns a new frame: the input columns plus OUTPUT_COLUMNS. `instrument_covered_kwh` says how
    much of each row the instruments covered; `result.attrs["instruments"]` lists each instrument's
    allocated and unused MWh. Vectorised: coefficients once per distinct key, numpy over rows."""
    fs = factor_set or default_factor_set()
    validate(frame)
    rows = usage_rows(frame)
    figures = _figures(fs, rows, instruments)
    result = frame.copy()
    columns, warnings = _columns(fs, rows, figures)
    for name, values in columns.items():
        result[name] = values
    result.attrs["instruments"] = figures.market.report
    # The warnings as Messages, for what shows them in another language (a run's warnings); the column is English.
    result.attrs["warning_messages"] = WarningTexts((str(w), w) for w in warnings if w)
    result.attrs["instrument_covered_mwh"] = float(figures.market.covered_kwh.sum()) / 1000
    return result


def _figures(fs: FactorSet, rows: UsageRows, instruments: Any) -> _Figures:
    """The steps of `estimate`, over arrays."""
    # Distinct (kind, provider, model) -> per-unit coefficients. Few keys, so the estimators loop over them.
    key_id, keys = distinct_keys(rows.kind, rows.provider, models_on_day(fs, rows))
    token_coef, seat_coef = token_coefficients(fs, keys), seat_coefficients(fs, keys)
    tokens = llm_impacts(
        rows.output_tokens, rows.requests, token_coef, key_id, rows.input_tokens, rows.cached_input_tokens
    )
    token_energy = RangeValue(
        tokens.energy_kwh.low + tokens.prefill_kwh.low, tokens.energy_kwh.high + tokens.prefill_kwh.high
    )
    seat_measured = measured_interactions(rows.is_seat, rows.requests)
    zones = resolve_zones(fs, rows.kind, rows.provider, rows.model, rows.zone)
    site = facility_pue(fs, zones.names, zones.key_id)
    energy = select(
        (rows.is_tokens, rows.is_seat, rows.is_measured),
        (
            token_energy,
            seat_energy(rows.active_user_days, rows.requests, seat_measured, seat_coef, key_id),
            measured_energy(rows.measured_kwh, site.pue),
        ),
    )
    idle = no_activity(rows.is_tokens, rows.is_seat, rows.output_tokens, rows.requests, rows.active_user_days)
    spend = spend_based_emissions(
        fs, idle & (rows.cost != 0), rows.cost, rows.currency, spend_factors(fs, keys)[key_id]
    )
    energy = _not_estimated(energy, spend.rows)
    prefill = _not_estimated(select((rows.is_tokens,), (tokens.prefill_kwh,)), spend.rows)
    multi = multi_criteria(
        energy,
        onsite_water_per_kwh(fs, keys, key_id),
        zone_mix(fs, zones.names, zones.key_id),
        tokens.embodied_adpe_kgsbeq,
        tokens.embodied_pe_mj,
        rows.is_tokens,
    )

    scope2 = rows.self_hosted & ~spend.rows
    grid = grid_factors(fs, zones, rows.years, scope2)
    location = choose(spend.rows, spend.co2e_kg, request_usage_gwp(energy, grid.gco2e_per_kwh))
    market = market_based_emissions(rows.day, grid, energy, location, scope2, instruments, fs)

    flags = row_flags(
        {
            RowWarning.SPEND_BASED: spend.rows,
            RowWarning.NO_EXCHANGE_RATE: spend.no_exchange_rate,
            RowWarning.RESIDUAL_MIX_UNVERIFIED: scope2 & grid.residual_unverified & (market.covered_fraction < 1),
            RowWarning.NO_RESIDUAL_MIX: scope2 & grid.residual_missing & (market.covered_fraction < 1),
            RowWarning.REQUEST_COUNT_MISSING: rows.is_tokens & (rows.requests == 0) & (rows.output_tokens > 0),
            RowWarning.RENTED_MEASURED_COMPUTE: rows.is_measured & ~rows.self_hosted,
            RowWarning.GRID_VINTAGE_GAP: grid.vintage_gap & ~spend.rows,
            RowWarning.GRID_OTHER_BOUNDARY: grid.other_boundary & ~spend.rows,
            RowWarning.FACILITY_PUE_ASSUMED: rows.is_measured & site.assumed,
            RowWarning.SEAT_INTERACTIONS_ASSUMED: rows.is_seat & ~seat_measured & ~spend.rows,
        },
        len(rows.cost),
    )
    key_notes = [t or s for t, s in zip(token_coef.notes, seat_coef.notes, strict=True)]
    embodied = np.where(rows.is_tokens, tokens.embodied_kg, 0.0)
    facility_modelled = rows.is_measured & site.modelled
    return _Figures(
        energy,
        prefill,
        multi,
        location,
        market,
        embodied,
        spend.rows,
        facility_modelled,
        zones,
        grid,
        key_id,
        key_notes,
        token_coef.resolved,
        rows.is_seat & ~seat_measured & ~spend.rows,
        flags,
    )


def _columns(fs: FactorSet, rows: UsageRows, figures: _Figures) -> tuple[dict[str, Any], list[str]]:
    """The result's columns, and its distinct warnings (Messages); the warning codes become their text here, where
    the figures leave the calculator."""
    f = figures
    n = len(rows.cost)
    warning_id, warning_keys = distinct_keys(f.key_id, f.zones.key_id, f.flags)
    warnings = [
        join_warnings((f.key_notes[k], f.zones.notes[z], *warning_messages(flags))) for k, z, flags in warning_keys
    ]
    return {
        "energy_kwh": f.energy_kwh.value,
        "energy_kwh_low": f.energy_kwh.low,
        "energy_kwh_high": f.energy_kwh.high,
        "energy_prefill_kwh": f.prefill_kwh.value,
        "energy_prefill_kwh_low": f.prefill_kwh.low,
        "energy_prefill_kwh_high": f.prefill_kwh.high,
        "co2e_location_kg": f.location_kg.value,
        "co2e_location_kg_low": f.location_kg.low,
        "co2e_location_kg_high": f.location_kg.high,
        "co2e_market_kg": f.market.co2e_kg.value,
        "co2e_market_kg_low": f.market.co2e_kg.low,
        "co2e_market_kg_high": f.market.co2e_kg.high,
        "co2e_embodied_kg": f.embodied_kg,
        **_range_columns("water_l", f.multi.water_l),
        **_range_columns("adpe_kgsbeq", f.multi.adpe_kgsbeq),
        **_range_columns("pe_mj", f.multi.pe_mj),
        "instrument_covered_kwh": f.market.covered_kwh,
        "grid_zone": _labels(f.zones.key_id, f.zones.names),
        "grid_gco2e_per_kwh": f.grid.gco2e_per_kwh,
        "grid_year": f.grid.grid_year,
        "model_resolved": _labels(f.key_id, f.key_resolved),
        "scope": _labels(rows.self_hosted.astype(np.int64), [SCOPE3_CAT1, SCOPE2]),
        "data_quality": _labels(
            np.where(
                rows.is_measured,
                np.where(f.facility_modelled, 3, 1),
                np.where(f.spend_based, 2, np.where(f.seat_assumed, 4, 0)),
            ),
            [DQ_ACTIVITY, DQ_MEASURED, DQ_SPEND, DQ_MEASURED_IT, DQ_ACTIVITY_ASSUMED],
        ),
        "method_version": _labels(np.zeros(n, dtype=np.int64), [fs.method_version]),
        "factor_set": _labels(np.zeros(n, dtype=np.int64), [_factor_set_label(fs)]),
        "warning": _labels(warning_id, warnings),
    }, warnings


def models_on_day(fs: FactorSet, rows: UsageRows) -> Any:
    """The model column with each dated alias (`mistral-large-latest`) replaced by the model it stood for on the
    row's day; the column itself when no row uses one (the usual case: nothing is copied)."""
    names = fs.dated_aliases
    if not names:
        return rows.model
    model = rows.model if isinstance(rows.model, pd.Series) else pd.Series(rows.model)
    mask = model.str.lower().isin(names).to_numpy(dtype=bool)
    if not mask.any():
        return rows.model
    out = model.astype(object).to_numpy(copy=True)
    days = pd.to_datetime(pd.Series(np.asarray(rows.day)[mask])).dt.date.to_numpy()
    sub_id, sub_keys = distinct_keys(np.asarray(rows.provider, dtype=object)[mask], out[mask], days)
    # One lookup per distinct (provider, alias, day), not per row.
    out[mask] = np.array([fs.model_at(p, m, d) for p, m, d in sub_keys], dtype=object)[sub_id]
    return out


def _range_columns(name: str, value: RangeValue) -> dict[str, np.ndarray]:
    return {name: value.value, f"{name}_low": value.low, f"{name}_high": value.high}


def _not_estimated(energy: RangeValue, rows: np.ndarray) -> RangeValue:
    """Energy NaN on `rows` (spend-based: not estimable from a cost), not a silent zero."""
    return RangeValue(*(np.where(rows, np.nan, a) for a in (energy.low, energy.high, energy.value)))


def _labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    # Repeated labels as categoricals: built from codes, no per-row string objects.
    uniq, inv = np.unique(np.asarray(names, dtype=object).astype(str), return_inverse=True)
    return pd.Categorical.from_codes(inv.reshape(-1)[codes], categories=uniq)


def _factor_set_label(fs: FactorSet) -> str:
    return f"{fs.label}#{fs.content_hash[:12]}"


def estimate_request(
    provider: str,
    model: str,
    output_tokens: int,
    input_tokens: int = 0,
    requests: int = 1,
    zone: str | None = None,
    year: int | None = None,
    factor_set: FactorSet | None = None,
    cached_input_tokens: int = 0,
) -> dict[str, Any]:
    """Energy, location-based CO2e, water, ADPe and primary energy of `requests` LLM requests generating
    `output_tokens` in total from `input_tokens` uncached and `cached_input_tokens` cached prompt tokens.

    Strict: an unknown provider, model or zone raises FactorLookupError listing close matches
    (no size-class fallback here: a person typed these names). Input tokens enter as the prefill term, also
    reported on its own (`energy_prefill_kwh`; EcoLogits models generation only). `zone` defaults to
    the provider's data-centre location; `year` picks the grid vintage (default: latest data).
    The figures are those of a one-row `estimate` (the same steps, without a frame around them).
    Returns a JSON-serialisable dict (the `estimate` command and POST /api/v1/estimate return it)."""
    fs = factor_set or default_factor_set()
    amounts = (
        ("output_tokens", output_tokens),
        ("input_tokens", input_tokens),
        ("cached_input_tokens", cached_input_tokens),
        ("requests", requests),
    )
    for name, value in amounts:
        if value is None or int(value) < 0:
            raise ValueError(f"{name} must be a whole number >= 0")
    eprov, params, grid_zone = _strict_names(fs, provider, model, zone)
    grid = fs.grid_factor(grid_zone, year)
    # The row's day lies in the vintage `year` selects, so the one-row estimate takes the same grid factor.
    day = dt.date(grid.year if grid.year is not None else _UNDATED_GRID_YEAR, 1, 1)
    # A dated alias (mistral-large-latest) is the model it stood for at the end of `year`, else today.
    model = fs.model_at(provider, model, dt.date(year, 12, 31) if year else dt.date.today())
    params = fs.model(provider, model) or params
    row = token_request_row(
        provider, model, zone or "", day, output_tokens, requests, input_tokens, cached_input_tokens
    )
    figures = _figures(fs, row, None)
    warnings = []
    if "model-arch-not-released" in params.warnings:
        warnings.append(Message(ESTIMATE_ARCH_NOT_RELEASED))
    return {
        "provider": eprov,
        "model": params.model,
        "model_resolved": params.resolved,
        "output_tokens": int(output_tokens),
        "input_tokens": int(input_tokens),
        "cached_input_tokens": int(cached_input_tokens),
        "requests": int(requests),
        **_one("energy_kwh", figures.energy_kwh),
        **_one("energy_prefill_kwh", figures.prefill_kwh),
        "co2e_kg": float(figures.location_kg.value[0]),
        "co2e_kg_low": float(figures.location_kg.low[0]),
        "co2e_kg_high": float(figures.location_kg.high[0]),
        "co2e_embodied_kg": float(figures.embodied_kg[0]),
        **_one("water_l", figures.multi.water_l),
        **_one("adpe_kgsbeq", figures.multi.adpe_kgsbeq),
        **_one("pe_mj", figures.multi.pe_mj),
        "zone": grid_zone,
        "grid_gco2e_per_kwh": grid.gco2e_per_kwh,
        "grid_year": grid.year,
        "grid_source": grid.source,
        "grid_boundary": grid.boundary,
        "method_version": fs.method_version,
        "factor_set": _factor_set_label(fs),
        "warnings": warnings,
    }


def _one(name: str, value: RangeValue) -> dict[str, float]:
    """A one-row figure and its range as JSON floats."""
    return {name: float(value.value[0]), f"{name}_low": float(value.low[0]), f"{name}_high": float(value.high[0])}


def _strict_names(fs: FactorSet, provider: str, model: str, zone: str | None) -> tuple[str, ModelParams, str]:
    """(EcoLogits provider, model parameters, grid zone) of names a person typed; FactorLookupError if unknown."""
    eprov = fs.ecologits_provider(provider)
    if eprov is None:
        raise FactorLookupError("provider", provider, fs.known_providers())
    params = fs.model(provider, model)
    if params is None:
        raise FactorLookupError(f"model for provider {provider!r}", model, fs.model_names(provider))
    if not zone:
        return eprov, params, fs.datacenter(provider)["zone"]
    grid_zone = fs.resolve_zone(zone)
    if grid_zone is None:
        raise FactorLookupError("zone", zone, fs.known_zones())
    return eprov, params, grid_zone


_UNDATED_GRID_YEAR = 2000  # a zone with undated data only: every year selects the same factor


TOTAL_COLUMNS = (
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "energy_prefill_kwh",
    "co2e_location_kg",
    "co2e_market_kg",
    "co2e_embodied_kg",
    "water_l",
    "adpe_kgsbeq",
    "pe_mj",
)


def diff_effect(
    frame: pd.DataFrame, old: FactorSet, new: FactorSet, instruments: Any = None, by: Iterable[str] | None = None
) -> pd.DataFrame:
    """Totals of the result columns under two factor sets: before, after, change and change %.

    `by` (e.g. ["provider"]) breaks the totals down. This is what a new factor-set version would
    do to existing figures (a restatement candidate under ESRS E1 AR 46f)."""
    a = estimate(frame, old, instruments)
    b = estimate(frame, new, instruments)
    keys = list(by or [])
    cols = list(TOTAL_COLUMNS)
    ta = a.groupby(keys)[cols].sum() if keys else a[cols].sum().to_frame().T
    tb = b.groupby(keys)[cols].sum() if keys else b[cols].sum().to_frame().T
    frames = []
    for col in cols:
        part = pd.DataFrame({"column": col, "before": ta[col], "after": tb[col]})
        frames.append(part)
    out = pd.concat(frames)
    out["change"] = out["after"] - out["before"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_pct"] = np.where(out["before"] != 0, out["change"] / out["before"] * 100, np.nan)
    out.attrs["old"] = f"{old.label}#{old.content_hash[:12]}"
    out.attrs["new"] = f"{new.label}#{new.content_hash[:12]}"
    return out.reset_index(drop=not keys)
