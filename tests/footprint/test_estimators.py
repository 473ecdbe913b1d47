"""The estimator steps against EcoLogits' own steps of the same name, warning codes, and estimate_request
as a one-row estimate. No Django, no network."""

import math

import numpy as np
import pandas as pd
import pytest
from ecologits.impacts import llm as upstream

from apps.footprint.calculator import estimate, estimate_request
from apps.footprint.catalogue import default_factor_set
from apps.footprint.estimators import llm
from apps.footprint.estimators.ranges import RangeValue, choose, select
from apps.footprint.usage_frame import conform
from apps.footprint.warning_codes import MESSAGES, RowWarning, row_flags, warning_messages

# (active B, total B, tokens per second, time to first token s, output tokens)
RUNS = [(10.0, 10.0, None, None, 250), (70.0, 140.0, 50.0, 0.4, 1000), (0.5, 1.0, 120.0, None, 7)]


@pytest.fixture(scope="module")
def method():
    return default_factor_set().method


@pytest.mark.parametrize(("active", "total", "tps", "ttft", "tokens"), RUNS)
def test_each_step_is_upstreams_step_of_the_same_name(method, active, total, tps, ttft, tokens):
    batch = method["batch_size"]
    memory = llm.model_required_memory(total, method["quantization_bits"])
    assert memory == pytest.approx(
        upstream.model_required_memory(
            model_total_parameter_count=total, model_quantization_bits=upstream.MODEL_QUANTIZATION_BITS
        )
    )
    gpus = llm.gpu_required_count(memory, method["gpu_memory_gb"])
    assert gpus == upstream.gpu_required_count(model_required_memory=memory, gpu_memory=upstream.GPU_MEMORY)

    gpu_kwh = upstream.gpu_energy(
        model_active_parameter_count=active,
        output_token_count=tokens,
        batch_size=upstream.BATCH_SIZE,
        gpu_energy_alpha=upstream.GPU_ENERGY_ALPHA,
        gpu_energy_beta=upstream.GPU_ENERGY_BETA,
        gpu_energy_gamma=upstream.GPU_ENERGY_GAMMA,
    )
    assert tokens * llm.gpu_energy(active, method) == pytest.approx(gpu_kwh, rel=1e-12)

    latency = llm.generation_latency(active, tps, ttft, method)
    latency_s = upstream.generation_latency(
        model_active_parameter_count=active,
        output_token_count=tokens,
        batch_size=upstream.BATCH_SIZE,
        latency_alpha=upstream.LATENCY_ALPHA,
        latency_beta=upstream.LATENCY_BETA,
        latency_gamma=upstream.LATENCY_GAMMA,
        request_latency=math.inf,
        tps=tps,
        ttft=ttft,
    )
    assert tokens * latency.per_token_s + latency.per_request_s == pytest.approx(latency_s, rel=1e-12)

    server_kwh = upstream.server_energy(
        generation_latency=latency_s,
        server_power=upstream.SERVER_POWER,
        server_gpu_count=upstream.SERVER_GPUS,
        gpu_required_count=gpus,
        batch_size=batch,
    )
    assert latency_s * llm.server_energy(gpus, method) == pytest.approx(server_kwh, rel=1e-12)

    pue = 1.2
    energy = llm.request_energy(pue, gpus, llm.gpu_energy(active, method), latency, llm.server_energy(gpus, method))
    it_kwh = upstream.request_it_energy(server_energy=server_kwh, gpu_required_count=gpus, gpu_energy=gpu_kwh)
    assert tokens * energy.per_token + energy.per_request == pytest.approx(
        upstream.request_energy(datacenter_pue=pue, request_it_energy=it_kwh), rel=1e-12
    )

    embodied_kg = llm.server_gpu_embodied_gwp(gpus, method)
    assert embodied_kg == pytest.approx(
        upstream.server_gpu_embodied_gwp(
            server_embodied_gwp=upstream.SERVER_EMBODIED_IMPACT_GWP,
            server_gpu_count=upstream.SERVER_GPUS,
            gpu_embodied_gwp=upstream.GPU_EMBODIED_IMPACT_GWP,
            gpu_required_count=gpus,
        ),
        rel=1e-12,
    )
    per_unit = llm.request_embodied_gwp(latency, embodied_kg, method)
    assert tokens * per_unit.per_token + per_unit.per_request == pytest.approx(
        upstream.request_embodied_gwp(
            server_gpu_embodied_gwp=embodied_kg,
            server_lifetime=upstream.HARDWARE_LIFESPAN,
            generation_latency=latency_s,
            batch_size=batch,
        ),
        rel=1e-12,
    )
    # ADPe and primary energy of manufacture: upstream's server_gpu_embodied_adpe / _pe, allocated as GWP is.
    for ours, theirs, server, gpu in (
        (llm.server_gpu_embodied_adpe, upstream.server_gpu_embodied_adpe, "ADPE", "ADPE"),
        (llm.server_gpu_embodied_pe, upstream.server_gpu_embodied_pe, "PE", "PE"),
    ):
        name = server.lower()
        expected = theirs(
            **{
                f"server_embodied_{name}": getattr(upstream, f"SERVER_EMBODIED_IMPACT_{server}"),
                "server_gpu_count": upstream.SERVER_GPUS,
                f"gpu_embodied_{name}": getattr(upstream, f"GPU_EMBODIED_IMPACT_{gpu}"),
                "gpu_required_count": gpus,
            }
        )
        assert ours(gpus, method) == pytest.approx(expected, rel=1e-12)
    run = llm.compute_llm_impacts_dag(active, total, pue, tps, ttft, method)
    adpe = upstream.request_embodied_adpe(
        server_gpu_embodied_adpe=llm.server_gpu_embodied_adpe(gpus, method),
        server_lifetime=upstream.HARDWARE_LIFESPAN,
        generation_latency=latency_s,
        batch_size=batch,
    )
    assert tokens * run.embodied_adpe_kgsbeq.per_token + run.embodied_adpe_kgsbeq.per_request == pytest.approx(
        adpe, rel=1e-12
    )


def test_compute_llm_impacts_is_the_low_and_high_run(method):
    params = default_factor_set().model("openai", "gpt-4o")
    low, high = llm.compute_llm_impacts(params, 1.1, 1.3, method)
    assert low == llm.compute_llm_impacts_dag(
        params.active_min_b, params.total_min_b, 1.1, params.tps, params.ttft_s, method
    )
    assert high == llm.compute_llm_impacts_dag(
        params.active_max_b, params.total_max_b, 1.3, params.tps, params.ttft_s, method
    )
    flat = llm.llm_coefficients(params, 1.1, 1.3, method)
    assert flat["kwh_per_token_low"] == low.energy_kwh.per_token
    assert flat["embodied_kg_per_request_high"] == high.embodied_kg.per_request


def test_range_value_central_is_the_mean_unless_given():
    r = RangeValue(np.array([1.0, 2.0]), np.array([3.0, 6.0]))
    assert list(r.value) == [2.0, 4.0]
    assert list(RangeValue(r.low, r.high, np.array([1.5, 5.0])).value) == [1.5, 5.0]
    picked = select((np.array([True, False]), np.array([False, False])), (r, r))
    assert list(picked.low) == [1.0, 0.0] and list(picked.value) == [2.0, 0.0]
    swapped = choose(np.array([False, True]), RangeValue(r.high, r.high), r)
    assert list(swapped.high) == [3.0, 6.0] and list(swapped.value) == [2.0, 6.0]


def test_warning_codes_are_bits_and_their_text_comes_from_one_place():
    assert [int(flag) for flag in RowWarning] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert set(MESSAGES) == set(RowWarning)
    assert warning_messages(0) == []
    both = RowWarning.SPEND_BASED | RowWarning.REQUEST_COUNT_MISSING
    assert warning_messages(both) == [MESSAGES[RowWarning.SPEND_BASED], MESSAGES[RowWarning.REQUEST_COUNT_MISSING]]
    flags = row_flags(
        {RowWarning.NO_EXCHANGE_RATE: np.array([True, False]), RowWarning.SPEND_BASED: np.array([True, True])}, 2
    )
    assert list(flags) == [3, 1]


def test_the_warning_column_is_the_text_of_the_codes():
    frame = conform(
        pd.DataFrame(
            {
                "day": ["2025-06-15"],
                "source": ["test"],
                "provider": ["github"],
                "model": ["GitHub Copilot"],
                "usage_kind": ["seat_activity"],
                "cost": [19.0],
                "currency": ["USD"],
                "zone": ["FR"],
            }
        )
    )
    row = estimate(frame).iloc[0]
    assert row["data_quality"] == "spend_based"
    assert row["warning"].endswith(MESSAGES[RowWarning.SPEND_BASED])


@pytest.mark.parametrize(("zone", "year", "requests"), [("FR", None, 2), ("", None, 1), ("DE", 2020, 0)])
def test_estimate_request_is_a_one_row_estimate(zone, year, requests):
    fs = default_factor_set()
    out = estimate_request("azure_openai", "gpt-4o", 1234, requests=requests, zone=zone, year=year, factor_set=fs)
    day = f"{out['grid_year']}-07-01"
    usage = {"provider": "azure_openai", "model": "gpt-4o", "output_tokens": 1234, "requests": requests, "zone": zone}
    row = estimate(conform(pd.DataFrame([{**usage, "day": day, "source": "test"}])), fs).iloc[0]
    assert out["zone"] == row["grid_zone"] and out["grid_gco2e_per_kwh"] == row["grid_gco2e_per_kwh"]
    for key, column in [
        ("energy_kwh", "energy_kwh"),
        ("energy_kwh_low", "energy_kwh_low"),
        ("energy_kwh_high", "energy_kwh_high"),
        ("co2e_kg", "co2e_location_kg"),
        ("co2e_kg_low", "co2e_location_kg_low"),
        ("co2e_kg_high", "co2e_location_kg_high"),
        ("co2e_embodied_kg", "co2e_embodied_kg"),
    ]:
        assert out[key] == row[column], key


def test_combined_ratio_adds_log_bound_ratios_in_quadrature():
    from apps.footprint.estimators.seats import combined_ratio

    # One factor: its own ratio. Two factors of ratio 3 and 4: exp(sqrt(ln3^2 + ln4^2)) = exp(sqrt(1.20695 +
    # 1.92181)) = exp(1.76883) = 5.8640, below the 12 of both extremes at once and above either alone.
    assert combined_ratio(3.0) == pytest.approx(3.0)
    assert combined_ratio(3.0, 4.0) == pytest.approx(5.8640, abs=1e-4)
    # A factor without a range (ratio 1, or none known) adds nothing; no factor at all: no spread.
    assert combined_ratio(3.0, 1.0, 0.0) == pytest.approx(3.0)
    assert combined_ratio() == 1.0
