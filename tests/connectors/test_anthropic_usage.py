"""Anthropic usage report: cache creation counts as input, cache reads as cached input."""

import json

from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "anthropic_usage"
FIXTURE = "usage_report_messages.json"


def test_totals_match_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    t = totals(frame)
    # input = (1500 + 1000 + 500) + (3000 + 0 + 0) + (100 + 0 + 50) = 6150
    assert t["input_tokens"] == 6150
    # cached = cache_read: 200 + 0 + 1000 = 1200
    assert t["cached_input_tokens"] == 1200
    # output = 500 + 700 + 20 = 1220
    assert t["output_tokens"] == 1220
    # the report has no request count
    assert t["requests"] == 0
    sonnet = frame[(frame["model"] == "claude-sonnet-4-20250514") & (frame["day"] == "2025-01-01")].iloc[0]
    assert sonnet["project"] == "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
    assert sonnet["api_key"] == "apikey_01Rj2N8SVvo6BePZj99NhmiT"
    assert set(frame["provider"]) == {"anthropic"}


def test_bad_cache_creation_value_names_the_path():
    page = json.loads(fixture_bytes(KEY, FIXTURE))
    page["data"][1]["results"][0]["cache_creation"]["ephemeral_5m_input_tokens"] = "12.5k"
    err = refused(KEY, json.dumps(page).encode(), "report.json")
    assert str(err) == (
        "report.json, at data[1].results[0].cache_creation.ephemeral_5m_input_tokens: "
        "expected a whole number >= 0, got '12.5k'"
    )


def test_unparseable_starting_at():
    page = json.loads(fixture_bytes(KEY, FIXTURE))
    page["data"][0]["starting_at"] = "01/01/2025 midnight"
    err = refused(KEY, json.dumps(page).encode(), "report.json")
    assert "data[0].starting_at" in str(err) and "ISO 8601" in str(err)


def test_cost_report_refused():
    cost = {
        "data": [
            {
                "starting_at": "2025-01-01T00:00:00Z",
                "ending_at": "2025-01-02T00:00:00Z",
                "results": [
                    {
                        "currency": "USD",
                        "amount": "12.34",
                        "workspace_id": None,
                        "description": "Claude Sonnet 4 usage",
                        "cost_type": "tokens",
                    }
                ],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
    err = refused(KEY, json.dumps(cost).encode(), "cost.json")
    assert "cost report" in str(err) and "'anthropic_cost_report'" in str(err)


def test_openai_page_given_to_anthropic_is_named():
    err = refused(KEY, fixture_bytes("openai_usage", "completions_and_embeddings_pages.json"), "x.json")
    assert "OpenAI usage API pages" in str(err) and "'openai_usage'" in str(err)
