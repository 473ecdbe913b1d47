"""Anthropic Admin API cost report client: what Anthropic billed, by day, description and workspace.

``GET /v1/organizations/cost_report`` with an admin key (``x-api-key``) and ``anthropic-version: 2023-06-01``;
``starting_at`` inclusive and ``ending_at`` exclusive as RFC 3339 timestamps, ``bucket_width=1d`` (the only
width), ``group_by[]`` repeated (``workspace_id``, ``description``: the model and token type of each line),
cursor pagination (``page=<next_page>`` while ``has_more``). The pages go, as returned, into one
``anthropic_cost_report`` document. Amounts stay as the API sends them: decimal strings in cents.
"""

from __future__ import annotations

from datetime import date, timedelta

from ._http import Access, Client, Document, dump
from .anthropic import API_VERSION, DEFAULT_BASE_URL, LABEL

PATH = "/v1/organizations/cost_report"
SOURCE_KEY = "anthropic_cost_report"
GROUP_BY = ("workspace_id", "description")
MAX_DAYS_PER_PAGE = 31  # daily buckets per page


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """The cost report for the UTC days start_day..end_day (inclusive) as one anthropic_cost_report document;
    no document when nothing was billed in the period."""
    client = Client(
        LABEL,
        access.base_url or DEFAULT_BASE_URL,
        {"x-api-key": access.secret, "anthropic-version": API_VERSION},
        access.secret,
    )
    days = (end_day - start_day).days + 1
    params = [
        ("starting_at", f"{start_day:%Y-%m-%d}T00:00:00Z"),
        ("ending_at", f"{end_day + timedelta(days=1):%Y-%m-%d}T00:00:00Z"),
        ("bucket_width", "1d"),
        ("limit", min(days, MAX_DAYS_PER_PAGE)),
        *[("group_by[]", dimension) for dimension in GROUP_BY],
    ]
    pages = client.cursor_pages(PATH, params)
    if not any(bucket.get("results") for page in pages for bucket in page["data"] if isinstance(bucket, dict)):
        return []
    name = f"anthropic-cost-report_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}.json"
    return [Document(SOURCE_KEY, name, dump(pages))]
