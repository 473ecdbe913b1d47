"""Cursor Admin API usage events (source ``cursor_admin``).

Follows Cursor's "Admin API" page, "Get Usage Events Data" (https://docs.cursor.com/account/teams/admin-api):
POST /teams/filtered-usage-events pages with usageEvents[] (timestamp in epoch ms as a string, model, kind,
isTokenBasedCall, tokenUsage {inputTokens, outputTokens, cacheWriteTokens, cacheReadTokens, totalCents},
userEmail) and pagination {numPages, currentPage, pageSize, hasNextPage}.
"""

from __future__ import annotations

import json

from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "cursor_admin"
NAME = "usage_events_pages.json"


def pages() -> list[dict]:
    return json.loads(fixture_bytes(KEY, NAME))


def test_fixture_token_events_per_user_and_the_request_priced_one_counted_out():
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME))
    got = totals(frame)
    # By hand: cache writes are input (126 + 6112, 5805, 900, 1000 + 50); cache reads are cached input.
    assert got["input_tokens"] == (126 + 6112) + 5805 + 900 + (1000 + 50)
    assert got["cached_input_tokens"] == 11964 + 2000 + 300
    assert got["output_tokens"] == 450 + 311 + 100 + 200
    assert got["requests"] == 4
    assert got["cost"] == round((20.18232 + 4.5 + 0.8 + 1.25) / 100, 9)
    assert frame.attrs["skipped"] == {"priced_per_request": 1} and frame.attrs["rows_read"] == 5
    by_model = frame.set_index("model")["provider"].to_dict()
    assert by_model == {
        "claude-4-opus": "anthropic",
        "gpt-5": "openai",
        "composer-1": "cursor",
        "gemini-2.5-pro": "google",
    }


def test_a_token_based_event_missing_a_count_is_refused_naming_it():
    values = pages()
    del values[1]["usageEvents"][1]["tokenUsage"]["cacheReadTokens"]
    error = refused(KEY, json.dumps(values).encode(), "events.json")
    assert (error.row, error.column) == ("[1].usageEvents[1].tokenUsage", "cacheReadTokens")


def test_a_timestamp_that_is_not_epoch_milliseconds_is_refused():
    values = pages()
    values[0]["usageEvents"][0]["timestamp"] = "2026-03-02T10:00:00Z"
    error = refused(KEY, json.dumps(values).encode(), "events.json")
    assert (error.row, error.column) == ("[0].usageEvents[0]", "timestamp")


def test_another_vendors_file_is_refused_with_a_hint():
    error = refused(KEY, fixture_bytes("anthropic_usage", "usage_report_messages.json"))
    assert "anthropic_usage" in error.message
