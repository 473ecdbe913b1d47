"""Anthropic Admin API client: the messages usage report by day, model, workspace and API key.

``GET /v1/organizations/usage_report/messages`` with an admin key (``x-api-key``) and
``anthropic-version: 2023-06-01``; ``starting_at`` inclusive and ``ending_at`` exclusive as RFC 3339
timestamps, ``bucket_width=1d``, ``group_by[]`` repeated, cursor pagination (``page=<next_page>``
while ``has_more``). The pages go, as returned, into one ``anthropic_usage`` document.
:func:`fetch_report` asks any of the Admin API's daily reports (the cost report too).
"""

from __future__ import annotations

from datetime import date, timedelta

from ._http import Access, Client, Document
from ._report import DailyReport
from ._report import fetch_report as _fetch

LABEL = "Anthropic"
DEFAULT_BASE_URL = "https://api.anthropic.com"
PATH = "/v1/organizations/usage_report/messages"
SOURCE_KEY = "anthropic_usage"
API_VERSION = "2023-06-01"
# The usage frame keeps model, project (workspace) and API key; other dimensions would only be summed away.
GROUP_BY = ("model", "workspace_id", "api_key_id")
MAX_DAYS_PER_PAGE = 31  # the API's limit for daily buckets


def client(access: Access) -> Client:
    """A client for the Admin API with the admin key and the API version every report asks for."""
    return Client(
        LABEL,
        access.base_url or DEFAULT_BASE_URL,
        {"x-api-key": access.secret, "anthropic-version": API_VERSION},
        access.secret,
    )


def fetch_report(access: Access, report: DailyReport, start_day: date, end_day: date) -> list[Document]:
    """One of the Admin API's daily reports for the UTC days start_day..end_day (inclusive)."""
    period = [
        ("starting_at", f"{start_day:%Y-%m-%d}T00:00:00Z"),
        ("ending_at", f"{end_day + timedelta(days=1):%Y-%m-%d}T00:00:00Z"),
    ]
    return _fetch(client(access), report, period=period, group_param="group_by[]", start_day=start_day, end_day=end_day)


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Messages usage for the UTC days start_day..end_day (inclusive) as one anthropic_usage document;
    no document when the period has no usage at all."""
    report = DailyReport(PATH, SOURCE_KEY, "anthropic-usage-messages", GROUP_BY, MAX_DAYS_PER_PAGE)
    return fetch_report(access, report, start_day, end_day)
