"""CSV and XLSX exports: datapoints and records, formula injection neutralised, XLSX reproducible."""

import copy
import csv
import io

import openpyxl
import pandas as pd
import pytest

from apps.disclosures.exports.tables import (
    DATAPOINT_COLUMNS,
    render_csv,
    render_records_csv,
    render_xlsx,
)

from .sample_snapshot import HOSTILE_ASSUMPTION, HOSTILE_PERSON, HOSTILE_PROJECT, HOSTILE_TEAM, sample


@pytest.fixture(scope="module")
def data():
    return sample()


def _rows(payload: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(payload.decode("utf-8"))))


def test_datapoints_csv_has_every_datapoint_rounded_to_its_stated_precision(data):
    snapshot, _ = data
    payload = render_csv(snapshot)
    header = payload.decode().splitlines()[0].split(",")
    assert header == [*DATAPOINT_COLUMNS, "precision"]
    rows = _rows(payload)
    assert [r["id"] for r in rows] == [d["id"] for d in snapshot["datapoints"]]
    checked = set()
    for row, dp in zip(rows, snapshot["datapoints"], strict=True):
        assert row["unit"] == dp["unit"]
        if not isinstance(dp["value"], float):
            continue
        if dp["unit"] in ("EUR", "%"):  # to the cent, to 0.01 %
            assert row["precision"] == "2 decimals" and float(row["value"]) == round(dp["value"], 2)
        else:
            assert row["precision"] == "6 significant digits"
            assert float(row["value"]) == float(f"{dp['value']:.6g}")
            assert (None if row["low"] == "" else float(row["low"])) == (
                None if dp["low"] is None else float(f"{dp['low']:.6g}")
            )
        assert "e" not in row["value"] + row["low"] + row["high"] and "." in row["value"]
        checked.add(row["precision"])
    assert checked == {"2 decimals", "6 significant digits"}


def test_datapoints_csv_exact_for_the_evidence_pack(data):
    snapshot, _ = data
    rows = _rows(render_csv(snapshot, exact=True))
    assert list(rows[0]) == DATAPOINT_COLUMNS
    for row, dp in zip(rows, snapshot["datapoints"], strict=True):
        assert (None if row["value"] == "" else float(row["value"])) == dp["value"]  # read back identical


def test_a_float_with_noise_or_an_exponent_is_written_positional_to_six_digits():
    """The issue's example, 3.5910260930000004, and the magnitudes an AI footprint has (kgSbeq ~1e-9)."""
    snapshot, _ = sample()
    figures = [3.5910260930000004, 2.332e-08, 1234567.891, 0.1 + 0.2, 1.0]
    snapshot["datapoints"] = [dict(snapshot["datapoints"][0], unit="tCO2e", value=v, low=None) for v in figures]
    snapshot["datapoints"][-1]["unit"] = "%"
    values = [r["value"] for r in _rows(render_csv(snapshot))]
    assert values == ["3.59103", "0.00000002332", "1234568.0", "0.3", "1.0"]
    exact = [r["value"] for r in _rows(render_csv(snapshot, exact=True))]
    assert exact == ["3.5910260930000004", "0.00000002332", "1234567.891", "0.30000000000000004", "1.0"]


def test_records_csv_round_trips_numbers_and_neutralises_formulas(data):
    _, records = data
    payload = render_records_csv(records)
    back = pd.read_csv(io.BytesIO(payload), keep_default_na=False)
    assert len(back) == len(records)
    assert back["co2e_location_kg"].tolist() == [float(f"{v:.6g}") for v in records["co2e_location_kg"]]
    exact = pd.read_csv(io.BytesIO(render_records_csv(records, exact=True)), keep_default_na=False)
    assert exact["co2e_location_kg"].tolist() == records["co2e_location_kg"].tolist()
    assert "'" + HOSTILE_PERSON in back["person_ref"].tolist()
    assert "'" + HOSTILE_PROJECT in back["project"].tolist()
    assert HOSTILE_TEAM in back["team"].tolist()  # HTML is not a formula: kept as is
    assert not any(str(v).startswith(("=", "+", "@")) for col in back.columns for v in back[col])


def test_csv_neutralises_every_dangerous_prefix():
    snapshot, _ = sample()
    snapshot["datapoints"] = [
        dict(snapshot["datapoints"][0], label=prefix + "1+1") for prefix in ("=", "+", "-", "@", "\t", "\r")
    ]
    snapshot["datapoints"][0]["value"] = -3.5  # a negative number stays a number
    rows = _rows(render_csv(snapshot))
    assert all(r["label"].startswith("'") for r in rows)
    assert rows[0]["value"] == "-3.5"


def test_xlsx_has_the_sheets_values_and_fixed_properties(data):
    snapshot, records = data
    payload = render_xlsx(snapshot, records)
    workbook = openpyxl.load_workbook(io.BytesIO(payload))
    assert workbook.sheetnames == ["About", "Datapoints", "Records", "Scope 3 category 3", "Runs", "Factor sets"]
    datapoints = list(workbook["Datapoints"].iter_rows(values_only=True))
    assert list(datapoints[0]) == DATAPOINT_COLUMNS
    assert [r[0] for r in datapoints[1:]] == [d["id"] for d in snapshot["datapoints"]]
    assert datapoints[1][4] == snapshot["datapoints"][0]["value"]
    assert len(list(workbook["Records"].iter_rows())) == len(records) + 1
    assert workbook.properties.created.isoformat().startswith("2026-02-14T16:30")
    assert workbook.properties.modified == workbook.properties.created
    runs = list(workbook["Runs"].iter_rows(values_only=True))
    assert {r[3] for r in runs[1:]} == {r["sha256"] for r in snapshot["runs"]}


def test_xlsx_stores_formula_like_text_as_quoted_text(data):
    snapshot, records = data
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, records)))
    cells = [c for ws in workbook for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]  # no formula anywhere
    values = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + HOSTILE_PERSON in values
    assert "'" + snapshot["period"]["comment"] in values
    assert not [v for v in values if v.startswith(("=", "+", "-", "@"))]
    assert HOSTILE_ASSUMPTION not in values  # methodology text is not part of the workbook


def test_xlsx_is_reproducible(data):
    snapshot, records = data
    first = render_xlsx(snapshot, records)
    assert render_xlsx(copy.deepcopy(snapshot), records.copy()) == first


def test_contribution_csv_gives_activity_and_tco2e_per_ghg_category():
    """The import file for the company's reporting tool: Scope 2, Scope 3 category 1 and its AR 51 subset."""
    from apps.disclosures.exports import render_contribution_csv

    snapshot, records = sample()
    rows = list(csv.DictReader(render_contribution_csv(snapshot).decode("utf-8").splitlines()))
    assert [(r["scope"], r["of_which"]) for r in rows] == [
        ("Scope 2", ""),
        ("Scope 3", ""),
        ("Scope 3", "cloud computing and data centre services"),
    ]
    own, bought = records[records["scope"] == "scope2"], records[records["scope"] == "scope3_cat1"]
    assert float(rows[0]["tco2e_location_based"]) == pytest.approx(own["co2e_location_kg"].sum() / 1000, rel=5e-6)
    assert float(rows[0]["tco2e_market_based"]) == pytest.approx(own["co2e_market_kg"].sum() / 1000, rel=5e-6)
    assert float(rows[0]["energy_kwh"]) == pytest.approx(own["energy_kwh"].sum(), rel=5e-6)
    assert float(rows[1]["tco2e_location_based"]) == pytest.approx(bought["co2e_location_kg"].sum() / 1000, rel=5e-6)
    assert int(rows[1]["requests"]) == bought["requests"].sum() and int(rows[1]["records"]) == len(bought)
