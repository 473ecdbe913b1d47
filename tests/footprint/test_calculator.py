"""The calculator against EcoLogits and against worked examples done by hand. No Django, no network."""

import math

import numpy as np
import pandas as pd
import pytest
from ecologits.tracers.utils import llm_impacts

from apps.footprint.calculator import (
    DQ_ACTIVITY,
    DQ_ACTIVITY_ASSUMED,
    DQ_MEASURED_IT,
    DQ_SPEND,
    SCOPE2,
    SCOPE3_CAT1,
    diff_effect,
    estimate,
    estimate_request,
)
from apps.footprint.energy_mix import energy_mix_split
from apps.footprint.factors import (
    FactorLookupError,
    FactorSet,
    FactorTable,
    build_default_factor_set,
    default_factor_set,
)
from apps.footprint.usage_frame import UsageFrameError, conform


@pytest.fixture(scope="module")
def fs():
    return default_factor_set()


@pytest.fixture(scope="module")
def eco_fs():
    """Grid factors taken from ecologits' own electricity mixes, to compare CO2e like for like."""
    return default_factor_set(("ecologits",))


@pytest.fixture(scope="module")
def hand_fs():
    """A small, fixed set for the worked examples: round grid and residual factors we can do by hand."""
    base = build_default_factor_set(version="test")
    g = base.tables["grid"]
    grid = FactorTable(
        "test grid",
        "2025",
        "test",
        g.columns,
        # Each factor on both boundaries (generation for Scope 2, life cycle for Scope 3), so the worked examples
        # carry no boundary warning and keep their round figures.
        tuple(
            (*row, boundary)
            for row in (
                ("DEU", 2025, 400.0, 0.5, 0.1, 0.4, "test"),
                ("FRA", 2025, 50.0, 0.1, 0.7, 0.2, "test"),
                ("USA", 2025, 400.0, 0.6, 0.2, 0.2, "test"),
                ("WOR", None, 450.0, None, None, None, "test"),
            )
            for boundary in ("generation", "life_cycle")
        ),
    )
    r = base.tables["residual_mix"]
    resid = FactorTable("test residual", "2025", "test", r.columns, (("DEU", 2025, 600.0, "verified", "test"),))
    # Sites entered at PUE 1.0, so a measured kWh stays one kWh in the market and mix examples below.
    p = base.tables["facility_pue"]
    pue = FactorTable("test sites", "2025", "test", p.columns, (("*", 1.0, "entered"),))
    return (
        base.with_table("grid", grid, version="hand")
        .with_table("residual_mix", resid, version="hand")
        .with_table("facility_pue", pue, version="hand")
    )


def frame(**cols):
    n = max([len(v) for v in cols.values() if isinstance(v, list)], default=1)
    data = {k: (v if isinstance(v, list) else [v] * n) for k, v in cols.items()}
    data.setdefault("day", ["2025-06-15"] * n)
    data.setdefault("source", ["test"] * n)
    return conform(pd.DataFrame(data))


CASES = [
    ("openai", "gpt-4o"),
    ("openai", "gpt-4o-mini"),
    ("anthropic", "claude-sonnet-4-5"),
    ("mistralai", "mistral-small-latest"),
    ("google_genai", "gemini-2.5-flash"),
    ("cohere", "command-a-03-2025"),
]
ZONES = ["FRA", "DEU", "USA", "SWE"]


def _lohi(value):
    return (value.min, value.max) if hasattr(value, "min") else (value, value)


@pytest.mark.parametrize(("provider", "model"), CASES)
def test_agrees_with_ecologits_llm_impacts_within_1_percent(eco_fs, provider, model):
    tokens = 700
    rows = frame(provider=provider, model=model, usage_kind="tokens", requests=1, output_tokens=tokens, zone=ZONES)
    result = estimate(rows, eco_fs)
    for i, zone in enumerate(ZONES):
        ref = llm_impacts(provider, model, tokens, math.inf, zone)
        e_lo, e_hi = _lohi(ref.energy.value)
        g_lo, g_hi = _lohi(ref.usage.gwp.value)
        emb_lo, emb_hi = _lohi(ref.embodied.gwp.value)
        row = result.iloc[i]
        assert row["energy_kwh_low"] == pytest.approx(e_lo, rel=0.01)
        assert row["energy_kwh_high"] == pytest.approx(e_hi, rel=0.01)
        assert row["energy_kwh"] == pytest.approx((e_lo + e_hi) / 2, rel=0.01)
        assert row["co2e_location_kg_low"] == pytest.approx(g_lo, rel=0.01)
        assert row["co2e_location_kg_high"] == pytest.approx(g_hi, rel=0.01)
        assert row["co2e_embodied_kg"] == pytest.approx((emb_lo + emb_hi) / 2, rel=0.01)
        single = estimate_request(provider, model, tokens, zone=zone, factor_set=eco_fs)
        assert single["co2e_kg_low"] == pytest.approx(g_lo, rel=0.01)
        assert single["co2e_kg_high"] == pytest.approx(g_hi, rel=0.01)


def test_a_daily_bucket_equals_the_sum_of_its_requests(eco_fs):
    # 40 requests of 250 tokens in one row = 40 x ecologits(250 tokens), since the method is linear.
    bucket = estimate(
        frame(
            provider="openai", model="gpt-4o", usage_kind="tokens", requests=[40], output_tokens=[10_000], zone="DEU"
        ),
        eco_fs,
    ).iloc[0]
    one = llm_impacts("openai", "gpt-4o", 250, math.inf, "DEU")
    assert bucket["energy_kwh_low"] == pytest.approx(40 * one.energy.value.min, rel=1e-9)
    assert bucket["co2e_location_kg_high"] == pytest.approx(40 * one.usage.gwp.value.max, rel=1e-9)


def test_default_zone_is_the_providers_data_centre(fs):
    r = estimate(
        frame(
            provider=["openai", "mistral"],
            model=["gpt-4o", "mistral-small-latest"],
            usage_kind="tokens",
            requests=1,
            output_tokens=100,
        ),
        fs,
    )
    assert list(r["grid_zone"]) == ["USA", "SWE"]
    assert list(r["scope"]) == [SCOPE3_CAT1, SCOPE3_CAT1]
    assert list(r["data_quality"]) == [DQ_ACTIVITY, DQ_ACTIVITY]
    assert (r["co2e_market_kg"] == r["co2e_location_kg"]).all()  # Scope 3: no market-based split


def test_france_is_below_germany_for_the_same_request(fs):
    fr = estimate_request("openai", "gpt-4o", 1000, zone="FR", factor_set=fs)
    de = estimate_request("openai", "gpt-4o", 1000, zone="DE", factor_set=fs)
    assert fr["energy_kwh"] == pytest.approx(de["energy_kwh"])
    assert fr["co2e_kg"] < de["co2e_kg"] / 3
    assert fr["zone"] == "FRA" and de["zone"] == "DEU"


def test_unknown_model_gets_a_wide_range_and_a_warning_never_zero(fs):
    r = estimate(
        frame(provider="anthropic", model="claude-next-ultra", usage_kind="tokens", requests=10, output_tokens=5000), fs
    ).iloc[0]
    assert r["energy_kwh_low"] > 0
    assert r["energy_kwh_high"] > 5 * r["energy_kwh_low"]
    assert r["energy_kwh_low"] < r["energy_kwh"] < r["energy_kwh_high"]
    assert r["co2e_location_kg"] > 0
    assert "unknown model anthropic/claude-next-ultra" in r["warning"]
    assert "size class" in r["warning"]
    known = estimate(
        frame(provider="anthropic", model="claude-sonnet-4-5", usage_kind="tokens", requests=10, output_tokens=5000), fs
    ).iloc[0]
    assert "unknown model" not in known["warning"]


def test_location_vs_market_with_a_guarantee_of_origin_by_hand(hand_fs):
    # A self-hosted GPU job in Germany used 1,000 kWh in March 2025 (CodeCarbon).
    # The company holds a 0.4 MWh GO for German consumption in 2025, and one for France (no effect here)
    # and one for German consumption in 2024 (outside the period: no effect).
    #   location-based = 1,000 kWh x 400 g/kWh                       = 400 kg
    #   market-based   = 400 kWh x 0 g (GO) + 600 kWh x 600 g (residual) = 360 kg
    job = frame(
        day=["2025-03-10"],
        provider="self_hosted",
        model="llama",
        usage_kind="measured_energy",
        measured_energy_kwh=[1000.0],
        self_hosted=True,
        zone="DE",
    )
    gos = [
        {"kind": "GO", "mwh": 0.4, "zone": "DE", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        {"kind": "GO", "mwh": 5.0, "zone": "FR", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        {"kind": "PPA", "mwh": 5.0, "zone": "DE", "period_start": "2024-01-01", "period_end": "2024-12-31"},
    ]
    r = estimate(job, hand_fs, gos)
    row = r.iloc[0]
    assert row["scope"] == SCOPE2 and row["data_quality"] == DQ_MEASURED_IT
    assert row["co2e_location_kg"] == pytest.approx(400.0)
    assert row["co2e_market_kg"] == pytest.approx(360.0)
    assert row["instrument_covered_kwh"] == pytest.approx(400.0)
    report = r.attrs["instruments"]
    # The report lists instruments by period start: the 2024 PPA, then the German and French GOs.
    assert list(report["kind"]) == ["PPA", "GO", "GO"]
    assert list(report["allocated_mwh"]) == pytest.approx([0.0, 0.4, 0.0])
    assert r.attrs["instrument_covered_mwh"] == pytest.approx(0.4)
    # Without instruments: 1,000 kWh x 600 g residual = 600 kg (market above location in Germany).
    assert estimate(job, hand_fs).iloc[0]["co2e_market_kg"] == pytest.approx(600.0)
    # A GO larger than the consumption covers it all: 0 kg; the rest of the GO stays unused.
    big = estimate(job, hand_fs, [dict(gos[0], mwh=3.0)])
    assert big.iloc[0]["co2e_market_kg"] == pytest.approx(0.0)
    assert big.attrs["instruments"]["unused_mwh"].iloc[0] == pytest.approx(2.0)


def test_market_falls_back_to_grid_where_no_residual_mix(hand_fs):
    # France has no residual-mix row in this set: 200 kWh x 50 g = 10 kg both ways.
    job = frame(
        provider="self_hosted", usage_kind="measured_energy", measured_energy_kwh=[200.0], self_hosted=True, zone="FR"
    )
    row = estimate(job, hand_fs).iloc[0]
    assert row["co2e_location_kg"] == pytest.approx(10.0)
    assert row["co2e_market_kg"] == pytest.approx(10.0)


def test_two_jobs_share_a_go_pro_rata(hand_fs):
    # 300 + 100 kWh in Germany, GO 0.2 MWh: each job covered half.
    #   job 1 market = 150 x 0 + 150 x 0.6 = 90 kg; job 2 = 50 x 0.6 = 30 kg
    jobs = frame(
        provider="self_hosted",
        usage_kind="measured_energy",
        measured_energy_kwh=[300.0, 100.0],
        self_hosted=True,
        zone="DE",
    )
    r = estimate(
        jobs,
        hand_fs,
        pd.DataFrame(
            [{"kind": "go", "mwh": 0.2, "zone": "DEU", "period_start": "2025-01-01", "period_end": "2025-12-31"}]
        ),
    )
    assert list(r["co2e_market_kg"]) == pytest.approx([90.0, 30.0])
    assert list(r["instrument_covered_kwh"]) == pytest.approx([150.0, 50.0])


def test_seat_activity_estimate_by_hand(hand_fs):
    # 100 active user-days of Microsoft 365 Copilot, no zone -> the tool's default zone USA
    # (400 g/kWh in this set). The seat row: 10 interactions a day (3-30), 0.34 Wh each (0.16-2.5).
    #   central = 100 days x 10 interactions x 0.34 Wh = 340 Wh = 0.34 kWh -> 0.34 x 0.4 = 0.136 kg
    # The two factors are independent: log bound ratios in quadrature, not both extremes at once.
    #   low  = 340 / exp(sqrt(ln(10/3)^2 + ln(0.34/0.16)^2)) = 340 / exp(sqrt(1.44955 + 0.56817)) = 340 / 4.1393
    #        = 82.14 Wh
    #   high = 340 x exp(sqrt(ln(30/10)^2 + ln(2.5/0.34)^2)) = 340 x exp(sqrt(1.20695 + 3.98042)) = 340 x 9.7531
    #        = 3,316.0 Wh (both extremes at once would be 100 x 30 x 2.5 = 7,500 Wh)
    low_wh = 340 / math.exp(math.sqrt(math.log(10 / 3) ** 2 + math.log(0.34 / 0.16) ** 2))
    high_wh = 340 * math.exp(math.sqrt(math.log(30 / 10) ** 2 + math.log(2.5 / 0.34) ** 2))
    assert (low_wh, high_wh) == (pytest.approx(82.14, abs=0.01), pytest.approx(3316.04, abs=0.01))
    r = estimate(
        frame(provider="microsoft", model="Microsoft 365 Copilot", usage_kind="seat_activity", active_user_days=[100]),
        hand_fs,
    ).iloc[0]
    assert r["energy_kwh"] == pytest.approx(0.34)
    assert r["energy_kwh_low"] == pytest.approx(low_wh / 1000)
    assert r["energy_kwh_high"] == pytest.approx(high_wh / 1000)
    assert r["co2e_location_kg"] == pytest.approx(0.136)
    assert r["co2e_location_kg_high"] == pytest.approx(high_wh / 1000 * 0.4)
    assert r["co2e_market_kg"] == pytest.approx(0.136)
    # active user-days x the assumed interactions per day: the class says the activity is assumed
    assert (r["scope"], r["data_quality"], r["grid_zone"]) == (SCOPE3_CAT1, DQ_ACTIVITY_ASSUMED, "USA")
    assert "assumed 10 interactions" in r["warning"]


def test_a_set_stored_before_the_seat_range_constant_keeps_multiplying_the_extremes(hand_fs):
    # A signed-off period's set has no `seat_range`: its figures must not move. 100 x 3 x 0.16 = 48 Wh,
    # 100 x 30 x 2.5 = 7,500 Wh.
    method = {k: v for k, v in hand_fs.method.items() if k != "seat_range"}
    old = FactorSet(hand_fs.name, "hand-old", method, dict(hand_fs.tables))
    r = estimate(
        frame(provider="microsoft", model="Microsoft 365 Copilot", usage_kind="seat_activity", active_user_days=[100]),
        old,
    ).iloc[0]
    assert (r["energy_kwh_low"], r["energy_kwh"], r["energy_kwh_high"]) == pytest.approx((0.048, 0.34, 7.5))


def test_seat_with_cost_but_no_activity_is_spend_based_by_hand(hand_fs):
    # 100 EUR of seats, no activity data: 100 EUR x 1.1827 USD/EUR x 0.097 kg/USD = 11.47219 kg.
    r = estimate(
        frame(
            provider="github",
            model="GitHub Copilot",
            usage_kind="seat_activity",
            active_user_days=[0],
            cost=[100.0],
            currency="EUR",
        ),
        hand_fs,
    ).iloc[0]
    assert r["data_quality"] == DQ_SPEND
    assert r["co2e_location_kg"] == pytest.approx(11.47219)
    assert r["co2e_location_kg_low"] == pytest.approx(11.47219 / 2)
    assert math.isnan(r["energy_kwh"])
    assert "spend-based" in r["warning"]


def test_codecarbon_measured_job_by_hand(hand_fs):
    # A fine-tuning job on rented cloud GPUs in aws:eu-west-3 (Paris) measured 12.5 kWh with CodeCarbon:
    #   12.5 kWh x 50 g/kWh = 0.625 kg, Scope 3 cat. 1 (rented, not own hardware), market = location.
    # The same job on the company's own servers in Paris is Scope 2.
    r = estimate(
        frame(
            provider="self_hosted",
            model="",
            usage_kind="measured_energy",
            measured_energy_kwh=[12.5, 12.5],
            self_hosted=[False, True],
            zone="aws:eu-west-3",
        ),
        hand_fs,
    )
    assert list(r["energy_kwh"]) == [12.5, 12.5]
    assert list(r["co2e_location_kg"]) == pytest.approx([0.625, 0.625])
    assert list(r["co2e_market_kg"]) == pytest.approx([0.625, 0.625])  # FRA: no residual mix -> grid
    assert list(r["scope"]) == [SCOPE3_CAT1, SCOPE2]
    assert list(r["data_quality"]) == [DQ_MEASURED_IT, DQ_MEASURED_IT]  # IT measured, facility from the PUE
    assert "not E1-5 energy" in r["warning"].iloc[0]


def test_energy_mix_split_by_hand(hand_fs):
    # Own servers: 1,000 kWh in Germany + 500 kWh in France; API usage (Scope 3) is left out of E1-5.
    # GO 0.4 MWh for Germany.
    #   renewable = 0.4 MWh (instruments only, AR 32(j))
    #   Germany uncovered 0.6 MWh split fossil:nuclear = 0.5:0.1 -> fossil 0.5, nuclear 0.1
    #   France 0.5 MWh split 0.1:0.7 -> fossil 0.0625, nuclear 0.4375
    #   total 1.5 = fossil 0.5625 + nuclear 0.5375 + renewable 0.4
    rows = frame(
        provider=["self_hosted", "self_hosted", "openai"],
        model=["", "", "gpt-4o"],
        usage_kind=["measured_energy", "measured_energy", "tokens"],
        measured_energy_kwh=[1000.0, 500.0, 0.0],
        output_tokens=[0, 0, 10_000_000],
        requests=[0, 0, 9000],
        self_hosted=[True, True, False],
        zone=["DE", "FR", "DE"],
    )
    gos = [{"kind": "GO", "mwh": 0.4, "zone": "DE", "period_start": "2025-01-01", "period_end": "2025-12-31"}]
    split = energy_mix_split(estimate(rows, hand_fs, gos), hand_fs, gos)
    assert split["total_mwh"] == pytest.approx(1.5)
    assert split["renewable_mwh"] == pytest.approx(0.4)
    assert split["fossil_mwh"] == pytest.approx(0.5625)
    assert split["nuclear_mwh"] == pytest.approx(0.5375)
    assert split["fossil_mwh"] + split["nuclear_mwh"] + split["renewable_mwh"] == pytest.approx(1.5)
    assert split["renewable_share"] == pytest.approx(0.4 / 1.5)


def test_nuclear_go_counts_as_nuclear_not_renewable(hand_fs):
    rows = frame(
        provider="self_hosted", usage_kind="measured_energy", measured_energy_kwh=[500.0], self_hosted=True, zone="FR"
    )
    gos = [
        {
            "kind": "GO",
            "mwh": 0.5,
            "zone": "FR",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "energy_source": "nuclear",
            "gco2e_per_kwh": 6.0,
        }
    ]
    est = estimate(rows, hand_fs, gos)
    assert est.iloc[0]["co2e_market_kg"] == pytest.approx(500 * 6.0 / 1000)
    split = energy_mix_split(est, hand_fs, gos)
    got = (split["renewable_mwh"], split["nuclear_mwh"], split["fossil_mwh"])
    assert got == pytest.approx((0.0, 0.5, 0.0))


def test_estimate_request_values_and_keys(fs):
    out = estimate_request("azure_openai", "gpt-4o", 1000, input_tokens=2000, zone="azure:francecentral", factor_set=fs)
    for key in (
        "energy_kwh",
        "energy_kwh_low",
        "energy_kwh_high",
        "co2e_kg",
        "co2e_kg_low",
        "co2e_kg_high",
        "zone",
        "grid_gco2e_per_kwh",
        "method_version",
        "factor_set",
    ):
        assert key in out
    ref = llm_impacts("openai", "gpt-4o", 1000, math.inf, "FRA")
    # The EcoLogits-equal part is the energy less the prefill term of the 2,000 input tokens.
    assert out["energy_kwh_low"] - out["energy_prefill_kwh_low"] == pytest.approx(ref.energy.value.min, rel=1e-9)
    assert out["energy_prefill_kwh_low"] > 0
    assert out["co2e_kg"] == pytest.approx(out["energy_kwh"] * 56.039 / 1000)
    assert out["zone"] == "FRA" and out["method_version"] == "ledger-calc 3 / ecologits 0.11.3"


def test_estimate_request_unknown_names_list_close_matches(fs):
    with pytest.raises(FactorLookupError) as err:
        estimate_request("opneai", "gpt-4o", 100, factor_set=fs)
    assert "openai" in err.value.close_matches
    with pytest.raises(FactorLookupError) as err:
        estimate_request("openai", "gpt-4oo", 100, factor_set=fs)
    assert "gpt-4o" in err.value.close_matches and "close matches" in str(err.value)
    with pytest.raises(FactorLookupError) as err:
        estimate_request("openai", "gpt-4o", 100, zone="azure:westeuropa", factor_set=fs)
    assert "azure:westeurope" in err.value.close_matches
    with pytest.raises(ValueError, match="output_tokens"):
        estimate_request("openai", "gpt-4o", -1, factor_set=fs)


def test_rows_are_independent_and_vectorised_results_match_single_rows(fs):
    one = frame(
        provider="openai", model="gpt-4o-mini", usage_kind="tokens", requests=[3], output_tokens=[900], zone="DE"
    )
    many = pd.concat([one] * 50, ignore_index=True)
    r1 = estimate(one, fs)
    rn = estimate(many, fs)
    np.testing.assert_allclose(rn["co2e_location_kg"].sum(), 50 * r1["co2e_location_kg"].iloc[0], rtol=1e-12)


def test_bad_frames_and_instruments_are_refused(fs):
    with pytest.raises(UsageFrameError, match="column 'source'"):
        estimate(pd.DataFrame({"day": pd.to_datetime(["2025-01-01"])}), fs)
    job = frame(
        provider="self_hosted", usage_kind="measured_energy", measured_energy_kwh=[1.0], self_hosted=True, zone="DE"
    )
    with pytest.raises(UsageFrameError, match="kind"):
        estimate(
            job,
            fs,
            [{"kind": "REC?", "mwh": 1, "zone": "DE", "period_start": "2025-01-01", "period_end": "2025-12-31"}],
        )
    with pytest.raises(FactorLookupError, match="instrument zone"):
        estimate(
            job,
            fs,
            [{"kind": "GO", "mwh": 1, "zone": "Germany!", "period_start": "2025-01-01", "period_end": "2025-12-31"}],
        )


def test_diff_effect_shows_what_a_new_version_changes(hand_fs):
    g = hand_fs.tables["grid"]
    rows = tuple(("DEU", 2025, 200.0, 0.5, 0.1, 0.4, "new", r[7]) if r[0] == "DEU" else r for r in g.rows)
    newer = hand_fs.with_table("grid", FactorTable("new", "2025", "t", g.columns, rows), version="hand-2")
    jobs = frame(
        provider="self_hosted", usage_kind="measured_energy", measured_energy_kwh=[1000.0], self_hosted=False, zone="DE"
    )
    d = diff_effect(jobs, hand_fs, newer).set_index("column")
    # 1,000 kWh x 400 g = 400 kg before, x 200 g = 200 kg after: -50 %.
    assert d.loc["co2e_location_kg", "before"] == pytest.approx(400.0)
    assert d.loc["co2e_location_kg", "after"] == pytest.approx(200.0)
    assert d.loc["co2e_location_kg", "change_pct"] == pytest.approx(-50.0)
    assert d.loc["energy_kwh", "change"] == pytest.approx(0.0)
