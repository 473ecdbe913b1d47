"""OpenAI organisation Costs API client: what OpenAI billed, by day, line item and project.

``GET /v1/organization/costs`` with an admin key (``Authorization: Bearer``), ``start_time`` inclusive and
``end_time`` exclusive in unix seconds, ``bucket_width=1d`` (the only width), ``group_by`` repeated
(``line_item``, ``project_id``), ``limit`` up to 180 buckets, and cursor pagination (``page=<next_page>``
while ``has_more``), asked as the usage is (:func:`.openai.fetch_report`). The pages go, as returned, into one
``openai_costs`` document (a JSON list of pages).
"""

from __future__ import annotations

from datetime import date

from ._http import Access, Document
from ._report import DailyReport
from .openai import fetch_report

PATH = "/v1/organization/costs"
SOURCE_KEY = "openai_costs"
GROUP_BY = ("line_item", "project_id")
MAX_DAYS_PER_PAGE = 180  # the API's limit of buckets per page


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Costs for the UTC days start_day..end_day (inclusive) as one openai_costs document; no document when
    nothing was billed in the period."""
    report = DailyReport(PATH, SOURCE_KEY, "openai-costs", GROUP_BY, MAX_DAYS_PER_PAGE)
    return fetch_report(access, report, start_day, end_day)
