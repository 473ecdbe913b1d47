"""What the evidence pack adds so that an outsider recomputes every figure: method.json (each method constant with its
source) and resolution/*.csv (what each record's names resolved to in the factor set: model -> repository entry ->
parameters, provider -> data-centre PUE/WUE, zone -> grid zone -> grid factors, seat tools, spend factors,
currencies, contractual instruments). `recompute.py` (shipped beside them) does the arithmetic from these alone.

The lookups are the calculator's own (the same FactorSet methods it calls); what the pack states is their result,
so the recomputation checks the arithmetic and a reader checks the lookups against the factor tables. No Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from apps.core.labels import NO_TEAM
from apps.footprint.estimators.ranges import RANGE_METHOD
from apps.footprint.estimators.spend import SPEND_CATEGORY
from apps.footprint.estimators.tokens import datacenter_pue, embedding_params, model_or_fallback
from apps.footprint.factor_set import FactorSet
from apps.footprint.factor_table import BOUNDARY_GENERATION, BOUNDARY_LIFE_CYCLE
from apps.footprint.market import normalise_instruments
from apps.footprint.model_names import model_family
from apps.footprint.upstream import zone_upstream
from apps.footprint.zones import resolve_zone

from ..e1 import PRIMARY_DATA_QUALITY

_LLM = "ecologits.impacts.llm"
# Method constant -> (where it comes from, what it is). "assumption" in the text marks a ledger assumption.
CONSTANT_SOURCES: dict[str, tuple[str, str]] = {
    "gpu_energy_alpha": (f"{_LLM}.GPU_ENERGY_ALPHA", "GPU-energy regression: Wh per output token per B active params"),
    "gpu_energy_beta": (f"{_LLM}.GPU_ENERGY_BETA", "GPU-energy regression: exponent on the batch size"),
    "gpu_energy_gamma": (f"{_LLM}.GPU_ENERGY_GAMMA", "GPU-energy regression: intercept, Wh per output token"),
    "latency_alpha": (f"{_LLM}.LATENCY_ALPHA", "latency regression: s per output token per B active params"),
    "latency_beta": (f"{_LLM}.LATENCY_BETA", "latency regression: s per output token per unit of batch size"),
    "latency_gamma": (f"{_LLM}.LATENCY_GAMMA", "latency regression: intercept, s per output token"),
    "batch_size": (f"{_LLM}.BATCH_SIZE", "requests served together"),
    "gpu_memory_gb": (f"{_LLM}.GPU_MEMORY", "memory of one GPU, GB"),
    "quantization_bits": (f"{_LLM}.MODEL_QUANTIZATION_BITS", "bits per weight"),
    "server_gpus": (f"{_LLM}.SERVER_GPUS", "GPUs per server"),
    "server_power_kw": (f"{_LLM}.SERVER_POWER", "server power without GPUs, kW"),
    "gpu_embodied_gwp_kg": (f"{_LLM}.GPU_EMBODIED_IMPACT_GWP", "embodied GHG of one GPU, kgCO2e"),
    "gpu_embodied_adpe_kgsbeq": (f"{_LLM}.GPU_EMBODIED_IMPACT_ADPE", "embodied ADPe of one GPU, kgSbeq"),
    "gpu_embodied_pe_mj": (f"{_LLM}.GPU_EMBODIED_IMPACT_PE", "embodied primary energy of one GPU, MJ"),
    "server_embodied_gwp_kg": (f"{_LLM}.SERVER_EMBODIED_IMPACT_GWP", "embodied GHG of one server, kgCO2e"),
    "server_embodied_adpe_kgsbeq": (f"{_LLM}.SERVER_EMBODIED_IMPACT_ADPE", "embodied ADPe of one server, kgSbeq"),
    "server_embodied_pe_mj": (f"{_LLM}.SERVER_EMBODIED_IMPACT_PE", "embodied primary energy of one server, MJ"),
    "hardware_lifespan_s": (f"{_LLM}.HARDWARE_LIFESPAN", "hardware life over which embodied impacts spread, s"),
    "spend_low_factor": ("assumption (AI Footprint Ledger)", "spend-based low = factor x this (EEIO uncertainty)"),
    "spend_high_factor": ("assumption (AI Footprint Ledger)", "spend-based high = factor x this (EEIO uncertainty)"),
    "seat_range": (
        "assumption (AI Footprint Ledger): the two factors of an assumed seat row are independent",
        "log_quadrature: their bound ratios combine as exp(sqrt(sum of ln(ratio)^2)); absent: low x low, high x high",
    ),
    "ledger_calc_version": ("AI Footprint Ledger", "version of the ledger's method (recorded on every record)"),
    "ecologits_version": ("PyPI package ecologits", "release the model data and the constants above came from"),
    "codecarbon_version": ("PyPI package codecarbon", "release the grid factors came from"),
    "world_zone": ("AI Footprint Ledger", "zone of the world-average factor, where no zone is known"),
    "measured_energy_pue": (
        "assumption (AI Footprint Ledger), used only by a set without a facility_pue table",
        "uplift of measured IT energy",
    ),
}
# Constants the code applies with a default when a stored set lacks them (the estimators' own defaults).
CONSTANT_DEFAULTS = {"spend_low_factor": 0.5, "spend_high_factor": 2.0, "measured_energy_pue": 1.0}


# resolution table -> the factor tables its figures come from (their source, vintage and licence go with them)
FACTORS_USED = {
    "seat_tools": ("seat_tools",),
    "grid": ("grid", "residual_mix", "facility_pue", "electricity_impacts"),
    "spend_factors": ("spend_factors",),
    "currencies": ("currency_rates",),
    "providers": ("provider_datacenters",),
}


def _rows(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as JSON objects (NaN: null)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def method_document(fs: FactorSet, snapshot: dict, resolution: dict[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """method.json: every method constant with its value and source, the factors the records used (seat
    interactions, grid and residual factors, facility PUE, spend factors, rates) with their tables' provenance, the
    factor tables' provenance and the rules recompute.py applies (ranges, primary data, units)."""
    constants = {}
    for name in sorted(set(fs.method) | set(CONSTANT_DEFAULTS)):
        value = fs.method.get(name, CONSTANT_DEFAULTS.get(name))
        where, what = CONSTANT_SOURCES.get(name, ("factor set method (no further source recorded)", ""))
        if where.startswith("ecologits."):
            where = f"ecologits {fs.ecologits_version}: {where}"
        constants[name] = {
            "value": value,
            "source": where if name in fs.method else f"{where}; not in the set, the code's default",
            "meaning": what,
            "assumption": where.startswith("assumption"),
        }
    return {
        "factor_set": {"label": fs.label, "sha256": fs.content_hash, "method_version": fs.method_version},
        "constants": constants,
        "input_token_ratios": {
            term: {"low": lo, "high": hi, "status": status}
            for term, (lo, hi, status) in fs.input_token_ratios().items()
        },
        "factors_used": {
            name: {
                "from": [
                    {
                        "table": t,
                        "source": fs.tables[t].source,
                        "vintage": fs.tables[t].vintage,
                        "licence": fs.tables[t].licence,
                    }
                    for t in tables
                    if t in fs.tables
                ],
                "rows": _rows(resolution[name]),
            }
            for name, tables in FACTORS_USED.items()
            if resolution is not None and name in resolution
        },
        "tables": fs.provenance(),
        "rules": {
            "ranges": RANGE_METHOD,
            "primary_data_quality": list(PRIMARY_DATA_QUALITY),
            "no_team_label": str(NO_TEAM),
            "spend_category": SPEND_CATEGORY,
            "boundaries": {"scope2": BOUNDARY_GENERATION, "other": BOUNDARY_LIFE_CYCLE},
            "units": "records.csv: kWh, kgCO2e, L, kgSbeq, MJ; datapoints: MWh and tCO2e (/ 1000), m3, GJ",
        },
        "inputs": snapshot.get("inputs") or {},
    }


_TEXT = ("usage_kind", "provider", "model", "model_resolved", "zone", "grid_zone", "scope", "data_quality")


class KeyCollector:
    """Wraps the record chunks on their way to records.csv and keeps their distinct names (few, whatever the
    number of records): what the resolution tables must cover."""

    def __init__(self) -> None:
        self.models: dict[tuple, str] = {}  # (kind, provider, model, model_resolved) -> first day
        self.zones: set[tuple] = set()  # (kind, provider, model, zone)
        self.grids: set[tuple] = set()  # (grid_zone, year, scope-2 boundary)
        self.names: set[str] = set()

    def wrap(self, chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        """The same chunks, unchanged, their names noted."""
        for chunk in chunks:
            self._note(chunk)
            yield chunk

    def _note(self, chunk: pd.DataFrame) -> None:
        if not len(chunk) or "usage_kind" not in chunk.columns:
            return
        f = pd.DataFrame(
            {c: chunk[c].astype(object).fillna("").astype(str) if c in chunk.columns else "" for c in _TEXT}
        )
        f["day"] = chunk["day"].astype(str).str[:10]
        f["year"] = f["day"].str[:4].astype(int)
        f["own"] = (f["scope"] == "scope2") & (f["data_quality"] != "spend_based")
        for key, day in f.groupby(["usage_kind", "provider", "model", "model_resolved"])["day"].min().items():
            self.models[key] = min(day, self.models.get(key, day))
        self.zones |= set(f[["usage_kind", "provider", "model", "zone"]].drop_duplicates().itertuples(False, None))
        self.grids |= set(f[["grid_zone", "year", "own"]].drop_duplicates().itertuples(False, None))
        self.names |= set(f["model"].unique())


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _model_rows(fs: FactorSet, keys: KeyCollector) -> pd.DataFrame:
    ratios = fs.input_token_ratios()
    prefill, cached = ratios.get("prefill", (0.0, 0.0, "")), ratios.get("cached_input", (0.0, 0.0, ""))
    rows = []
    for (kind, provider, model, resolved), day in sorted(keys.models.items()):
        if kind != "tokens":
            continue
        on_day = fs.model_at(provider, model, dt.date.fromisoformat(day))
        embedding = fs.embedding_model(on_day)
        params = (
            embedding_params(provider, on_day, embedding) if embedding else model_or_fallback(fs, provider, on_day)[0]
        )
        pue_lo, pue_hi, _note = datacenter_pue(fs, provider)
        rows.append(
            {
                "usage_kind": kind,
                "provider": provider,
                "model": model,
                "model_resolved": resolved,
                "model_on_first_day": on_day,
                "repository_entry": params.resolved,
                "embedding": int(embedding is not None),
                "active_params_min_b": params.active_min_b,
                "active_params_max_b": params.active_max_b,
                "total_params_min_b": params.total_min_b,
                "total_params_max_b": params.total_max_b,
                "tps": params.tps,
                "ttft_s": params.ttft_s,
                "pue_min": pue_lo,
                "pue_max": pue_hi,
                "prefill_ratio_low": prefill[0],
                "prefill_ratio_high": prefill[1],
                "cached_ratio_low": cached[0],
                "cached_ratio_high": cached[1],
            }
        )
    return _frame(rows, list(rows[0]) if rows else ["usage_kind", "provider", "model", "model_resolved"])


def _provider_rows(fs: FactorSet, keys: KeyCollector) -> pd.DataFrame:
    every = fs.tables["provider_datacenters"].records()
    lo = min(r["wue_min"] / r["pue_min"] for r in every)
    hi = max(r["wue_max"] / r["pue_max"] for r in every)
    rows = []
    for provider in sorted({k[1] for k in keys.models}):
        dc = fs.datacenter(provider)
        onsite = (dc["wue_min"] / dc["pue_min"], dc["wue_max"] / dc["pue_max"]) if dc else (lo, hi)
        rows.append(
            {
                "provider": provider,
                "datacenter_zone": dc["zone"] if dc else "",
                "onsite_water_l_per_kwh_low": onsite[0],
                "onsite_water_l_per_kwh_high": onsite[1],
                "basis": "provider's data centres (WUE / PUE)" if dc else "range of all providers",
            }
        )
    return _frame(rows, ["provider", "datacenter_zone", "onsite_water_l_per_kwh_low", "onsite_water_l_per_kwh_high"])


def _seat_rows(fs: FactorSet, keys: KeyCollector) -> pd.DataFrame:
    rows = []
    for kind, provider, model, _resolved in sorted(keys.models):
        if kind != "seat_activity":
            continue
        s = fs.seat_tool(model, provider)
        rows.append({"provider": provider, "model": model, **{c: s.get(c) for c in fs.tables["seat_tools"].columns}})
    return _frame(rows, ["provider", "model", *fs.tables["seat_tools"].columns])


def _zone_rows(fs: FactorSet, keys: KeyCollector) -> pd.DataFrame:
    rows = []
    for kind, provider, model, zone in sorted(keys.zones):
        grid_zone, note = resolve_zone(fs, kind, provider, model, zone)
        rows.append(
            {
                "usage_kind": kind,
                "provider": provider,
                "model": model,
                "zone": zone,
                "grid_zone": grid_zone,
                "note": note,
            }
        )
    return _frame(rows, ["usage_kind", "provider", "model", "zone", "grid_zone", "note"])


def _grid_rows(fs: FactorSet, keys: KeyCollector) -> pd.DataFrame:
    nan = float("nan")
    rows = []
    for grid_zone, year, own in sorted(keys.grids):
        boundary = BOUNDARY_GENERATION if own else BOUNDARY_LIFE_CYCLE
        grid = fs.grid_factor(grid_zone, int(year), boundary)
        residual = fs.residual_factor(grid_zone, int(year))
        shares = fs.grid_factor(grid_zone, int(year))  # the energy mix reads the default boundary's shares
        fossil, nuclear = shares.fossil_share, shares.nuclear_share
        nuclear_fraction = (
            0.0 if fossil is None or nuclear is None or fossil + nuclear <= 0 else nuclear / (fossil + nuclear)
        )
        pue = fs.facility_pue(grid_zone)
        mix = fs.electricity_impacts(grid_zone) or {}
        up = zone_upstream(fs, grid_zone, int(year)) if own else {}  # Scope 3 category 3's two factors
        counted = up.get("basis_generation_gco2e_per_kwh") is not None
        rows.append(
            {
                "grid_zone": grid_zone,
                "year": int(year),
                "scope2_boundary": int(bool(own)),
                "gco2e_per_kwh": grid.gco2e_per_kwh,
                "grid_year": -1 if grid.year is None else grid.year,
                "boundary": grid.boundary,
                "grid_source": grid.source,
                "residual_gco2e_per_kwh": residual[1] if residual else grid.gco2e_per_kwh,
                "residual_year": int(residual[0]) if residual else None,
                "residual_status": residual[2] if residual else "none: grid factor",
                "nuclear_fraction_of_non_renewable": nuclear_fraction,
                "facility_pue": pue[0] if pue else None,
                "facility_pue_status": pue[1] if pue else "",
                "adpe_kgsbeq_per_kwh": float(mix.get("adpe_kgsbeq_per_kwh", nan)),
                "pe_mj_per_kwh": float(mix.get("pe_mj_per_kwh", nan)),
                "wue_l_per_kwh": float(mix.get("wue_l_per_kwh", nan)),
                "upstream_life_cycle_gco2e_per_kwh": up["life_cycle_gco2e_per_kwh"] if counted else None,
                "upstream_generation_gco2e_per_kwh": up["basis_generation_gco2e_per_kwh"] if counted else None,
                "upstream_flag": up.get("flag", ""),
            }
        )
    return _frame(rows, list(rows[0]) if rows else ["grid_zone", "year", "scope2_boundary", "gco2e_per_kwh"])


def _spend_rows(fs: FactorSet) -> pd.DataFrame:
    rows = [
        {"usage_kind": kind, "category": cat, "kgco2e_per_usd": fs.spend_factor(cat)["kgco2e_per_usd"]}
        for kind, cat in sorted(SPEND_CATEGORY.items())
    ]
    return _frame(rows, ["usage_kind", "category", "kgco2e_per_usd"])


def _currency_rows(fs: FactorSet) -> pd.DataFrame:
    table = fs.tables["currency_rates"]
    return _frame(
        [{"currency": r["currency"], "usd_per_unit": r["usd_per_unit"]} for r in table.records()],
        ["currency", "usd_per_unit"],
    )


def _instrument_rows(fs: FactorSet, snapshot: dict) -> pd.DataFrame:
    inst = normalise_instruments((snapshot.get("inputs") or {}).get("instruments") or None, fs)
    columns = [
        "order",
        "kind",
        "mwh",
        "zone",
        "grid_zone",
        "period_start",
        "period_end",
        "gco2e_per_kwh",
        "energy_source",
    ]
    rows = [
        {
            "order": i,
            "kind": r.kind,
            "mwh": float(r.mwh),
            "zone": r.zone,
            "grid_zone": r.grid_zone,
            "period_start": pd.Timestamp(r.period_start).date().isoformat(),
            "period_end": pd.Timestamp(r.period_end).date().isoformat(),
            "gco2e_per_kwh": float(r.gco2e_per_kwh),
            "energy_source": r.energy_source,
        }
        for i, r in enumerate(inst.itertuples(index=False))
    ]
    return _frame(rows, columns)


def resolution_tables(fs: FactorSet, snapshot: dict, keys: KeyCollector) -> dict[str, pd.DataFrame]:
    """resolution/<name>.csv for the names the records used, in the allocation and lookup order of the calculator."""
    return {
        "models": _model_rows(fs, keys),
        "providers": _provider_rows(fs, keys),
        "seat_tools": _seat_rows(fs, keys),
        "zones": _zone_rows(fs, keys),
        "grid": _grid_rows(fs, keys),
        "spend_factors": _spend_rows(fs),
        "currencies": _currency_rows(fs),
        "instruments": _instrument_rows(fs, snapshot),
        "model_families": _frame(
            [{"model": m, "family": model_family(m)} for m in sorted(keys.names)], ["model", "family"]
        ),
    }
