"""GitHub Copilot client: seat assignments and daily metrics of one organisation.

* ``GET /orgs/{org}/copilot/billing/seats`` (``page``/``per_page``, Link-header pagination): the
  pages go, as returned, into one ``github_copilot_seats`` document (a JSON list of pages). Seats are
  the current assignments, not a period: every pull reads them all.
* Copilot usage metrics reports, one day at a time: ``GET /orgs/{org}/copilot/metrics/reports/users-1-day?day=``
  and ``.../user-teams-1-day?day=`` answer ``{"download_links": [...], "report_day": ...}``; each link (signed,
  on another host, fetched without the token) is an NDJSON file. The files of all days and links go back to
  back into one ``github_copilot_usage_reports`` document (per-user days, and user-teams rows for the teams).
  Teams are optional (GitHub leaves out teams under 5 seats): a refused user-teams report leaves the users.
  A day without a report yet (HTTP 404) is left out; the next pulls, which re-read the last days, fetch it.
* Only where the reports API is absent (HTTP 404 on every day asked: an older server), the closed-down
  ``GET /orgs/{org}/copilot/metrics`` with ``since``/``until``: its day objects go into one
  ``github_copilot_metrics`` document. When the metrics are refused or gone (the "Copilot usage metrics"
  policy is off), the seats are still loaded (PartialPull).

Headers: ``Authorization: Bearer <token>``, ``Accept: application/vnd.github+json``,
``X-GitHub-Api-Version: 2022-11-28``.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from apps.core.messages import Message

from ._http import Access, Client, Document, PartialPull, PullError, dump

LABEL = "GitHub"
DEFAULT_BASE_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
SEATS_SOURCE_KEY = "github_copilot_seats"
METRICS_SOURCE_KEY = "github_copilot_metrics"
REPORTS_SOURCE_KEY = "github_copilot_usage_reports"
GONE_OR_REFUSED = (403, 404, 410, 422)
PER_PAGE = 100  # the API's maximum


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """Seats (all current ones) and metrics for start_day..end_day (inclusive), as up to two documents;
    a document is left out when it would be empty (no seats, or no metrics days)."""
    org = access.github_org.strip()
    if not org:
        raise PullError(Message("GitHub: the credential names no organisation"))
    client = Client(
        LABEL,
        access.base_url or DEFAULT_BASE_URL,
        {
            "Authorization": f"Bearer {access.secret}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        },
        access.secret,
        not_found_hint=Message(
            ": check the organisation name '{org}', that it has Copilot Business or Enterprise and "
            "that the token may read it",
            org=org,
        ),
    )
    base = f"/orgs/{quote(org, safe='')}/copilot"
    documents = []

    seat_pages = client.link_pages(f"{base}/billing/seats", [("per_page", PER_PAGE), ("page", 1)])
    for page in seat_pages:
        if not isinstance(page, dict) or not isinstance(page.get("seats"), list):
            raise PullError(Message("GitHub answered the seats list with an unexpected shape (no 'seats' list)"))
    if any(page["seats"] for page in seat_pages):
        documents.append(
            Document(SEATS_SOURCE_KEY, f"github-copilot-seats_{org}_{end_day:%Y-%m-%d}.json", dump(seat_pages))
        )

    try:
        document = _metrics(client, base, org, start_day, end_day)
    except PullError as exc:
        # GitHub retires metrics endpoints and gates them behind a policy: the seats still count.
        if exc.status in GONE_OR_REFUSED and documents:
            # The refusal's own message (a Message when it is one) stays a value, translated with the sentence.
            reason = exc.args[0] if len(exc.args) == 1 else str(exc)
            raise PartialPull(
                Message("seats pulled, but not the Copilot metrics: {error}", error=reason), documents
            ) from None
        raise
    return documents + ([document] if document else [])


def _metrics(client: Client, base: str, org: str, start_day: date, end_day: date) -> Document | None:
    """The usage metrics reports of the days; the old metrics endpoint where the reports API is absent."""
    try:
        content = _reports(client, base, start_day, end_day)
    except _NoReportsApi:
        return _old_metrics(client, base, org, start_day, end_day)
    if not content:
        return None
    name = f"github-copilot-usage-reports_{org}_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}.ndjson"
    return Document(REPORTS_SOURCE_KEY, name, content)


class _NoReportsApi(Exception):
    """The server has no usage metrics reports API (404 on every day asked)."""


def _reports(client: Client, base: str, start_day: date, end_day: date) -> bytes:
    """The NDJSON files of every day's per-user and user-teams reports, back to back, each ending with a newline.
    A day GitHub has no report for yet (404: not processed, or before the reports began) is left out; 404 on
    every day means the server has no reports API."""
    parts: list[bytes] = []
    days = [start_day + timedelta(days=n) for n in range((end_day - start_day).days + 1)]
    missing = 0
    for day in days:
        try:
            parts += _report_files(client, f"{base}/metrics/reports/users-1-day", day)
        except PullError as exc:
            if exc.status != 404:
                raise
            missing += 1
            continue
        try:
            parts += _report_files(client, f"{base}/metrics/reports/user-teams-1-day", day)
        except PullError as exc:
            if exc.status not in GONE_OR_REFUSED:
                raise  # teams are optional: without them the users are still attributed to people
    if missing == len(days):
        raise _NoReportsApi
    return b"".join(p if p.endswith(b"\n") else p + b"\n" for p in parts if p.strip())


def _report_files(client: Client, path: str, day: date) -> list[bytes]:
    """The files behind one report's download links for `day`."""
    answer, _ = client.get_json(path, [("day", f"{day:%Y-%m-%d}")])
    links = answer.get("download_links") if isinstance(answer, dict) else None
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        raise PullError(
            Message("GitHub answered {path} with an unexpected shape (no 'download_links' list)", path=path)
        )
    return [client.download(link) for link in links]


def _old_metrics(client: Client, base: str, org: str, start_day: date, end_day: date) -> Document | None:
    """The closed-down ``/copilot/metrics`` endpoint, paged, as one list of days."""
    metric_pages = client.link_pages(
        f"{base}/metrics",
        [
            ("since", f"{start_day:%Y-%m-%d}T00:00:00Z"),
            ("until", f"{end_day:%Y-%m-%d}T23:59:59Z"),
            ("per_page", PER_PAGE),
            ("page", 1),
        ],
    )
    days = []
    for page in metric_pages:
        if not isinstance(page, list):
            raise PullError(
                Message("GitHub answered the Copilot metrics with an unexpected shape (not a list of days)")
            )
        days += page
    if not days:
        return None
    name = f"github-copilot-metrics_{org}_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}.json"
    return Document(METRICS_SOURCE_KEY, name, dump(days))
