"""What bench/read.py times with: plain HTTP requests (requests), a page that is a task followed until it is
ready, a closed-loop pool of concurrent users, and the resident memory of each gunicorn worker (/proc)."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

import requests

PENDING = {"queued", "pending", "running", "rendering", "signing", "started", "in_progress"}
POLL_SECONDS = 0.2


class Client:
    """A logged-in officer: the session cookie for pages, the API token for the API."""

    def __init__(self, base: str, session_cookies: dict, token: str, timeout: float):
        self.base, self.cookies, self.token, self.timeout = base, session_cookies, token, timeout

    def session(self) -> requests.Session:
        """A session of its own (one per thread: requests' sessions are not shared safely)."""
        session = requests.Session()
        session.cookies.update(self.cookies)
        return session

    def headers(self, api: bool) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if api else {}

    def until_ready(self, session: requests.Session, method: str, path: str, api: bool, data=None) -> tuple[int, int]:
        """The request, and when it answers 202 (a task), its status URL polled until the result is there:
        returns (final HTTP status, bytes of the final answer). Redirects are followed by hand, so that a
        redirect to the login page shows as one (its status is 200 but its URL ends in /login/)."""
        url = urljoin(self.base, path)
        body = {"json": data} if api else {"data": data}  # the API reads JSON bodies only
        response = session.request(
            method, url, headers=self.headers(api), allow_redirects=False, timeout=self.timeout, **body
        )
        downloaded = False
        for _ in range(100_000):
            if response.status_code == 202 and "/exports/" in path:
                url = urljoin(self.base, path)  # an export being rendered: its own URL answers 200 once ready
                time.sleep(POLL_SECONDS)
            elif response.status_code == 202:
                url = _status_url(response, url)
                time.sleep(POLL_SECONDS)
            elif response.status_code in (301, 302, 303, 307) and "/login/" not in response.headers["Location"]:
                url = urljoin(url, response.headers["Location"])
            elif response.status_code == 200 and _pending(response):
                time.sleep(POLL_SECONDS)  # the status of a task still at work: asked again
            elif response.status_code == 200 and _json(response).get("download_url") and not downloaded:
                url, downloaded = urljoin(url, _json(response)["download_url"]), True
            else:
                return response.status_code, len(response.content)
            response = session.get(url, headers=self.headers(api), allow_redirects=False, timeout=self.timeout)
        return response.status_code, len(response.content)


def _json(response) -> dict:
    if "json" not in response.headers.get("Content-Type", ""):
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _pending(response) -> bool:
    """A JSON status answer of a task still at work."""
    return str(_json(response).get("status", "")).lower() in PENDING


def _status_url(response, url: str) -> str:
    body = _json(response)
    target = response.headers.get("Location") or body.get("status_url") or body.get("url") or url
    return urljoin(url, target)


def time_requests(client: Client, method: str, path: str, api: bool, repeat: int, budget_s: float, data=None):
    """Up to `repeat` timed requests one after another (fewer when they pass `budget_s` seconds in all, at
    least one). Returns (seconds of each, statuses, bytes of the last)."""
    session = client.session()
    seconds, statuses, size = [], [], 0
    started = time.perf_counter()
    while len(seconds) < repeat and (not seconds or time.perf_counter() - started < budget_s):
        t = time.perf_counter()
        try:
            status, size = client.until_ready(session, method, path, api, data() if callable(data) else data)
        except requests.RequestException as exc:
            status = type(exc).__name__
        seconds.append(time.perf_counter() - t)
        statuses.append(status)
    return seconds, statuses, size


def concurrent_mix(client: Client, paths: list[tuple[str, bool]], users: int, duration_s: float) -> dict:
    """`users` users, each sending the next request of `paths` as soon as its last one answered (no think
    time), for `duration_s` seconds; requests in flight at the end are waited for and counted."""
    latencies, errors, lock = [], [], threading.Lock()
    stop_at = time.perf_counter() + duration_s

    def user(k: int) -> None:
        session = client.session()
        i = k
        while time.perf_counter() < stop_at:
            path, api = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                response = session.get(
                    urljoin(client.base, path),
                    headers=client.headers(api),
                    allow_redirects=False,
                    timeout=client.timeout,
                )
                ok = response.status_code == 200
                error = None if ok else f"HTTP {response.status_code} {path}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__} {path}"
            with lock:
                latencies.append(time.perf_counter() - t)
                if error:
                    errors.append(error)

    started = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    elapsed = time.perf_counter() - started
    return {
        "users": users,
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank): with 10 values, p95 is the largest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(-(-q * len(ordered) // 100)) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class WorkerMemory:
    """Samples the resident memory of every child of the gunicorn master every 0.25 s in a thread: the largest
    seen while each labelled step ran, and at the end each worker's own high-water mark (VmHWM)."""

    def __init__(self, master_pid: int):
        self.master, self.label, self.peaks, self.hwm = master_pid, None, {}, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def workers(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.master}/task/{self.master}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for pid in self.workers():
                rss, hwm = _status_kib(pid, "VmRSS"), _status_kib(pid, "VmHWM")
                if hwm:
                    self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
                if rss and self.label:
                    self.peaks[self.label] = max(self.peaks.get(self.label, 0), rss)

    def peak_mib(self, label: str) -> float:
        return self.peaks.get(label, 0) / 1024


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith(field + ":")), 0)
    except (OSError, ValueError):
        return 0
