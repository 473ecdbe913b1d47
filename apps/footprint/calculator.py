"""The calculator: normalised usage frame + factor set -> energy (kWh) and GHG (kgCO2e), vectorised.

Pure functions on pandas DataFrames; no Django. Every figure carries a low/high range, its scope,
its data-quality class and the method version. See METHOD_NOTES for the methodology in words
(the disclosures and the audit PDF quote it).

Public entry points:

* `estimate(frame, factor_set=None, instruments=None) -> DataFrame`
* `estimate_request(provider, model, output_tokens, ...) -> dict` (management command and API)
* `energy_mix_split(frame_with_estimates, factor_set=None, instruments=None) -> dict` (ESRS E1-5)
* `allocate_instruments(...)`, `llm_coefficients(...)`, `diff_effect(...)`
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .factors import WORLD_ZONE, FactorLookupError, FactorSet, ModelParams, default_factor_set
from .usage_frame import (
    USAGE_KIND_MEASURED_ENERGY,
    USAGE_KIND_SEAT_ACTIVITY,
    USAGE_KIND_TOKENS,
    UsageFrameError,
    validate,
)

SCOPE3_CAT1 = "scope3_cat1"
SCOPE2 = "scope2"
DQ_MEASURED = "measured"
DQ_ACTIVITY = "activity_based"
DQ_SPEND = "spend_based"
INSTRUMENT_KINDS = {
    "go": "GO",
    "ppa": "PPA",
    "green_tariff": "green_tariff",
    "green tariff": "green_tariff",
    "supplier_rate": "supplier_rate",
}
ENERGY_SOURCES = ("renewable", "nuclear", "fossil")

# Columns `estimate` adds, in order (units in the names).
OUTPUT_COLUMNS = (
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "co2e_location_kg",
    "co2e_location_kg_low",
    "co2e_location_kg_high",
    "co2e_market_kg",
    "co2e_market_kg_low",
    "co2e_market_kg_high",
    "co2e_embodied_kg",
    "instrument_covered_kwh",
    "grid_zone",
    "grid_gco2e_per_kwh",
    "grid_year",
    "scope",
    "data_quality",
    "method_version",
    "factor_set",
    "warning",
)

METHOD_NOTES = """\
Token rows (usage_kind=tokens): the EcoLogits LLM inference method, as coded in the ecologits version
recorded in the factor set. Per request: GPU energy = output tokens x (alpha.exp(beta.batch).active params
+ gamma), times the GPUs needed to hold the model (total params x 16 bit x 1.2 / 80 GB, rounded up to a power
of two); server energy (non-GPU) = generation latency x 1.2 kW x GPUs/8 / batch; request energy = PUE x
(server + GPUs x GPU energy). Latency: our sources are daily buckets with no latency, so it is estimated as
EcoLogits does when the measured latency is not binding: output tokens / the model's typical tokens per
second (or the EcoLogits latency regression when the repository gives none) + one time-to-first-token per
request. Everything is linear in output tokens and requests, so one coefficient pair per distinct
(provider, model) and one grid factor per distinct (zone, year) are computed and applied to all rows.
Input and cached tokens do not enter the method (EcoLogits models generation only): an underestimate for
long prompts. Low/high: minimum/maximum PUE with minimum/maximum parameter counts where the model size is
not public; the central value is their mean (as EcoLogits' RangeValue.mean). Unknown models get a wide size
class range and a warning, never zero. Embodied (manufacturing) GHG: the EcoLogits allocation of server and
GPU manufacturing by generation time over a 3-year life, shown separately (co2e_embodied_kg), token rows only.
Zone: the row's zone (country or cloud region) or else the provider's data-centre location in EcoLogits.
Data quality of token rows: activity_based (provider usage data, energy modelled).
Seat rows (seat_activity): active user-days x interactions per active day x Wh per interaction, each
factor sourced in the set (interactions per day is an assumption until telemetry exists); with no activity
but a cost, spend-based (kgCO2e per USD, EEIO), energy not estimated.
Measured rows (measured_energy): the kWh CodeCarbon measured (which already includes its configured PUE).
Electricity to CO2e, location-based: the grid factor of the zone for the year of use, or the nearest
earlier vintage the data has (grid_year says which).
Scope: services bought (APIs, seats, rented cloud GPUs) are Scope 3 category 1 for the buyer (ESRS E1 AR 51
subset); their kWh are not E1-5 energy. Scope 3 has no location/market split, so co2e_market_kg equals
co2e_location_kg for those rows. Self-hosted rows are Scope 2 and E1-5 energy.
Market-based (Scope 2 only, GHG Protocol Scope 2 hierarchy): contractual instruments (GO, PPA, green tariff,
supplier rate) for the same zone and period are allocated to self-hosted consumption pro rata, at their
emission rate (0 for renewable GOs/PPAs); the remainder at the zone's residual mix (AIB) for the year, or the
grid average where no residual mix exists.
"""


# ---- LLM coefficients (the EcoLogits arithmetic, once per model) ------------------------------------


def _gpu_required_count(total_params_b: float, method: Mapping[str, Any]) -> int:
    memory_gb = 1.2 * total_params_b * method["quantization_bits"] / 8
    gpus = max(1, math.ceil(memory_gb / method["gpu_memory_gb"]))
    return 2 ** math.ceil(math.log2(gpus))


def _run(
    active_b: float, total_b: float, pue: float, tps: float | None, ttft_s: float | None, method: Mapping[str, Any]
) -> tuple[float, float, float, float]:
    """(kWh per output token, kWh per request, kgCO2e embodied per token, per request) for one run."""
    batch = method["batch_size"]
    gpus = _gpu_required_count(total_b, method)
    gpu_kwh_per_token = (
        method["gpu_energy_alpha"] * math.exp(method["gpu_energy_beta"] * batch) * active_b + method["gpu_energy_gamma"]
    ) / 1000
    if tps:
        latency_s_per_token = 1 / tps
    else:
        latency_s_per_token = (
            method["latency_alpha"] * active_b + method["latency_beta"] * batch + method["latency_gamma"]
        )
    ttft = ttft_s or 0.0
    server_kwh_per_s = method["server_power_kw"] * (gpus / method["server_gpus"]) / batch / 3600
    kwh_token = pue * (gpus * gpu_kwh_per_token + latency_s_per_token * server_kwh_per_s)
    kwh_request = pue * ttft * server_kwh_per_s
    embodied_kg = (gpus / method["server_gpus"]) * method["server_embodied_gwp_kg"] + gpus * method[
        "gpu_embodied_gwp_kg"
    ]
    embodied_per_s = embodied_kg / (method["hardware_lifespan_s"] * batch)
    return kwh_token, kwh_request, latency_s_per_token * embodied_per_s, ttft * embodied_per_s


def llm_coefficients(
    params: ModelParams, pue_min: float, pue_max: float, method: Mapping[str, Any]
) -> dict[str, float]:
    """Per-output-token and per-request energy (kWh) and embodied GHG (kg) of one model, low and high.

    Low uses the minimum parameter counts and minimum PUE, high the maximum ones, exactly as
    ecologits.impacts.llm.compute_llm_impacts combines its two runs."""
    lo = _run(params.active_min_b, params.total_min_b, pue_min, params.tps, params.ttft_s, method)
    hi = _run(params.active_max_b, params.total_max_b, pue_max, params.tps, params.ttft_s, method)
    return {
        "kwh_per_token_low": lo[0],
        "kwh_per_token_high": hi[0],
        "kwh_per_request_low": lo[1],
        "kwh_per_request_high": hi[1],
        "embodied_kg_per_token_low": lo[2],
        "embodied_kg_per_token_high": hi[2],
        "embodied_kg_per_request_low": lo[3],
        "embodied_kg_per_request_high": hi[3],
    }


def _model_or_fallback(fs: FactorSet, provider: str, model: str) -> tuple[ModelParams, str]:
    found = fs.model(provider, model)
    if found is not None:
        note = ""
        if "model-arch-not-released" in found.warnings:
            note = f"{model}: architecture not released, parameter range from ecologits"
        return found, note
    cls = fs.size_class(model)
    params = ModelParams(
        provider,
        model,
        float(cls["active_params_min_b"]),
        float(cls["active_params_max_b"]),
        float(cls["total_params_min_b"]),
        float(cls["total_params_max_b"]),
        None,
        None,
        "",
    )
    return params, (
        f"unknown model {provider}/{model}: size class '{cls['size_class']}' "
        f"({cls['active_params_min_b']}-{cls['active_params_max_b']}B active), wide range"
    )


def _pue_range(fs: FactorSet, provider: str) -> tuple[float, float, str]:
    dc = fs.datacenter(provider)
    if dc is not None:
        return float(dc["pue_min"]), float(dc["pue_max"]), ""
    pues = [(float(r["pue_min"]), float(r["pue_max"])) for r in fs.tables["provider_datacenters"].records()]
    return (
        min(p[0] for p in pues),
        max(p[1] for p in pues),
        f"provider {provider!r} has no data-centre PUE: range of all providers used",
    )


# ---- helpers --------------------------------------------------------------------------------------


def _codes(*arrays: np.ndarray) -> tuple[np.ndarray, list[tuple]]:
    """Combine several factorised columns into one key id per row, with the distinct key tuples."""
    codes, uniques = [], []
    for a in arrays:
        c, u = pd.factorize(a, use_na_sentinel=False)
        codes.append(c.astype(np.int64))
        uniques.append(np.asarray(u, dtype=object))
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for c, u in zip(codes, uniques, strict=False):
        combined = combined * max(len(u), 1) + c
    keys, inverse = np.unique(combined, return_inverse=True)
    tuples = []
    for k in keys:
        parts = []
        for u in reversed(uniques):
            size = max(len(u), 1)
            parts.append(u[k % size])
            k //= size
        tuples.append(tuple(reversed(parts)))
    return inverse.reshape(-1), tuples


def _year_array(day: pd.Series) -> np.ndarray:
    return day.dt.year.to_numpy(dtype=np.int64)


def _resolve_zone(fs: FactorSet, kind: str, provider: str, model: str, zone: str) -> tuple[str, str]:
    """(grid zone, warning) for one distinct (kind, provider, model, zone)."""
    if zone:
        resolved = fs.resolve_zone(zone)
        if resolved is not None:
            return resolved, ""
        return WORLD_ZONE, f"unknown zone {zone!r}: world average used"
    if kind == USAGE_KIND_SEAT_ACTIVITY:
        default = fs.seat_tool(model, provider)["default_zone"]
        return default, f"no zone: seat tool default {default}"
    if kind == USAGE_KIND_TOKENS:
        dc = fs.datacenter(provider)
        if dc is not None:
            return dc["zone"], ""  # EcoLogits' own default, not worth a warning
    return WORLD_ZONE, "no zone: world average used"


def _normalise_instruments(instruments: Any, fs: FactorSet) -> pd.DataFrame:
    cols = ["kind", "mwh", "zone", "period_start", "period_end", "gco2e_per_kwh", "energy_source"]
    if instruments is None:
        return pd.DataFrame(columns=[*cols, "grid_zone"])
    df = pd.DataFrame(instruments) if not isinstance(instruments, pd.DataFrame) else instruments.copy()
    if df.empty:
        return pd.DataFrame(columns=[*cols, "grid_zone"])
    for col in ("kind", "mwh", "zone", "period_start", "period_end"):
        if col not in df.columns:
            raise UsageFrameError(col, "instrument column is missing")
    if "gco2e_per_kwh" not in df.columns:
        df["gco2e_per_kwh"] = 0.0
    if "energy_source" not in df.columns:
        df["energy_source"] = "renewable"
    df["gco2e_per_kwh"] = pd.to_numeric(df["gco2e_per_kwh"].fillna(0.0)).astype(float)
    df["mwh"] = pd.to_numeric(df["mwh"]).astype(float)
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
    df["kind"] = [INSTRUMENT_KINDS[str(k).strip().lower()] for k in df["kind"]]
    zones = []
    for i, z in enumerate(df["zone"]):
        resolved = fs.resolve_zone(z)
        if resolved is None:
            raise FactorLookupError(f"instrument zone (row {i})", z, fs.known_zones())
        zones.append(resolved)
    df["grid_zone"] = zones
    df["period_start"] = pd.to_datetime(df["period_start"]).astype("datetime64[ns]")
    df["period_end"] = pd.to_datetime(df["period_end"]).astype("datetime64[ns]")
    order = ["period_start", "period_end", "grid_zone", "kind"]
    return df.sort_values(order, kind="stable").reset_index(drop=True)


def allocate_instruments(
    day: pd.Series,
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
    inst = _normalise_instruments(instruments, factor_set)
    covered = np.zeros(n)
    inst_kg = np.zeros(n)
    by_source = {s: np.zeros(n) for s in ENERGY_SOURCES}
    allocated = []
    if len(inst):
        remaining = np.where(eligible, np.nan_to_num(energy_kwh), 0.0)
        days = day.to_numpy(dtype="datetime64[ns]")
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


# ---- the calculation ------------------------------------------------------------------------------


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
    n = len(frame)
    method = fs.method
    # String columns stay pandas Series: factorising Arrow strings is far faster than Python objects.
    kind, provider, model, zone = (frame[c] for c in ("usage_kind", "provider", "model", "zone"))
    years = _year_array(frame["day"])
    self_hosted = frame["self_hosted"].to_numpy(dtype=bool)
    out_tokens = frame["output_tokens"].to_numpy(dtype=np.float64)
    requests = frame["requests"].to_numpy(dtype=np.float64)
    user_days = frame["active_user_days"].to_numpy(dtype=np.float64)
    measured = frame["measured_energy_kwh"].to_numpy(dtype=np.float64)
    cost = frame["cost"].to_numpy(dtype=np.float64)

    is_tok = (kind == USAGE_KIND_TOKENS).to_numpy(dtype=bool)
    is_seat = (kind == USAGE_KIND_SEAT_ACTIVITY).to_numpy(dtype=bool)
    is_meas = (kind == USAGE_KIND_MEASURED_ENERGY).to_numpy(dtype=bool)

    # Distinct (kind, provider, model) -> per-unit coefficients. Few keys, so a Python loop here is fine.
    pm_id, pm_keys = _codes(kind, provider, model)
    k = len(pm_keys)
    coef = {
        name: np.zeros(k)
        for name in ("tok_lo", "tok_hi", "req_lo", "req_hi", "emb_tok", "emb_req", "seat_c", "seat_lo", "seat_hi")
    }
    spend_usd_factor = np.zeros(k)
    pm_warn = [""] * k
    for i, (kd, prov, mdl) in enumerate(pm_keys):
        if kd == USAGE_KIND_TOKENS:
            params, note = _model_or_fallback(fs, prov, mdl)
            pue_lo, pue_hi, pue_note = _pue_range(fs, prov)
            c = llm_coefficients(params, pue_lo, pue_hi, method)
            coef["tok_lo"][i], coef["tok_hi"][i] = c["kwh_per_token_low"], c["kwh_per_token_high"]
            coef["req_lo"][i], coef["req_hi"][i] = c["kwh_per_request_low"], c["kwh_per_request_high"]
            coef["emb_tok"][i] = (c["embodied_kg_per_token_low"] + c["embodied_kg_per_token_high"]) / 2
            coef["emb_req"][i] = (c["embodied_kg_per_request_low"] + c["embodied_kg_per_request_high"]) / 2
            spend_usd_factor[i] = fs.spend_factor("api")["kgco2e_per_usd"]
            pm_warn[i] = "; ".join(x for x in (note, pue_note) if x)
        elif kd == USAGE_KIND_SEAT_ACTIVITY:
            s = fs.seat_tool(mdl, prov)
            coef["seat_c"][i] = s["interactions_per_day"] * s["wh_per_interaction"] / 1000
            coef["seat_lo"][i] = s["interactions_per_day_low"] * s["wh_per_interaction_low"] / 1000
            coef["seat_hi"][i] = s["interactions_per_day_high"] * s["wh_per_interaction_high"] / 1000
            spend_usd_factor[i] = fs.spend_factor("seat")["kgco2e_per_usd"]
            pm_warn[i] = (
                f"seat tool '{s['tool']}': assumed {s['interactions_per_day']} interactions per "
                f"active day x {s['wh_per_interaction']} Wh"
            )
    g = {name: arr[pm_id] for name, arr in coef.items()}

    energy = np.zeros(n)
    energy_lo = np.zeros(n)
    energy_hi = np.zeros(n)
    embodied = np.zeros(n)

    # Token rows: linear in output tokens and requests.
    tok_lo = out_tokens * g["tok_lo"] + requests * g["req_lo"]
    tok_hi = out_tokens * g["tok_hi"] + requests * g["req_hi"]
    energy_lo = np.where(is_tok, tok_lo, energy_lo)
    energy_hi = np.where(is_tok, tok_hi, energy_hi)
    embodied = np.where(is_tok, out_tokens * g["emb_tok"] + requests * g["emb_req"], embodied)

    # Seat rows: active user-days x (interactions/day x kWh/interaction).
    energy_lo = np.where(is_seat, user_days * g["seat_lo"], energy_lo)
    energy_hi = np.where(is_seat, user_days * g["seat_hi"], energy_hi)
    seat_c = user_days * g["seat_c"]

    # Measured rows: CodeCarbon kWh.
    meas = measured * float(method.get("measured_energy_pue", 1.0))
    energy_lo = np.where(is_meas, meas, energy_lo)
    energy_hi = np.where(is_meas, meas, energy_hi)

    energy = np.where(is_seat, seat_c, np.where(is_meas, meas, (energy_lo + energy_hi) / 2))

    # Spend-based fallback: no activity at all but a cost.
    no_activity = (is_seat & (user_days == 0)) | (is_tok & (out_tokens == 0) & (requests == 0))
    spend = no_activity & (cost != 0)
    usd_rate = np.ones(n)
    fx_missing = np.zeros(n, dtype=bool)
    if spend.any():
        cur_id, cur_keys = _codes(frame["currency"])
        rates = np.array([fs.usd_per_unit(c[0] or "USD") or np.nan for c in cur_keys])
        usd_rate = rates[cur_id]
        fx_missing = spend & np.isnan(usd_rate)
    spend_kg = cost * usd_rate * spend_usd_factor[pm_id]
    for arr in (energy, energy_lo, energy_hi):
        arr[spend] = np.nan  # energy is not estimable from spend; NaN, not a silent zero

    # Zones: distinct (kind, provider, model, zone) -> grid zone; then distinct (grid zone, year) -> factor.
    zid, zkeys = _codes(kind, provider, model, zone)
    zres = [_resolve_zone(fs, *key) for key in zkeys]
    zone_names = np.array([z for z, _ in zres], dtype=object)
    grid_zone = zone_names[zid]  # object array: for the instrument matching below
    zone_warn = [w for _, w in zres]
    zone_idx, zone_uniq = pd.factorize(zone_names)  # few distinct keys -> int id per row, cheap to combine
    gid, gkeys = _codes(zone_idx[zid], years)
    gkeys = [(zone_uniq[zi], y) for zi, y in gkeys]
    gf = [fs.grid_factor(z, int(y)) for z, y in gkeys]
    grid_g = np.array([f.gco2e_per_kwh for f in gf])[gid]
    grid_year = np.array([-1 if f.year is None else f.year for f in gf], dtype=np.int64)[gid]
    resid = [fs.residual_factor(z, int(y)) for z, y in gkeys]
    resid_g = np.array([r[1] if r else f.gco2e_per_kwh for r, f in zip(resid, gf, strict=False)])[gid]
    resid_unverified = np.array([bool(r and r[2] != "verified") for r in resid], dtype=bool)[gid]

    co2_loc = energy * grid_g / 1000
    co2_loc_lo = energy_lo * grid_g / 1000
    co2_loc_hi = energy_hi * grid_g / 1000
    lo_f, hi_f = float(method.get("spend_low_factor", 0.5)), float(method.get("spend_high_factor", 2.0))
    co2_loc = np.where(spend, spend_kg, co2_loc)
    co2_loc_lo = np.where(spend, spend_kg * lo_f, co2_loc_lo)
    co2_loc_hi = np.where(spend, spend_kg * hi_f, co2_loc_hi)

    # Market-based: Scope 3 rows equal location-based; Scope 2 rows use instruments, residual mix, grid.
    scope2 = self_hosted & ~spend
    alloc = allocate_instruments(frame["day"], grid_zone, energy, scope2, instruments, fs)
    covered = alloc["covered_kwh"]
    with np.errstate(invalid="ignore", divide="ignore"):
        cov_frac = np.where(energy > 0, covered / energy, 0.0)
        inst_rate = np.where(covered > 0, alloc["instrument_kg"] / covered, 0.0)  # kg per kWh covered
    mb_rate = cov_frac * inst_rate + (1 - cov_frac) * resid_g / 1000  # kg per kWh
    co2_mkt = np.where(scope2, energy * mb_rate, co2_loc)
    co2_mkt_lo = np.where(scope2, energy_lo * mb_rate, co2_loc_lo)
    co2_mkt_hi = np.where(scope2, energy_hi * mb_rate, co2_loc_hi)

    dq_code = np.where(is_meas, 1, np.where(spend, 2, 0))  # index into (activity, measured, spend)

    # Warnings: distinct combinations of (per-key notes, per-row flags) -> text, then take.
    flags = (
        spend.astype(np.int64)
        | (fx_missing.astype(np.int64) << 1)
        | ((scope2 & resid_unverified & (cov_frac < 1)).astype(np.int64) << 2)
        | ((is_tok & (requests == 0) & (out_tokens > 0)).astype(np.int64) << 3)
        | ((is_meas & ~self_hosted).astype(np.int64) << 4)
    )
    wid, wkeys = _codes(pm_id, zid, flags)
    texts = []
    for p, zi, fl in wkeys:
        parts = [pm_warn[p], zone_warn[zi]]
        if fl & 1:
            parts.append("spend-based: CO2e from cost (EEIO factor), energy not estimated")
        if fl & 2:
            parts.append("no exchange rate for the row's currency: spend-based CO2e unknown")
        if fl & 4:
            parts.append("residual-mix factor not yet verified against the AIB publication")
        if fl & 8:
            parts.append("request count missing: time-to-first-token share omitted")
        if fl & 16:
            parts.append("rented (not self-hosted) measured compute: Scope 3 cat. 1, not E1-5 energy")
        texts.append("; ".join(x for x in parts if x))

    def labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:
        # Repeated labels as categoricals: built from codes, no per-row string objects.
        uniq, inv = np.unique(np.asarray(names, dtype=object).astype(str), return_inverse=True)
        return pd.Categorical.from_codes(inv.reshape(-1)[codes], categories=uniq)

    result = frame.copy()
    columns = {
        "energy_kwh": energy,
        "energy_kwh_low": energy_lo,
        "energy_kwh_high": energy_hi,
        "co2e_location_kg": co2_loc,
        "co2e_location_kg_low": co2_loc_lo,
        "co2e_location_kg_high": co2_loc_hi,
        "co2e_market_kg": co2_mkt,
        "co2e_market_kg_low": co2_mkt_lo,
        "co2e_market_kg_high": co2_mkt_hi,
        "co2e_embodied_kg": embodied,
        "instrument_covered_kwh": covered,
        "grid_zone": labels(zid, [z for z, _ in zres]),
        "grid_gco2e_per_kwh": grid_g,
        "grid_year": grid_year,
        "scope": labels(self_hosted.astype(np.int64), [SCOPE3_CAT1, SCOPE2]),
        "data_quality": labels(dq_code, [DQ_ACTIVITY, DQ_MEASURED, DQ_SPEND]),
        "method_version": labels(np.zeros(n, dtype=np.int64), [fs.method_version]),
        "factor_set": labels(np.zeros(n, dtype=np.int64), [f"{fs.label}#{fs.content_hash[:12]}"]),
        "warning": labels(wid, texts),
    }
    for name, values in columns.items():
        result[name] = values
    result.attrs["instruments"] = alloc["report"]
    result.attrs["instrument_covered_mwh"] = float(covered.sum()) / 1000
    return result


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
    gid, gkeys = _codes(grid_zone, _year_array(df["day"]))
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


def estimate_request(
    provider: str,
    model: str,
    output_tokens: int,
    input_tokens: int = 0,
    requests: int = 1,
    zone: str | None = None,
    year: int | None = None,
    factor_set: FactorSet | None = None,
) -> dict[str, Any]:
    """Energy and location-based CO2e of `requests` LLM requests generating `output_tokens` in total.

    Strict: an unknown provider, model or zone raises FactorLookupError listing close matches
    (no size-class fallback here: a person typed these names). `input_tokens` is accepted and
    reported but does not enter the method (EcoLogits models generation only). `zone` defaults to
    the provider's data-centre location; `year` picks the grid vintage (default: latest data).
    Returns a JSON-serialisable dict (the `estimate` command and POST /api/v1/estimate return it)."""
    fs = factor_set or default_factor_set()
    amounts = (("output_tokens", output_tokens), ("input_tokens", input_tokens), ("requests", requests))
    for name, value in amounts:
        if value is None or int(value) < 0:
            raise ValueError(f"{name} must be a whole number >= 0")
    eprov = fs.ecologits_provider(provider)
    if eprov is None:
        raise FactorLookupError("provider", provider, fs.known_providers())
    params = fs.model(provider, model)
    if params is None:
        raise FactorLookupError(f"model for provider {provider!r}", model, fs.model_names(provider))
    pue_lo, pue_hi, _ = _pue_range(fs, provider)
    if zone:
        grid_zone = fs.resolve_zone(zone)
        if grid_zone is None:
            raise FactorLookupError("zone", zone, fs.known_zones())
    else:
        grid_zone = fs.datacenter(provider)["zone"]
    grid = fs.grid_factor(grid_zone, year)
    c = llm_coefficients(params, pue_lo, pue_hi, fs.method)
    lo = output_tokens * c["kwh_per_token_low"] + requests * c["kwh_per_request_low"]
    hi = output_tokens * c["kwh_per_token_high"] + requests * c["kwh_per_request_high"]
    mid = (lo + hi) / 2
    kg = grid.gco2e_per_kwh / 1000
    embodied = (
        output_tokens * (c["embodied_kg_per_token_low"] + c["embodied_kg_per_token_high"]) / 2
        + requests * (c["embodied_kg_per_request_low"] + c["embodied_kg_per_request_high"]) / 2
    )
    warnings = []
    if "model-arch-not-released" in params.warnings:
        warnings.append("architecture not released: parameter range from ecologits")
    return {
        "provider": eprov,
        "model": params.model,
        "output_tokens": int(output_tokens),
        "input_tokens": int(input_tokens),
        "requests": int(requests),
        "energy_kwh": mid,
        "energy_kwh_low": lo,
        "energy_kwh_high": hi,
        "co2e_kg": mid * kg,
        "co2e_kg_low": lo * kg,
        "co2e_kg_high": hi * kg,
        "co2e_embodied_kg": embodied,
        "zone": grid_zone,
        "grid_gco2e_per_kwh": grid.gco2e_per_kwh,
        "grid_year": grid.year,
        "grid_source": grid.source,
        "method_version": fs.method_version,
        "factor_set": f"{fs.label}#{fs.content_hash[:12]}",
        "warnings": warnings,
    }


TOTAL_COLUMNS = (
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "co2e_location_kg",
    "co2e_market_kg",
    "co2e_embodied_kg",
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
