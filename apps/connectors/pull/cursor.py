"""Cursor Admin API client: the team's usage events, by page, for a period of UTC days.

Follows cursor.com/docs/account/teams/admin-api: ``https://api.cursor.com``, the Admin API key as the username of
HTTP Basic authentication with an empty password (``Authorization: Basic base64("<key>:")``), JSON bodies POSTed.
``POST /teams/filtered-usage-events`` takes ``startDate`` and ``endDate`` in epoch milliseconds (both bounds
inclusive, so a window ends on its last day's final millisecond), ``page`` (1-indexed) and ``pageSize`` (at most
1,000), and answers ``pagination.hasNextPage``. The periods go in windows of at most 30 days (the limit the page
gives its daily usage endpoint), the pages, as returned, into one ``cursor_admin`` document (a JSON list of pages).

The daily usage endpoint is the other reading of the same requests (``cursor_daily``): a credential pulls one.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from apps.core.messages import Message

from ._http import MAX_PAGES, Access, Client, Document, PullError
from ._report import pages_document

LABEL = "Cursor"
DEFAULT_BASE_URL = "https://api.cursor.com"
PATH = "/teams/filtered-usage-events"
SOURCE_KEY = "cursor_admin"
PAGE_SIZE = 1000  # the endpoint's largest page
WINDOW_DAYS = 30


def client(access: Access) -> Client:
    """A client for the Admin API with the key as the Basic-auth username."""
    token = base64.b64encode(f"{access.secret}:".encode()).decode()
    return Client(LABEL, access.base_url or DEFAULT_BASE_URL, {"Authorization": f"Basic {token}"}, access.secret)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def windows(start_day: date, end_day: date) -> list[tuple[int, int]]:
    """(startDate, endDate) in epoch ms of windows of at most WINDOW_DAYS UTC days, bounds inclusive."""
    out = []
    day = start_day
    while day <= end_day:
        last = min(end_day, day + timedelta(days=WINDOW_DAYS - 1))
        first_ms = _ms(datetime.combine(day, time.min, tzinfo=UTC))
        out.append((first_ms, _ms(datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)) - 1))
        day = last + timedelta(days=1)
    return out


def numbered_pages(api: Client, path: str, body: dict, items: str, more: Callable[[dict], bool]) -> list[dict]:
    """All pages of a page-numbered list: ``page`` 1, 2, ... while `more(page)` says there is a next one."""
    pages: list[dict] = []
    while True:
        page = api.post_json(path, {**body, "page": len(pages) + 1, "pageSize": PAGE_SIZE})
        if not isinstance(page, dict) or not isinstance(page.get(items), list):
            raise PullError(
                Message(
                    "{vendor} answered {path} with an unexpected shape (no '{items}' list)",
                    vendor=api.vendor,
                    path=path,
                    items=items,
                )
            )
        pages.append(page)
        if not more(page):
            return pages
        if len(pages) >= MAX_PAGES:
            raise PullError(
                Message(
                    "{vendor}: more than {pages} pages of {path}; pull fewer days",
                    vendor=api.vendor,
                    pages=MAX_PAGES,
                    path=path,
                )
            )


def has_next_page(page: dict) -> bool:
    """Whether a page's ``pagination`` says another page follows (an answer without one is the only page)."""
    pagination = page.get("pagination")
    return isinstance(pagination, dict) and pagination.get("hasNextPage") is True


def windowed_pages(
    access: Access, start_day: date, end_day: date, *, path: str, items: str, source_key: str, stem: str
) -> list[Document]:
    """The pages of `path` for the UTC days start_day..end_day (inclusive), window by window, as one document of
    `source_key`; no document when no page has an entry in its `items` list."""
    api = client(access)
    pages: list[dict] = []
    for first, last in windows(start_day, end_day):
        pages += numbered_pages(api, path, {"startDate": first, "endDate": last}, items, has_next_page)
    if not any(page[items] for page in pages):
        return []
    return pages_document(source_key, stem, start_day, end_day, pages)


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """The usage events of the UTC days start_day..end_day (inclusive) as one cursor_admin document; no document
    when the period has no event."""
    return windowed_pages(
        access, start_day, end_day, path=PATH, items="usageEvents", source_key=SOURCE_KEY, stem="cursor-usage-events"
    )
