"""What the first bytes of a file say: seekable or not, encoding, JSON or not, empty, compressed or binary, and
the CSV header line with its delimiter."""

from __future__ import annotations

import codecs
import csv
import shutil
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from apps.connectors.sources.errors import SourceError, utf8_error
from apps.core.messages import Message

SNIFF_BYTES = 64 * 1024


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


def peek(stream: BinaryIO, size: int = SNIFF_BYTES) -> bytes:
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
            hint = Message(" (an Excel workbook is a zip too: save the sheet as 'CSV UTF-8')") if kind == "zip" else ""
            raise SourceError(
                filename,
                None,
                None,
                Message(
                    "the file is a {kind} archive (compressed), not a CSV or JSON text file; nothing was "
                    "decompressed. Extract it and upload the file inside{hint}",
                    kind=kind,
                    hint=hint,
                ),
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
                Message(
                    "the file looks like UTF-16 without a byte-order mark (every other byte is NUL); save it as "
                    "UTF-8 ('CSV UTF-8' in Excel), or as UTF-16 with its byte-order mark, and upload it again"
                ),
            )
        raise SourceError(
            filename,
            None,
            None,
            Message(
                "the file holds binary data (a NUL byte at byte {nul}), not a CSV or JSON text file; upload the "
                "usage export itself",
                nul=nul,
            ),
        )
    if not first_text(head).strip():
        raise SourceError(filename, None, None, Message("the file is empty"))
    return head


@dataclass
class CsvLayout:
    """What the start of a CSV file says: encoding, delimiter and header."""

    encoding: str
    delimiter: str
    header: list[str]
    start: int


def header_line(stream: BinaryIO, filename: str) -> tuple[int, str, str]:
    """(start position, encoding, first line) of a text file; SourceError when it is empty, binary or its
    first line is not UTF-8."""
    start = stream.tell()
    head = check_not_empty(stream, filename)
    enc = encoding_of(head)
    if enc == "utf-8":
        line_end = head.find(b"\n")
        raw = head if line_end < 0 else head[:line_end]
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if line_end < 0 and len(head) == SNIFF_BYTES and exc.start >= len(raw) - 3:
                line = raw[: exc.start].decode("utf-8-sig")  # a character cut by the sniff window
            else:
                raise utf8_error(filename, 1, exc) from exc
    else:
        line = head.decode(enc, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    return start, enc, line.rstrip("\r")


def layout_of(start: int, encoding: str, line: str) -> CsvLayout:
    """The layout a header line gives: the delimiter (',', ';' or tab, the most frequent) and the column names."""
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header = [h.strip() for h in next(csv.reader([line], delimiter=delimiter))]
    return CsvLayout(encoding, delimiter, header, start)
