"""JSON files read value by value: a top-level array streamed item by item, JSON lines or pages one after
another; errors give the position, and a truncated file says so."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, utf8_error
from apps.connectors.sources.names import norm
from apps.connectors.sources.sniff import (
    check_not_empty,
    encoding_of,
    header_line,
    layout_of,
    looks_like_json,
    seekable,
)


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
            fields = {norm(h) for h in layout_of(*header_line(stream, filename)).header}
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
                f"near character {where}: " + str(utf8_error(filename, None, exc).message),
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
