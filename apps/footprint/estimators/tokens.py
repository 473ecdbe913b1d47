"""Token rows (usage_kind=tokens): the EcoLogits method over millions of daily buckets, plus input tokens.

Coefficients once per distinct (kind, provider, model) key (`token_coefficients`), then energy and
embodied GHG, ADPe and PE per row, linear in output tokens and requests (`llm_impacts`). Unknown models get a
size class's wide range and a note, never zero.

EcoLogits prices output tokens only. The ledger adds a prefill term: an uncached input token costs the
factor set's `prefill` ratio of the model's energy per output token, a cached one its `cached_input` ratio;
an embedding model (table embedding_models) is a prefill-only pass of a model of its assumed size. That energy
is its own column (`energy_prefill_kwh`), so the EcoLogits-equal part stays comparable. No Django."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from apps.core.messages import Message

from ..factor_set import FactorSet
from ..factor_table import ModelParams
from ..usage_frame import USAGE_KIND_TOKENS
from ..warning_codes import ARCH_NOT_RELEASED, EMBEDDING_MODEL, NO_DATACENTRE_PUE, UNKNOWN_MODEL, join_warnings
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
    kwh_per_input_token: RangeValue  # prefill, uncached input (embedding models: every input token)
    kwh_per_cached_token: RangeValue
    adpe_per_token: RangeValue  # embodied kgSbeq
    adpe_per_request: RangeValue
    pe_per_token: RangeValue  # embodied MJ
    pe_per_request: RangeValue


class TokenImpacts(NamedTuple):
    """Per row: EcoLogits energy (kWh, output tokens and requests) with its range, embodied GHG (kgCO2e,
    central), prefill energy (kWh, input tokens) and embodied ADPe (kgSbeq) and PE (MJ) with their ranges."""

    energy_kwh: RangeValue
    embodied_kg: np.ndarray
    prefill_kwh: RangeValue
    embodied_adpe_kgsbeq: RangeValue
    embodied_pe_mj: RangeValue


def model_or_fallback(fs: FactorSet, provider: str, model: str) -> tuple[ModelParams, str]:
    """The model's parameters, or its size class's range for a model the repository does not know; with a note."""
    found = fs.model(provider, model)
    if found is not None:
        note = ""
        if "model-arch-not-released" in found.warnings:
            note = Message(ARCH_NOT_RELEASED, model=model)
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
    return params, Message(
        UNKNOWN_MODEL,
        provider=provider,
        model=model,
        size_class=cls["size_class"],
        active_min=cls["active_params_min_b"],
        active_max=cls["active_params_max_b"],
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
        Message(NO_DATACENTRE_PUE, provider=repr(provider)),
    )


def embedding_params(provider: str, model: str, row: dict) -> ModelParams:
    """The assumed parameter range of an embedding model (table embedding_models), as a dense model."""
    lo, hi = float(row["params_min_b"]), float(row["params_max_b"])
    return ModelParams(provider, model, lo, hi, lo, hi, None, None, "")


_COEFFICIENTS = (
    "tok",
    "req",
    "inp",
    "cached",
    "adpe_tok",
    "adpe_req",
    "pe_tok",
    "pe_req",
)


def token_coefficients(fs: FactorSet, keys: list[tuple]) -> TokenCoefficients:
    """Per-token and per-request coefficients of each distinct (kind, provider, model) key."""
    k = len(keys)
    c = {f"{name}_{end}": np.zeros(k) for name in _COEFFICIENTS for end in ("lo", "hi")}
    emb_tok, emb_req = np.zeros(k), np.zeros(k)
    notes, resolved = [""] * k, [""] * k
    ratios = fs.input_token_ratios()
    prefill, cached = ratios.get("prefill", (0.0, 0.0, "")), ratios.get("cached_input", (0.0, 0.0, ""))
    for i, (kind, provider, model) in enumerate(keys):
        if kind != USAGE_KIND_TOKENS:
            continue
        embedding = fs.embedding_model(model)
        if embedding is not None:
            params = embedding_params(provider, model, embedding)
            size = f"{params.active_min_b}-{params.active_max_b}B"
            note = Message(EMBEDDING_MODEL, model=model, size=size)
        else:
            params, note = model_or_fallback(fs, provider, model)
        resolved[i] = params.resolved
        pue_lo, pue_hi, pue_note = datacenter_pue(fs, provider)
        low, high = compute_llm_impacts(params, pue_lo, pue_hi, fs.method)
        c["inp_lo"][i] = prefill[0] * low.energy_kwh.per_token
        c["inp_hi"][i] = prefill[1] * high.energy_kwh.per_token
        c["cached_lo"][i] = cached[0] * low.energy_kwh.per_token
        c["cached_hi"][i] = cached[1] * high.energy_kwh.per_token
        notes[i] = join_warnings((note, pue_note))
        if embedding is not None:
            continue  # no generation: no output-token energy, nor generation time to allocate hardware by
        for name, lo, hi in (
            ("tok", low.energy_kwh.per_token, high.energy_kwh.per_token),
            ("req", low.energy_kwh.per_request, high.energy_kwh.per_request),
            ("adpe_tok", low.embodied_adpe_kgsbeq.per_token, high.embodied_adpe_kgsbeq.per_token),
            ("adpe_req", low.embodied_adpe_kgsbeq.per_request, high.embodied_adpe_kgsbeq.per_request),
            ("pe_tok", low.embodied_pe_mj.per_token, high.embodied_pe_mj.per_token),
            ("pe_req", low.embodied_pe_mj.per_request, high.embodied_pe_mj.per_request),
        ):
            c[f"{name}_lo"][i], c[f"{name}_hi"][i] = lo, hi
        emb_tok[i] = (low.embodied_kg.per_token + high.embodied_kg.per_token) / 2
        emb_req[i] = (low.embodied_kg.per_request + high.embodied_kg.per_request) / 2

    def rng(name: str) -> RangeValue:
        return RangeValue(c[f"{name}_lo"], c[f"{name}_hi"])

    return TokenCoefficients(
        rng("tok"),
        rng("req"),
        emb_tok,
        emb_req,
        notes,
        resolved,
        rng("inp"),
        rng("cached"),
        rng("adpe_tok"),
        rng("adpe_req"),
        rng("pe_tok"),
        rng("pe_req"),
    )


def _linear(tokens: np.ndarray, requests: np.ndarray, per_token: RangeValue, per_request: RangeValue, key_id):
    return RangeValue(
        low=tokens * per_token.low[key_id] + requests * per_request.low[key_id],
        high=tokens * per_token.high[key_id] + requests * per_request.high[key_id],
    )


def llm_impacts(
    output_tokens: np.ndarray,
    requests: np.ndarray,
    coefficients: TokenCoefficients,
    key_id: np.ndarray,
    input_tokens: np.ndarray | None = None,
    cached_input_tokens: np.ndarray | None = None,
) -> TokenImpacts:
    """Energy and embodied impacts of each row: output tokens x per-token + requests x per-request coefficient;
    prefill energy: input tokens x per-input-token + cached input tokens x per-cached-token coefficient.

    The EcoLogits part is the vectorised counterpart of ecologits.tracers.utils.llm_impacts (a bucket of N
    requests equals N single requests, the method being linear). Rows of other kinds get 0 (their coefficients
    are 0)."""
    c = coefficients
    none = np.zeros_like(output_tokens)
    inputs = none if input_tokens is None else input_tokens
    cached = none if cached_input_tokens is None else cached_input_tokens
    energy = _linear(output_tokens, requests, c.kwh_per_token, c.kwh_per_request, key_id)
    prefill = _linear(inputs, cached, c.kwh_per_input_token, c.kwh_per_cached_token, key_id)
    embodied = output_tokens * c.embodied_kg_per_token[key_id] + requests * c.embodied_kg_per_request[key_id]
    adpe = _linear(output_tokens, requests, c.adpe_per_token, c.adpe_per_request, key_id)
    pe = _linear(output_tokens, requests, c.pe_per_token, c.pe_per_request, key_id)
    return TokenImpacts(energy, embodied, prefill, adpe, pe)
