"""Pulling usage from vendor APIs: one client module per API, one small interface.

``fetch(vendor, access, start_day, end_day) -> list[Document]`` returns documents in exactly the
shape the matching source parser reads (``Document.source_key``); :mod:`.service` then loads them
through the same ingestion as an upload (stored file, SHA-256, run, records upserted by natural key).
The client modules import no Django.
"""

from __future__ import annotations

from datetime import date
from types import ModuleType

from . import (
    anthropic,
    anthropic_claude_code,
    anthropic_costs,
    aws_bedrock_logs,
    cursor,
    cursor_daily,
    github_copilot,
    openai,
    openai_costs,
)
from ._http import Access, Document, PartialPull, PullError

__all__ = [
    "COST_CLIENTS",
    "VENDORS",
    "Access",
    "Document",
    "PartialPull",
    "PullError",
    "default_base_url",
    "fetch",
    "fetch_costs",
]

# Keys are VendorCredential.vendor values.
VENDORS: dict[str, ModuleType] = {
    "openai": openai,
    "anthropic": anthropic,
    "github": github_copilot,
    # Two readings of the same Cursor requests (events with tokens, or daily counts): a credential pulls one.
    "cursor": cursor,
    "cursor_daily": cursor_daily,
    # A credential of its own (the same Admin API key as "anthropic"): only who asks for it pulls it, since the
    # messages report of an Anthropic credential already counts Claude Code used through API keys.
    "claude_code": anthropic_claude_code,
    "aws_bedrock": aws_bedrock_logs,
}
# The vendors' bills (the reconciliation's sources), read with the same credential as their usage.
COST_CLIENTS: dict[str, ModuleType] = {"openai": openai_costs, "anthropic": anthropic_costs}


def default_base_url(vendor: str, region: str = "") -> str:
    """The vendor's public API root, used when a credential sets no base URL (AWS's depends on the region)."""
    return VENDORS[vendor].DEFAULT_BASE_URL.format(region=region or "<region>")


def fetch(vendor: str, access: Access, start_day: date, end_day: date) -> list[Document]:
    """Pull the UTC days start_day..end_day (inclusive) from `vendor`'s API; PullError on failure,
    PartialPull (carrying the documents that were read) when only part of it failed."""
    if vendor not in VENDORS:
        raise PullError(f"unknown vendor {vendor!r}; known: {', '.join(sorted(VENDORS))}")
    if end_day < start_day:
        raise PullError(f"the period ends ({end_day}) before it starts ({start_day})")
    return VENDORS[vendor].fetch(access, start_day, end_day)


def fetch_costs(vendor: str, access: Access, start_day: date, end_day: date) -> list[Document]:
    """Pull what `vendor` billed for the UTC days start_day..end_day (inclusive); PullError on failure."""
    if vendor not in COST_CLIENTS:
        raise PullError(f"no cost endpoint for vendor {vendor!r}; known: {', '.join(sorted(COST_CLIENTS))}")
    if end_day < start_day:
        raise PullError(f"the period ends ({end_day}) before it starts ({start_day})")
    return COST_CLIENTS[vendor].fetch(access, start_day, end_day)
