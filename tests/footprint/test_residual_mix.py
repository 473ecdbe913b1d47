"""The AIB European residual mix in the default factor set: every EU country, the edition of the year of use,
and the market-based fallback order (instruments, then residual mix, then grid average, flagged), worked by hand.

Figures as AIB prints them in each edition's Table 2 (direct CO2, g/kWh), read from the republication the
table names (themisiqco/themisiq, lib/ghg/factors/aib-2023.ts, aib-2025.ts and lib/ghg/engine.ts RESIDUAL_EU):
- European Residual Mixes 2023, Version 1.0 (30 May 2024): Germany 719.90, the Netherlands 379.89, Austria N/A.
- EEA GHG emission intensity of electricity generation (release of 6 Nov 2025): Germany 316 g/kWh for 2023.
- European Residual Mixes 2024 (workbook of 30 May 2025; Version 1.1 of 11 Aug 2025 left Table 2 as it was): Germany 724.56, Italy 441.20, the Netherlands and
  Austria NA (full disclosure).
- European Residual Mixes 2025, Version 1.0 (26 May 2026): Germany 701.47, France 17.11, Italy 420.20 (Table 2,
  footnote 6).
GHG Protocol Scope 2 Guidance, Table 6.3 (market-based hierarchy): instruments, then residual mix, then grid
average. No Django, no network.
"""

import pandas as pd
import pytest

from apps.footprint.calculator import estimate
from apps.footprint.factors import FactorTable, default_factor_set
from apps.footprint.services import parse_residual_rows, residual_line
from apps.footprint.usage_frame import conform
from apps.footprint.warning_codes import MESSAGES, RowWarning

from .member_states import EU27

NO_RESIDUAL = MESSAGES[RowWarning.NO_RESIDUAL_MIX]
UNVERIFIED = MESSAGES[RowWarning.RESIDUAL_MIX_UNVERIFIED]
VINTAGE_GAP = MESSAGES[RowWarning.GRID_VINTAGE_GAP]


@pytest.fixture(scope="module")
def fs():
    t = default_factor_set().tables["facility_pue"]
    # A site PUE of 1.0 entered, so the kWh below are the site's kWh and the arithmetic stays the AIB row's.
    sites = FactorTable("test sites", "2025", "test", t.columns, (("*", 1.0, "entered"),))
    return default_factor_set().with_table("facility_pue", sites, version="sites")


def jobs(days, zones, kwh=1000.0):
    """Measured jobs on own hardware (Scope 2), one per (day, zone)."""
    n = len(days)
    return conform(
        pd.DataFrame(
            {
                "day": days,
                "provider": ["self_hosted"] * n,
                "usage_kind": ["measured_energy"] * n,
                "self_hosted": [True] * n,
                "measured_energy_kwh": [kwh] * n,
                "zone": zones,
                "source": ["test"] * n,
            }
        )
    )


def test_germany_takes_the_edition_of_the_year_of_use(fs):
    # 1,000 kWh in Germany each year, no instrument: 1,000 kWh x g/kWh / 1,000 = kg.
    # 2023 -> 2023 edition 719.90 kg; 2024 -> 724.56 kg; 2025 -> 701.47 kg; 2026 (no 2026 edition yet) -> the
    # latest, 2025's 701.47 kg, with the vintage gap flagged.
    r = estimate(jobs(["2023-03-01", "2024-03-01", "2025-03-01", "2026-03-01"], ["DE"] * 4), fs)
    assert list(r["co2e_market_kg"]) == pytest.approx([719.90, 724.56, 701.47, 701.47])
    assert fs.residual_factor("DEU", 2026)[0] == 2025 and VINTAGE_GAP in r["warning"].iloc[3]
    assert all(UNVERIFIED in w and NO_RESIDUAL not in w for w in r["warning"])  # a republication: to_verify


def test_a_year_before_the_first_edition_takes_the_earliest_flagged(fs):
    # 2022: no 2022 edition held, so the 2023 edition (719.90 g/kWh) and EEA's 2023 factor, the gap flagged.
    r = estimate(jobs(["2022-06-01"], ["DE"]), fs).iloc[0]
    assert r["co2e_market_kg"] == pytest.approx(719.90)
    assert r["grid_gco2e_per_kwh"] == 316.0 and r["grid_year"] == 2023
    assert VINTAGE_GAP in r["warning"]


def test_the_four_rows_once_labelled_2024_are_the_2025_edition(fs):
    # France, Sweden, Germany and Italy held 17.11, 208.56, 701.47 and 420.2 as "2024": AIB's 2025 figures.
    for zone, grams in (("FRA", 17.11), ("SWE", 208.56), ("DEU", 701.47), ("ITA", 420.2)):
        assert fs.residual_factor(zone, 2025) == (2025, grams, "to_verify")
    assert fs.residual_factor("ITA", 2024)[1] == 441.20
    assert fs.residual_factor("FRA", 2024)[1] == 23.52


def test_every_eu_country_resolves_in_every_edition(fs):
    published_na = {("AUT", 2023), ("AUT", 2024), ("AUT", 2025), ("NLD", 2024), ("NLD", 2025)}
    table = fs.tables["residual_mix"].frame()
    for a2 in EU27:
        zone = fs.resolve_zone(a2)
        assert zone is not None and len(zone) == 3, a2
        for year in (2023, 2024, 2025):
            rows = table[(table["zone"] == zone) & (table["year"] == year)]
            assert len(rows) == 1, (zone, year)  # one row per country and edition, each with its source
            assert rows.iloc[0]["source"].startswith(f"AIB European Residual Mixes {year} ")
            got = fs.residual_factor(zone, year)
            if (zone, year) in published_na:
                assert got is None and rows.iloc[0]["status"] == "not_published"
            else:
                assert got[0] == year and got[1] > 0 and got[2] == "to_verify", (zone, year)
    assert len(table) == 27 * 3


def test_an_edition_printing_na_takes_the_grid_average_not_an_older_figure(fs):
    # The Netherlands: 379.89 g/kWh in the 2023 edition, NA (full disclosure) in 2024. A 2024 job is not
    # carried back to 2023's figure: the grid average applies, flagged; its market figure equals its location one.
    r = estimate(jobs(["2023-06-01", "2024-06-01"], ["NL", "NL"]), fs)
    assert r["co2e_market_kg"].iloc[0] == pytest.approx(379.89)
    assert r["co2e_market_kg"].iloc[1] == pytest.approx(r["co2e_location_kg"].iloc[1])
    assert r["co2e_market_kg"].iloc[1] == pytest.approx(r["grid_gco2e_per_kwh"].iloc[1])  # 1,000 kWh -> kg = g/kWh
    assert NO_RESIDUAL not in r["warning"].iloc[0] and NO_RESIDUAL in r["warning"].iloc[1]


def test_fallback_order_instruments_then_residual_mix_then_grid_average(fs):
    # 1,000 kWh in Germany and 1,000 kWh in Austria in 2024, a 0.4 MWh GO in each zone.
    # Germany: 400 kWh at the GO's 0 g + 600 kWh x 724.56 g = 434.736 kg.
    # Austria: 400 kWh at 0 g + 600 kWh at the grid average (AIB prints NA) = 0.6 x the location figure, flagged.
    go = [
        {"kind": "GO", "mwh": 0.4, "zone": z, "period_start": "2024-01-01", "period_end": "2024-12-31"}
        for z in ("DE", "AT")
    ]
    r = estimate(jobs(["2024-06-01", "2024-06-01"], ["DE", "AT"]), fs, instruments=go)
    de, at = r.iloc[0], r.iloc[1]
    assert de["co2e_market_kg"] == pytest.approx(600 * 724.56 / 1000)
    assert at["co2e_market_kg"] == pytest.approx(0.6 * at["co2e_location_kg"])
    assert at["co2e_market_kg"] == pytest.approx(600 * at["grid_gco2e_per_kwh"] / 1000)
    assert UNVERIFIED in de["warning"] and NO_RESIDUAL not in de["warning"]
    assert NO_RESIDUAL in at["warning"] and UNVERIFIED not in at["warning"]
    # Fully covered by instruments: no residual mix or grid average is used, so neither flag.
    full = [dict(g, mwh=1.0) for g in go]
    r = estimate(jobs(["2024-06-01", "2024-06-01"], ["DE", "AT"]), fs, instruments=full)
    assert list(r["co2e_market_kg"]) == pytest.approx([0.0, 0.0])
    assert not r["warning"].str.contains(NO_RESIDUAL, regex=False).any()
    assert not r["warning"].str.contains(UNVERIFIED, regex=False).any()


def test_the_officer_form_reads_back_the_shipped_table_unchanged(fs):
    # The form shows each row as a line (None as NA) and parses it back to the same row, source included.
    table = fs.tables["residual_mix"]
    text = "\n".join(residual_line(row) for row in table.rows)
    assert "AUT,2023,NA,not_published,AIB European Residual Mixes 2023" in text
    assert parse_residual_rows(text) == [tuple(row) for row in table.rows]
    # An officer's short line still works: status 'entered', no row source (the table's source says it).
    assert parse_residual_rows("che,2024,NA\nnor,2024,12.5") == [
        ("CHE", 2024, None, "not_published", ""),
        ("NOR", 2024, 12.5, "entered", ""),
    ]


def test_non_eu_zones_have_no_aib_row_and_take_the_grid_average_flagged(fs):
    # No AIB figure for the members outside the EU was found (docs/sources.md, issue 16): no row, no invented
    # figure. Worked by hand for Norway: 1,000 kWh in 2024, no instrument. The market-based figure falls back on
    # the grid average, codecarbon 3.3.2's global_energy_mix.json NOR carbon_intensity 30.08 g/kWh (year 2023,
    # life cycle, the only NOR factor): 1,000 kWh x 30.08 g/kWh / 1,000 = 30.08 kg, flagged NO_RESIDUAL_MIX and,
    # being 2023's factor, GRID_VINTAGE_GAP.
    table = fs.tables["residual_mix"].frame()
    for a2 in ("NO", "CH", "IS", "RS", "ME", "MK", "BA", "GB"):
        zone = fs.resolve_zone(a2)
        assert zone is not None and not (table["zone"] == zone).any(), a2
        assert all(fs.residual_factor(zone, y) is None for y in (2023, 2024, 2025)), a2
    r = estimate(jobs(["2024-06-01"], ["NO"]), fs).iloc[0]
    norway_grams = 30.08
    assert r["grid_zone"] == "NOR" and r["grid_year"] == 2023
    assert r["co2e_market_kg"] == pytest.approx(1000 * norway_grams / 1000)
    assert r["co2e_market_kg"] == pytest.approx(r["co2e_location_kg"])
    assert NO_RESIDUAL in r["warning"] and UNVERIFIED not in r["warning"] and VINTAGE_GAP in r["warning"]
