"""Input tokens (the prefill term), embeddings, and water / ADPe / primary energy per record.

The EcoLogits reference is the installed ecologits 0.11.3 itself: `ecologits.tracers.utils.llm_impacts`
(its documented entry point, https://ecologits.ai/latest/reference/tracers/utils/) and
`ecologits.impacts.llm.compute_llm_impacts` for a parameter count of our choosing. The prefill and embedding
expectations are worked by hand from the factor set's ratios and ecologits' energy per output token."""

import datetime as dt
import json
import math
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command
from django.db.models import Sum
from ecologits.impacts.llm import compute_llm_impacts
from ecologits.tracers.utils import PROVIDER_CONFIG_MAP, llm_impacts
from ecologits.utils.range_value import RangeValue

from apps.accounts.models import Person
from apps.footprint.calculator import estimate, estimate_request
from apps.footprint.factors import default_factor_set
from apps.footprint.models import DailyRollup, MonthlyRollup, PersonMonthRollup, UsageRecord
from apps.footprint.usage_frame import conform

from .test_rollups import _ingest, _rows

NEW = ("energy_prefill_kwh", "water_l", "adpe_kgsbeq", "pe_mj")


@pytest.fixture(scope="module")
def fs():
    return default_factor_set()


def _per_output_token(provider: str, model: str) -> tuple[float, float]:
    """ecologits' kWh per output token (low, high): the difference of 2,000 and 1,000 tokens, so the per-request
    time-to-first-token part cancels."""
    a = llm_impacts(provider, model, 2000, math.inf).energy.value
    b = llm_impacts(provider, model, 1000, math.inf).energy.value
    return (a.min - b.min) / 1000, (a.max - b.max) / 1000


def test_prefill_term_worked_by_hand(fs):
    # The factor set's ratios: prefill 0.05-0.25 of an output token, cached input 0.005-0.125 (status assumption).
    assert fs.input_token_ratios() == {
        "prefill": (0.05, 0.25, "assumption"),
        "cached_input": (0.005, 0.125, "assumption"),
    }
    per_low, per_high = _per_output_token("openai", "gpt-4o")
    out = estimate_request(
        "openai", "gpt-4o", 1000, input_tokens=10_000, cached_input_tokens=4_000, zone="FR", factor_set=fs
    )
    low = 10_000 * 0.05 * per_low + 4_000 * 0.005 * per_low
    high = 10_000 * 0.25 * per_high + 4_000 * 0.125 * per_high
    assert out["energy_prefill_kwh_low"] == pytest.approx(low, rel=1e-9)
    assert out["energy_prefill_kwh_high"] == pytest.approx(high, rel=1e-9)
    assert out["energy_prefill_kwh"] == pytest.approx((low + high) / 2, rel=1e-9)
    # The total is the EcoLogits part plus the prefill line; the EcoLogits part equals llm_impacts.
    ref = llm_impacts("openai", "gpt-4o", 1000, math.inf).energy.value
    assert out["energy_kwh_low"] == pytest.approx(ref.min + low, rel=1e-9)
    assert out["energy_kwh_high"] == pytest.approx(ref.max + high, rel=1e-9)
    # Location-based CO2e covers the whole energy.
    assert out["co2e_kg"] == pytest.approx(out["energy_kwh"] * out["grid_gco2e_per_kwh"] / 1000, rel=1e-9)


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = {"day": dt.date(2025, 6, 1), "source": "test", "usage_kind": "tokens"}
    return conform(pd.DataFrame([{**base, **r} for r in rows]))


def test_embedding_tokens_are_a_prefill_only_pass_of_the_assumed_size(fs):
    out = estimate(
        _frame([{"provider": "openai", "model": "text-embedding-3-small", "requests": 150, "input_tokens": 1_000_000}]),
        fs,
    ).iloc[0]
    # By hand: ecologits' energy per output token of a dense 0.335 B (low) / 7 B (high) model on OpenAI's data
    # centres (PUE 1.2 in ecologits' provider map), no tokens per second nor time to first token known.
    pue = PROVIDER_CONFIG_MAP["openai"].datacenter_pue
    wue = PROVIDER_CONFIG_MAP["openai"].datacenter_wue

    def per_token(params_b, pue_value, wue_value):
        imp = compute_llm_impacts(
            model_active_parameter_count=params_b,
            model_total_parameter_count=params_b,
            output_token_count=1,
            if_electricity_mix_adpe=0.0,
            if_electricity_mix_pe=0.0,
            if_electricity_mix_gwp=0.0,
            if_electricity_mix_wue=0.0,
            datacenter_pue=pue_value,
            datacenter_wue=wue_value,
        )
        return imp.energy.value

    low = 1_000_000 * 0.05 * per_token(0.335, _lo(pue), _lo(wue))
    high = 1_000_000 * 0.25 * per_token(7.0, _hi(pue), _hi(wue))
    assert out["energy_prefill_kwh_low"] == pytest.approx(low, rel=1e-9)
    assert out["energy_prefill_kwh_high"] == pytest.approx(high, rel=1e-9)
    # No generation: the whole energy is the prefill line, and no embodied share is allocated.
    assert out["energy_kwh_low"] == pytest.approx(low, rel=1e-9) and out["co2e_embodied_kg"] == 0
    assert "embedding model" in out["warning"]
    assert low > 0


def _lo(v):
    return v.min if isinstance(v, RangeValue) else v


def _hi(v):
    return v.max if isinstance(v, RangeValue) else v


@pytest.mark.parametrize(
    ("provider", "model", "zone"),
    [
        ("openai", "gpt-4o", "FRA"),
        ("openai", "gpt-4o-mini", "USA"),
        ("anthropic", "claude-haiku-4-5-20251001", "DEU"),
        ("mistralai", "codestral-latest", "SWE"),
        ("google_genai", "gemini-2.5-flash", "IRL"),
        ("cohere", "command-a-03-2025", "JPN"),
    ],
)
def test_water_adpe_pe_equal_ecologits(fs, provider, model, zone):
    out = estimate_request(provider, model, 800, requests=1, zone=zone, factor_set=fs)
    ref = llm_impacts(provider, model, 800, math.inf, zone)
    for ours, theirs in (("water_l", ref.wcf), ("adpe_kgsbeq", ref.adpe), ("pe_mj", ref.pe)):
        value = theirs.value
        lo, hi = (value.min, value.max) if isinstance(value, RangeValue) else (value, value)
        assert out[f"{ours}_low"] == pytest.approx(lo, rel=0.01), ours
        assert out[f"{ours}_high"] == pytest.approx(hi, rel=0.01), ours
        assert out[ours] == pytest.approx((lo + hi) / 2, rel=0.01), ours


def test_spend_based_rows_have_no_multi_criteria_figures(fs):
    out = estimate(
        _frame([{"provider": "openai", "model": "gpt-4o", "cost": 120.0, "currency": "USD", "requests": 0}]), fs
    ).iloc[0]
    assert out["data_quality"] == "spend_based"
    for name in NEW:
        assert math.isnan(out[name])


@pytest.mark.django_db
def test_command_json_has_water_adpe_pe_with_ranges():
    stdout = StringIO()
    call_command(
        "estimate",
        *("--provider", "openai", "--model", "gpt-4o", "--output-tokens", "500", "--input-tokens", "3000"),
        *("--cached-input-tokens", "1000", "--zone", "FR", "--json"),
        stdout=stdout,
    )
    result = json.loads(stdout.getvalue())
    for name in ("water_l", "adpe_kgsbeq", "pe_mj", "energy_prefill_kwh"):
        assert {name, f"{name}_low", f"{name}_high"} <= set(result)
        assert 0 < result[f"{name}_low"] <= result[name] <= result[f"{name}_high"]
    # Water = energy at the meter x (WUE / PUE + the mix's L/kWh): OpenAI's data centre, France's mix.
    dc = PROVIDER_CONFIG_MAP["openai"]
    fra_wue = 3.6737  # ecologits 0.11.3 data/electricity_mixes.json, FRA
    assert result["water_l_low"] == pytest.approx(
        result["energy_kwh_low"] * (_lo(dc.datacenter_wue) / _lo(dc.datacenter_pue) + fra_wue), rel=1e-9
    )


@pytest.mark.django_db
def test_rollups_equal_records_for_the_new_measures(org_a):
    org = org_a["org"]
    for n in (1, 2, 3):  # people the records are attributed to (the person rollup's grain)
        Person.objects.create(organisation=org, email=f"u{n}@org-a.example")
    _ingest(org, _rows(7, days=75), "usage.csv")
    assert UsageRecord.objects.filter(organisation=org, water_l__gt=0).exists()
    totals = UsageRecord.objects.filter(organisation=org).aggregate(
        **{f"{n}{e}": Sum(f"{n}{e}") for n in NEW for e in ("", "_low", "_high")}
    )
    assert totals["energy_prefill_kwh"] > 0
    for model in (DailyRollup, MonthlyRollup):
        got = model.objects.filter(organisation=org).aggregate(**{k: Sum(k) for k in totals})
        for name, value in totals.items():
            assert got[name] == pytest.approx(value, rel=1e-12), (model.__name__, name)
    # Per period too: each month's rollup rows equal that month's records.
    for row in MonthlyRollup.objects.filter(organisation=org).values("month").annotate(w=Sum("water_l")):
        month = row["month"]
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        want = UsageRecord.objects.filter(organisation=org, day__gte=month, day__lt=nxt).aggregate(w=Sum("water_l"))
        assert row["w"] == pytest.approx(want["w"], rel=1e-12)
    people = PersonMonthRollup.objects.filter(organisation=org).aggregate(**{n: Sum(n) for n in NEW})
    attributed = UsageRecord.objects.filter(organisation=org, person__isnull=False).aggregate(
        **{n: Sum(n) for n in NEW}
    )
    assert attributed["water_l"] > 0
    for name in NEW:
        assert people[name] == pytest.approx(attributed[name], rel=1e-12), name
