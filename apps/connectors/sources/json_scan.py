"""Checks of a JSON file's structure made on each block of text before the parser sees it (issue 19): nesting
deeper than MAX_DEPTH and a string longer than MAX_STRING_BYTES are refused from the block that reaches them, so
neither is ever built, parsed or held. Vectorised with numpy over the block's bytes (multi-byte UTF-8 characters
hold no ASCII byte); what a block ends in (the nesting, inside a string or not, its trailing backslashes, the open
string's length so far) is carried to the next."""

from __future__ import annotations

import numpy as np

from apps.connectors.sources.errors import SourceError
from apps.core.messages import Message

# No vendor document nests more than a handful of levels; a deeper one is refused as it is read (ijson would
# build it, and Python's recursion — in validation, in messages — fails or takes the memory of the machine).
MAX_DEPTH = 64
# Nor a string (a key or a value) this long: yajl rescans a string that spans its pieces from its start at every
# piece, so one of 190 MiB took 400 s (a 4 MiB one, 0.25 s), and it is held whole in memory.
MAX_STRING_BYTES = 4 << 20
_DEPTH_STEP = np.zeros(256, dtype=np.int8)
_DEPTH_STEP[[ord("{"), ord("[")]] = 1
_DEPTH_STEP[[ord("}"), ord("]")]] = -1


class StructureScan:
    """The scan's state and checks, mixed into the reader's feed (which gives ``filename`` and ``where``)."""

    filename: str

    def start_scan(self) -> None:
        """The state at the start of a file."""
        self.depth = 0  # nesting of arrays and objects at the end of the text so far
        self.in_string = False  # whether the text so far ends inside a string
        self.backslashes = 0  # backslashes that end the text so far, inside a string
        self.string_bytes = 0  # the length so far of the string the text so far ends in
        self.string_start = ""  # where that string starts

    def _check_depth(self, text: str) -> None:
        """Refuse the file at the first bracket that opens a level beyond MAX_DEPTH, brackets inside strings aside.
        Vectorised over the block's bytes (multi-byte characters hold no ASCII byte); the nesting, whether the block
        ends inside a string and its trailing backslashes are carried to the next block."""
        raw = text.encode("utf-8")
        data = np.frombuffer(raw, dtype=np.uint8)
        quotes = np.flatnonzero(data == 34)
        if len(quotes) and (b"\\" in raw or self.backslashes):
            quotes = quotes[~self._escaped(data, quotes)]
        brackets = np.flatnonzero(_DEPTH_STEP[data])
        start_in_string = int(self.in_string)
        if len(brackets):
            outside = (np.searchsorted(quotes, brackets) + start_in_string) % 2 == 0
            steps = _DEPTH_STEP[data[brackets]].astype(np.int64) * outside
            depths = self.depth + np.cumsum(steps)
            deepest = int(np.argmax(depths))
            if depths[deepest] > MAX_DEPTH:
                at = int(brackets[int(np.argmax(depths > MAX_DEPTH))])
                offset = len(raw[:at].decode("utf-8", errors="ignore"))
                raise SourceError(
                    self.filename,
                    None,
                    None,
                    Message(
                        "the JSON is nested more than {depth} levels deep at {where}; no vendor's "
                        "format nests that deep, so the file is refused",
                        depth=MAX_DEPTH,
                        where=self.where(offset),
                    ),
                )
            self.depth = int(depths[-1])
        self.in_string = bool((len(quotes) + start_in_string) % 2)
        self._check_string(raw, quotes, start_in_string)
        trailing = len(raw) - len(raw.rstrip(b"\\"))
        self.backslashes = (self.backslashes + trailing if trailing == len(raw) else trailing) if self.in_string else 0

    def _check_string(self, raw: bytes, quotes: np.ndarray, start_in_string: int) -> None:
        """Refuse the file when a string runs on past MAX_STRING_BYTES (only one that spans blocks can: a block
        is READ_BYTES); its length so far and where it starts are carried to the next block."""
        if start_in_string and self.string_bytes + (int(quotes[0]) if len(quotes) else len(raw)) > MAX_STRING_BYTES:
            raise self._long_string()
        if not self.in_string:
            self.string_bytes = 0
            return
        if len(quotes):
            opening = int(quotes[-1])
            self.string_bytes = len(raw) - opening - 1
            self.string_start = self.where(len(raw[:opening].decode("utf-8", errors="ignore")))
        else:
            self.string_bytes += len(raw)

    def _long_string(self) -> SourceError:
        return SourceError(
            self.filename,
            None,
            None,
            Message(
                "the string that starts at {where} is longer than {limit} bytes; no vendor's "
                "format holds a value that long, so the file is refused",
                where=self.string_start,
                limit=f"{MAX_STRING_BYTES:,}",
            ),
        )

    def _escaped(self, data: np.ndarray, quotes: np.ndarray) -> np.ndarray:
        """For each quote, whether an odd run of backslashes just before it escapes it."""
        index = np.arange(len(data))
        last_other = np.maximum.accumulate(np.where(data != 92, index, -1))
        before = np.where(quotes > 0, last_other[np.maximum(quotes - 1, 0)], -1)
        runs = quotes - 1 - before
        runs = runs + np.where(before < 0, self.backslashes, 0)  # the run began in the block before
        return runs % 2 == 1
