"""A block of records as strings with checked converters (numbers in bounds, days): one conversion path for
CSV and JSON, naming the file, row or JSON path and column of the first bad value."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apps.connectors.sources.bounds import MAX_AMOUNT, max_text
from apps.connectors.sources.columns import Field, resolve_columns
from apps.connectors.sources.dates import parse_days, utc_days
from apps.connectors.sources.errors import SourceError, describe_value
from apps.core.messages import Message

# The msgids of the French entries (locale/fr) of the converters' messages.
EXPECTED_GOT = "expected {expected}, got {got}"
EXPECTED_GOT_HINT = "expected {expected}, got {got}{hint}"
EXPECTED_BOUND_GOT = "expected {expected} {bound}, got {got}"


def _expected_number(whole: bool, allow_negative: bool) -> Message:
    """What a number column holds, in words: 'a whole number >= 0', 'a number'..."""
    if whole:
        return Message("a whole number") if allow_negative else Message("a whole number >= 0")
    return Message("a number") if allow_negative else Message("a number >= 0")


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

    def numbers(
        self, name: str, *, whole: bool, allow_negative: bool = False, blank_is_zero: bool = True
    ) -> np.ndarray:
        """The field as int64 (`whole`) or float64; blanks read as 0 unless `blank_is_zero` is False (a figure the
        source needs: a blank is then refused, never read as a zero). Missing optional field -> zeros."""
        dtype = np.int64 if whole else np.float64
        if name not in self.columns:
            return np.zeros(len(self), dtype=dtype)
        col = self.raw(name)
        blank = pc.equal(col, "")
        if not blank_is_zero and pc.any(blank).as_py():
            first = int(np.flatnonzero(blank.to_numpy(zero_copy_only=False))[0])
            expected = Message("a whole number") if whole else Message("a number")
            raise self.error(
                first,
                name,
                Message("expected {expected}, got a blank; the source needs this figure", expected=expected),
            )
        filled = pc.if_else(blank, "0", col)
        try:
            values = pc.cast(filled, pa.int64() if whole else pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = None
        expected = _expected_number(whole, allow_negative)
        if values is None:
            # Slow path only on bad input (or "12.0" in a count): find the first value Arrow refused.
            text = pd.Series(filled.to_numpy(zero_copy_only=False), dtype=object)
            parsed = pd.to_numeric(text, errors="coerce")
            bad = parsed.isna() | ((parsed != np.floor(parsed)) if whole else False)
            if bad.any():
                first = int(np.flatnonzero(bad.to_numpy())[0])
                got = text.iloc[first]
                hint = Message(" (use a dot as the decimal separator)") if re.fullmatch(r"-?\d+,\d+", str(got)) else ""
                raise self.error(
                    first, name, Message(EXPECTED_GOT_HINT, expected=expected, got=describe_value(got), hint=hint)
                )
            values = parsed.to_numpy()
        if not allow_negative:
            neg = np.flatnonzero(values < 0)
            if len(neg):
                got = self.table.column(self.columns[name])[int(neg[0])].as_py()
                raise self.error(int(neg[0]), name, Message(EXPECTED_GOT, expected=expected, got=describe_value(got)))
        if not whole:
            nan = np.flatnonzero(~np.isfinite(values))
            if len(nan):
                got = self.table.column(self.columns[name])[int(nan[0])].as_py()
                raise self.error(int(nan[0]), name, Message(EXPECTED_GOT, expected=expected, got=describe_value(got)))
        # Checked before the int64 cast, which would wrap 1e30 or 2**63 around to a negative number.
        big = np.flatnonzero(np.abs(values.astype(np.float64, copy=False)) > MAX_AMOUNT)
        if len(big):
            got = self.table.column(self.columns[name])[int(big[0])].as_py()
            raise self.error(
                int(big[0]),
                name,
                Message(EXPECTED_BOUND_GOT, expected=expected, bound=max_text(allow_negative), got=describe_value(got)),
            )
        return values.astype(dtype, copy=False)

    def days(self, name: str, *, formats: Sequence[str] = (), example: str = "2025-01-31") -> pd.Series:
        """The field as UTC calendar days (datetime64[ns] at midnight). ISO 8601 dates and timestamps
        (with or without an offset, 'Z' or a trailing ' UTC') are read; `formats` adds strptime
        formats tried first, for exports that use another layout. Blank or unreadable -> error."""
        col = self.raw(name)
        if not formats:
            fast = utc_days(col)
            if fast is not None:
                return fast
        text = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
        return parse_days(text, formats=formats, example=example, on_error=lambda i, got: self.error(i, name, got))


def as_text(value: Any) -> str:
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
    data = {n: pa.array([as_text(r.get(n)) for r in records], pa.string()) for n in names}
    table = pa.table(data) if names else pa.table({"_": pa.array([""] * len(records))})
    return CsvChunk(table, columns, 1, filename, list(paths))
