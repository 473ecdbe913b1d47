"""The HTTP plumbing shared by the vendor clients: timeouts, bounded retries on rate limits and
transient failures, cursor and Link-header pagination, and error messages that are safe to show.

No Django here: the clients take an :class:`Access` and return :class:`Document` values, so they can
be tested against a local server without a database.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

log = logging.getLogger(__name__)

# (connect, read) seconds: a usage page is small, a vendor that does not answer within this is down.
TIMEOUT = (10, 60)
# Attempts per request, counting the first; waits between them are bounded by MAX_WAIT_SECONDS.
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 2.0
MAX_WAIT_SECONDS = 60.0
# A safety stop against a server that keeps saying "more" (a year of daily buckets is ~12 pages).
MAX_PAGES = 500
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "ai-footprint-ledger-pull/1"


class PullError(Exception):
    """A pull that could not be completed. The message is meant for the credential page and never
    contains the secret; `status` is the HTTP status that caused it, when there was one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class PartialPull(PullError):
    """Part of a pull failed but `documents` were read and are worth loading (e.g. GitHub seats when
    the metrics endpoint is unavailable)."""

    def __init__(self, message: str, documents: list[Document]):
        super().__init__(message)
        self.documents = documents


@dataclass(frozen=True)
class Access:
    """What a client needs to call a vendor: the secret, the API root, (GitHub) the organisation and (AWS) the
    region and log group."""

    secret: str
    base_url: str = ""
    github_org: str = ""
    aws_region: str = ""
    log_group: str = ""

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return (
            f"Access(base_url={self.base_url!r}, github_org={self.github_org!r}, aws_region={self.aws_region!r}, "
            f"log_group={self.log_group!r}, secret=***)"
        )


@dataclass(frozen=True)
class Document:
    """One pulled document, in the shape the source parser `source_key` reads."""

    source_key: str
    filename: str
    content: bytes


def _sleep(seconds: float) -> None:
    """Wait between attempts (a function of its own so tests can record waits instead of sleeping)."""
    time.sleep(seconds)


def dump(value: Any) -> bytes:
    """JSON bytes of pulled pages; compact and stable so identical answers hash identically."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Client:
    """GETs JSON from one vendor API with the credential's headers, retrying what is worth retrying."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        headers: dict[str, str],
        secret: str,
        *,
        not_found_hint: str = "",
        session: requests.Session | None = None,
    ):
        self.vendor = vendor
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = {"User-Agent": USER_AGENT, **headers}
        self.secret = secret
        self.not_found_hint = not_found_hint
        self.session = session or requests.Session()
        # A server-chosen "next" URL must stay on the configured host, or the secret would follow it.
        root = urlsplit(self.base_url)
        self._origin = (root.scheme, root.netloc)
        if root.scheme not in ("http", "https") or not root.netloc:
            raise PullError(f"{vendor}: the API base URL {base_url!r} is not an http(s) URL")

    def url(self, path: str) -> str:
        """The absolute URL of an API path under the base URL (which may itself carry a prefix)."""
        return urljoin(self.base_url, path.lstrip("/"))

    def get(self, url: str, params: list[tuple[str, Any]] | None = None) -> requests.Response:
        """GET `url` (absolute or an API path); retries 429/5xx and network errors a bounded number of
        times, honouring Retry-After; raises PullError with a clear message otherwise."""
        url = url if urlsplit(url).scheme else self.url(url)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise PullError(f"{self.vendor}: refusing to follow a link to another host ({parts.netloc})")
        return self._attempts(url, params, self.headers)

    def download(self, url: str) -> bytes:
        """The body of a signed download link (GitHub's report files, on another host): fetched without the
        credential's headers, since the link's signature is its authorisation and the secret must not leave
        for another host. https only, unless the API itself is plain http (the local test server)."""
        parts = urlsplit(url)
        allowed = ("https", "http") if self._origin[0] == "http" else ("https",)
        if parts.scheme not in allowed or not parts.netloc:
            raise PullError(f"{self.vendor}: a download link is not an {'/'.join(allowed)} URL")
        return self._attempts(url, None, {"User-Agent": USER_AGENT}).content

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        """POST `body` as JSON to an API path (Cursor's Admin API asks its reports so) with the same bounded
        retries as a GET, and decode the JSON answer; PullError otherwise."""
        return self._json(self._attempts(self.url(path), None, self.headers, body=body))

    def _attempts(
        self, url: str, params: list[tuple[str, Any]] | None, headers: dict[str, str], body: Any = None
    ) -> requests.Response:
        """GET (POST when there is a JSON `body`) with the bounded retries; the messages name the path only (a
        signed link's query is a secret)."""
        parts = urlsplit(url)
        where = parts.path
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                if body is None:
                    response = self.session.get(
                        url, params=params, headers=headers, timeout=TIMEOUT, allow_redirects=False
                    )
                else:
                    response = self.session.post(
                        url, json=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
                    )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == MAX_ATTEMPTS:
                    raise PullError(
                        f"could not reach {self.vendor} at {parts.netloc} after {attempt} attempts "
                        f"({type(exc).__name__})"
                    ) from None
                self._wait(BACKOFF_SECONDS * 2 ** (attempt - 1), attempt, "network error")
                continue
            if response.status_code == 200:
                return response
            wait = self._rate_limit_wait(response)
            if wait is not None or response.status_code in RETRY_STATUSES:
                if attempt == MAX_ATTEMPTS:
                    raise PullError(
                        f"{self.vendor} still answered HTTP {response.status_code} for {where} after "
                        f"{attempt} attempts{self._detail(response)}; try again later"
                    )
                if wait is not None and wait > MAX_WAIT_SECONDS:
                    raise PullError(
                        f"{self.vendor} rate-limited the pull and asked to wait {int(wait)} s, longer "
                        f"than the {int(MAX_WAIT_SECONDS)} s this pull waits; try again later"
                    )
                self._wait(
                    wait if wait is not None else BACKOFF_SECONDS * 2 ** (attempt - 1),
                    attempt,
                    f"HTTP {response.status_code}",
                )
                continue
            raise self._refusal(response, where)
        raise AssertionError("unreachable")  # the loop returns or raises

    def get_json(self, url: str, params: list[tuple[str, Any]] | None = None) -> tuple[Any, requests.Response]:
        """GET and decode JSON; PullError when the answer is not JSON."""
        response = self.get(url, params)
        return self._json(response), response

    def _json(self, response: requests.Response) -> Any:
        """The decoded JSON answer; PullError when it is not JSON (a wrong base URL answers a web page)."""
        try:
            return response.json()
        except ValueError:
            raise PullError(
                f"{self.vendor} answered {urlsplit(response.url).path} with something that is not "
                "JSON; check the API base URL"
            ) from None

    def cursor_pages(self, path: str, params: list[tuple[str, Any]]) -> list[dict]:
        """All pages of a cursor-paginated list (OpenAI, Anthropic): `page=<next_page>` while `has_more`."""
        pages: list[dict] = []
        seen: set[str] = set()
        cursor = None
        while True:
            page, _ = self.get_json(path, params + ([("page", cursor)] if cursor else []))
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise PullError(f"{self.vendor} answered {path} with an unexpected shape (no 'data' list)")
            pages.append(page)
            if not page.get("has_more"):
                return pages
            cursor = page.get("next_page")
            if not cursor or cursor in seen:
                raise PullError(f"{self.vendor} said there are more pages of {path} but gave no new next_page")
            seen.add(cursor)
            if len(pages) >= MAX_PAGES:
                raise PullError(f"{self.vendor}: more than {MAX_PAGES} pages of {path}; pull fewer days")

    def link_pages(self, path: str, params: list[tuple[str, Any]]) -> list[Any]:
        """All pages of a Link-header-paginated list (GitHub): follow rel="next" until there is none."""
        pages: list[Any] = []
        url, query = self.url(path), params
        seen: set[str] = set()
        while True:
            page, response = self.get_json(url, query)
            pages.append(page)
            nxt = response.links.get("next", {}).get("url")
            if not nxt:
                return pages
            if nxt in seen:
                raise PullError(f"{self.vendor}: the next-page link of {path} loops")
            seen.add(nxt)
            if len(pages) >= MAX_PAGES:
                raise PullError(f"{self.vendor}: more than {MAX_PAGES} pages of {path}")
            url, query = nxt, None  # the link carries the whole query

    def _wait(self, seconds: float, attempt: int, why: str) -> None:
        seconds = max(0.0, min(seconds, MAX_WAIT_SECONDS))
        log.warning("%s: %s, attempt %d of %d; waiting %.1f s", self.vendor, why, attempt, MAX_ATTEMPTS, seconds)
        _sleep(seconds)

    @staticmethod
    def _rate_limit_wait(response: requests.Response) -> float | None:
        """Seconds the server asks us to wait, when this answer is a rate limit; None otherwise."""
        status = response.status_code
        if status not in (403, 429):
            return None
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                try:
                    when = parsedate_to_datetime(retry_after)
                except (TypeError, ValueError):
                    return BACKOFF_SECONDS if status == 429 else None
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
        # GitHub's primary rate limit: 403 or 429 with no quota left, and the epoch second it resets.
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = response.headers.get("X-RateLimit-Reset", "")
            if reset.isdigit():
                return max(0.0, int(reset) - time.time())
            return BACKOFF_SECONDS
        return BACKOFF_SECONDS if status == 429 else None

    def _refusal(self, response: requests.Response, where: str) -> PullError:
        status, detail = response.status_code, self._detail(response)
        if status == 401:
            message = f"credential refused by {self.vendor} (HTTP 401): check the key{detail}"
        elif status == 403:
            message = (
                f"{self.vendor} refused access to {where} (HTTP 403): the credential lacks the "
                f"permission for this report{detail}"
            )
        elif status == 404:
            message = f"{self.vendor} has no {where} (HTTP 404){self.not_found_hint}{detail}"
        elif 300 <= status < 400:
            message = f"{self.vendor} redirected {where} (HTTP {status}); check the API base URL"
        else:
            message = f"{self.vendor} answered HTTP {status} for {where}{detail}"
        return PullError(message, status)

    def _detail(self, response: requests.Response) -> str:
        """The vendor's own error message, short, with the secret scrubbed should it be echoed."""
        try:
            body = response.json()
        except ValueError:
            return ""
        message = ""
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, dict):
                message = str(error.get("message") or "")
            elif isinstance(error, str):
                message = error
            message = message or str(body.get("message") or "")
        if not message:
            return ""
        if self.secret:
            message = message.replace(self.secret, "***")
        return f": {message[:200]}"
