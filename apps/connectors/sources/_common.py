"""Shared plumbing for the source parsers: errors, column matching, CSV and JSON reading, number and
date checks, aggregation to the usage frame. No Django here.

Conventions every source follows (and the tests rely on):

* Row numbers in CSV errors count records as a spreadsheet shows them: the header is row 1, the first
  data record is row 2. A quoted value spanning several lines is still one row.
* JSON errors name a path from the top of the document, e.g. ``data[3].results[0].output_tokens``;
  when the file holds several top-level values (a list of pages, JSON lines), the path starts with
  ``[i]``.
* Encoding: UTF-8, with or without a byte-order mark, is read as is. UTF-16 with a byte-order mark
  (Excel's "Unicode text") is transcoded, because the mark makes it unambiguous. Anything else that is
  not valid UTF-8 (Latin-1, Windows-1252, ...) is refused with the row where the first bad byte sits:
  guessing a code page would silently change names that the mapping tables match on.
* Column names are matched after normalising case, spaces, dots and underscores, so
  ``Report Refresh Date``, ``reportRefreshDate`` and ``report_refresh_date`` are one column.
* Blank amounts read as 0; non-numbers and negative counts are errors naming the first bad row, and so is an
  amount above MAX_AMOUNT (10^12: no real row is that big, and it keeps the sums inside int64).
* A usage day before 2000 or after tomorrow (UTC) is refused as a typo in the year.
* Compressed files (zip, gzip, ...) are refused from their first bytes and never decompressed (no zip bombs);
  NUL bytes mean binary data or UTF-16 without its byte-order mark, refused with a message saying which.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from apps.footprint import usage_frame

DEFAULT_CHUNK_ROWS = 50_000  # ~20 MiB of gateway logs per chunk: flat memory, no loss of speed
READ_BLOCK_BYTES = 2 << 20  # Arrow's read block (see iter_csv)
_SNIFF_BYTES = 64 * 1024
# Group-by columns of the frame; currency joins them so two currencies are never summed together.
GROUP_COLUMNS = [*usage_frame.KEY_COLUMNS, "currency"]
SUM_COLUMNS = [c for c in usage_frame.NUMERIC_COLUMNS]


# Bounds of plausible usage. Any one amount above MAX_AMOUNT (tokens, kWh, cost...) is an error in the file,
# and keeping amounts this small means the sums of a file cannot overflow int64. Days before EARLIEST_DAY
# or after tomorrow (UTC; a day of slack for time zones) are typos in the year, not usage.
MAX_AMOUNT = 10**12
EARLIEST_DAY = dt.date(2000, 1, 1)

# ----------------------------------------------------------------------------------------- errors


class SourceError(ValueError):
    """A file cannot be read as the chosen source.

    ``row`` is the 1-based CSV row (header = row 1) or a JSON path string, or None when the problem is
    the file as a whole; ``column`` is the column or JSON key, or None. ``str()`` reads like
    ``usage.csv, row 12, column 'output_tokens': expected a whole number >= 0, got 'abc'``.
    """

    def __init__(self, filename: str, row: int | str | None, column: str | None, message: str):
        self.filename = filename
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [self.filename or "<stream>"]
        if isinstance(self.row, str):
            # JSON: the key is the last step of the path, so name it there rather than twice.
            path = self.row
            if self.column:
                path = f"{path}.{self.column}" if path else self.column
            parts.append(f"at {path}" if path else "at the top level")
        else:
            if self.row is not None:
                parts.append(f"row {self.row}")
            if self.column:
                parts.append(f"column '{self.column}'")
        return ", ".join(parts) + ": " + self.message

    def to_dict(self) -> dict[str, Any]:
        """The ``{row, column, message}`` shape the ingestion run and the CLI report."""
        return {"file": self.filename, "row": self.row, "column": self.column, "message": self.message}


def _max_text(allow_negative: bool = False) -> str:
    return f"between {-MAX_AMOUNT:,} and {MAX_AMOUNT:,}" if allow_negative else f"of at most {MAX_AMOUNT:,}"


def latest_day() -> dt.date:
    """The last day usage can be on: tomorrow in UTC."""
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


def day_out_of_range(day: dt.date, got: Any) -> str | None:
    """The message for a usage day before EARLIEST_DAY or in the future; None when the day is plausible."""
    if day < EARLIEST_DAY:
        return (
            f"expected a date from {EARLIEST_DAY:%Y-%m-%d} on, got {describe_value(got)}, before "
            f"{EARLIEST_DAY:%Y-%m-%d}: check the year"
        )
    if day > latest_day():
        return (
            f"expected a date no later than today ({latest_day() - dt.timedelta(days=1):%Y-%m-%d}), got "
            f"{describe_value(got)}: usage cannot be in the future, check the year"
        )
    return None


def describe_value(value: Any) -> str:
    """A short repr of a bad value for a message; long values are cut so a message stays readable."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


# --------------------------------------------------------------------------------- column matching


def norm(name: str) -> str:
    """Normalise a column or key name: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


@dataclass(frozen=True)
class Field:
    """One column a source reads: ``name`` is what the code calls it, ``aliases`` the spellings
    accepted in files (compared after :func:`norm`)."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def spellings(self) -> tuple[str, ...]:
        return tuple(norm(a) for a in (self.name, *self.aliases))

    @property
    def label(self) -> str:
        """The column as the vendor's export spells it (the first alias), for messages."""
        return self.aliases[0] if self.aliases else self.name


def resolve_columns(
    header: Sequence[str],
    fields: Sequence[Field],
    filename: str,
    source_key: str,
    *,
    refuse_unknown: bool = False,
) -> dict[str, str]:
    """Map each field to the header column that spells it. Raises SourceError listing the expected
    columns that are missing, the unknown ones found, and which source the file looks like."""
    by_norm: dict[str, str] = {}
    for col in header:
        by_norm.setdefault(norm(col), col)
    found: dict[str, str] = {}
    missing: list[str] = []
    for field in fields:
        hit = next((by_norm[s] for s in field.spellings() if s in by_norm), None)
        if hit is not None:
            found[field.name] = hit
        elif field.required:
            missing.append(field.label)
    used = set(found.values())
    unknown = [c for c in header if c not in used]
    if missing or (refuse_unknown and unknown):
        problems = []
        if missing:
            problems.append("missing expected column(s) " + _quote_list(missing))
        if unknown:
            problems.append("found column(s) it does not use " + _quote_list(unknown))
        message = "; ".join(problems) + "."
        hint = wrong_source_hint({norm(c) for c in header}, source_key)
        raise SourceError(filename, 1 if header else None, None, message + hint)
    return found


def _quote_list(items: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(f"'{i}'" for i in items[:limit])
    return shown + (f" (and {len(items) - limit} more)" if len(items) > limit else "")


def wrong_source_hint(fields: set[str], source_key: str) -> str:
    """' This looks like X (key), not Y.' when another source's signature fits the fields better."""
    from apps.connectors.sources import SOURCES, detect_fields  # the registry imports this module

    guesses = [k for k, _ in detect_fields(fields) if k != source_key]
    if not guesses:
        return ""
    other = SOURCES[guesses[0]]
    own = SOURCES.get(source_key)
    own_label = own.LABEL if own else source_key
    return f" This looks like {other.LABEL} (source '{other.KEY}'), not {own_label}."


# ------------------------------------------------------------------------------- stream handling


def seekable(stream: BinaryIO) -> BinaryIO:
    """Return a seekable stream with the same bytes, spooling to a temp file only when needed: the
    parsers peek at the start (header, encoding, format) and may re-read to locate an error."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - returned open
    shutil.copyfileobj(stream, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def peek(stream: BinaryIO, size: int = _SNIFF_BYTES) -> bytes:
    """The first bytes from the current position, leaving the position unchanged."""
    pos = stream.tell()
    head = stream.read(size)
    stream.seek(pos)
    return head


def encoding_of(head: bytes) -> str:
    """'utf-16' when a UTF-16 byte-order mark starts the data, else 'utf-8' (a UTF-8 BOM is skipped)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def first_text(head: bytes) -> str:
    """The start of the data as text, for sniffing; undecodable bytes are replaced, not fatal."""
    enc = encoding_of(head)
    text = head.decode(enc, errors="replace")
    return text.lstrip("\ufeff")


def looks_like_json(stream: BinaryIO) -> bool:
    """True when the first non-blank character is '{' or '['."""
    text = first_text(peek(stream, 4096)).lstrip()
    return text[:1] in ("{", "[")


# Magic numbers of compressed files: refused from their first bytes, never decompressed (no zip bombs).
_ARCHIVES = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"Rar!\x1a\x07", "rar"),
)


def check_not_empty(stream: BinaryIO, filename: str) -> bytes:
    """Raise SourceError for an empty (or blanks-only) file, a compressed archive or binary data (NUL bytes,
    which no UTF-8 text holds: UTF-16 without its byte-order mark, or not text at all); return the first bytes."""
    head = peek(stream)
    for magic, kind in _ARCHIVES:
        if head.startswith(magic):
            hint = " (an Excel workbook is a zip too: save the sheet as 'CSV UTF-8')" if kind == "zip" else ""
            raise SourceError(
                filename,
                None,
                None,
                f"the file is a {kind} archive (compressed), not a CSV or JSON text file; nothing was "
                f"decompressed. Extract it and upload the file inside{hint}",
            )
    nul = head.find(b"\x00")
    if nul >= 0 and encoding_of(head) == "utf-8":
        sample = head[:4096]
        # ASCII text in UTF-16 has a NUL in every other byte (odd positions little-endian, even big-endian).
        halves = (sample[1::2].count(0), sample[0::2].count(0))
        if max(halves) >= 0.8 * (len(sample) // 2) and min(halves) <= 0.05 * (len(sample) // 2):
            raise SourceError(
                filename,
                None,
                None,
                "the file looks like UTF-16 without a byte-order mark (every other byte is NUL); save it as "
                "UTF-8 ('CSV UTF-8' in Excel), or as UTF-16 with its byte-order mark, and upload it again",
            )
        raise SourceError(
            filename,
            None,
            None,
            f"the file holds binary data (a NUL byte at byte {nul}), not a CSV or JSON text file; upload the "
            "usage export itself",
        )
    if not first_text(head).strip():
        raise SourceError(filename, None, None, "the file is empty")
    return head


def _utf8_error(filename: str, row: int | None, exc: UnicodeDecodeError) -> SourceError:
    bad = exc.object[exc.start : exc.start + 1].hex() if hasattr(exc, "object") else "?"
    return SourceError(
        filename,
        row,
        None,
        f"the file is not valid UTF-8 (byte 0x{bad}); it looks like Latin-1/Windows-1252 "
        "or another code page. Save it as UTF-8 ('CSV UTF-8' in Excel) and upload it again",
    )


# ----------------------------------------------------------------------------------------- CSV


@dataclass
class CsvLayout:
    """What the start of a CSV file says: encoding, delimiter and header."""

    encoding: str
    delimiter: str
    header: list[str]
    start: int


def read_layout(stream: BinaryIO, filename: str) -> CsvLayout:
    """Read the header line, choosing the encoding and the delimiter (',', ';' or tab)."""
    start = stream.tell()
    head = check_not_empty(stream, filename)
    enc = encoding_of(head)
    if enc == "utf-8":
        line_end = head.find(b"\n")
        raw = head if line_end < 0 else head[:line_end]
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if line_end < 0 and len(head) == _SNIFF_BYTES and exc.start >= len(raw) - 3:
                line = raw[: exc.start].decode("utf-8-sig")  # a character cut by the sniff window
            else:
                raise _utf8_error(filename, 1, exc) from exc
    else:
        line = head.decode(enc, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    line = line.rstrip("\r")
    if line.lstrip().startswith(("{", "[")):
        raise SourceError(
            filename,
            None,
            None,
            "expected a CSV file but the file is JSON" + wrong_source_hint(json_fields(_try_json(stream)), ""),
        )
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header = [h.strip() for h in next(csv.reader([line], delimiter=delimiter))]
    return CsvLayout(enc, delimiter, header, start)


def _try_json(stream: BinaryIO) -> Any:
    try:
        return json.loads(first_text(peek(stream, 1 << 20)))
    except ValueError:
        return None


class CsvChunk:
    """A block of records as strings, named by field, with checked converters that report the file,
    row (or JSON path) and column of the first bad value. Built by :func:`iter_csv`, or from JSON
    records by :func:`records_chunk` so CSV and JSON variants of a format share one conversion path."""

    def __init__(
        self,
        table: pa.Table,
        columns: dict[str, str],
        first_row: int,
        filename: str,
        locations: np.ndarray | Sequence[str] | None = None,
    ):
        self.table = table
        self.columns = columns  # field name -> column name as the file spells it
        self.first_row = first_row  # CSV row number of the first record of this chunk
        self.filename = filename
        # Per record, when not contiguous: CSV row numbers (an int array) or JSON paths.
        self.locations = locations

    def __len__(self) -> int:
        return self.table.num_rows

    def location(self, offset: int) -> int | str:
        """The CSV row number (header = 1) or JSON path of the record at `offset`."""
        if self.locations is None:
            return self.first_row + offset
        found = self.locations[offset]
        return int(found) if isinstance(found, np.integer) else found

    def take(self, indices: np.ndarray) -> CsvChunk:
        """The records at `indices`, keeping their original rows/paths for error messages."""
        indices = np.asarray(indices, dtype=np.int64)
        if self.locations is None:
            locations = self.first_row + indices  # an array: no Python int per record
        elif isinstance(self.locations, np.ndarray):
            locations = self.locations[indices]
        else:
            locations = [self.locations[i] for i in indices]  # JSON paths
        return CsvChunk(self.table.take(pa.array(indices)), self.columns, self.first_row, self.filename, locations)

    def has(self, name: str) -> bool:
        """True when the file has this (optional) field."""
        return name in self.columns

    def column(self, name: str) -> pa.ChunkedArray:
        """The field as read, whitespace not trimmed (for regexes, which skip it anyway)."""
        return self.table.column(self.columns[name])

    def raw(self, name: str, default: str = "") -> pa.ChunkedArray:
        """The field as an Arrow string array, whitespace trimmed; `default` for every record when the file
        lacks the (optional) field."""
        if name not in self.columns:
            return pa.chunked_array([pa.repeat(default, len(self))], pa.string())
        return pc.utf8_trim_whitespace(self.table.column(self.columns[name]))

    def text(self, name: str, default: str = "") -> np.ndarray:
        """The field as strings ('' for blanks), or `default` for every row when the file lacks it."""
        if name not in self.columns:
            return np.full(len(self), default, dtype=object)
        return self.raw(name).to_numpy(zero_copy_only=False)

    def error(self, offset: int, name: str, message: str) -> SourceError:
        """A SourceError for the record at `offset` in this chunk."""
        return SourceError(self.filename, self.location(offset), self.columns.get(name, name), message)

    def numbers(self, name: str, *, whole: bool, allow_negative: bool = False) -> np.ndarray:
        """The field as int64 (`whole`) or float64; blanks read as 0. Missing optional field -> zeros."""
        dtype = np.int64 if whole else np.float64
        if name not in self.columns:
            return np.zeros(len(self), dtype=dtype)
        col = self.raw(name)
        blank = pc.equal(col, "")
        filled = pc.if_else(blank, "0", col)
        try:
            values = pc.cast(filled, pa.int64() if whole else pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = None
        expected = ("a whole number" if whole else "a number") + ("" if allow_negative else " >= 0")
        if values is None:
            # Slow path only on bad input (or "12.0" in a count): find the first value Arrow refused.
            text = pd.Series(filled.to_numpy(zero_copy_only=False), dtype=object)
            parsed = pd.to_numeric(text, errors="coerce")
            bad = parsed.isna() | ((parsed != np.floor(parsed)) if whole else False)
            if bad.any():
                first = int(np.flatnonzero(bad.to_numpy())[0])
                got = text.iloc[first]
                hint = " (use a dot as the decimal separator)" if re.fullmatch(r"-?\d+,\d+", str(got)) else ""
                raise self.error(first, name, f"expected {expected}, got {describe_value(got)}{hint}")
            values = parsed.to_numpy()
        if not allow_negative:
            neg = np.flatnonzero(values < 0)
            if len(neg):
                got = self.table.column(self.columns[name])[int(neg[0])].as_py()
                raise self.error(int(neg[0]), name, f"expected {expected}, got {describe_value(got)}")
        if not whole:
            nan = np.flatnonzero(~np.isfinite(values))
            if len(nan):
                got = self.table.column(self.columns[name])[int(nan[0])].as_py()
                raise self.error(int(nan[0]), name, f"expected {expected}, got {describe_value(got)}")
        # Checked before the int64 cast, which would wrap 1e30 or 2**63 around to a negative number.
        big = np.flatnonzero(np.abs(values.astype(np.float64, copy=False)) > MAX_AMOUNT)
        if len(big):
            got = self.table.column(self.columns[name])[int(big[0])].as_py()
            raise self.error(
                int(big[0]), name, f"expected {expected} {_max_text(allow_negative)}, got {describe_value(got)}"
            )
        return values.astype(dtype, copy=False)

    def days(self, name: str, *, formats: Sequence[str] = (), example: str = "2025-01-31") -> pd.Series:
        """The field as UTC calendar days (datetime64[ns] at midnight). ISO 8601 dates and timestamps
        (with or without an offset, 'Z' or a trailing ' UTC') are read; `formats` adds strptime
        formats tried first, for exports that use another layout. Blank or unreadable -> error."""
        col = self.raw(name)
        if not formats:
            fast = _utc_days(col)
            if fast is not None:
                return fast
        text = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
        return parse_days(text, formats=formats, example=example, on_error=lambda i, got: self.error(i, name, got))


def per_distinct(fn: Callable[..., Sequence[Any]], *columns: pa.ChunkedArray) -> pa.Array:
    """``fn`` applied to every record of the columns, as an Arrow array, but called on the distinct values only
    (combinations of values, for several columns): ``fn`` gets one NumPy array per column, of the distinct
    values, and returns one result for each. Providers, models and flags repeat over millions of records,
    so this saves a Python call per record."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    distinct = []
    for col in columns:
        values = pc.unique(col)
        codes = codes * len(values) + pc.index_in(col, value_set=values).to_numpy()
        distinct.append(values)
    if len(columns) == 1:
        args = [distinct[0].to_numpy(zero_copy_only=False)]
    else:
        combos, codes = np.unique(codes, return_inverse=True)  # the combinations that occur
        args = []
        for values in reversed(distinct):
            args.insert(0, values.take(pa.array(combos % len(values))).to_numpy(zero_copy_only=False))
            combos = combos // len(values)
    return pa.array(fn(*args)).take(pa.array(codes))


# ISO 8601 stamps that are plainly UTC (or naive, read as UTC): their day is their first ten characters.
_UTC_STAMP = r"^\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z| ?UTC|[+-]00:?00)?)?$"


def _utc_days(col: pa.ChunkedArray) -> pd.Series | None:
    """Days of a column in Arrow when every value is a UTC/naive ISO stamp with a real date; None
    otherwise, and the general path (which names the first bad value) decides. Converting millions of
    stamps through Python strings and pandas costs more than reading the file."""
    if len(col) == 0 or not pc.all(pc.match_substring_regex(col, _UTC_STAMP)).as_py():
        return None
    try:
        days = pc.cast(pc.utf8_slice_codeunits(col, 0, 10), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # e.g. 2025-02-30
    bounds = pc.min_max(days)
    if bounds["min"].as_py() < EARLIEST_DAY or bounds["max"].as_py() > latest_day():
        return None  # the general path names the first day out of range (and 9999 would overflow below)
    return pd.Series(days.to_numpy(zero_copy_only=False).astype("datetime64[ns]"))


def _as_ns(stamps: pd.Series) -> pd.Series:
    """Parsed stamps in nanoseconds; the ones nanoseconds cannot hold (years 1 or 9999, which pandas parses
    at a coarser unit) become NaT for the caller to report, instead of an overflow."""
    if stamps.dt.unit == "ns":
        return stamps
    low, high = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
    return stamps.where((stamps >= low) & (stamps <= high)).dt.as_unit("ns")


def parse_days(text: pd.Series, *, formats: Sequence[str] = (), example: str = "2025-01-31", on_error) -> pd.Series:
    """Strings -> UTC days. `on_error(position, message)` builds the exception for the first bad one."""
    cleaned = text.astype(object).where(text.notna(), "").astype(str).str.strip()
    cleaned = cleaned.str.replace(r"\s+UTC$", "Z", regex=True)
    result = pd.Series(pd.NaT, index=cleaned.index, dtype="datetime64[ns, UTC]")
    todo = cleaned.ne("")
    for fmt in formats:
        if not todo.any():
            break
        got = pd.to_datetime(cleaned[todo], format=fmt, utc=True, errors="coerce")
        result[todo] = _as_ns(got)
        todo = todo & result.isna()
    if todo.any():
        result[todo] = _as_ns(pd.to_datetime(cleaned[todo], format="ISO8601", utc=True, errors="coerce"))
    bad = np.flatnonzero(result.isna().to_numpy())
    if len(bad):
        got = cleaned.iloc[int(bad[0])]
        # An ISO day pandas cannot hold (year 1 or 9999) is a real date out of range: say so.
        iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", got)
        try:
            day = dt.date(*map(int, iso.groups())) if iso else None
        except ValueError:
            day = None
        message = day_out_of_range(day, str(text.iloc[int(bad[0])]).strip()) if day else None
        what = "got a blank" if got == "" else f"got {describe_value(got)}"
        raise on_error(int(bad[0]), message or f"expected a date like {example}, {what}")
    days = result.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]").reset_index(drop=True)
    out = np.flatnonzero(((days < pd.Timestamp(EARLIEST_DAY)) | (days > pd.Timestamp(latest_day()))).to_numpy())
    if len(out):
        first = int(out[0])
        raise on_error(first, day_out_of_range(days.iloc[first].date(), str(text.iloc[first]).strip()))
    return days


def _as_text(value: Any) -> str:
    # Nested values (LiteLLM metadata, GCP labels) stay JSON so the same regexes read CSV and JSON.
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def records_chunk(
    records: Sequence[dict],
    paths: Sequence[str],
    fields: Sequence[Field],
    filename: str,
    source_key: str,
    columns: dict[str, str] | None = None,
) -> CsvChunk:
    """JSON records (flat dicts) as a string chunk; errors name each record's JSON path. The columns
    are resolved from the keys of all records unless given."""
    if columns is None:
        keys = list(dict.fromkeys(k for r in records for k in r))
        columns = resolve_columns(keys, fields, filename, source_key)
    names = list(dict.fromkeys(columns.values()))
    data = {n: pa.array([_as_text(r.get(n)) for r in records], pa.string()) for n in names}
    table = pa.table(data) if names else pa.table({"_": pa.array([""] * len(records))})
    return CsvChunk(table, columns, 1, filename, list(paths))


def iter_csv(
    stream: BinaryIO,
    filename: str,
    fields: Sequence[Field],
    source_key: str,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    refuse_unknown: bool = False,
    allow_no_rows: bool = False,
) -> Iterator[CsvChunk]:
    """Read a CSV export in chunks of at most `chunk_rows` records, only the columns `fields` name,
    every value as a string (converted and checked later by :class:`CsvChunk`). Memory stays flat:
    Arrow reads blocks of the file, never the whole of it."""
    stream = seekable(stream)
    layout = read_layout(stream, filename)
    columns = resolve_columns(layout.header, fields, filename, source_key, refuse_unknown=refuse_unknown)
    wanted = list(dict.fromkeys(columns.values()))
    # Small Arrow blocks, gathered into chunks of chunk_rows records: Arrow's streaming reader reads a
    # number of blocks ahead of the one being converted, so its memory follows the block size (24 MiB
    # blocks held ~600 MiB of a 500 MiB file at once, 2 MiB ones ~120 MiB) and small blocks read no slower.
    # Bounded below so a block always holds several of the longest rows sampled.
    head = peek(stream)
    lines = head.split(b"\n")
    longest = max((len(line) for line in lines[:-1]), default=len(head))
    block = int(max(min(len(head) / max(len(lines) - 1, 1) * chunk_rows, READ_BLOCK_BYTES), 1 << 20, 8 * longest))
    read_options = pacsv.ReadOptions(encoding=layout.encoding, block_size=block, use_threads=True)
    parse_options = pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True)
    convert_options = pacsv.ConvertOptions(
        include_columns=wanted,
        column_types={c: pa.string() for c in wanted},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    stream.seek(layout.start)
    row = 2
    try:
        reader = pacsv.open_csv(
            stream, read_options=read_options, parse_options=parse_options, convert_options=convert_options
        )
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                batch = None
            if batch is not None and batch.num_rows:
                pending.append(batch)
                pending_rows += batch.num_rows
            if pending and (pending_rows >= chunk_rows or batch is None):
                table = pa.Table.from_batches(pending)
                keep = pending_rows - pending_rows % chunk_rows if batch is not None else pending_rows
                for off in range(0, keep, chunk_rows):
                    piece = table.slice(off, min(chunk_rows, keep - off))
                    yield CsvChunk(piece, columns, row, filename)
                    row += piece.num_rows
                pending = table.slice(keep).to_batches() if keep < pending_rows else []
                pending_rows -= keep
                del table
            if batch is None:
                break
    except pa.ArrowInvalid as exc:
        raise _locate_csv_problem(stream, layout, filename, exc) from exc
    if row == 2 and not allow_no_rows:
        raise SourceError(filename, None, None, "the file has a header but no data rows")


class _BadBytes(Exception):
    def __init__(self, err: UnicodeDecodeError):
        self.err = err


def _locate_csv_problem(stream: BinaryIO, layout: CsvLayout, filename: str, exc: Exception) -> SourceError:
    """Arrow says what went wrong but not where; re-read with the csv module to find the row."""
    stream.seek(layout.start)
    if layout.encoding == "utf-8":

        def lines() -> Iterator[str]:
            # Decode line by line so a bad byte is pinned to the record that holds it.
            for n, raw in enumerate(stream):
                try:
                    yield raw.decode("utf-8-sig" if n == 0 else "utf-8")
                except UnicodeDecodeError as err:
                    raise _BadBytes(err) from err

        source: Iterable[str] = lines()
    else:
        source = io.TextIOWrapper(stream, encoding=layout.encoding, errors="replace", newline="")
    width = len(layout.header)
    row = 0
    try:
        for row, record in enumerate(csv.reader(source, delimiter=layout.delimiter), start=1):
            if record and len(record) != width:
                return SourceError(
                    filename,
                    row,
                    None,
                    f"expected {width} values as in the header, got {len(record)}; "
                    "the row may be cut short or hold an unquoted delimiter",
                )
    except _BadBytes as bad:
        return _utf8_error(filename, row + 1, bad.err)
    except csv.Error as err:
        return SourceError(filename, row + 1, None, f"not valid CSV: {err}")
    finally:
        if isinstance(source, io.TextIOWrapper):
            source.detach()
    return SourceError(filename, None, None, f"not valid CSV: {exc}")


# ----------------------------------------------------------------------------------------- JSON


def iter_json_values(
    stream: BinaryIO,
    filename: str,
    *,
    stream_array: bool = True,
    read_size: int = 1 << 20,
    source_key: str = "",
) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, value)`` for the top-level JSON values of a file, reading it incrementally.

    A top-level array is streamed item by item (paths ``[0]``, ``[1]``, ...) when `stream_array`;
    several top-level values (JSON lines, or pages written one after another as ``gh api --paginate``
    does) are yielded in turn with paths ``[i]``; a single value gets the path ''. A file that stops in
    the middle of a value raises SourceError saying it looks truncated, with the position."""
    stream = seekable(stream)
    head = check_not_empty(stream, filename)
    if not looks_like_json(stream):
        try:
            fields = {norm(h) for h in read_layout(stream, filename).header}
        except SourceError:
            fields = set()
        raise SourceError(
            filename,
            None,
            None,
            "expected a JSON file but the file is not JSON (it looks like "
            "CSV or text)." + wrong_source_hint(fields, source_key),
        )
    enc = encoding_of(head)
    decoder = codecs.getincrementaldecoder("utf-8-sig" if enc == "utf-8" else enc)()
    dec = json.JSONDecoder()
    buf = ""
    pos = 0  # index in buf
    consumed = 0  # characters dropped from the front of buf
    lines_before = 0  # newlines in the dropped characters
    eof = False

    def more() -> bool:
        nonlocal buf, pos, consumed, lines_before, eof
        if eof:
            return False
        data = stream.read(read_size)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            # Byte offset is approximate (characters so far); enough to find the spot.
            where = consumed + len(buf)
            raise SourceError(
                filename,
                None,
                None,
                f"near character {where}: " + str(_utf8_error(filename, None, exc).message),
            ) from exc
        if not data:
            eof = True
        lines_before += buf.count("\n", 0, pos)
        consumed += pos
        buf = buf[pos:] + text
        pos = 0
        return bool(data) or bool(text)

    def skip_ws() -> bool:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return True
            if not more():
                return False

    def where(p: int) -> str:
        line = lines_before + buf.count("\n", 0, p) + 1
        return f"character {consumed + p} (line {line})"

    def decode_one(path: str) -> Any:
        nonlocal pos
        while True:
            try:
                value, end = dec.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if not eof and (exc.pos >= len(buf) - 1 or "Unterminated" in exc.msg):
                    more()
                    continue
                if exc.pos >= len(buf.rstrip()) - 1 or "Unterminated" in exc.msg:
                    raise SourceError(
                        filename,
                        None,
                        None,
                        f"the JSON ends early at {where(len(buf))} inside {path or 'the document'}"
                        f"; the file looks truncated",
                    ) from exc
                raise SourceError(filename, None, None, f"invalid JSON at {where(exc.pos)}: {exc.msg}") from exc
            except ValueError as exc:  # Python refuses to read an integer of more than 4,300 digits
                long_number = re.compile(r"\d{4301,}").search(buf, pos)
                at = where(long_number.start()) if long_number else where(pos)
                raise SourceError(
                    filename, None, None, f"the number at {at} in {path or 'the document'} has too many digits"
                ) from exc
            # A number at the very end of the buffer may continue in the next read.
            if end >= len(buf) and not eof and isinstance(value, (int, float)):
                more()
                continue
            pos = end
            return value

    if not skip_ws():
        raise SourceError(filename, None, None, "the file is empty")
    if stream_array and buf[pos] == "[":
        pos += 1
        index = 0
        while True:
            if not skip_ws():
                raise SourceError(
                    filename,
                    None,
                    None,
                    f"the JSON ends early at {where(len(buf))} after item [{index - 1}]; the file looks truncated",
                )
            if buf[pos] == "]":
                pos += 1
                break
            if index:
                if buf[pos] != ",":
                    raise SourceError(
                        filename,
                        None,
                        None,
                        f"invalid JSON at {where(pos)}: expected ',' or ']' after item [{index - 1}]",
                    )
                pos += 1
                if not skip_ws():
                    raise SourceError(
                        filename,
                        None,
                        None,
                        f"the JSON ends early at {where(len(buf))}; the file looks truncated",
                    )
            yield f"[{index}]", decode_one(f"[{index}]")
            index += 1
        if skip_ws():
            raise SourceError(filename, None, None, f"invalid JSON at {where(pos)}: extra data after the array")
        return
    values: list[Any] = []
    index = 0
    while skip_ws():
        value = decode_one(f"[{index}]")
        if index == 1:
            yield "[0]", values.pop()
        if index >= 1:
            yield f"[{index}]", value
        else:
            values.append(value)
        index += 1
    if values:
        yield "", values[0]


def load_json(stream: BinaryIO, filename: str, source_key: str = "") -> list[tuple[str, Any]]:
    """All top-level values of a (small) JSON document as ``(path, value)`` pairs; a top-level array
    is one value here (its items are addressed by the caller). When `source_key` is given and the
    document's keys fit another source's signature better, raise a SourceError saying so."""
    values = list(iter_json_values(stream, filename, stream_array=False, source_key=source_key))
    if source_key and values:
        check_source(json_fields(values[0][1]), filename, source_key)
    return values


def check_source(fields: set[str], filename: str, source_key: str) -> None:
    """Refuse a file whose field names fit another source's signature better than `source_key`'s."""
    from apps.connectors.sources import SOURCES, detect_fields  # the registry imports this module

    scores = dict(detect_fields(fields, threshold=0.0))
    own = scores.get(source_key, 0.0)
    best = max(scores, key=lambda k: scores[k], default=None)
    if best and best != source_key and scores[best] >= 0.5 and scores[best] > own:
        other, mine = SOURCES[best], SOURCES[source_key]
        raise SourceError(
            filename,
            None,
            None,
            f"this looks like {other.LABEL} (source '{other.KEY}'), "
            f"not {mine.LABEL}; choose the '{other.KEY}' source for this file",
        )


def json_fields(value: Any, depth: int = 4) -> set[str]:
    """Normalised keys of a JSON value (first items of lists, nested keys also joined as dotted
    names), for detecting which source a file is."""
    out: set[str] = set()

    def walk(v: Any, prefix: str, d: int) -> None:
        if d < 0:
            return
        if isinstance(v, list):
            for item in v[:3]:
                walk(item, prefix, d - 1)
        elif isinstance(v, dict):
            for k, sub in v.items():
                out.add(norm(k))
                if prefix:
                    out.add(norm(prefix + k))
                walk(sub, k if isinstance(sub, dict) else "", d - 1)

    walk(value, "", depth)
    return out


def expect(value: Any, kind: type | tuple[type, ...], filename: str, path: str, what: str) -> Any:
    """Check a JSON value's type; SourceError naming the path and what was expected otherwise."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise SourceError(filename, path, None, f"expected {what}, got {describe_value(value)}")
    return value


def check_repeat(seen: dict[tuple, str], bucket: tuple, result: dict, filename: str, path: str) -> None:
    """Refuse a usage result that repeats an earlier one of the file: the same bucket (start, end) and the same
    grouping (its text, boolean and null fields: object, model, project, key, ...). A usage API never returns
    one group twice in a bucket, so a repeat is a page loaded twice, and summing it would double the usage."""
    grouping = tuple(sorted((k, v) for k, v in result.items() if v is None or isinstance(v, (str, bool))))
    key = (*bucket, grouping)
    if key in seen:
        raise SourceError(
            filename,
            path,
            None,
            f"the same usage (bucket {bucket[0]}, same grouping) already "
            f"appears at {seen[key]}; the file repeats a page or bucket (overlapping pulls?): keep one "
            "and upload again",
        )
    seen[key] = path


def json_count(obj: dict, key: str, filename: str, path: str, *, default: int | None = 0) -> int:
    """A whole number >= 0 from a JSON object; absent or null -> `default` (None: required)."""
    value = obj.get(key)
    if value is None:
        if default is None:
            raise SourceError(filename, path, key, "expected a whole number >= 0, the key is missing")
        return default
    if isinstance(value, bool):
        ok = False
    elif isinstance(value, int):
        ok = value >= 0
    elif isinstance(value, float):
        ok = value >= 0 and value.is_integer()
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
        ok = True
    else:
        ok = False
    if ok and value > MAX_AMOUNT:
        raise SourceError(
            filename, path, key, f"expected a whole number >= 0 {_max_text()}, got {describe_value(value)}"
        )
    if not ok:
        raise SourceError(filename, path, key, f"expected a whole number >= 0, got {describe_value(value)}")
    return int(value)


def json_number(obj: dict, key: str, filename: str, path: str, *, default: float = 0.0) -> float:
    """A decimal amount (a JSON number or a decimal string, as cost reports send) from an object."""
    value = obj.get(key)
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise SourceError(filename, path, key, f"expected a number, got {describe_value(value)}") from None
    if abs(number) > MAX_AMOUNT:
        raise SourceError(filename, path, key, f"expected a number {_max_text(True)}, got {describe_value(value)}")
    return number


def json_text(obj: dict, key: str) -> str:
    """A string-ish JSON value as text ('' for null/absent)."""
    value = obj.get(key)
    return "" if value is None else str(value)


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def json_day(value: Any, filename: str, path: str, key: str, *, unix: bool = False) -> pd.Timestamp:
    """A UTC day from an ISO 8601 string, or from unix seconds when `unix`."""
    try:
        if unix:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError
            stamp = pd.Timestamp(int(value), unit="s", tz="UTC")
        else:
            if not isinstance(value, str) or not ISO_DATE.match(value.strip()):
                raise ValueError  # pd.Timestamp would read '11 Jan' as year 1
            stamp = pd.Timestamp(value.strip())
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    except (ValueError, TypeError, OverflowError):
        expected = "unix seconds" if unix else "an ISO 8601 date like 2025-01-31T00:00:00Z"
        raise SourceError(filename, path, key, f"expected {expected}, got {describe_value(value)}") from None
    day = stamp.tz_localize(None).normalize()
    out_of_range = day_out_of_range(day.date(), f"{day:%Y-%m-%d}" if unix else value)
    if out_of_range:
        raise SourceError(filename, path, key, out_of_range)
    return day


# ----------------------------------------------------------------------------------- aggregation


def finish(
    rows: pd.DataFrame | Iterable[dict],
    source_key: str,
    *,
    aggregate_rows: bool = True,
    attrs: dict | None = None,
) -> pd.DataFrame:
    """Turn parsed rows into a conformed usage frame for `source_key`, summing rows that share the
    frame's natural key (plus currency). `attrs` (e.g. rows_read, rows_skipped) is attached as
    ``frame.attrs`` for the ingestion's counts and progress."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        out = usage_frame.empty_frame()
    else:
        frame = frame.copy() if "source" in frame.columns else frame.assign(source=source_key)
        frame["source"] = source_key
        # Optional columns the source lacks, as constants: conform would build each from a Python list per row.
        for name, (dtype, default, _) in usage_frame.COLUMNS.items():
            if name not in frame.columns and default is not None:
                frame[name] = pd.Series(default, index=frame.index, dtype=dtype)
        out = usage_frame.conform(frame)
        if aggregate_rows:
            out = aggregate(out)
    out.attrs.update(attrs or {})
    return out


def aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum a conformed frame's amounts over its natural key (and currency); keeps canonical order."""
    if frame.empty:
        return frame
    grouped = frame.groupby(GROUP_COLUMNS, sort=False, dropna=False, observed=True)[SUM_COLUMNS].sum()
    out = grouped.reset_index()
    return usage_frame.conform(out[list(usage_frame.COLUMN_NAMES)])


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate conformed frames (e.g. the chunks of one file) and sum rows sharing a key. The
    attrs' counters (rows_read, rows_skipped, ...) are added up."""
    frames = list(frames)
    attrs: dict[str, Any] = {}
    for f in frames:
        for k, v in f.attrs.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                attrs[k] = attrs.get(k, 0) + v
            else:
                attrs.setdefault(k, v)
    non_empty = [f for f in frames if not f.empty]
    out = aggregate(pd.concat(non_empty, ignore_index=True)) if non_empty else usage_frame.empty_frame()
    out.attrs.update(attrs)
    return out
