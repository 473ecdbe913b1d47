"""The GHG contribution as an xBRL-JSON report, and the inline XBRL of a revised-ESRS period, validated by Arelle
offline against the shipped stand-in taxonomy (as test_exports_ixbrl.py does for the Set 1 document).

The report's facts are checked against the snapshot's datapoints, which sample_snapshot.py computes by plain
loops over the records, while the report reads the by-scope breakdown: two paths to the same tonnes."""

import copy
import io
import json

import pytest
from pypdf import PdfReader

from apps.disclosures import e1
from apps.disclosures.exports.contribution_xbrl import render_contribution_xbrl_json
from apps.disclosures.exports.ixbrl import render_ixbrl, taxonomy_package_zip
from apps.disclosures.exports.pdf import render_pdf

from .sample_snapshot import sample
from .test_exports_ixbrl import _arelle, _problems

LEI = "5299000J2N45DDNE4Y28"


def _revised(snapshot: dict) -> dict:
    """The sample under the revised catalogue: the same figures, the revised datapoints."""
    values = {dp["id"]: (dp["value"], dp["low"], dp["high"]) for dp in snapshot["datapoints"]}
    return dict(
        snapshot,
        standard=e1.REVISED,
        datapoints=e1.datapoints(values, None, "esrs_e1", e1.REVISED),
        not_carried=e1.not_carried(values, "esrs_e1", e1.REVISED),
    )


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ghg_xbrl")
    (tmp / "esrs-subset.zip").write_bytes(taxonomy_package_zip())
    snapshot, _ = sample()
    snapshot["organisation"]["lei"] = LEI
    report = render_contribution_xbrl_json(snapshot)
    broken = json.loads(report)
    broken["facts"]["scope2_lb"]["dimensions"]["concept"] = "esrs:NoSuchConcept"
    broken["facts"]["scope3_cat1"]["dimensions"]["unit"] = "utr:MWh"
    return {
        "snapshot": snapshot,
        "report": report,
        "ok": _arelle(tmp, "ghg.json", report),
        "broken": _arelle(tmp, "broken.json", json.dumps(broken).encode()),
        "revised": _arelle(tmp, "revised.xhtml", render_ixbrl(_revised(copy.deepcopy(snapshot)))),
    }


def test_arelle_validates_the_contribution_report_with_no_error(validated):
    entries, facts = validated["ok"]
    assert _problems(entries) == [], entries
    assert sorted(f["Name"] for f in facts) == sorted(
        [
            "esrs:GrossLocationBasedScope2GreenhouseGasEmissions",
            "esrs:GrossMarketBasedScope2GreenhouseGasEmissions",
            "esrs:EnergyConsumptionRelatedToOwnOperations",
            "esrs:GrossScope3GreenhouseGasEmissions",  # category 1
            "esrs:GrossScope3GreenhouseGasEmissions",  # its cloud computing and data centre services subset
            "aifl:EnergyOfAIServicesBought",
            "aifl:RequestsToAIServicesBought",
        ]
    )


def test_the_facts_are_the_disclosed_figures_for_the_ai_usage_member(validated):
    snapshot = validated["snapshot"]
    by_id = {dp["id"]: dp["value"] for dp in snapshot["datapoints"]}
    facts = json.loads(validated["report"])["facts"]
    for fact_id, dp_id in (
        ("scope2_lb", "E1-6_09"),
        ("scope2_mb", "E1-6_10"),
        ("scope2_energy", "E1-5_01"),
        ("scope3_cat1", "E1-6_11/cat1"),
        ("scope3_cat1_cloud", "E1-6_11/cloud"),
    ):
        assert float(facts[fact_id]["value"]) == pytest.approx(by_id[dp_id], abs=1e-6), fact_id
    for fact in facts.values():
        dims = fact["dimensions"]
        assert dims["entity"] == f"lei:{LEI}" and dims["period"] == "2025-01-01T00:00:00/2026-01-01T00:00:00"
        # ESRS concepts say "the AI usage part of": the ledger's own concepts are AI usage by definition.
        assert (dims.get("aifl:ActivitiesAxis") == "aifl:AIUsageMember") == dims["concept"].startswith("esrs:")
    scope3 = next(e for e in snapshot["breakdowns"]["by_scope"] if e["key"] == "scope3_cat1")
    assert (
        facts["scope3_cat1_requests"]["value"] == str(scope3["requests"])
        and "unit" not in facts["scope3_cat1_requests"]["dimensions"]
    )  # a count: xbrli:pure, which OIM states by leaving the unit out
    assert float(facts["scope3_cat1_energy"]["value"]) == pytest.approx(scope3["energy_kwh"] / 1000, abs=1e-6)
    assert render_contribution_xbrl_json(copy.deepcopy(snapshot)) == validated["report"]  # deterministic


def test_arelle_finds_the_errors_of_a_broken_report(validated):
    codes = {code for _level, code in _problems(validated["broken"][0])}
    # a concept the taxonomy lacks, and a tCO2e fact in MWh (the Unit Type Registry check)
    assert {"oime:unknownConcept", "utre:error-NumericFactUtrInvalid"} <= codes, codes


def test_arelle_validates_the_inline_xbrl_of_a_revised_period(validated):
    entries, facts = validated["revised"]
    assert _problems(entries) == [], entries
    assert facts == []  # no taxonomy for the revised ESRS: its datapoints are shown, not tagged


def test_the_pdf_of_a_revised_period_names_its_standard_sections_and_key_figures():
    snapshot, records = sample()
    revised = _revised(snapshot)
    flat = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(revised, records, "0" * 64))).pages).split()
    )
    assert "revised ESRS, Delegated Regulation C(2026) 5010" in flat
    assert "E1-8 Gross scope 1, 2, 3 GHG emissions" in flat and "E1-7 Energy consumption and mix" in flat
    assert "E1-8 §30(a)(iii)" in flat and "E1-6_12" not in flat  # Scope 3 a key figure; no total of the scopes
