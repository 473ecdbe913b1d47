"""OpenAI usage pages: token arithmetic (cached tokens are inside input_tokens) and refusals."""

import json

from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "openai_usage"
FIXTURE = "completions_and_embeddings_pages.json"


def test_totals_match_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    assert totals(frame) | {"cost": 0.0} == {
        # input = (1200 - 200) + (5000 - 0) + (700 - 100) + 900 (embeddings) = 7500
        "input_tokens": 7500,
        # cached = 200 + 0 + 100 = 300
        "cached_input_tokens": 300,
        # output = 300 + 800 + 50 = 1150 (embeddings have none)
        "output_tokens": 1150,
        # requests = 4 + 10 + 2 + 3 = 19
        "requests": 19,
        "active_user_days": 0,
        "measured_energy_kwh": 0.0,
        "cost": 0.0,
    }
    assert set(frame["provider"]) == {"openai"}
    assert frame.attrs["rows_read"] == 4
    # 1735689600 is 2025-01-01T00:00Z; the second bucket is the next day.
    assert sorted(frame["day"].dt.strftime("%Y-%m-%d").unique()) == ["2025-01-01", "2025-01-02"]
    row = frame[(frame["model"] == "gpt-4o-2024-08-06") & (frame["day"] == "2025-01-01")].iloc[0]
    assert (row["person"], row["project"], row["api_key"]) == (
        "user-Xy7pQ3mB9cT2nLk4",
        "proj_8Hq2oNfMXtY4uLJm1QbZ3Rkd",
        "key_4f9Gx2LmPq8RtZ1a",
    )


def test_one_page_alone_and_pages_as_json_lines():
    pages = json.loads(fixture_bytes(KEY, FIXTURE))
    one = parse_bytes(KEY, json.dumps(pages[0]).encode())
    assert int(one["input_tokens"].sum()) == 6600  # 1000 + 5000 + 600
    lines = "\n".join(json.dumps(p) for p in pages).encode()
    assert totals(parse_bytes(KEY, lines)) == totals(parse_bytes(KEY, fixture_bytes(KEY, FIXTURE)))


def test_bad_token_value_names_the_json_path():
    pages = json.loads(fixture_bytes(KEY, FIXTURE))
    pages[0]["data"][1]["results"][0]["output_tokens"] = "abc"
    err = refused(KEY, json.dumps(pages).encode(), "usage.json")
    assert str(err) == ("usage.json, at [0].data[1].results[0].output_tokens: expected a whole number >= 0, got 'abc'")


def test_negative_tokens_refused():
    pages = json.loads(fixture_bytes(KEY, FIXTURE))
    pages[1]["data"][0]["results"][0]["input_tokens"] = -5
    err = refused(KEY, json.dumps(pages).encode(), "usage.json")
    assert "[1].data[0].results[0].input_tokens" in str(err) and "got -5" in str(err)


def test_bad_start_time_refused():
    page = json.loads(fixture_bytes(KEY, FIXTURE))[0]
    page["data"][0]["start_time"] = "yesterday"
    err = refused(KEY, json.dumps(page).encode(), "usage.json")
    assert "data[0].start_time" in str(err) and "unix seconds" in str(err)


def test_costs_page_refused_with_a_pointer_to_usage():
    costs = {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": 1735689600,
                "end_time": 1735776000,
                "results": [
                    {
                        "object": "organization.costs.result",
                        "amount": {"value": 0.06, "currency": "usd"},
                        "line_item": None,
                        "project_id": None,
                    }
                ],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
    err = refused(KEY, json.dumps(costs).encode(), "costs.json")
    # The costs page fits the openai_costs source's signature better: the message names that source.
    assert "OpenAI Costs API pages" in str(err) and "choose the 'openai_costs' source" in str(err)


def test_anthropic_report_given_to_openai_is_named():
    data = fixture_bytes("anthropic_usage", "usage_report_messages.json")
    err = refused(KEY, data, "report.json")
    assert "report.json" in str(err)
    assert "Anthropic usage report" in str(err) and "'anthropic_usage'" in str(err)


def test_litellm_csv_given_to_openai_is_named():
    err = refused(KEY, fixture_bytes("litellm_spend_logs", "spend_logs.csv"), "logs.csv")
    assert "invalid JSON" in str(err) or "LiteLLM" in str(err)
