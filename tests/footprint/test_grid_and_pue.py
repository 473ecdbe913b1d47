"""Grid factors by boundary and year of use, the AIB residual mix and the facility PUE, worked by hand.

Sources the figures below follow:
- EPA eGRID2023 (epa.gov/egrid/download-data), state CO2e total output emission rate STC2ERTA, lb/MWh:
  Virginia 539.599, United States 770.884 (as codecarbon 3.3.2 ships them in usa_emissions.json).
- Ember / OWID via codecarbon 3.3.2 global_energy_mix.json, 2023 carbon intensity (life cycle): France 56.039,
  Switzerland 34.843 gCO2e/kWh.
- EEA "Greenhouse gas emission intensity of electricity generation", country level (release of 6 Nov 2025):
  France 47 (2023) and 36 (2024), Germany 291 (2024) gCO2e/kWh (generation), via the themisiq republication.
- AIB European Residual Mixes 2024 (Version 1.1, Table 2), Germany 724.56 g/kWh (the set's residual_mix row,
  read from the themisiqco/themisiq republication; see tests/footprint/test_residual_mix.py).
- Uptime Institute Global Data Center Survey 2024: average annual PUE 1.56.
- AWS "Regions and Availability Zones": us-east-1 is Northern Virginia.
No Django, no network.
"""

import pandas as pd
import pytest

from apps.footprint.calculator import DQ_MEASURED, DQ_MEASURED_IT, SCOPE2, SCOPE3_CAT1, estimate
from apps.footprint.factors import FactorTable, default_factor_set
from apps.footprint.usage_frame import conform
from apps.footprint.warning_codes import MESSAGES, RowWarning

from .member_states import EU27

G_PER_LB = 453.59237
VIRGINIA_G_PER_KWH = 539.599 * G_PER_LB / 1000  # lb/MWh -> g/kWh: 244.757...
FRANCE_LIFE_CYCLE_2023 = 56.039
SWITZERLAND_LIFE_CYCLE_2023 = 34.843
VINTAGE_GAP = MESSAGES[RowWarning.GRID_VINTAGE_GAP]
OTHER_BOUNDARY = MESSAGES[RowWarning.GRID_OTHER_BOUNDARY]
PUE_ASSUMED = MESSAGES[RowWarning.FACILITY_PUE_ASSUMED]


def frame(**cols):
    n = max([len(v) for v in cols.values() if isinstance(v, list)], default=1)
    data = {k: (v if isinstance(v, list) else [v] * n) for k, v in cols.items()}
    data.setdefault("day", ["2025-06-15"] * n)
    data.setdefault("source", ["test"] * n)
    return conform(pd.DataFrame(data))


def jobs(**cols):
    """CodeCarbon-style measured rows of own hardware (Scope 2) unless told otherwise."""
    base = {"provider": "self_hosted", "usage_kind": "measured_energy", "self_hosted": True}
    return frame(**{**base, **cols})


@pytest.fixture(scope="module")
def fs():
    return default_factor_set()


def with_sites(fs, *rows):
    t = fs.tables["facility_pue"]
    return fs.with_table("facility_pue", FactorTable("test sites", "2025", "test", t.columns, rows), version="sites")


def test_measured_it_energy_times_the_assumed_facility_pue(fs):
    # 10 kWh of IT energy on own servers in Virginia, no site PUE entered: 10 x 1.56 = 15.6 kWh at the site.
    # Scope 2 location-based on the generation boundary: 15.6 kWh x 244.757 g/kWh = 3.818 kg.
    r = estimate(jobs(measured_energy_kwh=[10.0], zone="US-VA"), fs).iloc[0]
    assert r["energy_kwh"] == pytest.approx(15.6)
    assert r["energy_kwh_low"] == r["energy_kwh_high"] == pytest.approx(15.6)
    assert r["co2e_location_kg"] == pytest.approx(15.6 * VIRGINIA_G_PER_KWH / 1000)
    assert r["data_quality"] == DQ_MEASURED_IT and r["scope"] == SCOPE2
    assert PUE_ASSUMED in r["warning"]


def test_an_entered_site_pue_replaces_the_default_for_its_zone_only(fs):
    # The officer entered PUE 1.2 for the French site: 10 kWh x 1.2 = 12 kWh there; Germany keeps 1.56.
    sites = with_sites(fs, ("*", 1.56, "assumed"), ("FR", 1.2, "entered"))
    r = estimate(jobs(measured_energy_kwh=[10.0, 10.0], zone=["FRA", "DEU"]), sites)
    assert list(r["energy_kwh"]) == pytest.approx([12.0, 15.6])
    assert PUE_ASSUMED not in r["warning"].iloc[0] and PUE_ASSUMED in r["warning"].iloc[1]
    assert list(r["data_quality"]) == [DQ_MEASURED_IT, DQ_MEASURED_IT]


def test_a_set_stored_before_the_facility_table_counts_energy_as_measured(fs):
    # A stored set without facility_pue (older versions) keeps its figures: the kWh as measured, "measured".
    tables = {k: v for k, v in fs.tables.items() if k != "facility_pue"}
    old = type(fs)(name="old", version="1", method=dict(fs.method), tables=tables)
    r = estimate(jobs(measured_energy_kwh=[10.0], zone="FRA"), old).iloc[0]
    assert r["energy_kwh"] == 10.0 and r["data_quality"] == DQ_MEASURED


def test_scope2_takes_the_generation_boundary_of_the_state_for_the_year(fs):
    # A 2023 job in Virginia: eGRID2023 is that year's factor, on the generation boundary: no warning about
    # either. 1,000 IT kWh at an entered PUE 1.0 -> 1,000 kWh x 244.757 g = 244.757 kg.
    sites = with_sites(fs, ("*", 1.0, "entered"))
    r = estimate(jobs(day=["2023-05-01"], measured_energy_kwh=[1000.0], zone="US-VA"), sites).iloc[0]
    assert r["grid_gco2e_per_kwh"] == pytest.approx(VIRGINIA_G_PER_KWH)
    assert r["grid_year"] == 2023
    assert r["co2e_location_kg"] == pytest.approx(VIRGINIA_G_PER_KWH)
    assert VINTAGE_GAP not in r["warning"] and OTHER_BOUNDARY not in r["warning"]


def test_the_us_national_generation_rate_is_egrids(fs):
    # 770.884 lb/MWh x 453.59237 g/lb / 1,000 = 349.667 g/kWh, where the life-cycle (Ember) figure is 369.5.
    assert fs.grid_factor("USA", 2025, "generation").gco2e_per_kwh == pytest.approx(770.884 * G_PER_LB / 1000, 1e-6)
    assert fs.grid_factor("USA", 2025, "life_cycle").boundary == "life_cycle"


def test_use_in_a_later_year_takes_the_latest_vintage_and_says_so(fs):
    # The same job in 2025: no 2025 data yet, so eGRID2023 with the vintage gap flagged.
    sites = with_sites(fs, ("*", 1.0, "entered"))
    r = estimate(jobs(day=["2025-05-01"], measured_energy_kwh=[1000.0], zone="US-VA"), sites).iloc[0]
    assert r["grid_year"] == 2023 and r["grid_gco2e_per_kwh"] == pytest.approx(VIRGINIA_G_PER_KWH)
    assert VINTAGE_GAP in r["warning"]


def test_a_cloud_region_resolves_to_its_state_grid(fs):
    # API calls served from AWS us-east-1 (Northern Virginia) take Virginia's factor, not the US average.
    # Scope 3 asks for a life-cycle factor; Virginia has only a generation one, so the row says so.
    r = estimate(
        frame(
            provider="openai", model="gpt-4o", usage_kind="tokens", requests=1, output_tokens=500, zone="aws:us-east-1"
        ),
        fs,
    ).iloc[0]
    assert r["grid_zone"] == "US-VA" and r["scope"] == SCOPE3_CAT1
    assert r["grid_gco2e_per_kwh"] == pytest.approx(VIRGINIA_G_PER_KWH)
    assert OTHER_BOUNDARY in r["warning"]


def test_a_zone_with_only_a_life_cycle_factor_is_flagged_for_scope2_not_scope3(fs):
    # Switzerland has the Ember life-cycle factor only (34.843 g/kWh, 2023; no EEA row, not an EU member): Scope 3
    # takes it as asked; Scope 2 takes it too, with the boundary warning (it includes upstream emissions a
    # generation factor leaves out). 100 kWh x 34.843 g = 3.4843 kg.
    sites = with_sites(fs, ("*", 1.0, "entered"))
    r = estimate(jobs(measured_energy_kwh=[100.0, 100.0], self_hosted=[True, False], zone="CH"), sites)
    assert list(r["grid_gco2e_per_kwh"]) == pytest.approx([SWITZERLAND_LIFE_CYCLE_2023] * 2)
    assert list(r["co2e_location_kg"]) == pytest.approx([3.4843, 3.4843])
    assert OTHER_BOUNDARY in r["warning"].iloc[0] and OTHER_BOUNDARY not in r["warning"].iloc[1]


def test_an_eu_country_takes_the_eea_generation_factor_for_scope2_and_ember_for_scope3(fs):
    # EEA 'Greenhouse gas emission intensity of electricity generation' (release of 6 Nov 2025), France: 47 g/kWh
    # for 2023, 36 g/kWh for 2024 (direct, the generation boundary). 100 kWh of own servers in 2024:
    # 100 x 36 g = 3.6 kg; the same kWh bought as a service (Scope 3) stays on the life-cycle factor,
    # 100 x 56.039 g = 5.6039 kg. A 2025 job takes 2024's factor, the vintage gap flagged; a 2023 job 47 g.
    sites = with_sites(fs, ("*", 1.0, "entered"))
    r = estimate(
        jobs(
            day=["2024-05-01", "2024-05-01", "2025-05-01", "2023-05-01"],
            measured_energy_kwh=[100.0] * 4,
            self_hosted=[True, False, True, True],
            zone="FR",
        ),
        sites,
    )
    assert list(r["grid_gco2e_per_kwh"]) == pytest.approx([36.0, FRANCE_LIFE_CYCLE_2023, 36.0, 47.0])
    assert list(r["co2e_location_kg"]) == pytest.approx([3.6, 5.6039, 3.6, 4.7])
    assert list(r["grid_year"]) == [2024, 2023, 2024, 2023]
    assert OTHER_BOUNDARY not in r["warning"].iloc[0] and VINTAGE_GAP not in r["warning"].iloc[0]
    assert VINTAGE_GAP in r["warning"].iloc[2]
    # Every member state has both years on the generation boundary.
    for a2 in EU27:
        for year in (2023, 2024):
            g = fs.grid_factor(fs.resolve_zone(a2), year, "generation")
            assert (g.boundary, g.year) == ("generation", year), a2
    assert fs.grid_factor("DEU", 2024, "generation").gco2e_per_kwh == 291.0


def test_market_based_scope2_takes_the_aib_residual_mix_row(fs):
    # A 2024 job on own servers in Germany, no contractual instrument: market-based at the AIB 2024 residual
    # mix, 724.56 g/kWh. 1,000 kWh x 724.56 g = 724.56 kg.
    sites = with_sites(fs, ("*", 1.0, "entered"))
    r = estimate(jobs(day=["2024-09-01"], measured_energy_kwh=[1000.0], zone="DE"), sites).iloc[0]
    assert fs.residual_factor("DEU", 2024) == (2024, 724.56, "to_verify")
    assert r["co2e_market_kg"] == pytest.approx(724.56)
