"""What a source module is: the attributes and functions the registry, the ingestion and the pages use.

A source is a module, not a class: each module under this package satisfies :class:`Source` (checked for every
registered one by tests/connectors/test_source_conformance.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class Source(Protocol):
    """A vendor format: its key, its name in messages, the field names that give it away, and its parser."""

    KEY: str  # the key the CLI, API and UI use ("openai_usage")
    LABEL: str  # a human name for messages ("OpenAI usage API pages")
    SIGNATURE: tuple[str, ...]  # field names typical of the format, for detection and "this looks like X"

    def parse(self, stream: BinaryIO, filename: str) -> pd.DataFrame:
        """The whole file as a conformed usage frame, summed over its natural key, counters in ``attrs``."""
        ...


@runtime_checkable
class ChunkedSource(Source, Protocol):
    """A source that can also yield the file as several conformed frames, so memory stays flat."""

    def iter_chunks(self, stream: BinaryIO, filename: str, chunk_rows: int = ...) -> Iterator[pd.DataFrame]:
        """Conformed frames of at most about `chunk_rows` records each; a key may repeat across chunks."""
        ...


@runtime_checkable
class SeatSource(Source, Protocol):
    """A seat source: also one row per seat or user, with last-activity data, for the cost app."""

    def parse_seats(self, stream: BinaryIO, filename: str) -> pd.DataFrame:
        """One row per seat or user."""
        ...
