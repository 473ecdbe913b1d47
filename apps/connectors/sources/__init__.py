"""Source parsers: one module per vendor format, each turning a file into the normalised usage frame.

The interface every source module exposes (no Django anywhere in this package):

* ``KEY`` – the key the CLI, API and UI use (``openai_usage``, ...).
* ``LABEL`` – a human name for messages ("OpenAI usage API pages").
* ``SIGNATURE`` – normalised field names typical of the format, used by :func:`detect` to say
  "this looks like X, not Y" when the wrong source is chosen.
* ``parse(stream, filename) -> DataFrame`` – the whole file as a conformed usage frame
  (:func:`apps.footprint.usage_frame.conform`), rows already summed over the frame's natural key.
  ``frame.attrs`` carries counters: ``rows_read`` (records in the file), ``rows_skipped`` (records
  that are not AI usage, e.g. non-AI meters in a cloud bill) and, where relevant, a reason.
* optionally ``iter_chunks(stream, filename, chunk_rows=...)`` – the same, yielded as several
  conformed frames so memory stays flat on big files. **The same natural key can appear in more
  than one chunk**: a consumer must sum them (:func:`combine` does) rather than let a later chunk
  replace an earlier one. ``parse`` is ``combine(iter_chunks(...))`` for these modules.
* seat sources also expose ``parse_seats(stream, filename) -> DataFrame`` (one row per seat/user,
  with last-activity data the usage frame has no column for) for the cost app.

Every bad input raises :class:`SourceError` naming the file, the row (CSV: header = row 1) or JSON
path, the column, and what was expected. The stream is a binary file object; size limits are the
ingestion layer's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import BinaryIO

import pandas as pd

from apps.connectors.sources import (
    anthropic_usage,
    azure_openai_cost,
    codecarbon_emissions,
    gcp_billing_export,
    generic_csv,
    github_copilot_metrics,
    github_copilot_seats,
    litellm_spend_logs,
    m365_copilot_usage,
    openai_usage,
)
from apps.connectors.sources._common import (
    DEFAULT_CHUNK_ROWS,
    SourceError,
    combine,
    json_fields,
    looks_like_json,
    norm,
    peek,
    read_layout,
    seekable,
)

__all__ = ["SOURCES", "SourceError", "combine", "detect", "detect_fields", "get_source", "iter_source_chunks"]

SOURCES: dict[str, ModuleType] = {
    m.KEY: m
    for m in (
        openai_usage,
        anthropic_usage,
        azure_openai_cost,
        gcp_billing_export,
        github_copilot_seats,
        github_copilot_metrics,
        m365_copilot_usage,
        litellm_spend_logs,
        codecarbon_emissions,
        generic_csv,
    )
}


def get_source(key: str) -> ModuleType:
    """The parser module for `key`; KeyError listing the known keys otherwise."""
    try:
        return SOURCES[key]
    except KeyError:
        raise KeyError(f"unknown source {key!r}; known sources: {', '.join(sorted(SOURCES))}") from None


def iter_source_chunks(
    key: str, stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Chunks from the source's ``iter_chunks`` when it has one, else its whole ``parse`` as one chunk."""
    module = get_source(key)
    if hasattr(module, "iter_chunks"):
        yield from module.iter_chunks(stream, filename, chunk_rows=chunk_rows)
    else:
        yield module.parse(stream, filename)


def detect_fields(fields: set[str], threshold: float = 0.5) -> list[tuple[str, float]]:
    """Sources whose signature matches these normalised field names, best first, as (key, score)
    with score the share of the signature present (only those >= `threshold`)."""
    scores = []
    for key, module in SOURCES.items():
        signature = {norm(f) for f in module.SIGNATURE}
        score = len(signature & fields) / len(signature)
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
            import json

            from apps.connectors.sources._common import first_text

            text = first_text(peek(stream, 1 << 20))
            try:
                value = json.JSONDecoder().raw_decode(text.lstrip())[0]
            except ValueError:
                # Cut off by the 1 MiB window or JSON lines: take the keys found in the first line.
                try:
                    value = json.loads(text.lstrip().split("\n", 1)[0])
                except ValueError:
                    value = None
            fields = json_fields(value)
        else:
            try:
                fields = {norm(h) for h in read_layout(stream, filename).header}
            except SourceError:
                fields = set()
    finally:
        stream.seek(start)
    return detect_fields(fields)
