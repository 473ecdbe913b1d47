"""JSON files read value by value with ijson (its C backend, yajl2_c, when installed): a top-level array streamed
item by item, JSON lines or pages one after another. Errors give the position as ``character N (line L)``, say
when a file looks truncated, and name the value (``[i]``) they are in."""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, utf8_error
from apps.connectors.sources.json_scan import StructureScan
from apps.connectors.sources.json_strict import (
    JsonObject,
    duplicate_message,
    finite_floats,
    first_duplicate,
    not_finite_message,
    out_of_range_message,
    watch,
)
from apps.connectors.sources.names import norm
from apps.connectors.sources.sniff import (
    check_not_empty,
    encoding_of,
    first_text,
    header_line,
    layout_of,
    looks_like_json,
    peek,
    seekable,
)
from apps.core.messages import Message

try:
    _BACKEND = ijson.get_backend("yajl2_c")
except ImportError:  # no compiled backend on this platform: ijson's own choice, slower but the same events
    _BACKEND = ijson

READ_BYTES = 1 << 20  # read and decoded at a time ('near character N' of a bad byte is this block's start)
FEED_CHARS = 64 * 1024  # handed to yajl at a time: it runs about twice as fast on pieces this size as on 1 MiB
# Python reads at most 4,300 digits into an int, and yajl2_c crashes the process (SIGSEGV) on a longer integer,
# so such a number is refused before the parser sees its end.
_MAX_DIGITS = 4300
_LONG_DIGITS = re.compile(rf"(?<!\d)\d{{{_MAX_DIGITS + 1},}}")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_ZEROS = b"0" * (_MAX_DIGITS + 1)
_NUMBER_START = frozenset("-0123456789")
_NOT_FINITE = re.compile(r"-?(?:NaN|Infinity)(?![A-Za-z0-9_])")
_NUMBER_BEFORE = frozenset("[:, \t\r\n-")  # characters that may precede an integer token (not inside a string)

# yajl's messages in the words Python's json module uses, which the error messages have always given (Messages:
# a page translates them).
_MESSAGES = {
    "invalid char in json text.": Message("Expecting value"),
    "unallowed token at this point in JSON text": Message("Expecting value"),
    "invalid string in json text.": Message("Expecting value"),
    "malformed number, a digit is required after the minus sign.": Message("Expecting value"),
    "malformed number, a digit is required after the decimal point.": Message("Expecting ',' delimiter"),
    "malformed number, a digit is required after the exponent.": Message("Expecting ',' delimiter"),
    "object key and value must be separated by a colon (':')": Message("Expecting ':' delimiter"),
    "after array element, I expect ',' or ']'": Message("Expecting ',' delimiter"),
    "after key and value, inside map, I expect ',' or '}'": Message("Expecting ',' delimiter"),
    "invalid object key (must be a string)": Message("Expecting property name enclosed in double quotes"),
    "invalid character inside string.": Message("Invalid control character at"),
    "inside a string, '\\' occurs before a character which it may not.": Message("Invalid \\escape"),
    "invalid (non-hex) character occurs after '\\u' inside string.": Message("Invalid \\uXXXX escape"),
}


class _Feed(StructureScan):
    """The file as UTF-8 bytes for ijson, read in blocks: decodes it (UTF-8 with or without BOM, UTF-16 with
    BOM), counts characters and lines so errors can say where they are, and refuses an integer too long to
    read before the parser reaches its end."""

    def __init__(self, stream: BinaryIO, filename: str, encoding: str, read_size: int):
        self.stream = stream
        self.start = stream.tell()
        self.filename = filename
        self.encoding = encoding
        self.utf8 = encoding == "utf-8"
        self.decoder = codecs.getincrementaldecoder("utf-8-sig" if self.utf8 else encoding)()
        self.read_size = read_size
        self.chars = 0  # characters before the last block
        self.lines = 0  # newlines before the last block
        self.text = ""  # the last block read, decoded
        self.piece = 0  # where in it the piece last handed to yajl starts
        self.fed = 0  # how much of it has been handed to yajl
        self.limit = 0  # how much of it may be
        self.digits = ""  # a run of digits at the end of the text so far, possibly continued by the next block
        self.before_digits = "\n"  # the character before that run (the start of the file counts as a blank)
        self.path = ""  # the value being read, for the messages
        self.too_long: Message | str = ""  # the position of an integer too long to read, refused at the next reads
        self.blank_fed = False
        self.start_scan()

    def read(self, size: int = -1) -> bytes:
        """The next piece of text as UTF-8 (ijson calls read(0) first to learn the type)."""
        if size == 0:
            return b""
        if self.too_long and self.fed >= self.limit and not self.blank_fed:
            # ijson builds the values of a piece while it reads the next one: a blank (harmless before the
            # number) lets it give the values before the long number, so the path names the one that holds it.
            self.blank_fed = True
            return b" "
        if self.too_long and self.fed >= self.limit:
            path = self.path or Message("the document")
            raise SourceError(
                self.filename,
                None,
                None,
                Message("the number at {where} in {path} has too many digits", where=self.too_long, path=path),
            )
        if self.fed >= self.limit and not self._next_block():
            return b""  # the last text stays, for the messages about the end of the file
        if self.fed >= self.limit:
            return self.read()  # an integer too long to read starts the block
        self.piece = self.fed
        self.fed = min(self.fed + FEED_CHARS, self.limit)
        return self.text[self.piece : self.fed].encode("utf-8")

    def _next_block(self) -> bool:
        """Read and decode the next block; False at the end of the file."""
        data = self.stream.read(self.read_size)
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            # Character offset is that of the block (characters so far); enough to find the spot.
            message = utf8_error(self.filename, None, exc).message
            where = self.chars + len(self.text)
            near = Message("near character {where}: {message}", where=where, message=message)
            raise SourceError(self.filename, None, None, near) from exc
        if not data:
            if self._too_long("", final=True) is not None:
                self.read()  # raises
            return False
        self.chars += len(self.text)
        self.lines += self.text.count("\n")
        self.text = text
        self.piece = self.fed = 0
        self._check_depth(text)
        cut = self._too_long(text, final=False)
        if cut is not None and text[cut - 1 : cut] == "-":
            cut -= 1  # its sign too: a blank after it would be a malformed number
        self.limit = len(text) if cut is None else max(cut, 0)  # up to a long integer: yajl never reaches its end
        return True

    def where(self, offset: int) -> Message:
        """``character N (line L)`` for the character at `offset` in the last text block (negative: in the
        run of digits that ends the block before, which holds no newline)."""
        line = self.lines + (self.text.count("\n", 0, offset) if offset > 0 else 0) + 1
        return Message("character {char} (line {line})", char=self.chars + offset, line=line)

    def end(self) -> Message:
        """The position of the end of the file."""
        return self.where(len(self.text))

    def _too_long(self, text: str, *, final: bool) -> int | None:
        """Where in `text` an integer too long to read starts (negative: in the block before), its position kept
        for the next read; None when there is none. Also keeps the run of digits that ends `text`."""
        joined = self.digits + text
        # A scan in C for a run of that many digits first; the regex (slow) only where there is one.
        if _ZEROS in joined.encode("utf-8").translate(_DIGITS_AS_ZERO):
            for match in _LONG_DIGITS.finditer(joined):
                if match.end() == len(joined) and not final:
                    break  # may yet turn out to be a float's: decided with the next block
                before = joined[match.start() - 1] if match.start() else self.before_digits
                after = joined[match.end() : match.end() + 1]
                if before in _NUMBER_BEFORE and after not in (".", "e", "E"):
                    start = match.start() - len(self.digits)
                    self.too_long = self.where(start + (len(self.text) if not text else 0))
                    return start
        rest = joined.rstrip("0123456789")
        if len(rest) < len(joined):
            self.before_digits = rest[-1:] or self.before_digits
        self.digits = joined[len(rest) :]
        return None

    def error_offset(self, exc: Exception) -> int:
        """Where in the last text block yajl stopped (in the piece last handed to it), from the snippet its
        message shows: it puts the character it stopped at in column 40 of the second line, after 10 spaces and
        30 characters (or fewer characters and more spaces near the start of the piece)."""
        lines = str(exc).split("\n")
        shown = lines[1] if len(lines) > 1 else ""
        block = self.text[self.piece : self.fed].encode("utf-8")
        flat = block.translate(bytes.maketrans(b"\n\r", b"  ")).decode("utf-8", errors="replace")
        offset = None
        for candidate in range(min(30, len(flat) + 1)):
            pad = 40 - candidate
            if shown == " " * pad + flat[: len(shown) - pad]:
                offset = candidate
                break
        if offset is None:
            found = flat.find(shown[10:]) if len(shown) > 10 else -1
            offset = found + 30 if found >= 0 else len(flat)
        return self.piece + len(block[:offset].decode("utf-8", errors="ignore"))

    def at_end(self, offset: int) -> bool:
        """True when only blanks follow the character before `offset` in the file: a value cut off there is
        a truncated file rather than a broken one."""
        if self.text[offset:].strip():
            return False
        pos = self.stream.tell()
        rest = self.stream.read(1)
        self.stream.seek(pos)
        return not rest


def _yajl_text(exc: Exception) -> str:
    """yajl's own words for the problem ('premature EOF', 'trailing garbage', ...)."""
    first = str(exc).split("\n", 1)[0]
    return first.split(": ", 1)[1] if ": " in first else first


def _refuse_not_json(stream: BinaryIO, filename: str, source_key: str) -> None:
    try:
        fields = {norm(h) for h in layout_of(*header_line(stream, filename)).header}
    except SourceError:
        fields = set()
    raise SourceError(
        filename,
        None,
        None,
        Message(
            "expected a JSON file but the file is not JSON (it looks like CSV or text).{hint}",
            hint=wrong_source_hint(fields, source_key),
        ),
    )


def iter_json_values(
    stream: BinaryIO,
    filename: str,
    *,
    stream_array: bool = True,
    read_size: int = READ_BYTES,
    source_key: str = "",
) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, value)`` for the top-level JSON values of a file, reading it incrementally.

    A top-level array is streamed item by item (paths ``[0]``, ``[1]``, ...) when `stream_array`;
    several top-level values (JSON lines, or pages written one after another as ``gh api --paginate``
    does) are yielded in turn with paths ``[i]``; a single value gets the path ''. A file that stops in
    the middle of a value raises SourceError saying it looks truncated, with the position. Values are what
    ``json.loads`` gives (numbers with a fraction or exponent as floats)."""
    stream = seekable(stream)
    head = check_not_empty(stream, filename)
    if not looks_like_json(stream):
        _refuse_not_json(stream, filename, source_key)
    encoding = encoding_of(head)
    array = stream_array and first_text(peek(stream, 4096)).lstrip().startswith("[")
    start = stream.tell()
    values = _values(_Feed(stream, filename, encoding, read_size), array=array, exact=False)
    done = 0
    try:
        for path, value in _numbered(values, array):
            yield path, value
            done += 1
    except _Overflow:
        # yajl's fast number reading stops at an integer beyond 64 bits or a float beyond a double: read again
        # with every number as text (slower), past the values already given.
        stream.seek(start)
        values = _values(_Feed(stream, filename, encoding, read_size), array=array, exact=True)
        for n, (path, value) in enumerate(_numbered(values, array)):
            if n >= done:
                yield path, finite_floats(value, path, functools.partial(_out_of_range, filename))


def _out_of_range(filename: str, row: str, column: str | None, text: str) -> None:
    raise SourceError(filename, row, column, out_of_range_message(text))


class _Overflow(Exception):
    """A number yajl cannot read as a C integer or double."""


def _numbered(values: Iterator[Any], array: bool) -> Iterator[tuple[str, Any]]:
    """Paths for the values: ``[i]`` for array items and for several top-level values, '' for a single one."""
    if array:
        yield from ((f"[{i}]", value) for i, value in enumerate(values))
        return
    first = next(values, _NOTHING)
    if first is _NOTHING:
        return
    second = next(values, _NOTHING)
    if second is _NOTHING:
        yield "", first
        return
    yield "[0]", first
    yield "[1]", second
    yield from ((f"[{i}]", value) for i, value in enumerate(values, start=2))


_NOTHING = object()


def _values(feed: _Feed, *, array: bool, exact: bool) -> Iterator[Any]:
    """The items of the top-level array (`array`) or the top-level values, as ijson builds them (objects as
    JsonObjects, refused when one holds a key twice); `exact` reads numbers as text first (Decimal), which the
    caller turns into floats as json.loads gives them."""
    index = 0
    feed.path = "[0]"
    prefix, multiple = ("item", False) if array else ("", True)
    repeated: list[str] = []
    values = _BACKEND.items(
        feed, prefix, map_type=JsonObject, use_float=not exact, multiple_values=multiple, buf_size=FEED_CHARS
    )
    try:
        while True:
            watch(repeated)  # before each step: the objects it builds note a repeated key here
            try:
                value = next(values, _NOTHING)
            finally:
                watch(None)
            if repeated:
                raise _duplicate(feed, repeated[0], array)
            if value is _NOTHING:
                return
            yield value
            index += 1
            feed.path = f"[{index}]"
    except ijson.IncompleteJSONError as exc:
        problem = _yajl_text(exc)
        if problem in ("integer overflow", "numeric (floating point) overflow") and not exact:
            raise _Overflow from exc
        raise _error(feed, problem, exc, index, array) from exc


def _duplicate(feed: _Feed, key: str, array: bool) -> SourceError:
    """The error for a key given twice: the file read again as events (only a file refused) to find the object."""
    feed.stream.seek(feed.start)
    again = _Feed(feed.stream, feed.filename, feed.encoding, feed.read_size)

    def events() -> Iterator[tuple[str, str, Any]]:
        try:
            yield from _BACKEND.parse(again, buf_size=FEED_CHARS, multiple_values=True)
        except (ijson.IncompleteJSONError, SourceError):
            return  # what follows the duplicate cannot be read: the duplicate is still the first problem

    found = first_duplicate(events(), several=not array)
    row, column = found if found else (feed.path, key)
    return SourceError(feed.filename, row, column, duplicate_message(column))


def _error(feed: _Feed, problem: str, exc: Exception, index: int, array: bool) -> SourceError:
    """The SourceError for what yajl refused after `index` complete values."""
    if problem == "premature EOF":
        return _truncated(feed, index, array)
    offset = feed.error_offset(exc)
    if array and problem == "trailing garbage":
        return SourceError(
            feed.filename,
            None,
            None,
            Message("invalid JSON at {where}: extra data after the array", where=feed.where(offset - 1)),
        )
    pos = _position(feed.text, problem, offset)
    if feed.at_end(pos + 1):  # only blanks after what it refused: the file stops there
        return _truncated(feed, index, array)
    message = _MESSAGES.get(problem, problem)
    word = _NOT_FINITE.match(feed.text, pos)
    if word:  # Python's json module would read it as a float: said so, rather than 'Expecting value'
        message = not_finite_message(word.group())
    if array and problem == "after array element, I expect ',' or ']'" and not _inside_item(feed):
        # An item of the top-level array followed by something other than ',' or ']'.
        message = Message("expected ',' or ']' after item [{index}]", index=index - 1)
    return SourceError(
        feed.filename, None, None, Message("invalid JSON at {where}: {message}", where=feed.where(pos), message=message)
    )


def _position(text: str, problem: str, offset: int) -> int:
    """Where Python's json module places a problem that yajl stopped at `offset` for: yajl stops just past the
    character it refuses, but at a control character in a string, and at the token after a key's value."""
    if problem in ("invalid character inside string.", "after key and value, inside map, I expect ',' or '}'"):
        pos = offset
    else:
        pos = max(offset - 1, 0)
    if text[pos : pos + 1].isspace() and problem != "invalid character inside string.":
        # yajl read on past blanks: to a number that starts there, or else back to what it refused.
        pos = offset if text[offset : offset + 1] in _NUMBER_START else len(text[:pos].rstrip()) - 1
    if problem == "invalid string in json text.":  # a word that is not true, false or null: at its start
        pos = len(text[: pos + 1].rstrip("}], \t\r\n").rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    elif text[pos : pos + 1] == '"' and pos > 0:  # a string it refused: at its opening quote
        pos = max(text.rfind('"', 0, pos), 0)
    return pos


def _truncated(feed: _Feed, index: int, array: bool) -> SourceError:
    where: Message | str = Message(" inside [{index}]", index=index)
    if array and not _inside_item(feed):
        where = "" if feed.text.rstrip().endswith(",") else Message(" after item [{index}]", index=index - 1)
    return SourceError(
        feed.filename,
        None,
        None,
        Message("the JSON ends early at {end}{where}; the file looks truncated", end=feed.end(), where=where),
    )


def _inside_item(feed: _Feed) -> bool:
    """Whether an item of the top-level array had begun where yajl stopped (the file read again as events: only
    for a file it refused)."""
    feed.stream.seek(feed.start)
    again = _Feed(feed.stream, feed.filename, feed.encoding, feed.read_size)
    inside = False
    try:
        for prefix, event, _ in _BACKEND.parse(again, buf_size=FEED_CHARS):
            if prefix == "item":
                inside = event in ("start_map", "start_array", "map_key")
    except (ijson.IncompleteJSONError, SourceError):
        pass
    return inside


def load_json(stream: BinaryIO, filename: str, source_key: str = "") -> list[tuple[str, Any]]:
    """All top-level values of a (small) JSON document as ``(path, value)`` pairs; a top-level array
    is one value here (its items are addressed by the caller). When `source_key` is given and the
    document's keys fit another source's signature better, raise a SourceError saying so."""
    values = list(iter_json_values(stream, filename, stream_array=False, source_key=source_key))
    if source_key and values:
        check_source(json_fields(values[0][1]), filename, source_key)
    return values
