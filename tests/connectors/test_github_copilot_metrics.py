"""GitHub Copilot metrics: active users per day and request counts per model."""

import json

from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "github_copilot_metrics"
FIXTURE = "metrics.json"


def test_totals_match_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    t = totals(frame)
    # active users: 24 (2025-01-10) + 10 (2025-01-11) = 34, on the default 'copilot' rows only
    assert t["active_user_days"] == 34
    # day 1 default: suggestions 249 + 496 (vscode) + 100 (JetBrains) + IDE chats 45 + dotcom chats 38
    #   + PR summaries 6 = 934; custom model: 50 suggestions + 10 chats = 60; day 2: 80 suggestions
    assert t["requests"] == 934 + 60 + 80
    by = frame.set_index(["day", "model"])["requests"].to_dict()
    assert {(d.strftime("%Y-%m-%d"), m): n for (d, m), n in by.items()} == {
        ("2025-01-10", "copilot"): 934,
        ("2025-01-10", "a-custom-model"): 60,
        ("2025-01-11", "copilot"): 80,
    }
    assert set(frame["usage_kind"]) == {"seat_activity"}


def test_bad_count_names_the_path():
    days = json.loads(fixture_bytes(KEY, FIXTURE))
    days[0]["copilot_ide_chat"]["editors"][0]["models"][1]["total_chats"] = -3
    err = refused(KEY, json.dumps(days).encode(), "metrics.json")
    assert str(err) == (
        "metrics.json, at [0].copilot_ide_chat.editors[0].models[1].total_chats: expected a whole number >= 0, got -3"
    )


def test_bad_date():
    days = json.loads(fixture_bytes(KEY, FIXTURE))
    days[1]["date"] = "11 Jan"
    err = refused(KEY, json.dumps(days).encode(), "metrics.json")
    assert "[1].date" in str(err)


def test_nested_values_are_named_by_their_json_path():
    days = json.loads(fixture_bytes(KEY, FIXTURE))
    completions = days[0]["copilot_ide_code_completions"]
    completions["editors"][0]["models"][0]["languages"][0]["total_code_suggestions"] = "many"
    err = refused(KEY, json.dumps(days).encode(), "m.json")
    assert str(err) == (
        "m.json, at [0].copilot_ide_code_completions.editors[0].models[0].languages[0].total_code_suggestions: "
        "expected a whole number >= 0, got 'many'"
    )
    completions["editors"] = "vscode"
    err = refused(KEY, json.dumps(days).encode(), "m.json")
    assert str(err) == "m.json, at [0].copilot_ide_code_completions.editors: expected a list, got 'vscode'"
    # null or empty sections read as no requests, as they always have
    days[0]["copilot_ide_code_completions"] = None
    days[0]["copilot_ide_chat"] = {"editors": []}
    assert totals(parse_bytes(KEY, json.dumps(days).encode(), "m.json"))["active_user_days"] == 34
