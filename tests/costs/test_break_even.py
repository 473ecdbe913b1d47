"""The break-even beside the published time savings, and the capped multiple (apps.costs.break_even), by hand."""

import pytest

from apps.costs import break_even, calc

INPUTS = {"minutes_saved_low": 14, "minutes_saved_central": 26, "minutes_saved_high": 40}


def band(licence_cost_eur, active_user_days=2_000):
    return calc.roi_band(active_user_days, (14, 26, 40), (30, 45, 60), licence_cost_eur, 0, 0, None, 12)


def test_a_cheap_tool_pays_back_below_the_low_end_and_its_multiple_is_capped():
    # 2,000 active days x 45 EUR/h / 60 = 1,500 EUR per minute a day; 3,000 EUR of licences: 2 minutes a day.
    e = break_even.evidence(band(3_000), INPUTS, seats_bought=10, active_user_days=2_000, months=12)
    assert e["break_even_minutes"] == pytest.approx(2.0)
    # High hourly cost (60 EUR/h) lowers it to 1.5 minutes, low (30 EUR/h) raises it to 3.
    assert (e["break_even_minutes_low"], e["break_even_minutes_high"]) == (pytest.approx(1.5), pytest.approx(3.0))
    assert e["verdict"] == "below_low"
    # 2 min x 2,000 days / 60 = 66.7 hours over 10 seats and 12 months: 0.556 hours per seat per month.
    assert e["break_even_hours_per_seat_month"] == pytest.approx(2 * 2_000 / 60 / 10 / 12)
    # Value 2,000 x 26 / 60 x 45 = 39,000 EUR: x13 the cost, over the cap of x10.
    assert e["multiple"] == pytest.approx(13.0) and e["multiple_capped"] is True
    # Paid back in 3,000 / (39,000 / 12) = 0.923 months = 28.1 days; but a multiple over the cap claims only
    # "within a tenth of the window": 12 months x 30.4375 days / 10 = 36.5, within 37 days, flagged.
    assert e["payback_days"] == pytest.approx(3_000 / (39_000 / 12) * 365.25 / 12)
    assert e["payback_within_days"] == 37 and e["payback_capped"] is True
    assert e["multiple_low_capped"] is False  # 2,000 x 14 / 60 x 30 = 14,000 EUR: x4.67, under the cap
    assert e["multiple_high_capped"] is True  # 2,000 x 40 / 60 x 60 = 80,000 EUR: x26.7


def test_a_dear_tool_needs_more_than_the_studies_found():
    # 90,000 EUR of licences: 60 minutes a day at 45 EUR/h, above the 40 the studies give.
    e = break_even.evidence(band(90_000), INPUTS, seats_bought=0, active_user_days=2_000, months=12)
    assert e["break_even_minutes"] == pytest.approx(60.0) and e["verdict"] == "above_high"
    assert e["break_even_hours_per_seat_month"] is None  # no seats bought: nothing per seat
    assert e["multiple"] == pytest.approx(39_000 / 90_000) and e["multiple_capped"] is False


def test_within_the_range_and_no_active_days():
    assert break_even.evidence(band(30_000), INPUTS, 0, 2_000, 12)["verdict"] == "within"  # 20 minutes
    none = break_even.evidence(band(1_000, active_user_days=0), INPUTS, 0, 0, 12)
    assert none["break_even_minutes"] is None and none["verdict"] is None and none["payback_within_days"] is None


def test_an_uncapped_payback_is_told_in_whole_days_rounded_up():
    # 30,000 EUR: value 39,000 EUR a year = 3,250 a month; 30,000 / 3,250 = 9.23 months x 30.4375 = 280.96 days.
    e = break_even.evidence(band(30_000), INPUTS, 0, 2_000, 12)
    assert e["multiple"] == pytest.approx(1.3) and not e["multiple_capped"] and not e["payback_capped"]
    assert e["payback_days"] == pytest.approx(30_000 / 3_250 * 30.4375)
    assert e["payback_within_days"] == 281
    assert (e["minutes_saved_low"], e["minutes_saved_high"]) == (14, 40)


def test_the_assumed_inputs_are_named():
    from apps.costs.defaults import assumed_inputs, default_inputs

    # Microsoft 365 Copilot's defaults: the high minutes and the central and high hourly cost are assumptions.
    defaults = default_inputs("m365_copilot")
    assert assumed_inputs("m365_copilot", defaults) == (
        "minutes_saved_high",
        "hourly_cost_central_eur",
        "hourly_cost_high_eur",
    )
    # The organisation's own figure (a new value, or the default under its own source) is not an assumption.
    own = {**defaults, "minutes_saved_high": 35, "hourly_cost_source": "HR: 2025 loaded cost of office staff"}
    assert assumed_inputs("m365_copilot", own) == ()
    # Days entered by hand, or a team's share of organisation-wide activity, are.
    assert assumed_inputs("m365_copilot", own, manual_days=True) == ("active_user_days_manual",)
    e = break_even.evidence(band(3_000), INPUTS, 0, 2_000, 12, assumed=("active_user_days_allocated",))
    assert e["assumed_inputs"] == ["active_user_days_allocated"]
