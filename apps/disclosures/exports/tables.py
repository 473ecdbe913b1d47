"""The disclosure as CSV and XLSX: the datapoints with IDs and units, and the usage records behind them.

Spreadsheet safety: any text cell starting with = + - @ tab or CR gets a leading apostrophe (OWASP CSV
injection), in the CSV files and in the workbook, so a spreadsheet never evaluates it as a formula. Numbers are
written as numbers. Reproducible: rows keep the snapshot/frame order, the workbook's created/modified
properties and its zip entries carry snapshot["generated_at"], never the clock.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import BinaryIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from . import precision, records_stream, upstream_table
from ._common import (
    STANDARD_LABELS,
    generated_at,
    not_defined,
    not_defined_text,
    safe_cell,
    standard_of,
    zip_date_time,
    zip_entry_info,
)
from .records_stream import SheetBodies, csv_lines, iter_chunks, write_strings

DATAPOINT_COLUMNS = [
    "id",
    "section",
    "label",
    "unit",
    "value",
    "low",
    "high",
    "comparative",
    "change_pct",
    "xbrl_concept",
    "esrs_ref",
    "not_defined",  # why value, comparative or change_pct is empty (issue 19); empty when all are defined
]
RUN_COLUMNS = ["id", "source_key", "filename", "sha256", "rows_read", "records", "uploaded_by", "uploaded_at"]
FACTOR_COLUMNS = ["factor_set", "factor_set_sha256", "method_version", "table", "source", "vintage", "licence", "rows"]
# Records columns in a stable order (the calculator's); any others follow, sorted by name.
RECORD_COLUMNS = [
    "id",
    "day",
    "source",
    "provider",
    "model",
    "usage_kind",
    "self_hosted",
    "person_ref",
    "team",
    "project",
    "api_key",
    "zone",
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "measured_energy_kwh",
    "cost",
    "currency",
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "co2e_location_kg",
    "co2e_location_kg_low",
    "co2e_location_kg_high",
    "co2e_market_kg",
    "co2e_market_kg_low",
    "co2e_market_kg_high",
    "co2e_embodied_kg",
    "energy_prefill_kwh",
    "energy_prefill_kwh_low",
    "energy_prefill_kwh_high",
    "water_l",
    "water_l_low",
    "water_l_high",
    "adpe_kgsbeq",
    "adpe_kgsbeq_low",
    "adpe_kgsbeq_high",
    "pe_mj",
    "pe_mj_low",
    "pe_mj_high",
    "instrument_covered_kwh",
    "fossil_kwh",
    "nuclear_kwh",
    "renewable_kwh",
    "grid_zone",
    "grid_gco2e_per_kwh",
    "scope",
    "data_quality",
    "method_version",
    "factor_set_sha256",
    "run_id",
    "source_sha256",
]


def _plain(value):
    """A cell value as CSV/XLSX wants it: None for missing, numbers as numbers, dates as ISO text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _plain(value.item())
    return value


class _Written(str):
    """A number already written to its stated precision (a datapoint's unit decides it): kept as it is."""


def _csv_text(value, exact: bool = False) -> str:
    if isinstance(value, _Written):
        return str(value)
    value = safe_cell(_plain(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return precision.exact(value) if exact else precision.rounded(value)
    return str(value)


def _write_csv(header: list[str], rows, exact: bool = False) -> bytes:
    """CSV bytes; floats to precision.SIGNIFICANT_DIGITS significant digits, or `exact` (the evidence pack)."""
    buffer = io.StringIO()
    # RFC 4180 line ends: the writer then quotes any field holding \r or \n, so embedded newlines stay in the cell
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(v, exact) for v in row])
    return buffer.getvalue().encode("utf-8")


def datapoint_rows(snapshot: dict) -> list[list]:
    """The datapoints as rows in DATAPOINT_COLUMNS order, the not_defined reasons as one text cell."""
    reasons = not_defined(snapshot)
    return [
        [dp.get(c) for c in DATAPOINT_COLUMNS[:-1]] + [not_defined_text(why) or None]
        for dp, why in zip(snapshot.get("datapoints") or [], reasons, strict=True)
    ]


# The figures of a datapoint row that its unit's precision applies to (change_pct has its own).
_FIGURE_COLUMNS = [DATAPOINT_COLUMNS.index(c) for c in ("value", "low", "high", "comparative")]
_CHANGE_COLUMN = DATAPOINT_COLUMNS.index("change_pct")


def _rounded_row(row: list, unit: str) -> list:
    def written(value, **places):
        if not isinstance(value, float):
            return value  # integers, None, text: as they are
        return _Written(precision.rounded(value, **places))

    decimals = precision.UNIT_DECIMALS.get(unit)
    row = list(row)
    for i in _FIGURE_COLUMNS:
        row[i] = written(row[i], decimals=decimals) if decimals is not None else written(row[i])
    row[_CHANGE_COLUMN] = written(row[_CHANGE_COLUMN], decimals=precision.CHANGE_PCT_DECIMALS)
    return [*row, precision.precision_of(unit)]


def render_csv(snapshot: dict, *, exact: bool = False) -> bytes:
    """The disclosed datapoints as CSV (UTF-8): id, section, label, unit, value, low, high, comparative, change_pct,
    xbrl_concept, esrs_ref, then the precision the row's figures are rounded to (its unit's: precision.py;
    change_pct to 0.01 %). `exact`: unrounded, as in the snapshot, without the precision column (the evidence
    pack's datapoints.csv, which recompute.py compares with snapshot.json)."""
    rows = datapoint_rows(snapshot)
    if exact:
        return _write_csv(DATAPOINT_COLUMNS, rows, exact=True)
    unit = DATAPOINT_COLUMNS.index("unit")
    return _write_csv([*DATAPOINT_COLUMNS, "precision"], [_rounded_row(row, row[unit] or "") for row in rows])


def record_columns(records: pd.DataFrame) -> list[str]:
    """The records' columns: the known ones in calculator order, then any extra ones sorted by name."""
    known = [c for c in RECORD_COLUMNS if c in records.columns]
    return known + sorted(c for c in records.columns if c not in RECORD_COLUMNS)


def write_records_csv(records: pd.DataFrame | Iterable[pd.DataFrame], out: BinaryIO, *, exact: bool = False) -> int:
    """Write the usage records as CSV (UTF-8) to a binary stream, chunk by chunk; returns the number of records.

    `records` is a frame or an iterable of frames (consumed lazily, one chunk in memory at a time). Floats are
    written to precision.SIGNIFICANT_DIGITS significant digits, or with `exact` as the shortest text that reads
    back identical (the evidence pack's records.csv); never with an exponent. Formula-like text is neutralised."""
    digits = None if exact else precision.SIGNIFICANT_DIGITS
    columns, count = None, 0
    for chunk in iter_chunks(records):
        if columns is None:
            columns = record_columns(chunk)
            out.write(_csv_header(columns))
        write_strings(csv_lines(chunk[columns], digits), out)
        count += len(chunk)
    if columns is None:
        out.write(_csv_header(record_columns(records) if isinstance(records, pd.DataFrame) else RECORD_COLUMNS))
    return count


def _csv_header(columns: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(columns)
    return buffer.getvalue().encode("utf-8")


def render_records_csv(records: pd.DataFrame | Iterable[pd.DataFrame], *, exact: bool = False) -> bytes:
    """The usage records behind the figures as CSV bytes (write_records_csv into memory)."""
    buffer = io.BytesIO()
    write_records_csv(records, buffer, exact=exact)
    return buffer.getvalue()


def render_frame_csv(frame: pd.DataFrame) -> bytes:
    """Any DataFrame (e.g. a factor table of the evidence pack) as CSV in its own column order, with the same
    safety; floats exact (recompute.py reads the factors back)."""
    return _write_csv([str(c) for c in frame.columns], frame.itertuples(index=False, name=None), exact=True)


def _runs_rows(snapshot: dict) -> list[list]:
    return [[run.get(c) for c in RUN_COLUMNS] for run in snapshot.get("runs") or []]


def _factor_rows(snapshot: dict) -> list[list]:
    rows = []
    for fs in snapshot.get("factor_sets") or []:
        for table in fs.get("provenance") or [{}]:
            rows.append(
                [
                    fs.get("label"),
                    fs.get("sha256"),
                    fs.get("method_version"),
                    table.get("table"),
                    table.get("source"),
                    table.get("vintage"),
                    table.get("licence"),
                    table.get("rows"),
                ]
            )
    return rows


# Cells keep every digit; the format shows them positionally (Excel's General writes 2.3E-08), up to 15 decimals.
FLOAT_FORMAT = "0.0##############"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E6EFE8")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet(
    workbook: Workbook,
    title: str,
    header: list[str],
    rows,
    widths: dict[str, int] | None = None,
    wrap: tuple[int, ...] = (),
) -> None:
    """A streamed (write-only) sheet: header row styled and frozen, rows appended as they come."""
    sheet = workbook.create_sheet(title)
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = (widths or {}).get(name, max(10, min(len(name) + 4, 40)))
    sheet.freeze_panes = "A2"
    sheet.append([_styled(sheet, name, font=_HEADER_FONT, fill=_HEADER_FILL) for name in header])
    for row in rows:
        values = [safe_cell(_plain(v)) for v in row]
        for index in wrap:
            values[index] = _styled(sheet, values[index], alignment=_WRAP)
        sheet.append([_styled(sheet, v, number_format=FLOAT_FORMAT) if isinstance(v, float) else v for v in values])


def _styled(sheet, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


RECORDS_SHEET = "Records"
_FIRST_RECORDS_SHEET = 3  # xl/worksheets/sheet3.xml: after About and Datapoints


def records_sheet_names(count: int) -> list[str]:
    """'Records', 'Records (2)', 'Records (3)', ...: the sheets the records fill, in order."""
    return [RECORDS_SHEET] + [f"{RECORDS_SHEET} ({n})" for n in range(2, count + 1)]


def _records_header_sheet(workbook: Workbook, title: str, columns: list[str]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append([_styled(sheet, name, font=_HEADER_FONT, fill=_HEADER_FILL) for name in columns])


def _records_sheet_xml(snapshot: dict, columns: list[str]) -> tuple[bytes, bytes, int]:
    """openpyxl's XML of a records sheet that holds only its header, split where the record rows go.

    Taken from the very workbook written at the end (with one records sheet): its cells' style numbers are then
    those of the final workbook's styles; with the float cells' style number."""
    buffer = io.BytesIO()
    workbook = _workbook(snapshot, columns, [0])
    with zipfile.ZipFile(buffer, "w") as archive:
        ExcelWriter(workbook, archive).write_data()
    with zipfile.ZipFile(buffer) as archive:
        xml = archive.read(f"xl/worksheets/sheet{_FIRST_RECORDS_SHEET}.xml")
    prefix, marker, suffix = xml.partition(b"</sheetData>")
    return prefix, marker + suffix, workbook.float_style_id


def _write_records_sheets(archive: zipfile.ZipFile, snapshot: dict, records) -> tuple[list[str], list[int]]:
    """Stream the records into the archive as sheet3.xml, sheet4.xml, ...; returns (columns, records per sheet)."""
    template, date_time = (b"", b""), zip_date_time(snapshot)

    def open_sheet(index: int, expected_bytes: int):
        # deflate level 1: a year of sheet XML compresses 3x faster than at the default 6, to a file ~1.3x larger
        info = zip_entry_info(f"xl/worksheets/sheet{_FIRST_RECORDS_SHEET + index}.xml", date_time, level=1)
        # ZIP64 only where the sheet could pass 2 GiB: Excel is strict about ZIP64 entries it does not need
        fh = archive.open(info, "w", force_zip64=expected_bytes > 1_900_000_000)
        fh.write(template[0])
        return fh

    def close_sheet(fh) -> None:
        fh.write(template[1])
        fh.close()

    bodies = SheetBodies(open_sheet, close_sheet)
    columns = None
    for chunk in iter_chunks(records):
        if columns is None:
            columns = record_columns(chunk)
            *template, bodies.float_style = _records_sheet_xml(snapshot, columns)
        bodies.write(chunk[columns])
    if columns is None:  # no records: the sheet still has its header
        columns = record_columns(records) if isinstance(records, pd.DataFrame) else list(RECORD_COLUMNS)
        *template, _style = _records_sheet_xml(snapshot, columns)
    return columns, bodies.finish()


def _about(workbook: Workbook, snapshot: dict, sheet_counts: list[int]) -> None:
    org = snapshot.get("organisation") or {}
    period = snapshot.get("period") or {}
    names = records_sheet_names(len(sheet_counts))
    where = f"{sum(sheet_counts):,} usage records on {len(names)} sheet{'s' if len(names) > 1 else ''}: " + ", ".join(
        names
    )
    if len(names) > 1:
        where += (
            f". A sheet holds at most {records_stream.MAX_SHEET_ROWS:,} rows (Excel's limit), header included: the "
            "records continue on the next sheet, each with the header repeated."
        )
    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 18, 60
    for key, value in (
        ("Organisation", org.get("name")),
        ("LEI", org.get("lei") or "not set"),
        ("Period", f"{period.get('start')} to {period.get('end')}"),
        ("Variant", snapshot.get("variant")),
        ("Standard", STANDARD_LABELS[standard_of(snapshot)]),
        ("Status", period.get("status")),
        ("Version", period.get("version")),
        ("Signed off by", period.get("signed_off_by")),
        ("Signed off at", period.get("signed_off_at")),
        ("Sign-off comment", period.get("comment")),
        ("Generated at", snapshot.get("generated_at")),
        ("Code version", snapshot.get("code_version")),
        ("Currency", snapshot.get("currency")),
        (
            "Numbers",
            "Full precision; floats shown positionally with up to 15 decimals (number format " + FLOAT_FORMAT + ")",
        ),
        ("Records", where),
    ):
        about.append([_styled(about, key, font=_HEADER_FONT), safe_cell(_plain(value))])


def _workbook(snapshot: dict, columns: list[str], sheet_counts: list[int]) -> Workbook:
    """Every sheet but the records' rows: About, Datapoints, the records sheets (header only), Scope 3 category 3,
    Runs, Factor sets."""
    workbook = Workbook(write_only=True)
    _about(workbook, snapshot, sheet_counts)
    # The float cells' style, registered here so the template's and the final workbook's numbers agree.
    probe = WriteOnlyCell(workbook.worksheets[0])
    probe.number_format = FLOAT_FORMAT
    workbook.float_style_id = probe.style_id
    _sheet(
        workbook,
        "Datapoints",
        DATAPOINT_COLUMNS,
        datapoint_rows(snapshot),
        {"id": 14, "label": 70, "xbrl_concept": 50, "esrs_ref": 16, "not_defined": 60},
        wrap=(2, len(DATAPOINT_COLUMNS) - 1),
    )
    for name in records_sheet_names(len(sheet_counts)):
        _records_header_sheet(workbook, name, columns)
    _sheet(
        workbook,
        upstream_table.SHEET_TITLE,
        upstream_table.COLUMNS,
        upstream_table.upstream_rows(snapshot),
        upstream_table.WIDTHS,
    )
    _sheet(workbook, "Runs", RUN_COLUMNS, _runs_rows(snapshot), {"sha256": 68, "filename": 30, "uploaded_at": 26})
    _sheet(
        workbook,
        "Factor sets",
        FACTOR_COLUMNS,
        _factor_rows(snapshot),
        {"factor_set_sha256": 68, "source": 45, "licence": 30, "factor_set": 24},
    )
    # Fixed document properties: the workbook says when the snapshot was made, not when the file was written.
    org, period = snapshot.get("organisation") or {}, snapshot.get("period") or {}
    moment = generated_at(snapshot).replace(tzinfo=None)
    props = workbook.properties
    props.created = props.modified = moment
    props.creator = props.lastModifiedBy = "AI Footprint Ledger"
    props.title = f"AI footprint disclosure {org.get('slug', '')} {period.get('start')}..{period.get('end')}"
    return workbook


def write_xlsx(snapshot: dict, records: pd.DataFrame | Iterable[pd.DataFrame], out: BinaryIO) -> None:
    """Write the datapoints, records, runs and factor sets as an XLSX workbook to a seekable binary stream.

    The records (a frame or an iterable of frames, consumed lazily) are streamed into their sheets as they come,
    compressed on the way: memory follows one chunk, not the year. They fill "Records", then "Records (2)", ...
    (at most MAX_SHEET_ROWS rows each, header included); the About sheet says how many records on which sheets.
    Reproducible: every zip entry carries snapshot["generated_at"]. The record sheets' entries come first in the
    zip (readers find entries through its central directory, not by order)."""
    date_time = zip_date_time(snapshot)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        columns, sheet_counts = _write_records_sheets(archive, snapshot, records)
        buffer = io.BytesIO()
        # ExcelWriter directly: openpyxl's save_workbook would stamp `modified` with the clock.
        with zipfile.ZipFile(buffer, "w") as rest:
            ExcelWriter(_workbook(snapshot, columns, sheet_counts), rest).write_data()
        written = {f"xl/worksheets/sheet{_FIRST_RECORDS_SHEET + i}.xml" for i in range(len(sheet_counts))}
        with zipfile.ZipFile(buffer) as rest:
            for name in rest.namelist():
                if name not in written:
                    archive.writestr(zip_entry_info(name, date_time), rest.read(name), compresslevel=6)


def render_xlsx(snapshot: dict, records: pd.DataFrame | Iterable[pd.DataFrame]) -> bytes:
    """The XLSX workbook as bytes (write_xlsx into memory)."""
    buffer = io.BytesIO()
    write_xlsx(snapshot, records, buffer)
    return buffer.getvalue()
