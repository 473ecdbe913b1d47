"""The ledger against the per-prompt figures vendors published (factor-set table published_measurements).

Published figures, each checked against the page that reports it:
- Google, median Gemini Apps text prompt (Aug 2025): 0.24 Wh, 0.03 gCO2e (market-based), 0.26 mL
  (yourstory.com/ai-story/google-gemini-ai-prompt-energy-report, 22 Aug 2025).
- OpenAI, average ChatGPT query (S. Altman, 10 Jun 2025): 0.34 Wh, 0.000085 US gallons of water
  (the-decoder.com, 11 Jun 2025).
- Microsoft, typical production LLM query (15 Jun 2026): 0.16-0.60 Wh, about 0.31 Wh in the middle
  (windowsforum.com, gigazine.net, 16 Jun 2026).
- Mistral AI, a 400-token Le Chat response of Mistral Large 2 (22 Jul 2025): 1.14 gCO2e, 45 mL, 0.16 mgSbeq
  (multilingual.com).
The ledger's side is checked against ecologits.tracers.utils.llm_impacts, computed independently.
"""

import math

import pytest
from ecologits.tracers.utils import llm_impacts

from apps.footprint.factors import FactorTable, default_factor_set
from apps.footprint.published import TABLE, boundary_note, comparison, ledger_case


@pytest.fixture(scope="module")
def fs():
    return default_factor_set()


@pytest.fixture(scope="module")
def eco_fs():
    """Ecologits' own electricity mixes, so CO2e and water compare like for like with llm_impacts."""
    return default_factor_set(("ecologits",))


def _rows(fs):
    return {r["case"]: r for r in fs.tables[TABLE].records()}


def test_the_table_holds_the_figures_as_published_with_source_vintage_licence(fs):
    table = fs.tables[TABLE]
    assert table.source and table.vintage and table.licence
    rows = _rows(fs)
    google, openai, microsoft, mistral = (
        rows["gemini_apps_median_prompt"],
        rows["chatgpt_average_query"],
        rows["microsoft_typical_llm_query"],
        rows["le_chat_400_token_response"],
    )
    assert (google["energy_wh"], google["co2e_g"], google["water_ml"]) == (0.24, 0.03, 0.26)
    assert "market-based" in google["co2e_basis"]
    assert openai["energy_wh"] == 0.34
    assert openai["water_ml"] == pytest.approx(0.000085 * 3785.41, abs=0.005)  # US gallons to mL, rounded
    assert microsoft["energy_wh"] == 0.31 and "0.16-0.60" in microsoft["boundary"]
    assert (mistral["energy_wh"], mistral["co2e_g"], mistral["water_ml"], mistral["adpe_mgsbeq"]) == (
        None,
        1.14,
        45,
        0.16,
    )
    assert (mistral["output_tokens"], mistral["case_status"]) == (400, "published")
    for row in rows.values():
        # A case the vendor did not define is the ledger's assumption, and says why.
        assert row["case_status"] in ("published", "assumption") and row["case_basis"]
        assert row["boundary"] and row["published"]


def test_the_ledger_case_is_the_ecologits_figure_for_400_tokens(eco_fs):
    # One request of 400 output tokens to gpt-4o at OpenAI's data-centre zone (USA), no input tokens.
    ref = llm_impacts("openai", "gpt-4o", 400, math.inf, "USA")
    case = ledger_case(eco_fs, "openai", "gpt-4o", 400)
    energy_lo, energy_hi = ref.energy.value.min, ref.energy.value.max
    assert case["energy_wh_low"] == pytest.approx(energy_lo * 1000, rel=0.01)
    assert case["energy_wh_high"] == pytest.approx(energy_hi * 1000, rel=0.01)
    assert case["energy_wh"] == pytest.approx((energy_lo + energy_hi) / 2 * 1000, rel=0.01)
    # CO2e: the usage share plus the embodied share (the published life-cycle figures include hardware).
    usage = (ref.usage.gwp.value.min + ref.usage.gwp.value.max) / 2
    embodied = (ref.embodied.gwp.value.min + ref.embodied.gwp.value.max) / 2
    assert case["co2e_g"] == pytest.approx((usage + embodied) * 1000, rel=0.01)
    assert case["water_ml"] == pytest.approx((ref.wcf.value.min + ref.wcf.value.max) / 2 * 1000, rel=0.01)
    assert case["zone"] == "USA"


def test_each_published_figure_stands_beside_the_ledgers_with_their_ratio(fs):
    entries = {e["case"]: e for e in comparison(fs)}
    assert set(entries) == set(_rows(fs))
    openai = entries["chatgpt_average_query"]
    assert openai["error"] == ""
    by_figure = {f["figure"]: f for f in openai["figures"]}
    # OpenAI published energy and water, no CO2e: only those two are compared.
    assert set(by_figure) == {"energy_wh", "water_ml"}
    ours = ledger_case(fs, "openai", "gpt-4o", 400)["energy_wh"]
    assert by_figure["energy_wh"]["published"] == 0.34
    assert by_figure["energy_wh"]["ratio"] == pytest.approx(ours / 0.34)
    # Mistral's three life-cycle figures, no energy.
    mistral = {f["figure"] for f in entries["le_chat_400_token_response"]["figures"]}
    assert mistral == {"co2e_g", "water_ml", "adpe_mgsbeq"}
    # The boundary difference is stated: Google's market-based CO2e and on-site water beside ours.
    note = entries["gemini_apps_median_prompt"]["boundary_note"]
    assert "market-based" in note and "on-site cooling water only" in note and "location-based" in note


def test_boundary_note_by_hand():
    row = {
        "boundary": "full stack",
        "co2e_basis": "market-based",
        "output_tokens": 400,
        "case_basis": "the vendor's case",
    }
    case = {
        "grid_gco2e_per_kwh": 369.47,
        "zone": "USA",
        "grid_year": 2023,
        "grid_boundary": "life_cycle",
        "model_resolved": "openai/gpt-4o (ecologits 0.11.3)",
    }
    note = boundary_note(row, case)
    assert note.startswith("Published: full stack; the vendor's CO2e is market-based. Ledger:")
    assert "369 gCO2e/kWh (USA 2023, life-cycle boundary)" in note
    assert note.endswith("Case: the vendor's case")


def test_a_case_the_set_cannot_estimate_is_reported_not_raised(fs):
    table = fs.tables[TABLE]
    row = list(table.rows[0])
    row[table.columns.index("model")] = "no-such-model"
    edited = FactorTable(table.source, table.vintage, table.licence, table.columns, (tuple(row),))
    entry = comparison(fs.with_table(TABLE, edited, version="test"))[0]
    assert entry["ledger"] is None and entry["figures"] == [] and "no-such-model" in entry["error"]


def test_a_set_stored_before_the_table_compares_nothing(fs):
    tables = {k: v for k, v in fs.tables.items() if k != TABLE}
    older = type(fs)(fs.name, "old", dict(fs.method), tables)
    assert comparison(older) == []
