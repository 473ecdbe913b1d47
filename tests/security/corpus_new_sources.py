"""Bad-input corpus cases of the sources of issue 18 (Bedrock invocation logs, Claude Code report, OTel GenAI
spans), appended to corpus.CASES; built from their fixtures in tests/fixtures/ like the others."""

from __future__ import annotations

import json

from tests.security.corpus_cursor_daily import cases as cursor_daily_cases
from tests.security.corpus_otel_metrics import cases as otel_metrics_cases


def cases() -> list:
    """The cases, built on the corpus's helpers. corpus.py calls this at its end; importing the helpers here
    rather than at the top keeps either module importable first."""
    from tests.security.corpus import (
        BadInput,
        csv_bytes,
        csv_table,
        fixture,
        jsonl_edit,
        truncated,
        utf16_without_bom,
    )

    BEDROCK = "aws_bedrock_invocations/invocations.jsonl"
    CLAUDE_CODE = "anthropic_claude_code/claude_code_pages.jsonl"
    OTEL = "otel_genai/traces.jsonl"
    CUR = "aws_cur_bedrock/cur2_bedrock.csv"
    CURSOR = "cursor_admin/usage_events_pages.json"
    CHATGPT = "chatgpt_enterprise_analytics/user_engagement_weekly.csv"
    M365 = "m365_copilot_usage/copilot_usage_user_detail.csv"

    def _cursor(edit) -> bytes:
        """The Cursor fixture (a JSON list of pages) changed in place by `edit`."""
        values = json.loads(fixture(CURSOR))
        edit(values)
        return json.dumps(values).encode()

    ANTHROPIC = "anthropic_usage/usage_report_messages.json"

    def _span(edit) -> bytes:
        """The OTel fixture with the first span of its first request changed by `edit` (given the span)."""
        return jsonl_edit(OTEL, lambda values: edit(values[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]))

    def _drop_attribute(span: dict, key: str) -> None:
        span["attributes"] = [a for a in span["attributes"] if a["key"] != key]

    def _set_attribute(span: dict, key: str, value: dict) -> None:
        span["attributes"] = [a if a["key"] != key else {"key": key, "value": value} for a in span["attributes"]]

    SPAN0 = "[0].resourceSpans[0].scopeSpans[0].spans[0]"

    def _cur_cell(row: int, column: str, value: str) -> bytes:
        """The CUR fixture with one cell changed (row as the error names it: header = 1)."""
        header, rows = csv_table(fixture(CUR))
        rows[row - 2][header.index(column)] = value
        return csv_bytes(header, rows)

    def _cur_cut() -> bytes:
        """The export cut halfway through its fourth data row (a download that stopped)."""
        header, rows = csv_table(fixture(CUR))
        line = csv_bytes(header, [rows[3]]).split(b"\n", 1)[1]
        return csv_bytes(header, rows[:3]) + line[: len(line) // 2]

    def _cur_drop(column: str) -> bytes:
        header, rows = csv_table(fixture(CUR))
        i = header.index(column)
        return csv_bytes(header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])

    def _chatgpt_cell(row: int, column: str, value: str) -> bytes:
        """The ChatGPT Enterprise fixture with one cell changed (row as the error names it: header = 1)."""
        header, rows = csv_table(fixture(CHATGPT))
        rows[row - 2][header.index(column)] = value
        return csv_bytes(header, rows)

    def _chatgpt_cut() -> bytes:
        """The export cut halfway through its fourth user (row 5): a download that stopped."""
        header, rows = csv_table(fixture(CHATGPT))
        line = csv_bytes(header, [rows[3]]).split(b"\n", 1)[1]
        return csv_bytes(header, rows[:3]) + line[: len(line) // 2]

    def _chatgpt_drop(column: str) -> bytes:
        header, rows = csv_table(fixture(CHATGPT))
        i = header.index(column)
        return csv_bytes(header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])

    def _chatgpt_monthly_again() -> bytes:
        """The week's first user again as a row of the month: overlapping periods, messages counted twice."""
        header, rows = csv_table(fixture(CHATGPT))
        month = list(rows[0])
        month[header.index("cadence")], month[header.index("period_end")] = "Monthly", "2026-03-31"
        return csv_bytes(header, [*rows, month])

    return [
        # --- chatgpt_enterprise_analytics ----------------------------------------------------------------------
        BadInput("chatgpt_enterprise_analytics", "cut-inside-row", _chatgpt_cut, ("the row may be cut short",), 5),
        BadInput(
            "chatgpt_enterprise_analytics",
            "no-messages-column",
            lambda: _chatgpt_drop("messages"),
            ("missing expected column(s) 'messages'",),
            1,
        ),
        BadInput(
            "chatgpt_enterprise_analytics",
            "blank-messages",
            lambda: _chatgpt_cell(2, "messages", ""),
            ("got a blank", "the source needs this figure"),
            2,
            "messages",
        ),
        BadInput(
            "chatgpt_enterprise_analytics",
            "messages-as-words",
            lambda: _chatgpt_cell(3, "messages", "five"),
            ("expected a whole number >= 0", "'five'"),
            3,
            "messages",
        ),
        BadInput(
            "chatgpt_enterprise_analytics",
            "day-outside-period",
            lambda: _chatgpt_cell(6, "last_day_active_in_period", "2026-03-12"),
            ("outside the row's period",),
            6,
            "last_day_active_in_period",
        ),
        BadInput(
            "chatgpt_enterprise_analytics",
            "bad-period-start",
            lambda: _chatgpt_cell(4, "period_start", "03/02/2026"),
            ("03/02/2026",),
            4,
            "period_start",
        ),
        BadInput(
            "chatgpt_enterprise_analytics",
            "weekly-and-monthly-joined",
            _chatgpt_monthly_again,
            ("overlaps", "count twice"),
            9,
            "period_start",
        ),
        BadInput(
            "chatgpt_enterprise_analytics",
            "m365-report-instead",
            lambda: fixture(M365),
            ("looks like Microsoft 365 Copilot usage user detail", "'m365_copilot_usage'"),
            1,
        ),
        BadInput(
            "m365_copilot_usage",
            "chatgpt-export-instead",
            lambda: fixture(CHATGPT),
            ("looks like ChatGPT Enterprise user analytics export", "'chatgpt_enterprise_analytics'"),
            1,
        ),
        # --- aws_bedrock_invocations ---------------------------------------------------------------------------
        BadInput(
            "aws_bedrock_invocations", "truncated", lambda: truncated(BEDROCK, 0.5), ("truncated",), extension="jsonl"
        ),
        BadInput(
            "aws_bedrock_invocations",
            "missing-output-tokens",
            lambda: jsonl_edit(BEDROCK, lambda v: v[1]["output"].pop("outputTokenCount")),
            ("the key is missing",),
            "[1].output",
            "outputTokenCount",
            extension="jsonl",
        ),
        BadInput(
            "aws_bedrock_invocations",
            "tokens-as-words",
            lambda: jsonl_edit(BEDROCK, lambda v: v[0]["input"].update(inputTokenCount="thirty-five")),
            ("expected a whole number >= 0", "'thirty-five'"),
            "[0].input",
            "inputTokenCount",
            extension="jsonl",
        ),
        BadInput(
            "aws_bedrock_invocations",
            "bad-timestamp",
            lambda: jsonl_edit(BEDROCK, lambda v: v[2].update(timestamp="02/03/2026 11:30")),
            ("expected an ISO 8601 date",),
            "[2]",
            "timestamp",
            extension="jsonl",
        ),
        BadInput(
            "aws_bedrock_invocations",
            "no-input-object",
            lambda: jsonl_edit(BEDROCK, lambda v: v[0].pop("input")),
            ("the key is missing",),
            "[0]",
            "input",
            extension="jsonl",
        ),
        BadInput(
            "aws_bedrock_invocations",
            "anthropic-report-instead",
            lambda: fixture(ANTHROPIC),
            ("looks like Anthropic usage report", "'anthropic_usage'"),
            extension="json",
        ),
        # --- anthropic_claude_code -----------------------------------------------------------------------------
        BadInput(
            "anthropic_claude_code", "truncated", lambda: truncated(CLAUDE_CODE, 0.7), ("truncated",), extension="jsonl"
        ),
        BadInput(
            "anthropic_claude_code",
            "missing-cache-read",
            lambda: jsonl_edit(
                CLAUDE_CODE, lambda v: v[0]["data"][1]["model_breakdown"][0]["tokens"].pop("cache_read")
            ),
            ("the key is missing",),
            "[0].data[1].model_breakdown[0].tokens",
            "cache_read",
            extension="jsonl",
        ),
        BadInput(
            "anthropic_claude_code",
            "negative-output",
            lambda: jsonl_edit(
                CLAUDE_CODE, lambda v: v[1]["data"][0]["model_breakdown"][0]["tokens"].update(output=-9)
            ),
            ("expected a whole number >= 0, got -9",),
            "[1].data[0].model_breakdown[0].tokens",
            "output",
            extension="jsonl",
        ),
        BadInput(
            "anthropic_claude_code",
            "bad-date",
            lambda: jsonl_edit(CLAUDE_CODE, lambda v: v[1]["data"][1].update(date="yesterday")),
            ("expected an ISO 8601 date", "'yesterday'"),
            "[1].data[1]",
            "date",
            extension="jsonl",
        ),
        BadInput(
            "anthropic_claude_code",
            "page-loaded-twice",
            lambda: fixture(CLAUDE_CODE) + fixture(CLAUDE_CODE).splitlines(keepends=True)[0],
            ("repeats a page",),
            "[2].data[0].model_breakdown[0]",
            extension="jsonl",
        ),
        BadInput(
            "anthropic_claude_code",
            "messages-report-instead",
            lambda: fixture(ANTHROPIC),
            ("looks like Anthropic usage report", "'anthropic_usage'"),
            extension="json",
        ),
        # --- otel_genai ----------------------------------------------------------------------------------------
        BadInput("otel_genai", "truncated", lambda: truncated(OTEL, 0.8), ("truncated",), extension="jsonl"),
        BadInput(
            "otel_genai",
            "missing-input-tokens",
            lambda: _span(lambda s: _drop_attribute(s, "gen_ai.usage.input_tokens")),
            ("the attribute is missing",),
            SPAN0 + ".attributes",
            "gen_ai.usage.input_tokens",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "tokens-not-a-number",
            lambda: _span(lambda s: _set_attribute(s, "gen_ai.usage.output_tokens", {"stringValue": "many"})),
            ("expected a whole number >= 0", "'many'"),
            SPAN0 + ".attributes",
            "gen_ai.usage.output_tokens",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "start-as-date",
            lambda: _span(lambda s: s.update(startTimeUnixNano="2026-03-02T01:00:00Z")),
            ("expected nanoseconds since 1970",),
            SPAN0,
            "startTimeUnixNano",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "empty-metrics-export",
            lambda: json.dumps({"resourceMetrics": [{"resource": {}, "scopeMetrics": []}]}).encode(),
            ("no spans and no metric data points",),
            extension="json",
        ),
        BadInput(
            "otel_genai",
            "utf16-without-bom",
            lambda: utf16_without_bom(fixture(OTEL)),
            ("UTF-16",),
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "anthropic-report-instead",
            lambda: fixture(ANTHROPIC),
            ("looks like Anthropic usage report", "'anthropic_usage'"),
            extension="json",
        ),
        # --- aws_cur_bedrock -----------------------------------------------------------------------------------
        BadInput(
            "aws_cur_bedrock",
            "amount-not-a-number",
            lambda: _cur_cell(3, "line_item_usage_amount", "thirty thousand"),
            ("expected a number", "'thirty thousand'"),
            3,
            "line_item_usage_amount",
        ),
        BadInput(
            "aws_cur_bedrock",
            "blank-amount",
            lambda: _cur_cell(2, "line_item_usage_amount", ""),
            ("got a blank",),
            2,
            "line_item_usage_amount",
        ),
        BadInput(
            "aws_cur_bedrock",
            "unknown-unit",
            lambda: _cur_cell(6, "pricing_unit", "1B tokens"),
            ("expected a token unit", "'1B tokens'"),
            6,
            "pricing_unit",
        ),
        BadInput(
            "aws_cur_bedrock",
            "no-pricing-unit-column",
            lambda: _cur_drop("pricing_unit"),
            ("pricing_unit",),
            1,
            None,
        ),
        BadInput(
            "aws_cur_bedrock",
            "bad-start-date",
            lambda: _cur_cell(4, "line_item_usage_start_date", "03/02/2026"),
            ("03/02/2026",),
            4,
            "line_item_usage_start_date",
        ),
        BadInput("aws_cur_bedrock", "cut-inside-row", _cur_cut, ("the row may be cut short",), 5, None),
        # --- cursor_admin ------------------------------------------------------------------------------------
        BadInput("cursor_admin", "truncated", lambda: truncated(CURSOR, 0.6), ("truncated",), extension="json"),
        BadInput(
            "cursor_admin",
            "missing-output-tokens",
            lambda: _cursor(lambda v: v[0]["usageEvents"][1]["tokenUsage"].pop("outputTokens")),
            ("the key is missing",),
            "[0].usageEvents[1].tokenUsage",
            "outputTokens",
            extension="json",
        ),
        BadInput(
            "cursor_admin",
            "token-based-without-usage",
            lambda: _cursor(lambda v: v[1]["usageEvents"][0].pop("tokenUsage")),
            ("the key is missing",),
            "[1].usageEvents[0]",
            "tokenUsage",
            extension="json",
        ),
        BadInput(
            "cursor_admin",
            "iso-timestamp",
            lambda: _cursor(lambda v: v[0]["usageEvents"][0].update(timestamp="2026-03-02T10:00:00Z")),
            ("expected epoch milliseconds",),
            "[0].usageEvents[0]",
            "timestamp",
            extension="json",
        ),
        BadInput(
            "cursor_admin",
            "negative-cache-read",
            lambda: _cursor(lambda v: v[1]["usageEvents"][1]["tokenUsage"].update(cacheReadTokens=-1)),
            ("expected a whole number >= 0, got -1",),
            "[1].usageEvents[1].tokenUsage",
            "cacheReadTokens",
            extension="json",
        ),
        BadInput(
            "cursor_admin",
            "anthropic-report-instead",
            lambda: fixture(ANTHROPIC),
            ("looks like Anthropic usage report", "'anthropic_usage'"),
            extension="json",
        ),
        *otel_metrics_cases(),  # the OTel token usage metric, in its own module
        *cursor_daily_cases(),  # Cursor's daily usage data, in its own module
    ]
