"""Benchmark: the vectorised calculator against a per-row EcoLogits loop.

Generates 1,000,000 usage rows by code (providers, models, zones, usage kinds mixed), times
`estimate`, then times a per-row `ecologits.tracers.utils.llm_impacts` loop on a sample of token rows
and scales it up. Prints rows/s for both, the ratio, the agreement of totals on the sample (%), and
peak RSS. Run: `.venv/bin/python bench/calculator.py [rows] [sample]`. Not part of the test run.
"""

from __future__ import annotations

import math
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.footprint.calculator import estimate
from apps.footprint.factors import default_factor_set
from apps.footprint.usage_frame import conform

# (frame provider, model, ecologits provider) - the last one is unknown to ecologits on purpose.
MODELS = [
    ("openai", "gpt-4o", "openai"),
    ("openai", "gpt-4o-mini", "openai"),
    ("azure_openai", "gpt-4o", "openai"),
    ("anthropic", "claude-sonnet-4-5", "anthropic"),
    ("anthropic", "claude-haiku-4-5", "anthropic"),
    ("mistral", "mistral-small-latest", "mistralai"),
    ("google", "gemini-2.5-flash", "google_genai"),
    ("google", "gemini-2.5-pro", "google_genai"),
    ("cohere", "command-a-03-2025", "cohere"),
    ("openai", "gpt-4.1", "openai"),
    ("anthropic", "claude-opus-4-6", "anthropic"),
    ("openai", "internal-finetune-mini", None),
]
ZONES = ["FR", "DE", "azure:westeurope", "gcp:europe-west1", "aws:eu-west-3", "US", "SE", ""]
SEATS = [("microsoft", "m365_copilot"), ("github", "GitHub Copilot"), ("openai", "ChatGPT Enterprise")]


def make_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """n rows: 90 % token buckets, 7 % seat activity, 3 % measured jobs (a third self-hosted)."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["tokens", "seat_activity", "measured_energy"], size=n, p=[0.90, 0.07, 0.03])
    m = rng.integers(0, len(MODELS), n)
    s = rng.integers(0, len(SEATS), n)
    provider = np.array([p for p, _, _ in MODELS], dtype=object)[m]
    model = np.array([x for _, x, _ in MODELS], dtype=object)[m]
    seat = kind == "seat_activity"
    meas = kind == "measured_energy"
    provider[seat] = np.array([p for p, _ in SEATS], dtype=object)[s[seat]]
    model[seat] = np.array([x for _, x in SEATS], dtype=object)[s[seat]]
    provider[meas] = "self_hosted"
    model[meas] = "llama-3.1-70b"
    requests = rng.integers(1, 500, n)
    frame = pd.DataFrame(
        {
            "day": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "source": "bench",
            "provider": provider,
            "model": model,
            "usage_kind": kind,
            "requests": np.where(kind == "tokens", requests, 0),
            "input_tokens": np.where(kind == "tokens", requests * rng.integers(100, 3000, n), 0),
            "output_tokens": np.where(kind == "tokens", requests * rng.integers(50, 1500, n), 0),
            "active_user_days": np.where(seat, rng.integers(1, 300, n), 0),
            "measured_energy_kwh": np.where(meas, rng.uniform(0.5, 500, n), 0.0),
            "self_hosted": meas & (rng.random(n) < 1 / 3),
            "zone": np.array(ZONES, dtype=object)[rng.integers(0, len(ZONES), n)],
            "person": "",
            "team": "",
            "project": "",
            "api_key": "",
            "cost": 0.0,
            "currency": "",
        }
    )
    return conform(frame)


def ecologits_loop(sample: pd.DataFrame, fs) -> tuple[float, float, float]:
    """Per-row llm_impacts on token rows; returns (seconds, energy kWh total, usage GWP kg total)."""
    from ecologits.tracers.utils import llm_impacts

    eco = {(p, m): e for p, m, e in MODELS}
    energy = gwp = 0.0
    t0 = time.perf_counter()
    for row in sample.itertuples(index=False):
        zone = fs.resolve_zone(row.zone) if row.zone else None
        per_request = row.output_tokens / row.requests
        impacts = llm_impacts(eco[(row.provider, row.model)], row.model, per_request, math.inf, zone)
        e, g = impacts.energy.value, impacts.usage.gwp.value
        energy += row.requests * (e.mean if hasattr(e, "mean") else e)
        gwp += row.requests * (g.mean if hasattr(g, "mean") else g)
    return time.perf_counter() - t0, energy, gwp


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sample_n = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    # Grid factors from ecologits' own mixes, so the CO2e totals compare like for like.
    fs = default_factor_set(("ecologits",))
    frame = make_frame(n)
    estimate(frame.head(1000), fs)  # warm-up: builds the set's lookups once
    t0 = time.perf_counter()
    result = estimate(frame, fs)
    vec_s = time.perf_counter() - t0
    vec_rate = n / vec_s

    known = {x for _, x, e in MODELS if e}
    tok = frame[(frame["usage_kind"] == "tokens") & frame["model"].isin(known)]
    sample = tok.sample(min(sample_n, len(tok)), random_state=1)
    loop_s, loop_energy, loop_gwp = ecologits_loop(sample, fs)
    loop_rate = len(sample) / loop_s
    ours = result.loc[sample.index]
    # The EcoLogits-equal part: energy less the prefill line of input tokens (which EcoLogits does not model),
    # and its CO2e in the same proportion per row (CO2e is energy x one grid factor per row).
    ecologits_part = ours["energy_kwh"] - ours["energy_prefill_kwh"]
    d_energy = (ecologits_part.sum() / loop_energy - 1) * 100
    d_gwp = ((ours["co2e_location_kg"] * ecologits_part / ours["energy_kwh"]).sum() / loop_gwp - 1) * 100
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"rows: {n:,} (tokens {int((frame.usage_kind == 'tokens').sum()):,}, "
        f"seat {int((frame.usage_kind == 'seat_activity').sum()):,}, "
        f"measured {int((frame.usage_kind == 'measured_energy').sum()):,})"
    )
    print(f"estimate(): {vec_s:.2f} s, {vec_rate:,.0f} rows/s")
    print(
        f"per-row ecologits loop: {len(sample):,} rows in {loop_s:.2f} s, {loop_rate:,.0f} rows/s "
        f"(scaled to {n:,} rows: {n / loop_rate:,.0f} s)"
    )
    print(f"ratio: {vec_rate / loop_rate:,.0f}x faster")
    print(f"totals on the sample: energy {d_energy:+.4f} %, location CO2e {d_gwp:+.4f} % vs the loop")
    print(
        f"totals on {n:,} rows: {result['energy_kwh'].sum():,.1f} kWh, "
        f"{result['co2e_location_kg'].sum():,.1f} kg CO2e location, "
        f"{result['co2e_market_kg'].sum():,.1f} market"
    )
    print(f"peak RSS: {rss_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
