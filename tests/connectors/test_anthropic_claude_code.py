"""Anthropic Claude Code usage report (source ``anthropic_claude_code``).

Follows Anthropic's API reference "Get Claude Code Usage Report"
(https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_claude_code): pages of records, one per
actor (user_actor.email_address or api_actor.api_key_name) per UTC date, model_breakdown[] with tokens
{input, output, cache_read, cache_creation} and estimated_cost {amount in cents, currency}.
"""

from __future__ import annotations

import json

from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "anthropic_claude_code"
NAME = "claude_code_pages.jsonl"


def pages() -> list[dict]:
    return [json.loads(line) for line in fixture_bytes(KEY, NAME).splitlines()]


def as_bytes(values: list[dict]) -> bytes:
    return "".join(json.dumps(v) + "\n" for v in values).encode()


def test_fixture_per_person_tokens_and_estimated_cost():
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME))
    got = totals(frame)
    # By hand: cache creation is prompt processing (input), cache reads are cached input; amounts are cents.
    assert got["input_tokens"] == (100000 + 5000) + (50000 + 2000) + (20000 + 1000) + 7000
    assert got["cached_input_tokens"] == 10000 + 5000 + 0 + 300
    assert got["output_tokens"] == 35000 + 15000 + 4000 + 900
    assert got["requests"] == 0  # the report counts sessions, not model calls
    assert got["cost"] == round((1025 + 125 + 310 + 244.5) / 100, 9)
    ana = frame[frame["person"] == "ana@example.com"]
    assert len(ana) == 3 and set(frame[frame["person"] == ""]["api_key"]) == {"ci-bot"}
    assert frame.attrs["rows_read"] == 4  # four records; ben's record has no model_breakdown: read, no usage


def test_a_missing_token_count_is_refused_naming_it():
    values = pages()
    del values[1]["data"][0]["model_breakdown"][0]["tokens"]["cache_read"]
    error = refused(KEY, as_bytes(values), "cc.jsonl")
    assert (error.row, error.column) == ("[1].data[0].model_breakdown[0].tokens", "cache_read")


def test_a_page_loaded_twice_is_refused():
    values = pages()
    error = refused(KEY, as_bytes([values[0], values[0]]), "cc.jsonl")
    assert error.row == "[1].data[0].model_breakdown[0]" and "repeats a page" in error.message


def test_an_unknown_currency_is_refused_not_guessed():
    values = pages()
    values[0]["data"][0]["model_breakdown"][0]["estimated_cost"]["currency"] = "JPY"
    error = refused(KEY, as_bytes(values), "cc.jsonl")
    assert error.column == "currency" and "JPY" in error.message


def test_the_messages_usage_report_is_refused_with_a_hint():
    error = refused(KEY, fixture_bytes("anthropic_usage", "usage_report_messages.json"), "messages.json")
    assert "anthropic_usage" in error.message
