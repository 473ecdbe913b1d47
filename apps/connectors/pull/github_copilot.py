"""GitHub Copilot client: seat assignments and daily metrics of one organisation.

* ``GET /orgs/{org}/copilot/billing/seats`` (``page``/``per_page``, Link-header pagination): the
  pages go, as returned, into one ``github_copilot_seats`` document (a JSON list of pages). Seats are
  the current assignments, not a period: every pull reads them all.
* ``GET /orgs/{org}/copilot/metrics`` with ``since``/``until`` (ISO 8601): the day objects of all
  pages go into one ``github_copilot_metrics`` document (a JSON list of days). GitHub's docs announce
  this endpoint's retirement in favour of the newer usage-metrics reports, and it needs the "Copilot
  metrics API access" policy: when it is refused or gone, the seats are still loaded (PartialPull).

Headers: ``Authorization: Bearer <token>``, ``Accept: application/vnd.github+json``,
``X-GitHub-Api-Version: 2022-11-28``.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from ._http import Access, Client, Document, PartialPull, PullError, dump

LABEL = "GitHub"
DEFAULT_BASE_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
SEATS_SOURCE_KEY = "github_copilot_seats"
METRICS_SOURCE_KEY = "github_copilot_metrics"
PER_PAGE = 100  # the API's maximum


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Seats (all current ones) and metrics for start_day..end_day (inclusive), as up to two documents;
    a document is left out when it would be empty (no seats, or no metrics days)."""
    org = access.github_org.strip()
    if not org:
        raise PullError("GitHub: the credential names no organisation")
    client = Client(
        LABEL,
        access.base_url or DEFAULT_BASE_URL,
        {
            "Authorization": f"Bearer {access.secret}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        },
        access.secret,
        not_found_hint=f": check the organisation name '{org}', that it has Copilot Business or Enterprise and "
        "that the token may read it",
    )
    base = f"/orgs/{quote(org, safe='')}/copilot"
    documents = []

    seat_pages = client.link_pages(f"{base}/billing/seats", [("per_page", PER_PAGE), ("page", 1)])
    for page in seat_pages:
        if not isinstance(page, dict) or not isinstance(page.get("seats"), list):
            raise PullError("GitHub answered the seats list with an unexpected shape (no 'seats' list)")
    if any(page["seats"] for page in seat_pages):
        documents.append(
            Document(SEATS_SOURCE_KEY, f"github-copilot-seats_{org}_{end_day:%Y-%m-%d}.json", dump(seat_pages))
        )

    try:
        metric_pages = client.link_pages(
            f"{base}/metrics",
            [
                ("since", f"{start_day:%Y-%m-%d}T00:00:00Z"),
                ("until", f"{end_day:%Y-%m-%d}T23:59:59Z"),
                ("per_page", PER_PAGE),
                ("page", 1),
            ],
        )
    except PullError as exc:
        # GitHub retires metrics endpoints and gates them behind a policy: the seats still count.
        if exc.status in (403, 404, 410, 422) and documents:
            raise PartialPull(f"seats pulled, but not the Copilot metrics: {exc}", documents) from None
        raise
    days = []
    for page in metric_pages:
        if not isinstance(page, list):
            raise PullError("GitHub answered the Copilot metrics with an unexpected shape (not a list of days)")
        days += page
    if days:
        name = f"github-copilot-metrics_{org}_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}.json"
        documents.append(Document(METRICS_SOURCE_KEY, name, dump(days)))
    return documents
