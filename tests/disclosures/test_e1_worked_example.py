"""e1.figures on three records whose figures are worked out by hand: the values check that stays independent of
the production catalogue (labels, units and references are read from it, never restated)."""

import pandas as pd
import pytest

from apps.disclosures import e1

COLUMNS = [
    "usage_kind",
    "provider",
    "model",
    "scope",
    "data_quality",
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "fossil_kwh",
    "nuclear_kwh",
    "renewable_kwh",
    "co2e_location_kg",
    "co2e_location_kg_low",
    "co2e_location_kg_high",
    "co2e_market_kg",
    "co2e_market_kg_low",
    "co2e_market_kg_high",
]
RECORDS = pd.DataFrame(
    [
        # own GPU job, measured: 1,000 kWh = 500 fossil + 300 nuclear + 200 renewable (covered by a GO)
        (
            "measured_energy",
            "self_hosted",
            "",
            "scope2",
            "measured",
            1000,
            950,
            1050,
            500,
            300,
            200,
            200,
            190,
            210,
            150,
            140,
            160,
        ),
        # bought API use: its energy is not E1-5 energy, its CO2e is Scope 3
        ("tokens", "openai", "gpt-4o", "scope3_cat1", "activity_based", 10, 6, 14, 0, 0, 0, 40, 24, 56, 40, 24, 56),
        (
            "seat_activity",
            "microsoft",
            "m365_copilot",
            "scope3_cat1",
            "spend_based",
            0,
            0,
            0,
            0,
            0,
            0,
            60,
            24,
            96,
            60,
            24,
            96,
        ),
    ],
    columns=COLUMNS,
)
# kWh -> MWh and kg -> t are / 1000; net revenue 1,000,000 EUR; internal carbon price 80 EUR/t.
# Ranges (e1.RANGE_METHOD): each row is a group of its own here (a measured job; one model's tokens; the
# spend-based group), so the period's deviations combine in quadrature:
#   Scope 3: 0.1 -+ sqrt(0.016^2 + 0.036^2) = 0.1 -+ sqrt(0.001552) = 0.1 -+ 0.0393954
#   totals:  sqrt(0.010^2 + 0.016^2 + 0.036^2) = sqrt(0.001652) = 0.0406448 either side
S3_DEV = 0.001552**0.5
TOTAL_DEV = 0.001652**0.5
EXPECTED = {
    "E1-5_01": (1.0, 0.95, 1.05),
    "E1-5_02": (0.5, None, None),
    "E1-5_03": (0.3, None, None),
    "E1-5_04": (30.0, None, None),  # 0.3 / 1.0
    "E1-5_05": (0.2, None, None),
    "E1-5_07": (0.2, None, None),
    "E1-5_09": (20.0, None, None),
    "E1-5_15": (50.0, None, None),
    "E1-6_09": (0.2, 0.19, 0.21),
    "E1-6_10": (0.15, 0.14, 0.16),
    "E1-6_11": (0.1, 0.1 - S3_DEV, 0.1 + S3_DEV),  # 0.04 + 0.06; deviations 0.016 and 0.036 either side
    "E1-6_11/cat1": (0.1, 0.1 - S3_DEV, 0.1 + S3_DEV),  # the category 1 member of the Scope 3 axis
    "E1-6_11/cloud": (0.1, 0.1 - S3_DEV, 0.1 + S3_DEV),  # its AR 51 cloud member: all of it here
    "E1-6_11/cat3": (0.0, 0.0, 0.0),  # no upstream of Scope 2's electricity given: category 3 is nil
    "E1-6_12": (0.3, 0.3 - TOTAL_DEV, 0.3 + TOTAL_DEV),  # Scope 2 location + Scope 3
    "E1-6_13": (0.25, 0.25 - TOTAL_DEV, 0.25 + TOTAL_DEV),  # Scope 2 market + Scope 3
    # No Scope 3 energy was measured: the API's tokens are activity data with modelled energy, the rest is
    # spend-based, so none of it is primary data.
    "E1-6_25": (0.0, None, None),
    "E1-6_30": (3e-7, (0.3 - TOTAL_DEV) / 1e6, (0.3 + TOTAL_DEV) / 1e6),
    "E1-6_31": (2.5e-7, (0.25 - TOTAL_DEV) / 1e6, (0.25 + TOTAL_DEV) / 1e6),
    "E1-6_34": (1_000_000, None, None),
    "E1-8_04": (80, None, None),
    "E1-8_07": (100.0, None, None),  # all of the (AI) Scope 2 is priced
    "E1-8_08": (100.0, None, None),  # and all of its Scope 3
}


def test_e1_figures_worked_by_hand():
    values = e1.figures(RECORDS, 1_000_000.0, 80.0)
    assert set(values) == set(EXPECTED)
    for dp_id, expected in EXPECTED.items():
        for got, want in zip(values[dp_id], expected, strict=True):
            assert got == (None if want is None else pytest.approx(want, rel=1e-9)), dp_id


def test_category_3_adds_to_scope_3_and_the_totals_as_one_more_group():
    # Upstream of Scope 2's electricity 0.05 t (low 0.04, high 0.07): an independent group in quadrature.
    values = e1.figures(RECORDS, 1_000_000.0, 80.0, upstream_t=(0.05, 0.04, 0.07))
    assert values["E1-6_11/cat3"] == (0.05, 0.04, 0.07)
    below, above = (S3_DEV**2 + 0.01**2) ** 0.5, (S3_DEV**2 + 0.02**2) ** 0.5
    assert values["E1-6_11"] == pytest.approx((0.15, 0.15 - below, 0.15 + above))
    assert values["E1-6_11/cat1"] == pytest.approx(EXPECTED["E1-6_11/cat1"])  # category 1 unchanged
    below, above = (TOTAL_DEV**2 + 0.01**2) ** 0.5, (TOTAL_DEV**2 + 0.02**2) ** 0.5
    assert values["E1-6_12"] == pytest.approx((0.35, 0.35 - below, 0.35 + above))
    assert values["E1-6_13"][0] == pytest.approx(0.30)
    assert values["E1-6_09"] == pytest.approx(EXPECTED["E1-6_09"])  # Scope 2 stays on the generation boundary
    assert values["E1-6_30"][0] == pytest.approx(0.35 / 1e6)


def test_every_figure_is_in_the_production_catalogue():
    datapoints = e1.datapoints(e1.figures(RECORDS, 1_000_000.0, 80.0), None, "esrs_e1")
    # The worked example's records have no water / ADPe / PE columns: the voluntary datapoints are left out.
    assert [d["id"] for d in datapoints] == [k for k in e1.E1_DATAPOINTS if k not in e1.VOLUNTARY_DATAPOINTS]
    vsme = e1.figures(RECORDS, 1_000_000.0, None, "vsme_b3")
    assert list(vsme) == list(e1.VSME_DATAPOINTS)
    assert vsme["B3_scope3_tCO2e"] == pytest.approx(EXPECTED["E1-6_11"])
    # VSME B3: Scope 1 + 2 (location-based) per turnover, no Scope 3: 0.2 t / 1,000,000 EUR
    assert vsme["B3_intensity"] == pytest.approx((2e-7, 0.19e-6, 0.21e-6))


def test_rows_that_share_a_model_move_together_and_other_groups_add_in_quadrature():
    # Two days of the same model (one group: their parameter range is the same) and one seat tool.
    # Same model: deviations add, 0.016 + 0.016 = 0.032 t; seat group 0.036 t. Scope 3 central 0.04 + 0.04 + 0.06
    # = 0.14 t, low/high 0.14 -+ sqrt(0.032^2 + 0.036^2) = 0.14 -+ sqrt(0.002320) = 0.14 -+ 0.0481664.
    # A plain sum of every row's bounds would say 0.14 -+ 0.068.
    tokens = RECORDS.iloc[[1, 1]].assign(data_quality="activity_based")
    seats = RECORDS.iloc[[2]].assign(data_quality="activity_based")
    values = e1.figures(pd.concat([RECORDS.iloc[[0]], tokens, seats], ignore_index=True), None, None)
    dev = 0.002320**0.5
    assert values["E1-6_11"] == pytest.approx((0.14, 0.14 - dev, 0.14 + dev), rel=1e-9)


def test_share_of_primary_data_counts_measured_scope3_energy_only():
    # Rented GPUs measured by CodeCarbon (facility modelled), 0.01 t, beside the API's 0.04 t and the spend-based
    # 0.06 t: 0.01 / 0.11 = 9.0909 % of Scope 3 is primary data.
    rented = RECORDS.iloc[[0]].assign(
        scope="scope3_cat1",
        data_quality="measured_it",
        co2e_location_kg=10,
        co2e_location_kg_low=10,
        co2e_location_kg_high=10,
        co2e_market_kg=10,
        co2e_market_kg_low=10,
        co2e_market_kg_high=10,
    )
    values = e1.figures(pd.concat([RECORDS, rented], ignore_index=True), None, None)
    assert values["E1-6_25"][0] == pytest.approx(100 * 0.01 / 0.11)
    assert "measured on the hardware" in e1.DEFINITIONS["primary_data"]


def test_range_drivers_say_which_group_widens_scope3():
    # Scope 3 rows: one model's tokens, 0.04 t, 0.016 t either side; the spend-based group, 0.06 t, 0.036 t either
    # side. Variance above: 0.016^2 = 0.000256 and 0.036^2 = 0.001296, of 0.001552: 83.5 % from spend, 16.5 %
    # from the model.
    drivers = e1.range_drivers(RECORDS)
    assert [d["group"] for d in drivers] == ["spend_based", "tokens · openai · gpt-4o"]
    assert drivers[0]["co2e_t"] == pytest.approx(0.06) and drivers[0]["above_t"] == pytest.approx(0.036)
    assert drivers[0]["share_of_variance_above"] == pytest.approx(0.001296 / 0.001552)
    assert drivers[1]["share_of_variance_above"] == pytest.approx(0.000256 / 0.001552)
