"""Anthropic Admin API client: the messages usage report by day, model, workspace and API key.

``GET /v1/organizations/usage_report/messages`` with an admin key (``x-api-key``) and
``anthropic-version: 2023-06-01``; ``starting_at`` inclusive and ``ending_at`` exclusive as RFC 3339
timestamps, ``bucket_width=1d``, ``group_by[]`` repeated, cursor pagination (``page=<next_page>``
while ``has_more``). The pages go, as returned, into one ``anthropic_usage`` document.
"""

from __future__ import annotations

from datetime import date, timedelta

from ._http import Access, Client, Document, dump

LABEL = "Anthropic"
DEFAULT_BASE_URL = "https://api.anthropic.com"
PATH = "/v1/organizations/usage_report/messages"
SOURCE_KEY = "anthropic_usage"
API_VERSION = "2023-06-01"
# The usage frame keeps model, project (workspace) and API key; other dimensions would only be summed away.
GROUP_BY = ("model", "workspace_id", "api_key_id")
MAX_DAYS_PER_PAGE = 31  # the API's limit for daily buckets


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Messages usage for the UTC days start_day..end_day (inclusive) as one anthropic_usage document;
    no document when the period has no usage at all."""
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
    name = f"anthropic-usage-messages_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}.json"
    return [Document(SOURCE_KEY, name, dump(pages))]
