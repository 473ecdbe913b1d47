"""A fake vendor API on 127.0.0.1 for the pull tests: OpenAI usage and costs, Anthropic usage and cost reports,
and GitHub Copilot seats, metrics and usage metrics reports (with their signed download links, served under
/downloads/), in the documented shapes, paginated, checking the auth headers and query
parameters it receives and recording every request. No test reaches the internet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from .local_http import JsonHandler, serving

OPENAI_KEY = "sk-admin-openai-secret-0000-WXYZ"
ANTHROPIC_KEY = "sk-ant-admin01-anthropic-secret-ABCD"
GITHUB_TOKEN = "ghp_github-secret-token-1234"
GITHUB_ORG = "acme"


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class FakeVendor:
    """The state behind the server: data per day, page sizes, forced answers, and what was asked."""

    openai_days: dict[date, list[dict]] = field(default_factory=dict)
    anthropic_days: dict[date, list[dict]] = field(default_factory=dict)
    openai_cost_days: dict[date, list[dict]] = field(default_factory=dict)  # /v1/organization/costs
    anthropic_cost_days: dict[date, list[dict]] = field(default_factory=dict)  # /v1/organizations/cost_report
    claude_code_days: dict[date, list[dict]] = field(default_factory=dict)  # usage_report/claude_code records
    seats: list[dict] = field(default_factory=list)
    metrics_days: list[dict] = field(default_factory=list)
    # Usage metrics reports: None = a server without the reports API (404); else the NDJSON files per day.
    report_users: dict[date, list[bytes]] | None = None
    report_teams: dict[date, list[bytes]] = field(default_factory=dict)
    buckets_per_page: int = 1  # small, so a 3-day pull spans 3 pages
    github_per_page_max: int = 2
    forced: list[tuple[int, dict, dict]] = field(default_factory=list)  # (status, headers, body) served first
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""

    def requests_to(self, suffix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith(suffix)]


def _day(unix: int) -> date:
    return datetime.fromtimestamp(unix, tz=UTC).date()


def _iso_day(value: str) -> date:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def _handler(vendor: FakeVendor):
    class Handler(JsonHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            vendor.seen.append(Seen(parts.path, query, {k.lower(): v for k, v in self.headers.items()}))
            if vendor.forced:
                status, headers, body = vendor.forced.pop(0)
                return self.send_json(status, body, headers)
            try:
                if parts.path == "/v1/organization/usage/completions":
                    return self._openai(query, vendor.openai_days)
                if parts.path == "/v1/organization/costs":
                    return self._openai(query, vendor.openai_cost_days)
                if parts.path == "/v1/organizations/usage_report/messages":
                    return self._anthropic(query, vendor.anthropic_days)
                if parts.path == "/v1/organizations/cost_report":
                    return self._anthropic(query, vendor.anthropic_cost_days)
                if parts.path == "/v1/organizations/usage_report/claude_code":
                    return self._claude_code(query)
                if parts.path == f"/orgs/{GITHUB_ORG}/copilot/billing/seats":
                    return self._github(
                        parts.path, query, vendor.seats, lambda items, n: {"total_seats": n, "seats": items}
                    )
                if parts.path.startswith(f"/orgs/{GITHUB_ORG}/copilot/metrics/reports/"):
                    return self._github_report(parts.path.rsplit("/", 1)[1], query)
                if parts.path.startswith("/downloads/"):
                    return self._download(parts.path, query)
                if parts.path == f"/orgs/{GITHUB_ORG}/copilot/metrics":
                    since, until = _iso_day(query["since"][0]), _iso_day(query["until"][0])
                    days = [d for d in vendor.metrics_days if since <= date.fromisoformat(d["date"]) <= until]
                    return self._github(parts.path, query, days, lambda items, n: items)
            except (KeyError, ValueError) as exc:
                return self.send_json(400, {"error": {"message": f"bad query: {exc!r}"}})
            return self.send_json(404, {"message": "Not Found"})

        def _github_report(self, name, query):
            # {"download_links": [...], "report_day": ...}; each link a signed URL to one NDJSON file.
            if not self._github_headers_ok():
                return self.send_json(401, {"message": "Bad credentials"})
            files = {"users-1-day": vendor.report_users, "user-teams-1-day": vendor.report_teams}.get(name)
            if vendor.report_users is None or files is None:
                return self.send_json(404, {"message": "Not Found"})
            day = date.fromisoformat(query["day"][0])
            if name == "users-1-day" and day not in files:
                return self.send_json(404, {"message": "Not Found"})  # no report for that day (yet)
            # Another host name for the same server: the client must fetch it without the token.
            host = vendor.base_url.replace("127.0.0.1", "localhost")
            links = [
                f"{host}/downloads/{name}/{day}/part-{i}.ndjson?sig=signed-{day}-{i}"
                for i in range(len(files.get(day, [])))
            ]
            return self.send_json(200, {"download_links": links, "report_day": str(day)})

        def _download(self, path, query):
            # Blob storage: the signature authorises; a request carrying an Authorization header is refused.
            if "authorization" in {k.lower() for k in self.headers} or not query.get("sig"):
                return self.send_json(403, {"message": "AuthenticationFailed"})
            _, _, name, day, part = path.split("/")
            files = {"users-1-day": vendor.report_users, "user-teams-1-day": vendor.report_teams}[name]
            data = files[date.fromisoformat(day)][int(part.removeprefix("part-").removesuffix(".ndjson"))]
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _github_headers_ok(self):
            return (
                self.headers.get("Authorization") == f"Bearer {GITHUB_TOKEN}"
                and self.headers.get("Accept") == "application/vnd.github+json"
                and self.headers.get("X-GitHub-Api-Version") == "2022-11-28"
            )

        def _cursor_page(self, buckets, query):
            start = int(query.get("page", ["cur_0"])[0].removeprefix("cur_"))
            end = start + vendor.buckets_per_page
            more = end < len(buckets)
            return {"data": buckets[start:end], "has_more": more, "next_page": f"cur_{end}" if more else None}

        def _openai(self, query, days):
            if self.headers.get("Authorization") != f"Bearer {OPENAI_KEY}":
                return self.send_json(
                    401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}}
                )
            if query["bucket_width"] != ["1d"]:
                raise ValueError("bucket_width")
            first, stop = _day(int(query["start_time"][0])), _day(int(query["end_time"][0]))
            buckets = []
            day = first
            while day < stop:  # end_time is exclusive; empty days still get a bucket, as OpenAI does
                start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
                buckets.append(
                    {
                        "object": "bucket",
                        "start_time": start,
                        "end_time": start + 86400,
                        "results": days.get(day, []),
                    }
                )
                day += timedelta(days=1)
            return self.send_json(200, {"object": "page", **self._cursor_page(buckets, query)})

        def _anthropic(self, query, days):
            if self.headers.get("x-api-key") != ANTHROPIC_KEY:
                return self.send_json(
                    401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
                )
            if self.headers.get("anthropic-version") != "2023-06-01" or query["bucket_width"] != ["1d"]:
                raise ValueError("anthropic-version or bucket_width")
            first, stop = _iso_day(query["starting_at"][0]), _iso_day(query["ending_at"][0])
            buckets = []
            day = first
            while day < stop:
                buckets.append(
                    {
                        "starting_at": f"{day}T00:00:00Z",
                        "ending_at": f"{day + timedelta(days=1)}T00:00:00Z",
                        "results": days.get(day, []),
                    }
                )
                day += timedelta(days=1)
            return self.send_json(200, self._cursor_page(buckets, query))

        def _claude_code(self, query):
            # One UTC day per request (starting_at=YYYY-MM-DD), its records paged by the cursor.
            if self.headers.get("x-api-key") != ANTHROPIC_KEY:
                return self.send_json(
                    401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
                )
            if self.headers.get("anthropic-version") != "2023-06-01":
                raise ValueError("anthropic-version")
            records = vendor.claude_code_days.get(date.fromisoformat(query["starting_at"][0]), [])
            return self.send_json(200, self._cursor_page(records, query))

        def _github(self, path, query, items, shape):
            if not self._github_headers_ok():
                return self.send_json(401, {"message": "Bad credentials"})
            per_page = min(int(query.get("per_page", ["30"])[0]), vendor.github_per_page_max)
            page = int(query.get("page", ["1"])[0])
            last = max(1, -(-len(items) // per_page))
            chunk = items[(page - 1) * per_page : page * per_page]
            links = []
            for rel, number in (("next", page + 1), ("last", last)):
                if rel == "next" and page >= last:
                    continue
                kept = {k: v[0] for k, v in query.items() if k != "page"}
                links.append(f'<{vendor.base_url}{path}?{urlencode({**kept, "page": number})}>; rel="{rel}"')
            return self.send_json(200, shape(chunk, len(items)), {"Link": ", ".join(links)} if links else None)

    return Handler


class FakeVendorServer:
    """Context manager: serve a FakeVendor on 127.0.0.1, on a random free port, in a thread."""

    def __init__(self, vendor: FakeVendor | None = None):
        self.vendor = vendor or FakeVendor()

    def __enter__(self) -> FakeVendor:
        self._serving = serving(_handler(self.vendor))
        self.vendor.base_url = self._serving.__enter__()
        return self.vendor

    def __exit__(self, *exc):
        return self._serving.__exit__(*exc)


# --- Sample data in the vendors' documented shapes. The tests hold the hand-computed totals. ---


def openai_result(model, project, user, key, input_tokens, cached, output, requests):
    """One completions usage result as OpenAI returns it when grouped by model/project/user/key."""
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": input_tokens,
        "output_tokens": output,
        "input_cached_tokens": cached,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "num_model_requests": requests,
        "project_id": project,
        "user_id": user,
        "api_key_id": key,
        "model": model,
        "batch": None,
    }


def openai_sample(d1: date, d2: date) -> dict[date, list[dict]]:
    """Two results on d1, one on d2 (the third day of a pull is empty)."""
    return {
        d1: [
            openai_result("gpt-4o-2024-08-06", "proj_a", "user-1", "key_1", 1000, 200, 300, 10),
            openai_result("gpt-4o-mini-2024-07-18", "proj_b", "user-2", "key_2", 5000, 0, 1200, 40),
        ],
        d2: [openai_result("gpt-4o-2024-08-06", "proj_a", "user-1", "key_1", 2000, 500, 700, 20)],
    }


def anthropic_result(model, workspace, key, uncached, cache_1h, cache_5m, cache_read, output):
    """One messages usage result as the Anthropic usage report returns it."""
    return {
        "uncached_input_tokens": uncached,
        "cache_creation": {"ephemeral_1h_input_tokens": cache_1h, "ephemeral_5m_input_tokens": cache_5m},
        "cache_read_input_tokens": cache_read,
        "output_tokens": output,
        "server_tool_use": {"web_search_requests": 0},
        "api_key_id": key,
        "workspace_id": workspace,
        "model": model,
        "service_tier": "standard",
        "context_window": "0-200k",
    }


def anthropic_sample(d1: date, d2: date) -> dict[date, list[dict]]:
    return {
        d1: [
            anthropic_result("claude-sonnet-4-20250514", "wrkspc_1", "apikey_1", 3000, 100, 400, 1500, 800),
            anthropic_result("claude-3-5-haiku-20241022", None, "apikey_2", 1000, 0, 0, 0, 200),
        ],
        d2: [anthropic_result("claude-sonnet-4-20250514", "wrkspc_1", "apikey_1", 2000, 0, 250, 750, 500)],
    }


def seat(login, created, team=None, pending=None):
    return {
        "created_at": created,
        "updated_at": created,
        "pending_cancellation_date": pending,
        "last_activity_at": "2025-03-02T15:00:00Z",
        "last_activity_editor": "vscode/1.97.0/copilot/1.270.0",
        "plan_type": "business",
        "assignee": {"login": login, "id": sum(map(ord, login)), "type": "User"},
        "assigning_team": {"name": team.title(), "slug": team} if team else None,
    }


def seats_sample() -> list[dict]:
    return [
        seat("alice", "2024-11-04T10:00:00Z", "platform"),
        seat("bob", "2024-12-01T09:30:00Z"),
        seat("carol", "2025-01-15T08:00:00Z", "data", pending="2025-04-01"),
    ]


def metrics_day(
    day: date,
    active: int,
    suggestions: dict[str, int],
    ide_chats=0,
    dotcom_chats=0,
    pr_summaries=0,
    custom: tuple[str, int] | None = None,
):
    """A Copilot metrics day; `suggestions` per language for the default model, `custom` a custom model
    with its suggestions."""
    models = [
        {
            "name": "default",
            "is_custom_model": False,
            "total_engaged_users": active,
            "languages": [
                {
                    "name": lang,
                    "total_engaged_users": 1,
                    "total_code_suggestions": n,
                    "total_code_acceptances": n // 4,
                    "total_code_lines_suggested": 2 * n,
                    "total_code_lines_accepted": n // 2,
                }
                for lang, n in suggestions.items()
            ],
        }
    ]
    if custom:
        models.append(
            {
                "name": custom[0],
                "is_custom_model": True,
                "custom_model_training_date": "2025-01-10",
                "total_engaged_users": 1,
                "languages": [
                    {
                        "name": "python",
                        "total_engaged_users": 1,
                        "total_code_suggestions": custom[1],
                        "total_code_acceptances": 1,
                    }
                ],
            }
        )
    return {
        "date": f"{day}",
        "total_active_users": active,
        "total_engaged_users": active - 1,
        "copilot_ide_code_completions": {
            "total_engaged_users": active,
            "editors": [{"name": "vscode", "total_engaged_users": active, "models": models}],
        },
        "copilot_ide_chat": {
            "total_engaged_users": 2,
            "editors": [
                {
                    "name": "vscode",
                    "total_engaged_users": 2,
                    "models": [
                        {
                            "name": "default",
                            "is_custom_model": False,
                            "total_engaged_users": 2,
                            "total_chats": ide_chats,
                            "total_chat_insertion_events": 1,
                            "total_chat_copy_events": 1,
                        }
                    ],
                }
            ],
        },
        "copilot_dotcom_chat": {
            "total_engaged_users": 1,
            "models": [
                {"name": "default", "is_custom_model": False, "total_engaged_users": 1, "total_chats": dotcom_chats}
            ],
        },
        "copilot_dotcom_pull_requests": {
            "total_engaged_users": 1,
            "repositories": [
                {
                    "name": "acme/api",
                    "total_engaged_users": 1,
                    "models": [
                        {
                            "name": "default",
                            "is_custom_model": False,
                            "total_pr_summaries_created": pr_summaries,
                            "total_engaged_users": 1,
                        }
                    ],
                }
            ],
        },
    }


def metrics_sample(d1: date, d2: date, d3: date) -> list[dict]:
    return [
        metrics_day(d1, 12, {"python": 100, "typescript": 50}, ide_chats=20, dotcom_chats=5, pr_summaries=2),
        metrics_day(d2, 10, {"python": 80}, ide_chats=10),
        metrics_day(d3, 9, {"go": 60}, custom=("acme-ft", 40)),
    ]
