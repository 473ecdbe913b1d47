"""The EcoLogits LLM inference method for one model, step by step, named as `ecologits.impacts.llm` names
its steps so each can be compared with upstream (ecologits version recorded in the factor set).

Upstream computes one request of N output tokens; our sources are daily buckets, and everything is linear
in output tokens and requests, so each step here gives a per-output-token and a per-request part (the
time to first token), computed once per distinct model and applied to all rows (see `tokens`).
`method` is the factor set's method constants. No Django.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..factor_table import ModelParams


class Latency(NamedTuple):
    """Generation latency: seconds per output token, and per request (time to first token)."""

    per_token_s: float
    per_request_s: float


class PerUnit(NamedTuple):
    """A figure per output token and per request."""

    per_token: float
    per_request: float


class LLMRun(NamedTuple):
    """One run of the method (one parameter count, one PUE): energy in kWh, embodied GHG in kgCO2e, embodied
    abiotic depletion in kgSbeq and embodied primary energy in MJ."""

    energy_kwh: PerUnit
    embodied_kg: PerUnit
    embodied_adpe_kgsbeq: PerUnit
    embodied_pe_mj: PerUnit


def model_required_memory(total_params_b: float, quantization_bits: float) -> float:
    """GB of GPU memory the model's weights need (EcoLogits model_required_memory)."""
    return 1.2 * total_params_b * quantization_bits / 8


def gpu_required_count(required_memory_gb: float, gpu_memory_gb: float) -> int:
    """GPUs needed to hold the model, rounded up to a power of two (EcoLogits gpu_required_count).

    At least one: a model too small to fill a GPU still runs on one."""
    gpus = max(1, math.ceil(required_memory_gb / gpu_memory_gb))
    return 2 ** math.ceil(math.log2(gpus))


def gpu_energy(active_params_b: float, method: Mapping[str, Any]) -> float:
    """kWh one GPU uses per output token (EcoLogits gpu_energy, for one token)."""
    per_token_wh = (
        method["gpu_energy_alpha"] * math.exp(method["gpu_energy_beta"] * method["batch_size"]) * active_params_b
        + method["gpu_energy_gamma"]
    )
    return per_token_wh / 1000


def generation_latency(
    active_params_b: float, tps: float | None, ttft_s: float | None, method: Mapping[str, Any]
) -> Latency:
    """Latency per output token and per request (EcoLogits generation_latency, measured latency not binding).

    Per token: 1 / the model's typical tokens per second, or the EcoLogits latency regression when the
    repository gives none; per request: one time to first token (0 when unknown)."""
    if tps:
        per_token_s = 1 / tps
    else:
        per_token_s = (
            method["latency_alpha"] * active_params_b
            + method["latency_beta"] * method["batch_size"]
            + method["latency_gamma"]
        )
    return Latency(per_token_s, ttft_s or 0.0)


def server_energy(gpu_count: int, method: Mapping[str, Any]) -> float:
    """kWh the server (non-GPU) uses per second of generation, one request's share (EcoLogits server_energy)."""
    return method["server_power_kw"] * (gpu_count / method["server_gpus"]) / method["batch_size"] / 3600


def request_energy(
    pue: float, gpu_count: int, gpu_kwh_per_token: float, latency: Latency, server_kwh_per_s: float
) -> PerUnit:
    """kWh at the meter: PUE x (server + GPUs x GPU energy) (EcoLogits request_energy of request_it_energy)."""
    return PerUnit(
        per_token=pue * (gpu_count * gpu_kwh_per_token + latency.per_token_s * server_kwh_per_s),
        per_request=pue * latency.per_request_s * server_kwh_per_s,
    )


def server_gpu_embodied_gwp(gpu_count: int, method: Mapping[str, Any]) -> float:
    """kgCO2e of manufacturing the GPUs and their share of the server (EcoLogits server_gpu_embodied_gwp)."""
    return (gpu_count / method["server_gpus"]) * method["server_embodied_gwp_kg"] + gpu_count * method[
        "gpu_embodied_gwp_kg"
    ]


def server_gpu_embodied_adpe(gpu_count: int, method: Mapping[str, Any]) -> float:
    """kgSbeq of manufacturing the GPUs and their share of the server (EcoLogits server_gpu_embodied_adpe)."""
    return (gpu_count / method["server_gpus"]) * method["server_embodied_adpe_kgsbeq"] + gpu_count * method[
        "gpu_embodied_adpe_kgsbeq"
    ]


def server_gpu_embodied_pe(gpu_count: int, method: Mapping[str, Any]) -> float:
    """MJ of primary energy of manufacturing the GPUs and their server share (EcoLogits server_gpu_embodied_pe)."""
    return (gpu_count / method["server_gpus"]) * method["server_embodied_pe_mj"] + gpu_count * method[
        "gpu_embodied_pe_mj"
    ]


def request_embodied_gwp(latency: Latency, embodied_kg: float, method: Mapping[str, Any]) -> PerUnit:
    """Embodied kgCO2e allocated by generation time over the hardware's life (EcoLogits request_embodied_gwp;
    request_embodied_adpe and request_embodied_pe allocate the same way, so this serves them too)."""
    per_s = embodied_kg / (method["hardware_lifespan_s"] * method["batch_size"])
    return PerUnit(per_token=latency.per_token_s * per_s, per_request=latency.per_request_s * per_s)


def compute_llm_impacts_dag(
    active_params_b: float,
    total_params_b: float,
    pue: float,
    tps: float | None,
    ttft_s: float | None,
    method: Mapping[str, Any],
) -> LLMRun:
    """One run of the method for one parameter count and PUE (EcoLogits compute_llm_impacts_dag)."""
    gpus = gpu_required_count(
        model_required_memory(total_params_b, method["quantization_bits"]), method["gpu_memory_gb"]
    )
    latency = generation_latency(active_params_b, tps, ttft_s, method)
    energy = request_energy(pue, gpus, gpu_energy(active_params_b, method), latency, server_energy(gpus, method))
    # Sets stored before the ADPe and PE constants have none: those figures are then not estimated (NaN), not 0.
    nan = float("nan")
    adpe = server_gpu_embodied_adpe(gpus, method) if "gpu_embodied_adpe_kgsbeq" in method else nan
    pe = server_gpu_embodied_pe(gpus, method) if "gpu_embodied_pe_mj" in method else nan
    return LLMRun(
        energy,
        request_embodied_gwp(latency, server_gpu_embodied_gwp(gpus, method), method),
        request_embodied_gwp(latency, adpe, method),
        request_embodied_gwp(latency, pe, method),
    )


def compute_llm_impacts(
    params: ModelParams, pue_min: float, pue_max: float, method: Mapping[str, Any]
) -> tuple[LLMRun, LLMRun]:
    """The low and the high run of one model, as ecologits.impacts.llm.compute_llm_impacts combines them:
    low with the minimum parameter counts and minimum PUE, high with the maximum ones."""
    low = compute_llm_impacts_dag(params.active_min_b, params.total_min_b, pue_min, params.tps, params.ttft_s, method)
    high = compute_llm_impacts_dag(params.active_max_b, params.total_max_b, pue_max, params.tps, params.ttft_s, method)
    return low, high


def llm_coefficients(
    params: ModelParams, pue_min: float, pue_max: float, method: Mapping[str, Any]
) -> dict[str, float]:
    """Per-output-token and per-request energy (kWh) and embodied GHG (kg) of one model, low and high,
    as a flat dict (`compute_llm_impacts` gives the same as typed runs)."""
    low, high = compute_llm_impacts(params, pue_min, pue_max, method)
    return {
        "kwh_per_token_low": low.energy_kwh.per_token,
        "kwh_per_token_high": high.energy_kwh.per_token,
        "kwh_per_request_low": low.energy_kwh.per_request,
        "kwh_per_request_high": high.energy_kwh.per_request,
        "embodied_kg_per_token_low": low.embodied_kg.per_token,
        "embodied_kg_per_token_high": high.embodied_kg.per_token,
        "embodied_kg_per_request_low": low.embodied_kg.per_request,
        "embodied_kg_per_request_high": high.embodied_kg.per_request,
    }
