"""OpenAI organisation Usage API client: completions usage by day, model, project, user and API key.

``GET /v1/organization/usage/completions`` with an admin key (``Authorization: Bearer``),
``start_time`` inclusive and ``end_time`` exclusive in unix seconds, ``bucket_width=1d``,
``group_by`` repeated for each dimension, and cursor pagination (``page=<next_page>`` while
``has_more``). The pages go, as returned, into one ``openai_usage`` document (a JSON list of pages).
:func:`fetch_report` asks any of the organisation's daily reports (the Costs API too).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ._http import Access, Client, Document
from ._report import DailyReport
from ._report import fetch_report as _fetch

LABEL = "OpenAI"
DEFAULT_BASE_URL = "https://api.openai.com"
PATH = "/v1/organization/usage/completions"
SOURCE_KEY = "openai_usage"
GROUP_BY = ("model", "project_id", "user_id", "api_key_id")
MAX_DAYS_PER_PAGE = 31  # the API's limit for daily buckets


def _unix(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp())


def fetch_report(access: Access, report: DailyReport, start_day: date, end_day: date) -> list[Document]:
    """One of the organisation's daily reports for the UTC days start_day..end_day (inclusive)."""
    client = Client(
        LABEL, access.base_url or DEFAULT_BASE_URL, {"Authorization": f"Bearer {access.secret}"}, access.secret
    )
    period = [("start_time", _unix(start_day)), ("end_time", _unix(end_day + timedelta(days=1)))]
    return _fetch(client, report, period=period, group_param="group_by", start_day=start_day, end_day=end_day)


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Completions usage for the UTC days start_day..end_day (inclusive) as one openai_usage document;
    no document when the period has no usage at all."""
    report = DailyReport(PATH, SOURCE_KEY, "openai-usage-completions", GROUP_BY, MAX_DAYS_PER_PAGE)
    return fetch_report(access, report, start_day, end_day)
