"""The usage records of an export, written chunk by chunk: CSV rows and XLSX sheet rows in flat memory.

A records export takes the records as one DataFrame or as an iterable of DataFrame chunks (e.g. a generator
reading the frozen records 50,000 rows at a time); `iter_chunks` turns either into chunks, consumed lazily, so a
chunk is converted, written and dropped before the next is read. Cells are converted a column at a time
(vectorised), not cell by cell: a year of records is millions of rows and 42 columns.

XLSX: the records sheets' rows are written here as SpreadsheetML `<row>` elements (inline strings, numbers,
booleans), which tables.py splices into a workbook openpyxl wrote with header-only records sheets. A sheet holds
at most MAX_SHEET_ROWS rows including its header (Excel's limit); the records continue on further sheets.
Pure: no Django, no database, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils import get_column_letter

from . import precision
from ._common import FORMULA_PREFIXES

# Excel's rows per sheet (1,048,576), header included. Tests lower it to check the continuation sheets.
MAX_SHEET_ROWS = 1_048_576
CHUNK_ROWS = 50_000
# Sheet rows are built this many at a time: their XML is ~40x the frame's size, so a whole chunk at once would
# hold hundreds of MiB.
XLSX_ROWS_PER_WRITE = 10_000
# Characters XML 1.0 cannot carry at all (openpyxl refuses them too): dropped from text cells.
ILLEGAL_XML = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


def iter_chunks(records: pd.DataFrame | Iterable[pd.DataFrame], chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Chunks of records: a DataFrame is sliced into `chunk_rows` rows; an iterable of frames is passed through
    lazily (one chunk read at a time)."""
    if isinstance(records, pd.DataFrame):
        for start in range(0, len(records), chunk_rows):
            yield records.iloc[start : start + chunk_rows]
        return
    yield from records  # empty chunks too: the first one still names the columns


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and not math.isfinite(float(value))


def column_kind(series: pd.Series) -> str:
    """How a column is written: 'bool', 'int', 'float', 'decimal', 'text', or 'mixed' (an object column holding
    numbers and text, written cell by cell so each keeps its type)."""
    kind = series.dtype.kind
    if kind in "biuf":
        return {"b": "bool", "i": "int", "u": "int", "f": "float"}[kind]
    if kind != "O" or isinstance(series.dtype, pd.StringDtype):
        return "text"
    present = [v for v in series.tolist() if not _missing(v)]
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return "bool"
    if present and all(isinstance(v, Decimal) for v in present):
        return "decimal"  # money: written as its exact decimal text
    if present and all(_is_number(v) for v in present):
        return "float"
    if any(_is_number(v) or isinstance(v, bool | np.bool_) for v in present):
        return "mixed"
    return "text"


def _text(value) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _number_text(value) -> str:
    """Exact text of a number (repr of a float reads back as the same float)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    return repr(float(value))


def _numbers(series: pd.Series, kind: str) -> pa.Array:
    """Numbers as text, null where missing (NaN and infinities too): Arrow's shortest text that reads back exact
    (an XLSX cell's value; the CSV's floats are written by precision.py)."""
    if kind == "int" and not series.hasnans:
        return pc.cast(pa.array(series.to_numpy()), pa.string())
    if kind == "decimal":
        return pa.array([None if _missing(v) else str(v) for v in series.tolist()], type=pa.string())
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    texts = pc.cast(pa.array(values, mask=~np.isfinite(values)), pa.string())
    if kind == "int":  # whole numbers with gaps: no ".0"
        return pc.replace_substring_regex(texts, r"\.0$", "")
    return texts


def _bools(series: pd.Series) -> pa.Array:
    if series.dtype.kind == "b":
        return pa.array(series.to_numpy())
    values = [None if _missing(v) else bool(v) for v in series.tolist()]
    return pa.array(values, type=pa.bool_())


def safe_texts(series: pd.Series) -> pa.Array:
    """A text column as Arrow strings (null where missing), formula-like text neutralised with a leading apostrophe."""
    if isinstance(series.dtype, pd.StringDtype):
        values = pa.array(series, type=pa.string(), from_pandas=True)
    elif series.dtype.kind == "M":
        values = pa.array([None if v is pd.NaT else v.isoformat() for v in series.tolist()], type=pa.string())
    else:
        values = pa.array([_text(v) for v in series.tolist()], type=pa.string())
    risky = pc.fill_null(pc.match_substring_regex(values, FORMULA_PATTERN), False)
    return pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)


# Text a spreadsheet would take as a formula (FORMULA_PREFIXES) as a regular expression, for Arrow.
FORMULA_PATTERN = "^[" + "".join({"-": "\\-", "\t": "\\t", "\r": "\\r"}.get(p, p) for p in FORMULA_PREFIXES) + "]"


def _safe_text(value) -> str:
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


# ---- CSV -------------------------------------------------------------------------------------------------------


def csv_column(series: pd.Series, digits: int | None = None) -> pa.Array:
    """One column as CSV fields: floats to `digits` significant digits (None: exact), positional (precision.py),
    integers and decimals as they are, true/false, neutralised text, '' where missing; quoted as csv.writer
    quotes (RFC 4180: a field holding a comma, a quote, CR or LF is quoted, its quotes doubled)."""
    kind = column_kind(series)
    if kind == "float":
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        texts = precision.exact_texts(values) if digits is None else precision.rounded_texts(values, digits)
        return pc.fill_null(texts, "")
    if kind in ("int", "decimal"):
        return pc.fill_null(_numbers(series, kind), "")
    if kind == "bool":
        return pc.fill_null(pc.if_else(_bools(series), "true", "false"), "")
    values = pa.array([_csv_cell(v, digits) for v in series.tolist()]) if kind == "mixed" else safe_texts(series)
    values = pc.fill_null(values, "")
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(values, '[,"\r\n]'), quoted, values)


def _csv_cell(value, digits: int | None = None) -> str:
    if _missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return precision.exact(float(value)) if digits is None else precision.rounded(float(value), digits)
    return _number_text(value) if _is_number(value) else _safe_text(value)


def csv_lines(chunk: pd.DataFrame, digits: int | None = None) -> pa.Array:
    """The chunk's rows as CSV lines (CRLF-terminated), converted a column at a time; floats to `digits`
    significant digits, or exact (None)."""
    fields = [csv_column(chunk[name], digits) for name in chunk.columns]
    return pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, ","), "\r\n", "")


# ---- XLSX sheet rows -------------------------------------------------------------------------------------------


def _escape(values: pa.Array) -> pa.Array:
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        values = pc.replace_substring(values, raw, entity)
    return pc.replace_substring_regex(values, ILLEGAL_XML, "")


def _xlsx_mixed(value, ref: str) -> str:
    if _missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}" t="b"><v>{int(bool(value))}</v></c>'
    if _is_number(value):
        return f'<c r="{ref}"><v>{_number_text(value)}</v></c>'
    text = pc.fill_null(_escape(pa.array([_safe_text(value)], type=pa.string())), "")[0].as_py()
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def xlsx_cells(series: pd.Series, refs: pa.Array, float_style: int | None = None) -> pa.Array:
    """One column's cells as SpreadsheetML `<c>` elements at the given cell references ('' where missing); a float
    column's cells with the workbook's style `float_style` (a positional number format), values exact."""
    kind = column_kind(series)
    if kind == "mixed":
        return pa.array([_xlsx_mixed(v, r) for v, r in zip(series.tolist(), refs.to_pylist(), strict=True)])
    if kind in ("int", "float", "decimal"):
        styled = kind == "float" and float_style is not None
        values, open_tag, close_tag = (
            _numbers(series, kind),
            f'" s="{float_style}"><v>' if styled else '"><v>',
            "</v></c>",
        )
    elif kind == "bool":
        values, open_tag, close_tag = pc.if_else(_bools(series), "1", "0"), '" t="b"><v>', "</v></c>"
    else:
        values = _escape(safe_texts(series))
        open_tag, close_tag = '" t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"
    return pc.fill_null(pc.binary_join_element_wise('<c r="', refs, open_tag, values, close_tag, ""), "")


def xlsx_rows(chunk: pd.DataFrame, first_row: int, float_style: int | None = None) -> pa.Array:
    """The chunk as `<row>` elements numbered from `first_row` (1-based sheet rows), one string per row."""
    numbers = pc.cast(pa.array(np.arange(first_row, first_row + len(chunk))), pa.string())
    cells = [
        xlsx_cells(chunk[name], pc.binary_join_element_wise(get_column_letter(i), numbers, ""), float_style)
        for i, name in enumerate(chunk.columns, start=1)
    ]
    return pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")


def write_strings(values: pa.Array, fh) -> None:
    """Write every string of an Arrow string array back to back, straight from its data buffer."""
    values = values.cast(pa.string())
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    for part in chunks:
        _validity, offsets_buffer, data = part.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[part.offset : part.offset + len(part) + 1]
        if len(offsets) > 1:
            fh.write(memoryview(data)[offsets[0] : offsets[-1]])


class SheetBodies:
    """The records sheets' rows, at most MAX_SHEET_ROWS - 1 records a sheet (row 1 is its header).

    `open_sheet(index, expected_bytes)` gives a binary stream for sheet `index` (0, 1, ...), with a guess at the
    size a full sheet would take; `close_sheet(stream)` ends it. `write` takes chunks and begins the next sheet
    when one is full; `finish` returns the records of each sheet (at least one sheet, empty when no records)."""

    def __init__(self, open_sheet, close_sheet, max_sheet_rows: int | None = None, float_style: int | None = None):
        self.per_sheet = (max_sheet_rows or MAX_SHEET_ROWS) - 1
        self.float_style = float_style
        self.open_sheet, self.close_sheet = open_sheet, close_sheet
        self.counts: list[int] = []
        self._fh = None

    def write(self, chunk: pd.DataFrame) -> None:
        """Append a chunk's records, splitting it where a sheet fills up."""
        start = 0
        while start < len(chunk):
            new = not self.counts or self.counts[-1] == self.per_sheet
            filled = 0 if new else self.counts[-1]
            take = min(self.per_sheet - filled, len(chunk) - start, XLSX_ROWS_PER_WRITE)
            rows = xlsx_rows(chunk.iloc[start : start + take], filled + 2, self.float_style)
            if new:
                self._close()
                self._fh = self.open_sheet(len(self.counts), rows.nbytes * self.per_sheet // take)
                self.counts.append(0)
            write_strings(rows, self._fh)
            self.counts[-1] += take
            start += take

    def _close(self) -> None:
        if self._fh is not None:
            self.close_sheet(self._fh)
            self._fh = None

    def finish(self) -> list[int]:
        if not self.counts:
            self._fh = self.open_sheet(0, 0)
            self.counts.append(0)
        self._close()
        return self.counts
