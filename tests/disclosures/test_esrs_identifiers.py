"""Datapoint ids and XBRL concepts against EFRAG's ESRS Set 1 taxonomy (2023-12-22) and IG 3 (issue 17).

The list of concept names and types is test data (tests/fixtures/esrs_taxonomy/concepts.json, from EFRAG's
taxonomy; its "source" says how far it was checked). The stand-in taxonomy the exports ship must not invent a
concept or a type that list lacks."""

import json
import re
from pathlib import Path
from xml.etree import ElementTree

from apps.disclosures.e1 import DIMENSIONS, E1_DATAPOINTS
from apps.disclosures.exports.ixbrl import ESRS_SCHEMA_URL, TAXONOMY_DIR, declared_concepts

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "esrs_taxonomy" / "concepts.json").read_text())
CONCEPTS = {f"esrs:{c['name']}": c for c in FIXTURE["concepts"]}
AXES = {f"esrs:{d['axis']}": {f"esrs:{m['name']}" for m in d["members"]} for d in FIXTURE["dimensions"]}
IG3_ID = re.compile(r"^E1-\d_\d\d$")
ENTITY_SPECIFIC_ID = re.compile(r"^E[35]-\d_AI_[a-z]+$")


def test_every_tagged_concept_is_in_the_taxonomy_list_with_its_ig3_id():
    for dp_id, (_section, _label, _unit, concept, _ref) in E1_DATAPOINTS.items():
        if concept is None:
            continue
        assert concept in CONCEPTS, f"{dp_id}: {concept} is not in EFRAG's concept list"
        assert CONCEPTS[concept]["ig3"] == dp_id.split("/")[0], dp_id


def test_every_datapoint_id_is_an_ig3_id_and_a_member_suffix_means_a_dimension():
    for dp_id in E1_DATAPOINTS:
        base, _, member = dp_id.partition("/")
        if ENTITY_SPECIFIC_ID.match(dp_id):
            # Voluntary E3 / E5 figures of the AI use: entity-specific, so no IG3 id and no ESRS concept.
            assert E1_DATAPOINTS[dp_id][3] is None, dp_id
            continue
        assert IG3_ID.match(base), dp_id
        if E1_DATAPOINTS[dp_id][3] is None and member:
            # A member the taxonomy list lacks (Scope 3 category 3): the line is shown and exported, untagged.
            assert dp_id not in DIMENSIONS, dp_id
            continue
        assert bool(member) == (dp_id in DIMENSIONS), dp_id
    assert "E1-6_11_cat1" not in E1_DATAPOINTS and "E1-6_AR51" not in E1_DATAPOINTS
    # Category 3 stays untagged while the concept list has no member for it (GHG Protocol category 3).
    members = {m for axis in AXES.values() for m in axis}
    assert not any("FuelAndEnergy" in m for m in members) and E1_DATAPOINTS["E1-6_11/cat3"][3] is None
    # E1-6_33 is net revenue, E1-6_34 the net revenue used for the intensity (the one we state)
    assert E1_DATAPOINTS["E1-6_34"][3] == "esrs:NetRevenueUsedToCalculateGHGIntensity"
    # E1-8_05 is the critical assumptions (narrative); the shares covered are E1-8_06 to _08
    assert "E1-8_05" not in E1_DATAPOINTS and {"E1-8_07", "E1-8_08"} <= set(E1_DATAPOINTS)


def test_totals_use_the_taxonomy_names_and_the_subsets_a_dimension():
    assert E1_DATAPOINTS["E1-6_12"][3] == "esrs:LocationBasedGreenhouseGasEmissions"
    assert E1_DATAPOINTS["E1-6_13"][3] == "esrs:MarketBasedGreenhouseGasEmissions"
    for dp_id, (axis, member) in DIMENSIONS.items():
        assert member in AXES[axis], dp_id
        assert E1_DATAPOINTS[dp_id][3] == "esrs:GrossScope3GreenhouseGasEmissions"
    for dp_id in ("E1-5_07", "E1-5_15", "E1-6_25", "E1-6_34"):
        assert E1_DATAPOINTS[dp_id][3], f"{dp_id} has a taxonomy concept and must be tagged"


def test_the_shipped_stand_in_declares_nothing_the_taxonomy_lacks():
    listed = {name: c["type"].split(":")[-1] for name, c in CONCEPTS.items()}
    tables = {"esrs:Scope3GHGEmissionsCategoryGHGProtocolTable", "esrs:AllScope3GHGEmissionsCategoriesMember"}
    for name, data_type in declared_concepts().items():
        if name in AXES or any(name in members for members in AXES.values()) or name in tables:
            continue  # the axis, its members, and the hypercube and default member the stand-in needs
        assert listed.get(name) == data_type, name


def test_the_instance_references_the_entry_point_and_the_package_maps_it():
    assert ESRS_SCHEMA_URL == "https://xbrl.efrag.org/taxonomy/esrs/2023-12-22/esrs_all.xsd"
    package = ElementTree.parse(Path(TAXONOMY_DIR) / "META-INF" / "taxonomyPackage.xml")  # noqa: S314 (ours)
    entry = package.getroot().find(".//{http://xbrl.org/2016/taxonomy-package}entryPointDocument")
    assert entry.get("href") == ESRS_SCHEMA_URL
    assert (Path(TAXONOMY_DIR) / "esrs" / "2023-12-22" / "esrs_all.xsd").exists()


def test_every_tagged_concept_is_on_the_ai_usage_table_of_the_ledger_extension():
    linkbase = ElementTree.parse(Path(TAXONOMY_DIR) / "ledger" / "2026-01-01" / "ai_def.xml")  # noqa: S314 (ours)
    xlink = "{http://www.w3.org/1999/xlink}"
    linked = {
        "esrs:" + loc.get(f"{xlink}href").split("#esrs_")[1]
        for loc in linkbase.getroot().iter("{http://www.xbrl.org/2003/linkbase}loc")
        if "#esrs_" in loc.get(f"{xlink}href")
    }
    tagged = {concept for *_x, concept, _ref in E1_DATAPOINTS.values() if concept}
    assert tagged <= linked, tagged - linked
