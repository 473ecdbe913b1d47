"""Cursor Admin API client: the team's daily usage data (one record per member per day), for a period of UTC days.

Follows cursor.com/docs/account/teams/admin-api, "Get Daily Usage Data": ``POST /teams/daily-usage-data`` with
``startDate`` and ``endDate`` in epoch milliseconds, at most 30 days a request, and ``page``/``pageSize``, which
make the answer list every member of the period (inactive ones with ``isActive`` false) with
``pagination.hasNextPage``. Authentication and windows as :mod:`.cursor`. The pages go, as returned, into one
``cursor_daily_usage`` document (a JSON list of pages).

The usage events are the other reading of the same requests (vendor ``cursor``): a credential pulls one.
"""

from __future__ import annotations

from datetime import date

from ._http import Access, Document
from .cursor import DEFAULT_BASE_URL, windowed_pages

__all__ = ["DEFAULT_BASE_URL", "fetch"]

PATH = "/teams/daily-usage-data"
SOURCE_KEY = "cursor_daily_usage"


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """The daily usage of the UTC days start_day..end_day (inclusive) as one cursor_daily_usage document; no
    document when the period has no record."""
    return windowed_pages(
        access, start_day, end_day, path=PATH, items="data", source_key=SOURCE_KEY, stem="cursor-daily-usage"
    )
