"""Anthropic Admin API cost report client: what Anthropic billed, by day, description and workspace.

``GET /v1/organizations/cost_report`` with an admin key (``x-api-key``) and ``anthropic-version: 2023-06-01``;
``starting_at`` inclusive and ``ending_at`` exclusive as RFC 3339 timestamps, ``bucket_width=1d`` (the only
width), ``group_by[]`` repeated (``workspace_id``, ``description``: the model and token type of each line),
cursor pagination (``page=<next_page>`` while ``has_more``), asked as the usage is
(:func:`.anthropic.fetch_report`). The pages go, as returned, into one ``anthropic_cost_report`` document.
Amounts stay as the API sends them: decimal strings in cents.
"""

from __future__ import annotations

from datetime import date

from ._http import Access, Document
from ._report import DailyReport
from .anthropic import fetch_report

PATH = "/v1/organizations/cost_report"
SOURCE_KEY = "anthropic_cost_report"
GROUP_BY = ("workspace_id", "description")
MAX_DAYS_PER_PAGE = 31  # daily buckets per page


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """The cost report for the UTC days start_day..end_day (inclusive) as one anthropic_cost_report document;
    no document when nothing was billed in the period."""
    report = DailyReport(PATH, SOURCE_KEY, "anthropic-cost-report", GROUP_BY, MAX_DAYS_PER_PAGE)
    return fetch_report(access, report, start_day, end_day)
