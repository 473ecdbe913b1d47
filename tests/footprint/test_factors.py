"""Factor sets: provenance, round trip, content hash, lookups. No Django, no network."""

import json

import pytest

from apps.footprint.factors import (
    REQUIRED_TABLES,
    FactorLookupError,
    FactorSet,
    FactorTable,
    default_factor_set,
    diff_tables,
)


@pytest.fixture(scope="module")
def fs():
    return default_factor_set()


def test_every_table_names_source_vintage_and_licence(fs):
    for row in fs.provenance():
        assert row["source"] and row["vintage"] and row["licence"], row["table"]
        assert row["rows"] > 0, row["table"]
    assert set(REQUIRED_TABLES) <= set(fs.tables)
    assert fs.ecologits_version == "0.11.3"
    assert fs.method_version == "ledger-calc 3 / ecologits 0.11.3"
    assert "codecarbon 3.3.2" in fs.tables["grid"].source


def test_round_trip_through_json_keeps_content_and_hash(fs):
    text = json.dumps(fs.to_dict())
    again = FactorSet.from_dict(json.loads(text))
    assert again.content_hash == fs.content_hash
    assert again == fs
    assert again.to_dict() == fs.to_dict()
    assert len(fs.content_hash) == 64


def test_hash_is_stable_across_builds_and_table_order(fs):
    data = fs.to_dict()
    reordered = dict(data, tables=dict(reversed(list(data["tables"].items()))))
    assert FactorSet.from_dict(reordered).content_hash == fs.content_hash


def test_a_changed_value_is_a_new_set_with_a_new_hash(fs):
    resid = fs.tables["residual_mix"]
    edited = FactorTable(
        resid.source,
        resid.vintage,
        resid.licence,
        resid.columns,
        (*resid.rows, ("NOR", 2024, 900.0, "to_verify", "test")),
    )
    new = fs.with_table("residual_mix", edited, version="2026.2")
    assert new.content_hash != fs.content_hash
    assert fs.residual_factor("NOR", 2024) is None  # the old set is untouched (Norway: no AIB row held)
    assert new.residual_factor("NOR", 2024) == (2024, 900.0, "to_verify")
    diff = diff_tables(fs, new)
    assert list(diff) == ["residual_mix"]
    assert diff["residual_mix"]["added"] == [
        {"zone": "NOR", "year": 2024, "gco2e_per_kwh": 900.0, "status": "to_verify", "source": "test"}
    ]
    assert diff["residual_mix"]["removed"] == []


def test_sets_are_immutable(fs):
    with pytest.raises(AttributeError):
        fs.version = "x"
    with pytest.raises(TypeError):
        fs.tables["grid"] = None
    with pytest.raises(TypeError):
        fs.method["batch_size"] = 1


def test_zone_resolution_countries_and_cloud_regions(fs):
    assert fs.resolve_zone("FR") == "FRA"
    assert fs.resolve_zone("fra") == "FRA"
    assert fs.resolve_zone("azure:westeurope") == "NLD"
    assert fs.resolve_zone("gcp:europe-west1") == "BEL"
    assert fs.resolve_zone("aws:eu-west-3") == "FRA"
    assert fs.resolve_zone("AWS:EU-CENTRAL-1") == "DEU"
    assert fs.resolve_zone("atlantis") is None


def test_grid_factor_uses_codecarbon_year_and_shares(fs):
    fr = fs.grid_factor("FRA", 2025)
    assert fr.year == 2023 and fr.source == "codecarbon 3.3.2"
    assert fr.gco2e_per_kwh == pytest.approx(56.039)
    assert fr.fossil_share + fr.nuclear_share + fr.renewable_share == pytest.approx(1.0, abs=1e-6)
    assert fr.nuclear_share > 0.6
    # The world average exists only in ecologits: undated, no shares.
    world = fs.grid_factor("WOR", 2025)
    assert world.year is None and world.fossil_share is None
    assert world.gco2e_per_kwh == pytest.approx(458.29)


def test_grid_year_selection_prefers_the_usage_year_then_the_latest_earlier():
    base = default_factor_set()
    g = base.tables["grid"]
    rows = (
        ("DEU", 2022, 430.0, 0.5, 0.05, 0.45, "t", "life_cycle"),
        ("DEU", 2024, 360.0, 0.4, 0.0, 0.6, "t", "life_cycle"),
        *(r for r in g.rows if r[0] != "DEU"),
    )
    fs2 = base.with_table("grid", FactorTable("t", "t", "t", g.columns, rows), version="t")
    assert fs2.grid_factor("DEU", 2024).gco2e_per_kwh == 360.0
    assert fs2.grid_factor("DEU", 2023).gco2e_per_kwh == 430.0
    assert fs2.grid_factor("DEU", 2030).gco2e_per_kwh == 360.0
    assert fs2.grid_factor("DEU", 2010).gco2e_per_kwh == 430.0


def test_model_lookup_handles_aliases_dates_and_gateway_prefixes(fs):
    assert fs.model("azure_openai", "gpt-4o").model == "gpt-4o"
    assert fs.model("openai", "openai/gpt-4o-mini").model == "gpt-4o-mini"
    assert fs.model("anthropic", "claude-sonnet-4-5").model == "claude-sonnet-4-5"
    assert fs.model("mistral", "mistral-small-latest").active_min_b == 8
    assert fs.model("openai", "no-such-model") is None


def test_lookup_error_lists_close_matches():
    err = FactorLookupError("zone", "FRX", ["fra", "deu", "aws:eu-west-3"])
    assert err.close_matches == ["fra"]
    assert "close matches: fra" in str(err)
