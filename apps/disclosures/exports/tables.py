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
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ._common import generated_at, rezip, safe_cell, zip_date_time

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


def _csv_text(value) -> str:
    value = safe_cell(_plain(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as exactly the same float
    return str(value)


def _write_csv(header: list[str], rows) -> bytes:
    buffer = io.StringIO()
    # RFC 4180 line ends: the writer then quotes any field holding \r or \n, so embedded newlines stay in the cell
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def datapoint_rows(snapshot: dict) -> list[list]:
    """The datapoints as rows in DATAPOINT_COLUMNS order."""
    return [[dp.get(c) for c in DATAPOINT_COLUMNS] for dp in snapshot.get("datapoints") or []]


def render_csv(snapshot: dict) -> bytes:
    """The disclosed datapoints as CSV (UTF-8): id, section, label, unit, value, low, high, comparative, change_pct,
    xbrl_concept, esrs_ref; values unrounded, as in the snapshot."""
    return _write_csv(DATAPOINT_COLUMNS, datapoint_rows(snapshot))


def record_columns(records: pd.DataFrame) -> list[str]:
    """The records' columns: the known ones in calculator order, then any extra ones sorted by name."""
    known = [c for c in RECORD_COLUMNS if c in records.columns]
    return known + sorted(c for c in records.columns if c not in RECORD_COLUMNS)


def render_records_csv(records: pd.DataFrame) -> bytes:
    """The usage records behind the figures as CSV (UTF-8), floats written exactly (they read back identical)."""
    columns = record_columns(records)
    frame = records[columns]
    return _write_csv(columns, frame.itertuples(index=False, name=None))


def render_frame_csv(frame: pd.DataFrame) -> bytes:
    """Any DataFrame (e.g. a factor table) as CSV in its own column order, with the same safety and precision."""
    return _write_csv([str(c) for c in frame.columns], frame.itertuples(index=False, name=None))


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
        sheet.append(values)


def _styled(sheet, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _frame_rows(frame: pd.DataFrame):
    """Rows of plain, injection-safe cell values, converted a column at a time (records can be 100k+ rows)."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        if series.dtype.kind in "iuf":
            columns.append(series.astype(object).where(series.notna(), None).tolist())
        elif series.dtype.kind == "b":
            columns.append(series.tolist())
        else:
            columns.append([safe_cell(_plain(v)) for v in series.tolist()])
    return zip(*columns, strict=True)


def render_xlsx(snapshot: dict, records: pd.DataFrame) -> bytes:
    """The datapoints, records, runs and factor sets as an XLSX workbook (one sheet each), reproducible.

    Written in openpyxl's write-only (streaming) mode: a year of records is 100k+ rows."""
    workbook = Workbook(write_only=True)
    org = snapshot.get("organisation") or {}
    period = snapshot.get("period") or {}

    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 18, 60
    for key, value in (
        ("Organisation", org.get("name")),
        ("LEI", org.get("lei") or "not set"),
        ("Period", f"{period.get('start')} to {period.get('end')}"),
        ("Variant", snapshot.get("variant")),
        ("Status", period.get("status")),
        ("Version", period.get("version")),
        ("Signed off by", period.get("signed_off_by")),
        ("Signed off at", period.get("signed_off_at")),
        ("Sign-off comment", period.get("comment")),
        ("Generated at", snapshot.get("generated_at")),
        ("Code version", snapshot.get("code_version")),
        ("Currency", snapshot.get("currency")),
    ):
        about.append([_styled(about, key, font=_HEADER_FONT), safe_cell(_plain(value))])

    _sheet(
        workbook,
        "Datapoints",
        DATAPOINT_COLUMNS,
        datapoint_rows(snapshot),
        {"id": 14, "label": 70, "xbrl_concept": 50, "esrs_ref": 16},
        wrap=(2,),
    )

    columns = record_columns(records)
    sheet = workbook.create_sheet("Records")
    sheet.freeze_panes = "A2"
    sheet.append([_styled(sheet, name, font=_HEADER_FONT, fill=_HEADER_FILL) for name in columns])
    for row in _frame_rows(records[columns]):
        sheet.append(row)
    _sheet(workbook, "Runs", RUN_COLUMNS, _runs_rows(snapshot), {"sha256": 68, "filename": 30, "uploaded_at": 26})
    _sheet(
        workbook,
        "Factor sets",
        FACTOR_COLUMNS,
        _factor_rows(snapshot),
        {"factor_set_sha256": 68, "source": 45, "licence": 30, "factor_set": 24},
    )

    # Fixed document properties: the workbook says when the snapshot was made, not when the file was written.
    moment = generated_at(snapshot).replace(tzinfo=None)
    props = workbook.properties
    props.created = props.modified = moment
    props.creator = props.lastModifiedBy = "AI Footprint Ledger"
    props.title = f"AI footprint disclosure {org.get('slug', '')} {period.get('start')}..{period.get('end')}"

    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp `modified` with the clock.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return rezip(buffer.getvalue(), zip_date_time(snapshot))
