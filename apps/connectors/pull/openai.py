"""OpenAI organisation Usage API client: completions usage by day, model, project, user and API key.

``GET /v1/organization/usage/completions`` with an admin key (``Authorization: Bearer``),
``start_time`` inclusive and ``end_time`` exclusive in unix seconds, ``bucket_width=1d``,
``group_by`` repeated for each dimension, and cursor pagination (``page=<next_page>`` while
``has_more``). The pages go, as returned, into one ``openai_usage`` document (a JSON list of pages).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ._http import Access, Client, Document, dump

LABEL = "OpenAI"
DEFAULT_BASE_URL = "https://api.openai.com"
PATH = "/v1/organization/usage/completions"
SOURCE_KEY = "openai_usage"
GROUP_BY = ("model", "project_id", "user_id", "api_key_id")
MAX_DAYS_PER_PAGE = 31  # the API's limit for daily buckets


def _unix(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp())


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Completions usage for the UTC days start_day..end_day (inclusive) as one openai_usage document;
    no document when the period has no usage at all."""
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
    # Empty days come back as buckets without results: a file of those would be refused as empty.
    if not any(
        bucket.get("results") or bucket.get("result")
        for page in pages
        for bucket in page["data"]
        if isinstance(bucket, dict)
    ):
        return []
    name = f"openai-usage-completions_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}.json"
    return [Document(SOURCE_KEY, name, dump(pages))]
