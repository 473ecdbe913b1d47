"""Which source a file looks like, from its CSV header or the keys of its first JSON values, and the hint
"this looks like X, not Y" when the wrong source was chosen.

The registry (the package ``__init__``) registers its sources here once they are imported, so detection never
imports back into the registry."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, BinaryIO

from apps.connectors.sources.base import Source
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.names import norm
from apps.connectors.sources.sniff import first_text, header_line, layout_of, looks_like_json, peek, seekable
from apps.core.messages import Message

_KNOWN: dict[str, Source] = {}


def register(sources: Iterable[Source]) -> None:
    """Make these sources known to detection (the registry calls this once, with all of them)."""
    _KNOWN.update((source.KEY, source) for source in sources)


def detect_fields(fields: set[str], threshold: float = 0.5) -> list[tuple[str, float]]:
    """Sources whose signature matches these normalised field names, best first, as (key, score)
    with score the share of the signature present (only those >= `threshold`)."""
    scores = []
    for key, module in _KNOWN.items():
        # A source reading several layouts (Azure's classic and FOCUS exports) names each one's signature.
        signatures = [{norm(f) for f in sig} for sig in getattr(module, "SIGNATURES", (module.SIGNATURE,))]
        score = max(len(signature & fields) / len(signature) for signature in signatures)
        if score >= threshold:
            scores.append((key, round(score, 2)))
    return sorted(scores, key=lambda kv: -kv[1])


def detect(stream: BinaryIO, filename: str = "") -> list[tuple[str, float]]:
    """Guess which source a file is, from its CSV header or the keys of its first JSON values; the
    stream position is left where it was. Returns (key, score) pairs, best first (may be empty)."""
    stream = seekable(stream)
    start = stream.tell()
    try:
        if looks_like_json(stream):
            fields = json_fields(_first_json_value(first_text(peek(stream, 1 << 20))))
        else:
            try:
                fields = {norm(h) for h in layout_of(*header_line(stream, filename)).header}
            except SourceError:
                fields = set()
    finally:
        stream.seek(start)
    return detect_fields(fields)


def _first_json_value(text: str) -> Any:
    try:
        return json.JSONDecoder().raw_decode(text.lstrip())[0]
    except (ValueError, RecursionError):  # not JSON, or nested too deep to look at
        # Cut off by the 1 MiB window or JSON lines: take the keys found in the first line.
        try:
            return json.loads(text.lstrip().split("\n", 1)[0])
        except (ValueError, RecursionError):  # not JSON, or nested too deep to look at
            return None


def wrong_source_hint(fields: set[str], source_key: str) -> Message | str:
    """' This looks like X (key), not Y.' when another source's signature fits the fields better ('' otherwise);
    a Message, its labels Messages too (they have French entries)."""
    guesses = [k for k, _ in detect_fields(fields) if k != source_key]
    if not guesses:
        return ""
    other = _KNOWN[guesses[0]]
    own = _KNOWN.get(source_key)
    own_label = Message(own.LABEL) if own else source_key
    return Message(
        " This looks like {other} (source '{key}'), not {own}.",
        other=Message(other.LABEL),
        key=other.KEY,
        own=own_label,
    )


def check_source(fields: set[str], filename: str, source_key: str) -> None:
    """Refuse a file whose field names fit another source's signature better than `source_key`'s."""
    scores = dict(detect_fields(fields, threshold=0.0))
    own = scores.get(source_key, 0.0)
    best = max(scores, key=lambda k: scores[k], default=None)
    if best and best != source_key and scores[best] >= 0.5 and scores[best] > own:
        other, mine = _KNOWN[best], _KNOWN[source_key]
        raise SourceError(
            filename,
            None,
            None,
            Message(
                "this looks like {other} (source '{key}'), not {own}; choose the '{key}' source for this file",
                other=Message(other.LABEL),
                key=other.KEY,
                own=Message(mine.LABEL),
            ),
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
