"""Token rows (usage_kind=tokens): the EcoLogits method over millions of daily buckets.

Coefficients once per distinct (kind, provider, model) key (`token_coefficients`), then energy and
embodied GHG per row, linear in output tokens and requests (`llm_impacts`). Unknown models get a size
class's wide range and a note, never zero. No Django."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..factor_set import FactorSet
from ..factor_table import ModelParams
from ..usage_frame import USAGE_KIND_TOKENS
from .llm import compute_llm_impacts
from .ranges import RangeValue


class TokenCoefficients(NamedTuple):
    """Per distinct key (zero for keys of other usage kinds), with each key's note ("" when none)."""

    kwh_per_token: RangeValue
    kwh_per_request: RangeValue
    embodied_kg_per_token: np.ndarray  # central: mean of the low and high runs
    embodied_kg_per_request: np.ndarray
    notes: list[str]
    resolved: list[str]  # per key: the repository entry used (`ModelParams.resolved`), "" for other kinds


class TokenImpacts(NamedTuple):
    """Per row: energy (kWh) with its range, embodied GHG (kgCO2e, central)."""

    energy_kwh: RangeValue
    embodied_kg: np.ndarray


def model_or_fallback(fs: FactorSet, provider: str, model: str) -> tuple[ModelParams, str]:
    """The model's parameters, or its size class's range for a model the repository does not know; with a note."""
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


def datacenter_pue(fs: FactorSet, provider: str) -> tuple[float, float, str]:
    """(PUE min, PUE max, note) of the provider's data centres; the range of all providers when unknown."""
    dc = fs.datacenter(provider)
    if dc is not None:
        return float(dc["pue_min"]), float(dc["pue_max"]), ""
    pues = [(float(r["pue_min"]), float(r["pue_max"])) for r in fs.tables["provider_datacenters"].records()]
    return (
        min(p[0] for p in pues),
        max(p[1] for p in pues),
        f"provider {provider!r} has no data-centre PUE: range of all providers used",
    )


def token_coefficients(fs: FactorSet, keys: list[tuple]) -> TokenCoefficients:
    """Per-token and per-request coefficients of each distinct (kind, provider, model) key."""
    k = len(keys)
    tok_lo, tok_hi, req_lo, req_hi, emb_tok, emb_req = (np.zeros(k) for _ in range(6))
    notes, resolved = [""] * k, [""] * k
    for i, (kind, provider, model) in enumerate(keys):
        if kind != USAGE_KIND_TOKENS:
            continue
        params, note = model_or_fallback(fs, provider, model)
        resolved[i] = params.resolved
        pue_lo, pue_hi, pue_note = datacenter_pue(fs, provider)
        low, high = compute_llm_impacts(params, pue_lo, pue_hi, fs.method)
        tok_lo[i], tok_hi[i] = low.energy_kwh.per_token, high.energy_kwh.per_token
        req_lo[i], req_hi[i] = low.energy_kwh.per_request, high.energy_kwh.per_request
        emb_tok[i] = (low.embodied_kg.per_token + high.embodied_kg.per_token) / 2
        emb_req[i] = (low.embodied_kg.per_request + high.embodied_kg.per_request) / 2
        notes[i] = "; ".join(x for x in (note, pue_note) if x)
    return TokenCoefficients(RangeValue(tok_lo, tok_hi), RangeValue(req_lo, req_hi), emb_tok, emb_req, notes, resolved)


def llm_impacts(
    output_tokens: np.ndarray, requests: np.ndarray, coefficients: TokenCoefficients, key_id: np.ndarray
) -> TokenImpacts:
    """Energy and embodied GHG of each row: output tokens x per-token + requests x per-request coefficient.

    The vectorised counterpart of ecologits.tracers.utils.llm_impacts (a bucket of N requests equals N
    single requests, the method being linear). Rows of other kinds get 0 (their coefficients are 0)."""
    c = coefficients
    energy = RangeValue(
        low=output_tokens * c.kwh_per_token.low[key_id] + requests * c.kwh_per_request.low[key_id],
        high=output_tokens * c.kwh_per_token.high[key_id] + requests * c.kwh_per_request.high[key_id],
    )
    embodied = output_tokens * c.embodied_kg_per_token[key_id] + requests * c.embodied_kg_per_request[key_id]
    return TokenImpacts(energy, embodied)
