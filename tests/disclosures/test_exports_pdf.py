"""PDF export: a real PDF with the expected content, reproducible, hostile text shown literally."""

import copy
import io

import pytest
from pypdf import PdfReader

from apps.disclosures.e1 import snapshot_sha256
from apps.disclosures.exports.pdf import render_pdf

from .sample_snapshot import HOSTILE_ASSUMPTION, HOSTILE_TEAM, sample, vsme_sample


@pytest.fixture(scope="module")
def rendered():
    snapshot, records = sample()
    sha = snapshot_sha256(snapshot)
    data = render_pdf(snapshot, records, snapshot_sha256=sha)
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return {
        "snapshot": snapshot,
        "records": records,
        "sha": sha,
        "data": data,
        "reader": reader,
        "text": text,
        "flat": " ".join(text.split()),
    }


def test_is_a_pdf_with_metadata_from_the_snapshot(rendered):
    assert rendered["data"].startswith(b"%PDF-")
    info = rendered["reader"].metadata
    assert "Demo Industries SA" in info.title
    # dates come from generated_at (the sign-off time), not the clock
    assert info["/CreationDate"].startswith("D:20260214163000")
    assert info["/ModDate"] == info["/CreationDate"]
    assert 6 <= len(rendered["reader"].pages) <= 14


def test_cover_summary_tables_methodology_and_annex_are_there(rendered):
    flat, snap = rendered["flat"], rendered["snapshot"]
    for expected in (
        "Demo Industries SA",
        "2025-01-01 to 2025-12-31",
        "Signed off",
        "officer@demo.example",
        "Summary",
        "E1-5 Energy consumption and mix",
        "E1-6 Gross Scopes 1, 2, 3",
        "E1-8 Internal carbon pricing",
        "Methodology",
        "Assumptions",
        "Exclusions",
        "Evidence annex",
        "ledger-default@2026.1",
        "CC-BY-4.0",
        "AIB European Residual Mixes",
        "gpt-4o",
    ):
        assert expected in flat, expected
    for dp in snap["datapoints"]:
        assert dp["id"] in flat, dp["id"]
    # the snapshot hash is printed whole on the cover; file hashes are broken over two lines in the annex
    assert rendered["sha"] in flat.replace(" ", "")
    for run in snap["runs"]:
        assert run["sha256"] in flat.replace(" ", ""), run["filename"]
    # key figures with their range: E1-6_12 total location-based, with low and high
    total = next(d for d in snap["datapoints"] if d["id"] == "E1-6_12")
    for key in ("value", "low", "high"):
        assert f"{total[key]:,.3f}" in flat


def test_hostile_text_is_printed_literally_not_interpreted(rendered):
    flat = rendered["flat"]
    assert "<script>alert(1)</script>" in flat.replace(" ", "") or HOSTILE_TEAM in flat
    assert " ".join(HOSTILE_ASSUMPTION.split()) in flat
    assert "<b>finance</b>" in flat  # the sign-off comment keeps its angle brackets


def test_same_input_gives_identical_bytes(rendered):
    again = render_pdf(copy.deepcopy(rendered["snapshot"]), rendered["records"].copy(), snapshot_sha256=rendered["sha"])
    assert again == rendered["data"]


def test_draft_without_records_or_breakdowns_still_renders():
    snapshot, _ = sample()
    snapshot["period"].update(status="draft", signed_off_by=None, signed_off_at=None)
    snapshot["breakdowns"] = {}
    snapshot["runs"] = []
    snapshot["inputs"] = {"net_revenue_eur": None, "internal_carbon_price_eur_per_t": None, "instruments": []}
    data = render_pdf(snapshot, None, snapshot_sha256="")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Draft" in text and "not signed off" in text
    assert "not entered" in text


def test_vsme_variant_renders_its_datapoints():
    snapshot, records = vsme_sample()
    data = render_pdf(snapshot, records, snapshot_sha256="f" * 64)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "VSME B3" in text and "B3_scope2_location_tCO2e" in text and "E1-6_09" not in text


def test_the_methodology_lists_the_upstream_of_purchased_electricity_per_zone():
    # Two zones as apps.footprint.upstream writes them: France counted (1,500 kWh x 20.039 g = 30.0585 kg), Norway
    # inside Scope 2 (no generation factor).
    snapshot, _ = sample()
    row = {"year": 2025, "generation_year": 2024, "life_cycle_year": 2023, "upstream_kg_low": 0, "upstream_kg_high": 0}
    snapshot["upstream_electricity"] = {
        "rows": [
            {**row, "grid_zone": "FRA", "energy_kwh": 1500.0, "generation_gco2e_per_kwh": 36.0,
             "life_cycle_gco2e_per_kwh": 56.039, "upstream_gco2e_per_kwh": 20.039, "upstream_kg": 30.0585, "flag": ""},
            {**row, "grid_zone": "NOR", "energy_kwh": 400.0, "generation_gco2e_per_kwh": 30.08, "generation_year": 2023,
             "life_cycle_gco2e_per_kwh": None, "upstream_gco2e_per_kwh": 0.0, "upstream_kg": 0.0,
             "flag": "no generation factor for the zone: Scope 2 uses the life-cycle factor, upstream is inside Scope 2"},
        ],
        "method": "Scope 3 category 3 (upstream of purchased electricity): the method sentence.",
    }  # fmt: skip
    data = render_pdf(snapshot, None, snapshot_sha256="")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Upstream of purchased electricity (Scope 3 category 3)" in text
    assert "FRA 2025 1,500.0 36.0 (2024) 56.0 (2023) 30.058" in text  # 30.0585 to three decimals
    assert "NOR 2025 400.0 30.1 (2023) \u2014 0.000" in text
    assert "upstream is inside Scope 2" in text and "e+" not in text
