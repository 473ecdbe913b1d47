"""The Claude Code report client against a fake Anthropic API on 127.0.0.1 (no network).

Follows https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_claude_code: GET
/v1/organizations/usage_report/claude_code?starting_at=YYYY-MM-DD (one day) &limit, x-api-key and
anthropic-version headers, pages of records with has_more / next_page.
"""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from apps.connectors.pull import Access, PullError
from apps.connectors.pull.anthropic_claude_code import fetch
from apps.connectors.sources import get_source
from tests.connectors.helpers import totals
from tests.connectors.local_http import JsonHandler, serving

KEY = "sk-ant-admin01-claude-code-test-KEY"


def record(day: str, email: str, tokens: int) -> dict:
    return {
        "date": day,
        "actor": {"type": "user_actor", "email_address": email},
        "organization_id": "org-1",
        "customer_type": "subscription",
        "terminal_type": "vscode",
        "core_metrics": {"num_sessions": 1},
        "model_breakdown": [
            {
                "model": "claude-sonnet-4-20250514",
                "tokens": {"input": tokens, "output": tokens // 10, "cache_read": 5, "cache_creation": 1},
                "estimated_cost": {"amount": 12, "currency": "USD"},
            }
        ],
    }


# Day -> its records, served two a page.
DAYS = {
    "2026-03-01": [record("2026-03-01", f"u{i}@example.com", 100 * (i + 1)) for i in range(3)],
    "2026-03-02": [],
    "2026-03-03": [record("2026-03-03", "u0@example.com", 1000)],
}


class Handler(JsonHandler):
    seen: list[tuple[str, dict, dict]] = []

    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        Handler.seen.append((parts.path, query, dict(self.headers)))
        if self.headers.get("x-api-key") != KEY:
            return self.send_json(401, {"error": {"type": "authentication_error"}})
        if parts.path != "/v1/organizations/usage_report/claude_code":
            return self.send_json(404, {"error": {"type": "not_found_error"}})
        records = DAYS.get(query["starting_at"][0], [])
        start = int(query.get("page", ["0"])[0])
        more = start + 2 < len(records)
        page = {"data": records[start : start + 2], "has_more": more, "next_page": str(start + 2) if more else None}
        return self.send_json(200, page)


@pytest.fixture
def server():
    Handler.seen = []
    with serving(Handler) as base_url:
        yield base_url


def test_one_request_per_day_pages_followed_and_the_document_parses(server):
    [document] = fetch(Access(KEY, server), date(2026, 3, 1), date(2026, 3, 3))
    assert document.source_key == "anthropic_claude_code"
    asked = [(q["starting_at"][0], q.get("page", [""])[0]) for _, q, _ in Handler.seen]
    assert asked == [("2026-03-01", ""), ("2026-03-01", "2"), ("2026-03-02", ""), ("2026-03-03", "")]
    assert all(h["anthropic-version"] == "2023-06-01" and q["limit"] == ["1000"] for _, q, h in Handler.seen)
    frame = get_source("anthropic_claude_code").parse(io.BytesIO(document.content), document.filename)
    # By hand: input + cache creation of the four records (100, 200, 300, 1000, each + 1).
    assert totals(frame)["input_tokens"] == (100 + 1) + (200 + 1) + (300 + 1) + (1000 + 1)
    assert totals(frame)["output_tokens"] == 10 + 20 + 30 + 100


def test_an_empty_period_gives_no_document_and_a_wrong_key_is_refused(server):
    assert fetch(Access(KEY, server), date(2026, 3, 2), date(2026, 3, 2)) == []
    with pytest.raises(PullError, match="401"):
        fetch(Access("sk-ant-wrong", server), date(2026, 3, 1), date(2026, 3, 1))
