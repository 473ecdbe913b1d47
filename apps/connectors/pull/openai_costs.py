"""OpenAI organisation Costs API client: what OpenAI billed, by day, line item and project.

``GET /v1/organization/costs`` with an admin key (``Authorization: Bearer``), ``start_time`` inclusive and
``end_time`` exclusive in unix seconds, ``bucket_width=1d`` (the only width), ``group_by`` repeated
(``line_item``, ``project_id``), ``limit`` up to 180 buckets, and cursor pagination (``page=<next_page>``
while ``has_more``). The pages go, as returned, into one ``openai_costs`` document (a JSON list of pages).
"""

from __future__ import annotations

from datetime import date, timedelta

from ._http import Access, Client, Document, dump
from .openai import DEFAULT_BASE_URL, LABEL, _unix

PATH = "/v1/organization/costs"
SOURCE_KEY = "openai_costs"
GROUP_BY = ("line_item", "project_id")
MAX_DAYS_PER_PAGE = 180  # the API's limit of buckets per page


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Costs for the UTC days start_day..end_day (inclusive) as one openai_costs document; no document when
    nothing was billed in the period."""
    client = Client(
        LABEL, access.base_url or DEFAULT_BASE_URL, {"Authorization": f"Bearer {access.secret}"}, access.secret
    )
    days = (end_day - start_day).days + 1
    params = [
        ("start_time", _unix(start_day)),
        ("end_time", _unix(end_day + timedelta(days=1))),
        ("bucket_width", "1d"),
        ("limit", min(days, MAX_DAYS_PER_PAGE)),
        *[("group_by", dimension) for dimension in GROUP_BY],
    ]
    pages = client.cursor_pages(PATH, params)
    if not any(bucket.get("results") for page in pages for bucket in page["data"] if isinstance(bucket, dict)):
        return []
    name = f"openai-costs_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}.json"
    return [Document(SOURCE_KEY, name, dump(pages))]
