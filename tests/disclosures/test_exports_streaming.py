"""Record-level exports stream: CSV, XLSX and the evidence pack take record chunks lazily, and the XLSX never puts
more than Excel's sheet limit on one sheet (the records continue on "Records (2)", ... with the header repeated).

Excel's limit of 1,048,576 rows a sheet: Microsoft's "Excel specifications and limits"
(https://support.microsoft.com/en-us/office/excel-specifications-and-limits-1672b34d-7043-467e-8e27-269d656771c3).
"""

import csv
import datetime as dt
import io
import itertools
import math
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from apps.disclosures import period_exports, snapshots
from apps.disclosures.exports import records_stream
from apps.disclosures.exports.evidence import render_evidence_pack
from apps.disclosures.exports.tables import render_records_csv, render_xlsx, write_records_csv, write_xlsx

from .sample_snapshot import HOSTILE_PERSON, build_factor_tables, sample
from .test_e1_figures import GENERIC


@pytest.fixture(scope="module")
def data():
    return sample()


def _chunks(records: pd.DataFrame, size: int):
    for start in range(0, len(records), size):
        yield records.iloc[start : start + size]


def _records_sheets(workbook) -> list[str]:
    return [name for name in workbook.sheetnames if name.startswith("Records")]


def test_records_continue_on_further_sheets_with_the_header_repeated(data, monkeypatch):
    snapshot, records = data
    monkeypatch.setattr(records_stream, "MAX_SHEET_ROWS", 10)
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, _chunks(records, 7))))
    per_sheet = 10 - 1  # the header takes one row of each sheet
    expected_sheets = math.ceil(len(records) / per_sheet)
    names = _records_sheets(workbook)
    assert names == ["Records"] + [f"Records ({n})" for n in range(2, expected_sheets + 1)]
    assert workbook.sheetnames == ["About", "Datapoints", *names, "Scope 3 category 3", "Runs", "Factor sets"]
    header, rows = None, []
    for name in names:
        sheet_rows = list(workbook[name].iter_rows(values_only=True))
        assert 2 <= len(sheet_rows) <= 10
        header = header or list(sheet_rows[0])
        assert list(sheet_rows[0]) == header  # repeated on every sheet
        first = workbook[name]["A1"]  # and styled as every header (the workbook's own styles)
        assert first.font.bold and first.fill.fgColor.rgb == workbook["Runs"]["A1"].fill.fgColor.rgb == "00E6EFE8"
        rows += sheet_rows[1:]
    # no record lost or doubled, in order, and the values are the records'
    assert [r[header.index("id")] for r in rows] == records["id"].tolist()
    column = header.index("co2e_location_kg")
    assert [r[column] for r in rows] == records["co2e_location_kg"].tolist()
    total = sum(float(v) for v in records["co2e_location_kg"].tolist())
    assert sum(r[column] for r in rows) == pytest.approx(total, rel=1e-12)
    assert "'" + HOSTILE_PERSON in {r[header.index("person_ref")] for r in rows}
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Records"].startswith(f"{len(records):,} usage records on {expected_sheets} sheets: Records, ")
    assert f"Records ({expected_sheets})" in about["Records"]


def test_a_full_sheet_ends_exactly_at_the_limit(data, monkeypatch):
    snapshot, records = data
    monkeypatch.setattr(records_stream, "MAX_SHEET_ROWS", 10)
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, records.iloc[:18])))
    assert [workbook[n].max_row for n in _records_sheets(workbook)] == [10, 10]  # 9 + 9 records, no empty third
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Records"].startswith("18 usage records on 2 sheets: Records, Records (2).")


def test_one_sheet_when_the_records_fit(data):
    snapshot, records = data
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, _chunks(records, 50))))
    assert _records_sheets(workbook) == ["Records"]
    assert dict(workbook["About"].iter_rows(values_only=True))["Records"] == (
        f"{len(records):,} usage records on 1 sheet: Records"
    )
    empty = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, iter(()))))
    assert next(empty["Records"].iter_rows(values_only=True))[:2] == ("id", "day")  # header, no records


def test_chunks_give_the_same_files_as_the_whole_frame(data):
    snapshot, records = data
    assert render_xlsx(snapshot, _chunks(records, 13)) == render_xlsx(snapshot, records)
    assert render_records_csv(_chunks(records, 13)) == render_records_csv(records)
    tables = build_factor_tables()
    whole = render_evidence_pack(snapshot, "a" * 64, records, tables)
    assert render_evidence_pack(snapshot, "a" * 64, _chunks(records, 13), tables) == whole


def test_records_csv_values_and_totals_from_chunks(data):
    _, records = data
    rows = list(csv.DictReader(io.StringIO(render_records_csv(_chunks(records, 11)).decode("utf-8"))))
    assert [int(r["id"]) for r in rows] == records["id"].tolist()
    # Six significant digits, each value within half a unit of its sixth digit (float("%.6g") is that value).
    assert [float(r["energy_kwh"]) for r in rows] == [float(f"{v:.6g}") for v in records["energy_kwh"]]
    floats = [c for c in rows[0] if c.endswith(("_kwh", "_kg", "_low", "_high"))]
    assert len(floats) > 5 and not any("e" in r[c] for r in rows for c in floats)
    scope2 = [float(r["co2e_location_kg"]) for r in rows if r["scope"] == "scope2"]
    expected = sum(v for v, s in zip(records["co2e_location_kg"], records["scope"], strict=True) if s == "scope2")
    assert sum(scope2) == pytest.approx(expected, rel=5e-6) and expected > 0
    exact = list(csv.DictReader(io.StringIO(render_records_csv(_chunks(records, 11), exact=True).decode("utf-8"))))
    assert [float(r["energy_kwh"]) for r in exact] == records["energy_kwh"].tolist()  # the evidence pack's


def _lazy(records: pd.DataFrame, size: int, out: io.BytesIO, seen: list[int]):
    """Yield chunks, noting how many bytes the writer had written each time it came back for the next one."""
    for chunk in _chunks(records, size):
        seen.append(out.tell())
        yield chunk
    seen.append(out.tell())


@pytest.mark.parametrize("writer", ["csv", "xlsx"])
def test_the_writers_consume_chunks_lazily(data, writer):
    snapshot, records = data
    big = pd.concat([records] * 40, ignore_index=True)  # enough rows that deflate emits bytes chunk by chunk
    big["id"] = range(1, len(big) + 1)
    out, seen = io.BytesIO(), []
    if writer == "csv":
        write_records_csv(_lazy(big, 2000, out, seen), out)
    else:
        write_xlsx(snapshot, _lazy(big, 2000, out, seen), out)
    chunks = math.ceil(len(big) / 2000)
    assert len(seen) == chunks + 1 and chunks >= 3
    # each chunk was written before the next one was asked for: the output grew between every two requests
    assert all(later > earlier for earlier, later in itertools.pairwise(seen))
    if writer == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)
        assert sum(1 for _ in workbook["Records"].iter_rows()) == len(big) + 1


def test_sheet_text_is_escaped_and_control_characters_dropped(data):
    snapshot, records = data
    odd = records.iloc[:2].copy()
    odd["project"] = ["a < b & c > d", "bell\x07 and\ttab"]
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, odd)))
    rows = list(workbook["Records"].iter_rows(values_only=True))
    column = list(rows[0]).index("project")
    assert [r[column] for r in rows[1:]] == ["a < b & c > d", "bell and\ttab"]
    with zipfile.ZipFile(io.BytesIO(render_xlsx(snapshot, odd))) as archive:
        assert archive.testzip() is None


@pytest.mark.django_db
def test_a_draft_export_builds_the_snapshot_once(org_a, monkeypatch):
    from apps.connectors.ingestion import create_run, execute_run
    from apps.connectors.storage import store_upload
    from apps.disclosures import services

    org = org_a["org"]
    execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(GENERIC.encode()), "api.csv")).pk)
    period = services.create_period(org, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    calls = []
    real = snapshots.build_snapshot

    def counting(*args, **kwargs):
        calls.append((kwargs.get("with_comparative", True), kwargs.get("from_rollups", False)))
        return real(*args, **kwargs)

    monkeypatch.setattr(snapshots, "build_snapshot", counting)
    # Once, with its comparative (none here: no earlier period). The PDF reads the rollups and caches the
    # snapshot with its annex table, which the CSV then reads; XLSX and the evidence pack estimate every record.
    expected = {"pdf": [(True, True)], "xlsx": [(True, False)], "evidence": [(True, False)], "csv": []}
    for fmt, want in expected.items():
        calls.clear()
        content = period_exports.render(period, fmt)
        assert content and calls == want, fmt


def test_mixed_and_missing_values_keep_their_types(data):
    snapshot, _ = data
    odd = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "cost": [Decimal("1.50"), None, Decimal("-2")],
            "measured_energy_kwh": [0.25, float("nan"), float("inf")],
            "self_hosted": [True, False, True],
            "project": [7, "=1+1", None],
        }
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, odd)))["Records"].iter_rows(values_only=True))
    header = list(rows[0])
    as_dicts = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [r["cost"] for r in as_dicts] == [1.5, None, -2]
    assert [r["measured_energy_kwh"] for r in as_dicts] == [0.25, None, None]  # NaN and infinity: empty cells
    assert [r["self_hosted"] for r in as_dicts] == [True, False, True]
    assert [r["project"] for r in as_dicts] == [7, "'=1+1", None]  # a number stays a number, a formula is text
    text = render_records_csv(odd).decode("utf-8").splitlines()
    assert text[0] == "id,self_hosted,project,measured_energy_kwh,cost"
    assert text[1:] == ["1,true,7,0.25,1.50", "2,false,'=1+1,,", "3,true,,,-2"]
