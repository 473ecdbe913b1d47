"""CSV exports read in chunks by Arrow, every value a string, memory flat; a parse error located to its row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from apps.connectors.sources.chunk import CsvChunk
from apps.connectors.sources.columns import Field, resolve_columns
from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, utf8_error
from apps.connectors.sources.sniff import CsvLayout, first_text, header_line, layout_of, peek, seekable
from apps.core.messages import Message

DEFAULT_CHUNK_ROWS = 50_000  # ~20 MiB of gateway logs per chunk: flat memory, no loss of speed
READ_BLOCK_BYTES = 2 << 20  # Arrow's read block (see iter_csv)


def read_layout(stream: BinaryIO, filename: str) -> CsvLayout:
    """Read the header line, choosing the encoding and the delimiter (',', ';' or tab); a JSON file is refused."""
    start, encoding, line = header_line(stream, filename)
    if line.lstrip().startswith(("{", "[")):
        raise SourceError(
            filename,
            None,
            None,
            Message(
                "expected a CSV file but the file is JSON{hint}",
                hint=wrong_source_hint(json_fields(_try_json(stream)), ""),
            ),
        )
    return layout_of(start, encoding, line)


def _try_json(stream: BinaryIO) -> Any:
    try:
        return json.loads(first_text(peek(stream, 1 << 20)))
    except (ValueError, RecursionError):  # not JSON, or nested too deep to look at
        return None


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
        raise SourceError(filename, None, None, Message("the file has a header but no data rows"))


NOT_VALID_CSV = "not valid CSV: {error}"  # the msgid of its French entry; the error is the reader's own words
# No row of a vendor's export is this long; a longer line is refused without being read whole.
_LOCATE_LINE_BYTES = 16 << 20


class _LongLine(Exception):
    pass


class _BadBytes(Exception):
    def __init__(self, err: UnicodeDecodeError):
        self.err = err


def _locate_csv_problem(stream: BinaryIO, layout: CsvLayout, filename: str, exc: Exception) -> SourceError:
    """Arrow says what went wrong but not where; re-read with the csv module to find the row."""
    stream.seek(layout.start)
    if layout.encoding == "utf-8":

        def lines() -> Iterator[str]:
            # Decode line by line so a bad byte is pinned to the record that holds it; a line too long for any
            # row is not read whole (a 190 MiB one took 400 MB here).
            n = 0
            while raw := stream.readline(_LOCATE_LINE_BYTES + 1):
                if len(raw) > _LOCATE_LINE_BYTES:
                    raise _LongLine
                try:
                    text = raw.decode("utf-8-sig" if n == 0 else "utf-8")
                except UnicodeDecodeError as err:
                    raise _BadBytes(err) from err
                n += 1
                yield text

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
                    Message(
                        "expected {width} values as in the header, got {got}; "
                        "the row may be cut short or hold an unquoted delimiter",
                        width=width,
                        got=len(record),
                    ),
                )
    except _BadBytes as bad:
        return utf8_error(filename, row + 1, bad.err)
    except _LongLine:
        return SourceError(
            filename,
            row + 1,
            None,
            Message(
                "not valid CSV: a line longer than {limit} bytes ({error})", limit=f"{_LOCATE_LINE_BYTES:,}", error=exc
            ),
        )
    except csv.Error as err:
        return SourceError(filename, row + 1, None, Message(NOT_VALID_CSV, error=err))
    finally:
        if isinstance(source, io.TextIOWrapper):
            source.detach()
    return SourceError(filename, None, None, Message(NOT_VALID_CSV, error=exc))
