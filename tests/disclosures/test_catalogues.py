"""The datapoint catalogues are data (apps/disclosures/catalogues/*.json): checked on load, each datapoint
names the figure it shows, and every figure the calculator computes has a datapoint."""

import json

import pytest

from apps.disclosures import catalogues, e1
from tests.disclosures.test_e1_worked_example import RECORDS


def test_each_datapoint_names_a_figure_the_calculator_computes():
    values = e1.figures(RECORDS, 1_000_000.0, 80.0)
    set1 = catalogues.load(e1.SET1)["datapoints"]
    # Set 1 shows each figure under its own id; the voluntary ones need the multi-criteria columns.
    assert [dp["figure"] for dp in set1] == [dp["id"] for dp in set1]
    assert {dp["figure"] for dp in set1} - set(values) == set(e1.VOLUNTARY_DATAPOINTS)
    shown = e1.datapoints(values, {"E1-6_11": 0.5}, "esrs_e1")
    assert all(d["value"] == values[d["figure"]][0] for d in shown)
    scope3 = next(d for d in shown if d["id"] == "E1-6_11")
    assert scope3["comparative"] == 0.5
    assert scope3["change_pct"] == pytest.approx(100.0 * (values["E1-6_11"][0] - 0.5) / 0.5)
    vsme = catalogues.load(e1.VSME)["datapoints"]
    assert {dp["figure"] for dp in vsme} == set(e1.figures(RECORDS, 1_000_000.0, None, "vsme_b3"))


def test_a_catalogue_without_a_key_or_with_a_repeated_id_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogues, "CATALOGUE_DIR", tmp_path)
    row = {"id": "X-1", "figure": "X-1", "section": "X", "label": "x", "unit": "t", "concept": None, "ref": "r"}
    (tmp_path / "twice.json").write_text(json.dumps({"datapoints": [row, row]}))
    (tmp_path / "short.json").write_text(json.dumps({"datapoints": [{k: v for k, v in row.items() if k != "unit"}]}))
    catalogues.load.cache_clear()
    try:
        with pytest.raises(catalogues.CatalogueError, match=r"twice\.json: datapoint id X-1 appears twice"):
            catalogues.load("twice")
        with pytest.raises(catalogues.CatalogueError, match=r"short\.json: datapoint 0 \(X-1\) lacks unit"):
            catalogues.load("short")
        with pytest.raises(catalogues.CatalogueError, match="no datapoint catalogue 'absent'"):
            catalogues.load("absent")
    finally:
        catalogues.load.cache_clear()
