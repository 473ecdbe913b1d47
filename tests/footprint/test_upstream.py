"""Scope 3 category 3, upstream of Scope 2's purchased electricity (GHG Protocol Scope 3 Standard, category 3
"fuel- and energy-related activities"): per grid zone and year of use, kWh x (life-cycle - generation factor).

Worked by hand from the default factor set: France on EEA's generation boundary (36 gCO2e/kWh, 2024 edition for
2025 use) and Ember/OWID's life cycle via codecarbon (56.039, 2023); Virginia on eGRID2023 (244.758), which has
no life-cycle factor, so the national upstream stands for it: USA life cycle 369.473 - USA eGRID generation
349.667 = 19.806 gCO2e/kWh; Norway has no generation factor (Scope 2 already on the life cycle, 30.08): 0."""

import pandas as pd
import pytest

from apps.footprint.catalogue import default_factor_set
from apps.footprint.upstream import FLAG_BELOW, FLAG_INSIDE_SCOPE2, FLAG_NATIONAL, upstream_of_electricity


def frame(rows):
    """Estimated rows as the disclosure reads them: day, scope, grid zone and energy with its range."""
    return pd.DataFrame(rows, columns=["day", "scope", "grid_zone", "energy_kwh", "energy_kwh_low", "energy_kwh_high"])


ROWS = [
    ("2025-03-01", "scope2", "FRA", 1000.0, 1000.0, 1000.0),
    ("2025-07-01", "scope2", "FRA", 500.0, 500.0, 500.0),  # same zone and year: summed first
    ("2025-03-01", "scope2", "US-VA", 2000.0, 2000.0, 2000.0),
    ("2025-03-01", "scope2", "NOR", 400.0, 400.0, 400.0),
    ("2025-03-01", "scope3_cat1", "FRA", 9999.0, 9000.0, 12000.0),  # a bought service: category 1, not here
]


def test_worked_example_eu_zone_us_state_and_a_zone_without_generation_factor():
    out = upstream_of_electricity(frame(ROWS), default_factor_set())
    rows = {r["grid_zone"]: r for r in out["rows"]}
    assert set(rows) == {"FRA", "US-VA", "NOR"}
    fra, va, nor = rows["FRA"], rows["US-VA"], rows["NOR"]
    # France: 1,500 kWh x (56.039 - 36) g = 30,058.5 g = 30.0585 kg
    assert (fra["generation_gco2e_per_kwh"], fra["generation_year"]) == (36.0, 2024)
    assert (fra["life_cycle_gco2e_per_kwh"], fra["life_cycle_year"]) == (56.039, 2023)
    assert fra["energy_kwh"] == 1500.0 and fra["flag"] == ""
    assert fra["upstream_kg"] == pytest.approx(30.0585)
    # Virginia: 2,000 kWh x (369.473 - 349.667) g = 39,612 g = 39.612 kg, the national upstream, flagged
    assert va["generation_gco2e_per_kwh"] == 244.758 and va["life_cycle_gco2e_per_kwh"] == 369.473
    assert va["basis_generation_gco2e_per_kwh"] == 349.667 and va["flag"] == FLAG_NATIONAL
    assert va["upstream_kg"] == pytest.approx(39.612)
    # Norway: no generation factor, Scope 2 is already on the life cycle: upstream 0, inside Scope 2
    assert nor["upstream_kg"] == 0.0 and nor["flag"] == FLAG_INSIDE_SCOPE2
    # Total 30.0585 + 39.612 = 69.6705 kg = 0.0696705 t; measured energy has no range, so neither has it
    assert out["total_t"] == pytest.approx((0.0696705, 0.0696705, 0.0696705))


def test_the_range_follows_the_kwh_range_and_a_factor_pair_below_zero_gives_zero():
    rows = [
        ("2025-03-01", "scope2", "DEU", 100.0, 80.0, 150.0),
        ("2025-03-01", "scope2", "BEL", 100.0, 100.0, 100.0),
    ]
    out = upstream_of_electricity(frame(rows), default_factor_set())
    by = {r["grid_zone"]: r for r in out["rows"]}
    # Germany: (380.95 - 291) = 89.95 g/kWh; 100 / 80 / 150 kWh -> 8.995 / 7.196 / 13.4925 kg
    assert (by["DEU"]["upstream_kg"], by["DEU"]["upstream_kg_low"], by["DEU"]["upstream_kg_high"]) == pytest.approx(
        (8.995, 7.196, 13.4925)
    )
    # Belgium: Ember's life cycle 138.107 below EEA's 2024 generation 155 (two sources): 0, flagged
    assert by["BEL"]["upstream_kg"] == 0.0 and by["BEL"]["flag"] == FLAG_BELOW
    assert out["total_t"] == pytest.approx((0.008995, 0.007196, 0.0134925))


def test_the_ecologits_only_set_has_no_upstream_apart():
    # Its factors are all life cycle: Scope 2 already includes the upstream, so nothing is added to Scope 3.
    # (Its zones are countries: a US state resolves to USA with it.)
    rows = [r for r in ROWS if r[2] != "US-VA"] + [("2025-03-01", "scope2", "USA", 2000.0, 2000.0, 2000.0)]
    out = upstream_of_electricity(frame(rows), default_factor_set(("ecologits",)))
    assert out["total_t"] == (0.0, 0.0, 0.0)
    assert {r["flag"] for r in out["rows"]} == {FLAG_INSIDE_SCOPE2}


def test_no_scope_2_no_rows():
    assert upstream_of_electricity(frame(ROWS[-1:]), default_factor_set())["rows"] == []
