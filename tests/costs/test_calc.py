"""Hand-worked numbers for the cost arithmetic (apps/costs/calc.py)."""

import datetime as dt

import pandas as pd
import pytest

from apps.costs import calc


def test_months_in_counts_calendar_months_pro_rata():
    assert calc.months_in(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == 12
    assert calc.months_in(dt.date(2025, 4, 1), dt.date(2025, 4, 15)) == pytest.approx(0.5)
    assert calc.months_in(dt.date(2025, 2, 15), dt.date(2025, 3, 31)) == pytest.approx(14 / 28 + 1)


def test_cost_per_active_seat_and_idle_savings():
    # 100 seats at 20 EUR = 2,000 EUR a month; 90 assigned, 60 active -> 2,000 / 60 = 33.33 per active seat.
    f = calc.seat_figures(100, 20.0, assigned=90, active=60)
    assert f["licence_cost_month_eur"] == 2000
    assert f["cost_per_active_seat_month_eur"] == pytest.approx(33.3333, rel=1e-4)
    assert f["idle"] == 30 and f["unassigned"] == 10
    assert f["idle_saving_month_eur"] == 600  # 30 idle x 20
    assert f["reclaim_saving_month_eur"] == 800  # (30 + 10) x 20
    assert calc.seat_figures(5, 20.0, 5, 0)["cost_per_active_seat_month_eur"] is None


def test_classify_seats_uses_the_28_days_before_the_report_date():
    seats = pd.DataFrame(
        {"last_activity_at": pd.to_datetime(["2025-12-31 18:00", "2025-12-04 00:00", "2025-12-03 00:00", None])}
    )
    out = calc.classify_seats(seats, dt.date(2025, 12, 31))
    # 4 Dec is the 28th day counting 31 Dec as day 1; 3 Dec is outside; never used is idle.
    assert out["active"].tolist() == [True, True, False, False]
    assert out["days_since_activity"].tolist()[:3] == [0, 27, 28]


def test_roi_and_payback_by_hand():
    # 2,000 active user-days x 30 min / 60 x 40 EUR/h = 40,000 EUR of value over 12 months.
    # Cost: 24,000 licences + 1,000 API + 5,000 kg = 5 t x 100 EUR/t = 500 fee -> 25,500.
    r = calc.roi(2000, 30, 40, 24_000, 1_000, 5_000, 100, 12)
    assert r["value_eur"] == 40_000
    assert r["carbon_fee_eur"] == 500
    assert r["cost_eur"] == 25_500
    assert r["roi_pct"] == pytest.approx((40_000 - 25_500) / 25_500 * 100)  # +56.86 %
    assert r["payback_months"] == pytest.approx(25_500 / (40_000 / 12))  # 7.65 months
    # No internal carbon price: no fee.
    assert calc.roi(2000, 30, 40, 24_000, 1_000, 5_000, None, 12)["cost_eur"] == 25_000


def test_break_even_multiple_and_payback_in_days_by_hand():
    # One minute a day over 2,000 active user-days at 40 EUR/h is worth 2,000 / 60 x 40 = 1,333.33 EUR;
    # the cost of 25,500 EUR is paid back at 25,500 / 1,333.33 = 19.125 minutes saved per active day.
    r = calc.roi(2000, 30, 40, 24_000, 1_000, 5_000, 100, 12)
    assert r["break_even_minutes_per_active_day"] == pytest.approx(19.125)
    # At that many minutes the value equals the cost: ROI zero.
    assert calc.roi(2000, 19.125, 40, 24_000, 1_000, 5_000, 100, 12)["roi_pct"] == pytest.approx(0, abs=1e-9)
    assert r["value_multiple"] == pytest.approx(40_000 / 25_500)  # x1.57
    # 25,500 / (40,000 / 12) = 7.65 months x 30.4375 days a month (365.25 / 12) = 232.85 days.
    assert r["payback_days"] == pytest.approx(7.65 * 30.4375)
    # No active days: no break-even to state (not zero, not infinity).
    assert calc.roi(0, 30, 40, 1_000, 0, 0, None, 12)["break_even_minutes_per_active_day"] is None


def test_roi_band_low_and_high_and_a_negative_case():
    band = calc.roi_band(1000, (10, 20, 30), (30, 40, 50), 12_000, 0, 0, None, 12)
    assert band["low"]["value_eur"] == 1000 * 10 / 60 * 30  # 5,000
    assert band["central"]["value_eur"] == pytest.approx(1000 * 20 / 60 * 40)  # 13,333.33
    assert band["high"]["value_eur"] == 1000 * 30 / 60 * 50  # 25,000
    assert band["low"]["roi_pct"] == pytest.approx((5000 - 12000) / 12000 * 100)  # -58.3 %: negative
    assert band["low"]["payback_months"] == pytest.approx(12_000 / (5000 / 12))  # 28.8 months
    assert calc.roi(0, 20, 40, 100, 0, 0, None, 12)["payback_months"] is None  # nothing gained: never pays back


def test_right_sizing_saving_by_hand():
    # 10,000 requests, 30 % moved; 2 Wh -> 0.1 Wh, 1 g -> 0.05 g, 0.5 cent -> 0.03 cent per request.
    s = calc.right_sizing_saving(
        10_000,
        0.3,
        {"kwh_per_request": 0.002, "co2e_kg_per_request": 0.001, "eur_per_request": 0.005},
        {"kwh_per_request": 0.0001, "co2e_kg_per_request": 0.00005, "eur_per_request": 0.0003},
    )
    assert s["moved_requests"] == 3000
    assert s["energy_kwh"] == pytest.approx(3000 * 0.0019)  # 5.7 kWh
    assert s["co2e_kg"] == pytest.approx(3000 * 0.00095)  # 2.85 kg
    assert s["cost_eur"] == pytest.approx(3000 * 0.0047)  # 14.1 EUR
    assert calc.right_sizing_saving(10, 0.5, {"eur_per_request": None}, {"eur_per_request": 1})["cost_eur"] is None


def test_smaller_model_mapping_and_model_keys():
    assert calc.model_key("gpt-4o-2024-08-06") == "gpt-4o"
    assert calc.model_key("gpt-4o-mini-2024-07-18") == "gpt-4o-mini"
    assert calc.model_key("gpt 4.1") == "gpt-4.1"
    assert calc.model_key("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert calc.smaller_model("openai", "gpt-4o-2024-08-06") == "gpt-4o-mini"
    assert calc.smaller_model("azure_openai", "gpt-4o-0513") == "gpt-4o-mini"
    assert calc.smaller_model("anthropic", "claude-3-5-sonnet-20241022") == "claude-3-5-haiku"
    assert calc.smaller_model("google", "gemini-1.5-pro") == "gemini-1.5-flash"
    assert calc.smaller_model("mistral", "mistral-large-latest") == "mistral-small"
    assert calc.smaller_model("openai", "gpt-4o-mini") is None


def test_volume_and_intensity_effects_sum_to_the_change():
    # 1,000 requests at 2 g -> 1,500 requests at 1.5 g: 2.0 kg -> 2.25 kg, change +0.25 kg.
    d = calc.decompose_change(1000, 2.0, 1500, 2.25)
    assert d["volume_effect_kg"] == pytest.approx(500 * (0.002 + 0.0015) / 2)  # +0.875 kg
    assert d["intensity_effect_kg"] == pytest.approx(-0.0005 * (1000 + 1500) / 2)  # -0.625 kg
    assert d["volume_effect_kg"] + d["intensity_effect_kg"] == pytest.approx(d["change_kg"]) == pytest.approx(0.25)
    # From nothing: all volume.
    z = calc.decompose_change(0, 0, 10, 5)
    assert z["volume_effect_kg"] == 5 and z["intensity_effect_kg"] == 0


def test_rebound_table_effects_sum_per_month_and_overall():
    monthly = pd.DataFrame(
        {"month": ["2025-01", "2025-02", "2025-03"], "activity": [100, 200, 300], "co2e_kg": [10.0, 16.0, 18.0]}
    )
    t = calc.rebound_table(monthly)
    assert t["change_kg"].tolist() == [0, 6, 2]
    assert (t["volume_effect_kg"] + t["intensity_effect_kg"]).tolist() == pytest.approx(t["change_kg"].tolist())
    # Feb: I 0.1 -> 0.08; volume 100 x 0.09 = 9, intensity -0.02 x 150 = -3.
    assert t.loc[1, "volume_effect_kg"] == pytest.approx(9) and t.loc[1, "intensity_effect_kg"] == pytest.approx(-3)


def test_api_cost_uses_the_price_valid_that_day():
    usage = pd.DataFrame(
        {
            "day": [dt.date(2025, 1, 10), dt.date(2025, 7, 1), dt.date(2025, 3, 1)],
            "model_key": ["gpt-4o", "gpt-4o", "unknown"],
            "input_tokens": [1_000_000] * 3,
            "cached_input_tokens": [200_000] * 3,
            "output_tokens": [100_000] * 3,
        }
    )
    prices = pd.DataFrame(
        {
            "model_key": ["gpt-4o", "gpt-4o"],
            "valid_from": [dt.date(2025, 1, 1), dt.date(2025, 6, 1)],
            "input_eur_per_mtok": [2.0, 1.0],
            "output_eur_per_mtok": [8.0, 4.0],
            "cached_eur_per_mtok": [1.0, 0.5],
        }
    )
    cost = calc.api_cost_eur(usage, prices)
    assert cost.iloc[0] == pytest.approx(0.8 * 2 + 0.2 * 1 + 0.1 * 8)  # 2.6 EUR
    assert cost.iloc[1] == pytest.approx(0.8 * 1 + 0.2 * 0.5 + 0.1 * 4)  # 1.3 EUR (the June price)
    assert pd.isna(cost.iloc[2])


def test_equivalences_and_frugality_score():
    eq = {e["key"]: e for e in calc.equivalences(3.0, 10.66)}
    assert eq["web_searches"]["value"] == pytest.approx(10_000)  # 3 kWh / 0.3 Wh
    assert eq["car_km"]["value"] == pytest.approx(100)  # 10.66 kg / 106.6 g/km
    assert "IEA" in eq["web_searches"]["source"] and "EEA" in eq["car_km"]["source"]
    score, reasons = calc.frugality_score(
        {
            "need_for_ai": "yes",
            "model_size": "partly",
            "good_practices": "yes",
            "measurement": "yes",
            "usage_caps": "no",
            "rebound": "yes",
        }
    )
    assert score == pytest.approx(9 / 12 * 100) and len(reasons) == 2
    capped, why = calc.frugality_score({k: "yes" for k, _ in calc.FRUGALITY_QUESTIONS} | {"need_for_ai": "no"})
    assert capped == 50 and "not demonstrated" in why[0]
