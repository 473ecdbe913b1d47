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
    # Paid back in 3,000 / (39,000 / 12) = 0.923 months = 28.1 days: within 29 days.
    assert e["payback_within_days"] == 29


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
