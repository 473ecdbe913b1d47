"""Anthropic Admin API client for the Claude Code usage report, one UTC day per request.

``GET /v1/organizations/usage_report/claude_code`` with an admin key (``x-api-key``) and
``anthropic-version: 2023-06-01``; ``starting_at`` is a UTC date (``YYYY-MM-DD``) and returns that day only,
``limit`` up to 1,000 records a page, cursor pagination (``page=<next_page>`` while ``has_more``). The pages of
all days go, as returned, into one ``anthropic_claude_code`` document (a JSON list of pages).

Pulled by a credential of its own (vendor ``claude_code``, the same Admin API key), not by every Anthropic
credential: the messages usage report counts the tokens of Claude Code used through an API key too, so pulling
both by default would count those twice. Subscription seats (``customer_type`` ``subscription``) are only here.
"""

from __future__ import annotations

from datetime import date, timedelta

from ._http import Access, Document
from ._report import pages_document
from .anthropic import DEFAULT_BASE_URL, client

__all__ = ["DEFAULT_BASE_URL", "fetch"]  # the vendor registry reads the API root of each client module

PATH = "/v1/organizations/usage_report/claude_code"
SOURCE_KEY = "anthropic_claude_code"
PAGE_SIZE = 1000  # the API's largest page


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """The Claude Code report of the UTC days start_day..end_day (inclusive) as one anthropic_claude_code
    document; no document when no day has a record."""
    api = client(access)
    pages: list[dict] = []
    day = start_day
    while day <= end_day:
        pages += api.cursor_pages(PATH, [("starting_at", f"{day:%Y-%m-%d}"), ("limit", PAGE_SIZE)])
        day += timedelta(days=1)
    if not any(page["data"] for page in pages):
        return []
    return pages_document(SOURCE_KEY, "anthropic-claude-code", start_day, end_day, pages)
