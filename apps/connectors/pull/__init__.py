"""Pulling usage from vendor APIs: one client module per API, one small interface.

``fetch(vendor, access, start_day, end_day) -> list[Document]`` returns documents in exactly the
shape the matching source parser reads (``Document.source_key``); :mod:`.service` then loads them
through the same ingestion as an upload (stored file, SHA-256, run, records upserted by natural key).
The client modules import no Django.
"""

from __future__ import annotations

from datetime import date
from types import ModuleType

from . import anthropic, github_copilot, openai
from ._http import Access, Document, PartialPull, PullError

__all__ = ["VENDORS", "Access", "Document", "PartialPull", "PullError", "default_base_url", "fetch"]

# Keys are VendorCredential.vendor values.
VENDORS: dict[str, ModuleType] = {"openai": openai, "anthropic": anthropic, "github": github_copilot}


def default_base_url(vendor: str) -> str:
    """The vendor's public API root, used when a credential sets no base URL."""
    return VENDORS[vendor].DEFAULT_BASE_URL


def fetch(vendor: str, access: Access, start_day: date, end_day: date) -> list[Document]:
    """Pull the UTC days start_day..end_day (inclusive) from `vendor`'s API; PullError on failure,
    PartialPull (carrying the documents that were read) when only part of it failed."""
    if vendor not in VENDORS:
        raise PullError(f"unknown vendor {vendor!r}; known: {', '.join(sorted(VENDORS))}")
    if end_day < start_day:
        raise PullError(f"the period ends ({end_day}) before it starts ({start_day})")
    return VENDORS[vendor].fetch(access, start_day, end_day)
