"""What every JSON reader refuses besides malformed text (issue 19): a key given twice in one object and a number
that is not finite.

RFC 8259 (section 4) says the names within an object SHOULD be unique and that readers given duplicates disagree
on which value counts; a usage file holding one (an ``input_tokens`` twice) cannot be read as its author meant,
so it is refused, naming the object's path and the key, rather than the last value silently winning. JSON has
no NaN or Infinity (section 6), and a number beyond a double's range (``1e400``) would be read as infinity and
reach every total and export, so both are refused too.

ijson builds objects in C: :class:`JsonObject` is the mapping it is given, which notes a repeated key (raising
inside the C builder would leave it in a bad state) for the reader to check after each value, and
:func:`first_duplicate` then finds where it is from the parser's events. :func:`strict_loads` is ``json.loads``
with the same refusals, for the readers that use it.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from apps.core.messages import Message

_STATE = threading.local()
# What is refused, in the messages: a Message each, so a page can translate it.
_WHAT = {"the file": Message("the file"), "the body": Message("the body")}


def _what(what: str) -> Message | str:
    return _WHAT.get(what, what)


class JsonObject(dict):
    """A JSON object as the incremental reader builds it: a dict that notes a key set twice in the list the
    reader handed to :func:`watch` while it builds (the last value is kept; the reader refuses the file). Outside
    a build it is a plain dict: a later write of a key is only a write."""

    __slots__ = ()

    def __setitem__(self, key: str, value: Any, _set: Any = dict.__setitem__) -> None:
        if key in self:
            repeated = getattr(_STATE, "repeated", None)
            if repeated is not None:
                repeated.append(key)
        _set(self, key, value)


def watch(repeated: list[str] | None) -> None:
    """Note the keys that JsonObjects see twice, in this thread, in `repeated` (set before each step of a parse,
    so two parses interleaved in one thread each get their own; None after it, so that what the caller then
    writes into the values is not taken for the file's)."""
    _STATE.repeated = repeated


def duplicate_message(key: str, what: str = "the file") -> Message:
    """What a key given twice is refused with (`what`: the file, the body)."""
    return Message(
        "the key '{key}' is given twice in one object; JSON readers disagree on which value counts (RFC 8259, "
        "section 4), so {what} is refused rather than one of them read",
        key=key,
        what=_what(what),
    )


def not_finite_message(word: str, what: str = "the file") -> Message:
    """What a NaN or Infinity in the text is refused with."""
    return Message(
        "{word} is not a finite number, and JSON has none (RFC 8259, section 6), so {what} is refused",
        word=word,
        what=_what(what),
    )


def out_of_range_message(text: str, what: str = "the file") -> Message:
    """What a number beyond a double's range is refused with."""
    return Message(
        "the number {number} is out of range (a double holds at most about 1.8e308; it would be read as infinity), "
        "so {what} is refused",
        number=text,
        what=_what(what),
    )


def first_duplicate(events: Iterable[tuple[str, str, Any]], *, several: bool) -> tuple[str, str] | None:
    """``(path of the object, key)`` of the first key given twice in one object, from ijson's parse events of
    the file, paths written as the readers write them (``[0].data[1].results[0]``); None when there is none.
    `several`: the top-level values are numbered ``[i]`` when there is more than one (JSON lines, pages)."""
    stack: list[list[Any]] = []  # ['map', keys seen, current key] or ['array', current index]
    top = -1
    found: tuple[str, str] | None = None
    for _, event, value in events:
        if not stack and event not in ("end_map", "end_array"):
            top += 1
            if found is not None:  # a second top-level value: the first one's paths are numbered
                return f"[0]{'.' if found[0] and found[0][0] != '[' else ''}{found[0]}", found[1]
        if event == "map_key":
            frame = stack[-1]
            if value in frame[1] and found is None:
                path = _path(stack[:-1])
                if not several or top > 0:
                    return (f"[{top}]" + ("." if path and path[0] != "[" else "") + path if several else path), value
                found = (path, value)
            frame[1].add(value)
            frame[2] = value
            continue
        if stack and stack[-1][0] == "array" and event != "end_array" and event != "end_map":
            stack[-1][1] += 1  # a new item of the array, scalar or container
        if event == "start_map":
            stack.append(["map", set(), None])
        elif event == "start_array":
            stack.append(["array", -1])
        elif event in ("end_map", "end_array"):
            stack.pop()
    return found


def _path(frames: list[list[Any]]) -> str:
    parts: list[str] = []
    for frame in frames:
        if frame[0] == "array":
            parts.append(f"[{frame[1]}]")
        else:
            parts.append(("." if parts else "") + str(frame[2]))
    return "".join(parts)


def finite_floats(value: Any, path: str, refuse: Any) -> Any:
    """`value` with its Decimals (the exact reading of numbers yajl could not hold) as floats, in place; a number
    beyond a double's range is handed to ``refuse(row, column, text)`` (row the path of its object or the item's
    path, column its key or None), which raises."""
    if type(value) is Decimal:
        number = float(value)
        if not math.isfinite(number):
            refuse(path, None, str(value))
        return number
    items = value.items() if isinstance(value, dict) else enumerate(value) if type(value) is list else ()
    for key, item in items:
        step = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
        if type(item) is Decimal:
            number = float(item)
            if not math.isfinite(number):
                refuse(*((step, None) if isinstance(key, int) else (path, key)), str(item))
            value[key] = number
        elif isinstance(item, dict | list):
            finite_floats(item, step, refuse)
    return value


class StrictJsonError(ValueError):
    """A key given twice, or a number that is not finite, in a text read by :func:`strict_loads`."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.key = key


def _pairs(pairs: list[tuple[str, Any]], what: str) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise StrictJsonError(duplicate_message(key, what), key)
            seen.add(key)
    return obj


def _constant(word: str, what: str) -> float:
    raise StrictJsonError(not_finite_message(word, what))


def _float(text: str, what: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise StrictJsonError(out_of_range_message(text, what))
    return number


_HOOKS = {
    what: {
        "object_pairs_hook": functools.partial(_pairs, what=what),
        "parse_constant": functools.partial(_constant, what=what),
        "parse_float": functools.partial(_float, what=what),
    }
    for what in ("the file", "the body")
}


def strict_loads(text: str | bytes, what: str = "the file") -> Any:
    """``json.loads`` refusing a key given twice in an object, NaN and Infinity, and numbers beyond a double's
    range (StrictJsonError, a ValueError, saying which; `what` is 'the file' or 'the body')."""
    return json.loads(text, **_HOOKS[what])
