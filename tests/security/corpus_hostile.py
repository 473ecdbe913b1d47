"""Bad-input corpus cases of issue 19, round two: a JSON key given twice, and numbers that are not finite (NaN,
Infinity, 1e400) in every JSON and JSON-lines source, plus non-finite cells in CSV sources. Appended to
corpus.CASES (by more_cases); built from the fixtures in tests/fixtures/ like the others.

A key given twice is refused whatever the key: RFC 8259 (section 4) says names within an object SHOULD be unique
and that readers disagree on which value wins, so a file holding one cannot be read as its author meant. Before
this, the last value won silently (an ``input_tokens`` given twice stored the second one).
"""

from __future__ import annotations

import json
import re
from typing import Any

_SENTINEL = "@@issue-19@@"
DUPLICATE = "is given twice in one object"
NOT_FINITE = "is not a finite number"
OUT_OF_RANGE = "is out of range"

# (source, fixture, JSON lines?, extension, path of an object in it as the errors name it, one of its keys).
JSON_OBJECTS = (
    (
        "openai_usage",
        "openai_usage/completions_and_embeddings_pages.json",
        False,
        "json",
        "[0].data[0].results[0]",
        "input_tokens",
    ),
    (
        "anthropic_usage",
        "anthropic_usage/usage_report_messages.json",
        False,
        "json",
        "data[0].results[0]",
        "output_tokens",
    ),
    ("github_copilot_seats", "github_copilot_seats/seats_page.json", False, "json", "seats[1]", "last_activity_at"),
    ("github_copilot_metrics", "github_copilot_metrics/metrics.json", False, "json", "[0]", "total_active_users"),
    (
        "github_copilot_usage_reports",
        "github_copilot_usage_reports/users_1_day.ndjson",
        True,
        "ndjson",
        "[0].totals_by_cli.token_usage",
        "prompt_tokens_sum",
    ),
    (
        "m365_copilot_usage",
        "m365_copilot_usage/copilot_usage_user_detail.json",
        False,
        "json",
        "value[0].copilotActivityUserDetailsByPeriod[0]",
        "reportPeriod",
    ),
    ("litellm_spend_logs", "litellm_spend_logs/spend_logs.json", False, "json", "[0]", "prompt_tokens"),
    ("openai_costs", "openai_costs/costs_pages.json", True, "json", "[0].data[0].results[0].amount", "value"),
    ("anthropic_cost_report", "anthropic_cost_report/cost_report.json", False, "json", "data[0].results[0]", "amount"),
    (
        "cursor_admin",
        "cursor_admin/usage_events_pages.json",
        False,
        "json",
        "[0].usageEvents[0].tokenUsage",
        "inputTokens",
    ),
    ("cursor_daily_usage", "cursor_daily_usage/daily_usage_pages.json", False, "json", "[0].data[0]", "usageBasedReqs"),
    (
        "aws_bedrock_invocations",
        "aws_bedrock_invocations/invocations.jsonl",
        True,
        "jsonl",
        "[0].input",
        "inputTokenCount",
    ),
    (
        "anthropic_claude_code",
        "anthropic_claude_code/claude_code_pages.jsonl",
        True,
        "jsonl",
        "[0].data[0].model_breakdown[0].tokens",
        "input",
    ),
    ("otel_genai", "otel_genai/traces.jsonl", True, "jsonl", "[0].resourceSpans[0].scopeSpans[0].spans[0]", "name"),
)
# Numbers only where the source reads one (seats and spans carry none at the object above).
NUMERIC = {source for source, *_, key in JSON_OBJECTS if key not in ("last_activity_at", "name")}


def _steps(path: str) -> list[str | int]:
    """``[0].data[1].x`` as [0, 'data', 1, 'x']."""
    return [int(index) if index else name for index, name in re.findall(r"\[(\d+)\]|\.?([^.\[\]]+)", path)]


def _values(fixture_path: str, lines: bool) -> Any:
    from tests.security.corpus import fixture

    text = fixture(fixture_path).decode("utf-8-sig")
    return [json.loads(line) for line in text.splitlines() if line.strip()] if lines else json.loads(text)


def _written(doc: Any, lines: bool) -> str:
    return "".join(json.dumps(v) + "\n" for v in doc) if lines else json.dumps(doc, indent=1)


def with_raw_value(fixture_path: str, lines: bool, path: str, key: str, raw: str, *, twice: bool = False) -> bytes:
    """The fixture with ``key`` of the object at ``path`` written as the JSON text ``raw`` (which json.dumps could
    not write: NaN, 1e400); with ``twice``, ``raw`` is given first and the original value after it, in one object."""
    doc = _values(fixture_path, lines)
    target = doc
    for step in _steps(path):
        target = target[step]
    original = target[key]
    target[key] = _SENTINEL
    written = f'"{key}": {raw}' + (f', "{key}": {json.dumps(original)}' if twice else "")
    text = _written(doc, lines).replace(f'"{key}": "{_SENTINEL}"', written, 1)
    assert _SENTINEL not in text
    return text.encode("utf-8")


def cases() -> list:
    """The cases, built on the corpus's helpers (imported here, so either module may be imported first)."""
    import functools

    from tests.security.corpus import BadInput, set_cell

    out = []
    for source, path, lines, ext, at, key in JSON_OBJECTS:
        build = functools.partial(with_raw_value, path, lines, at, key, "999999999", twice=True)
        out.append(BadInput(source, "duplicate-key", build, (f"the key '{key}' {DUPLICATE}",), at, key, extension=ext))
        # A value of 5 MiB on one line: refused from the block that takes it past MAX_STRING_BYTES (4 MiB).
        long = functools.partial(with_raw_value, path, lines, at, key, json.dumps("x" * (5 << 20)))
        out.append(BadInput(source, "string-5-mib", long, ("is longer than 4,194,304 bytes",), extension=ext))
        if source not in NUMERIC:
            continue
        big = functools.partial(with_raw_value, path, lines, at, key, "1e400")
        out.append(BadInput(source, "number-1e400", big, ("1E+400", OUT_OF_RANGE), at, key, extension=ext))
        for word in ("NaN", "-Infinity"):
            build = functools.partial(with_raw_value, path, lines, at, key, word)
            # Not JSON at all (RFC 8259 has no such number): refused where it stands, by character and line.
            out.append(BadInput(source, f"number-{word.lower()}", build, (f"{word} {NOT_FINITE}",), extension=ext))
    # The OTel metrics export (otel_genai reads it too): a data point's key twice, and its sum beyond a double.
    point = "[0].resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0]"
    metrics = ("otel_genai/metrics.jsonl", True, point, "sum")
    out.append(
        BadInput(
            "otel_genai",
            "metrics-duplicate-key",
            functools.partial(with_raw_value, *metrics, "1.5", twice=True),
            (f"the key 'sum' {DUPLICATE}",),
            point,
            "sum",
            extension="jsonl",
        )
    )
    out.append(
        BadInput(
            "otel_genai",
            "metrics-number-1e400",
            functools.partial(with_raw_value, *metrics, "1e400"),
            ("1E+400", OUT_OF_RANGE),
            point,
            "sum",
            extension="jsonl",
        )
    )
    # CSV cells that read as a float but are not finite, in columns of amounts (the whole-number columns refuse
    # them as not whole, the others as not finite).
    for source, row, column, value in (
        ("generic_csv", 2, "input_tokens", "inf"),
        ("generic_csv", 3, "cost", "1e400"),
        ("litellm_spend_logs", 2, "spend", "NaN"),
        ("azure_openai_cost", 2, "Quantity", "Infinity"),
        ("codecarbon_emissions", 3, "energy_consumed", "-inf"),
    ):
        out.append(
            BadInput(
                source,
                f"cell-{value.lower()}",
                functools.partial(set_cell, source, row, column, value),
                (repr(value),),
                row,
                column,
            )
        )
    return out


def more_cases() -> list:
    """The cases kept outside corpus.py: the sources of issue 18's, then these."""
    from tests.security.corpus_new_sources import cases as new_source_cases

    return new_source_cases() + cases()
