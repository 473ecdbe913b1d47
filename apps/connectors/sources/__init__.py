"""Source parsers: one module per vendor format, each turning a file into the normalised usage frame.

The interface every source module exposes, as :class:`base.Source` states it (no Django anywhere in this package):

* ``KEY`` – the key the CLI, API and UI use (``openai_usage``, ...).
* ``LABEL`` – a human name for messages ("OpenAI usage API pages").
* ``SIGNATURE`` – normalised field names typical of the format, used by :func:`detect` to say
  "this looks like X, not Y" when the wrong source is chosen.
* ``parse(stream, filename) -> DataFrame`` – the whole file as a conformed usage frame
  (:func:`apps.footprint.usage_frame.conform`), rows already summed over the frame's natural key.
  ``frame.attrs`` carries counters: ``rows_read`` (records in the file), ``rows_skipped`` (records
  left out, e.g. non-AI meters in a cloud bill) and ``skipped``, those counted by reason
  (``{code: count}``, the codes of :class:`skips.SkipReason`; build the attrs with :func:`skips.counted`).
* optionally ``SIGNATURES`` – several signatures, for a source that reads more than one layout (the Azure
  classic and FOCUS exports); detection scores the best of them.
* optionally ``iter_chunks(stream, filename, chunk_rows=...)`` – the same, yielded as several
  conformed frames so memory stays flat on big files. **The same natural key can appear in more
  than one chunk**: a consumer must sum them (:func:`combine` does) rather than let a later chunk
  replace an earlier one. ``parse`` is ``combine(iter_chunks(...))`` for these modules.
* seat sources also expose ``parse_seats(stream, filename) -> DataFrame`` (one row per seat/user,
  with last-activity data the usage frame has no column for) for the cost app.

Every bad input raises :class:`SourceError` naming the file, the row (CSV: header = row 1) or JSON
path, the column, and what was expected. The stream is a binary file object; size limits are the
ingestion layer's job.

The shared plumbing, one job per module: ``errors`` (SourceError), ``bounds`` (largest amount, plausible days),
``names`` (how names compare), ``sniff`` (first bytes: encoding, JSON or CSV, empty/compressed/binary, header
line), ``detect`` (which source a file looks like, the "looks like X" hints), ``columns`` (fields and their
aliases matched to a header), ``dates`` (text to usage days), ``chunk`` (records as strings with checked
converters), ``csv_reader`` (Arrow's chunked CSV read), ``json_reader`` (JSON value by value, on ijson),
``json_models`` (the field types of the pydantic models of JSON rows, their errors as SourceErrors),
``json_values`` (the other JSON checks), ``json_pages`` (a vendor API's pages and their entry
lists), ``skips`` (the reasons a row is left out, counted), ``frames``
(rows to the conformed, summed usage frame), ``base`` (the protocols).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pandas as pd

from apps.connectors.sources import (
    anthropic_claude_code,
    anthropic_cost_report,
    anthropic_usage,
    aws_bedrock_invocations,
    aws_cur_bedrock,
    azure_openai_cost,
    chatgpt_enterprise_analytics,
    codecarbon_emissions,
    cursor_admin,
    cursor_daily_usage,
    gcp_billing_export,
    generic_csv,
    github_copilot_metrics,
    github_copilot_seats,
    github_copilot_usage_reports,
    litellm_spend_logs,
    m365_copilot_usage,
    openai_costs,
    openai_usage,
    otel_genai,
)
from apps.connectors.sources.base import ChunkedSource, SeatSource, Source
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS
from apps.connectors.sources.detect import detect, detect_fields, register
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import GROUP_COLUMNS, aggregate, combine

__all__ = [
    "GROUP_COLUMNS",
    "SOURCES",
    "ChunkedSource",
    "SeatSource",
    "Source",
    "SourceError",
    "aggregate",
    "combine",
    "detect",
    "detect_fields",
    "get_source",
    "iter_source_chunks",
]

SOURCES: dict[str, Source] = {
    m.KEY: m
    for m in (
        openai_usage,
        anthropic_usage,
        azure_openai_cost,
        gcp_billing_export,
        github_copilot_seats,
        github_copilot_metrics,
        github_copilot_usage_reports,
        m365_copilot_usage,
        litellm_spend_logs,
        codecarbon_emissions,
        generic_csv,
        openai_costs,
        anthropic_cost_report,
        aws_bedrock_invocations,
        anthropic_claude_code,
        otel_genai,
        aws_cur_bedrock,
        cursor_admin,
        cursor_daily_usage,
        chatgpt_enterprise_analytics,
    )
}
register(SOURCES.values())  # detection and the "looks like X" hints know every source from here on


def get_source(key: str) -> Source:
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
    if isinstance(module, ChunkedSource):
        yield from module.iter_chunks(stream, filename, chunk_rows=chunk_rows)
    else:
        yield module.parse(stream, filename)
