"""e1.figures on three records whose figures are worked out by hand: the values check that stays independent of
the production catalogue (labels, units and references are read from it, never restated)."""

import pandas as pd
import pytest

from apps.disclosures import e1

COLUMNS = [
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
        ("scope2", "measured", 1000, 950, 1050, 500, 300, 200, 200, 190, 210, 150, 140, 160),
        # bought API use: its energy is not E1-5 energy, its CO2e is Scope 3
        ("scope3_cat1", "activity_based", 10, 6, 14, 0, 0, 0, 40, 24, 56, 40, 24, 56),
        ("scope3_cat1", "spend_based", 0, 0, 0, 0, 0, 0, 60, 24, 96, 60, 24, 96),
    ],
    columns=COLUMNS,
)
# kWh -> MWh and kg -> t are / 1000; net revenue 1,000,000 EUR; internal carbon price 80 EUR/t.
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
    "E1-6_11": (0.1, 0.048, 0.152),  # 0.04 + 0.06; lows 0.024 + 0.024; highs 0.056 + 0.096
    "E1-6_11_cat1": (0.1, 0.048, 0.152),
    "E1-6_AR51": (0.1, 0.048, 0.152),
    "E1-6_12": (0.3, 0.238, 0.362),  # Scope 2 location + Scope 3
    "E1-6_13": (0.25, 0.188, 0.312),  # Scope 2 market + Scope 3
    "E1-6_25": (40.0, None, None),  # only the activity-based 0.04 t of 0.1 t is primary data
    "E1-6_30": (3e-7, 2.38e-7, 3.62e-7),
    "E1-6_31": (2.5e-7, 1.88e-7, 3.12e-7),
    "E1-6_33": (1_000_000, None, None),
    "E1-8_04": (80, None, None),
    "E1-8_05": (0.25, 0.188, 0.312),
}


def test_e1_figures_worked_by_hand():
    values = e1.figures(RECORDS, 1_000_000.0, 80.0)
    assert set(values) == set(EXPECTED)
    for dp_id, expected in EXPECTED.items():
        for got, want in zip(values[dp_id], expected, strict=True):
            assert got == (None if want is None else pytest.approx(want, rel=1e-9)), dp_id


def test_every_figure_is_in_the_production_catalogue():
    datapoints = e1.datapoints(e1.figures(RECORDS, 1_000_000.0, 80.0), None, "esrs_e1")
    assert [d["id"] for d in datapoints] == list(e1.E1_DATAPOINTS)
    vsme = e1.figures(RECORDS, 1_000_000.0, None, "vsme_b3")
    assert list(vsme) == list(e1.VSME_DATAPOINTS)
    assert vsme["B3_scope3_tCO2e"] == pytest.approx(EXPECTED["E1-6_11"])
    assert vsme["B3_intensity"] == pytest.approx(EXPECTED["E1-6_30"])
