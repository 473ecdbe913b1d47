"""OpenTelemetry GenAI spans as OTLP JSON (source ``otel_genai``).

Follows "Semantic conventions for generative client AI spans"
(https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/: gen_ai.operation.name, gen_ai.provider.name,
gen_ai.request.model / gen_ai.response.model, gen_ai.usage.input_tokens including cache reads,
gen_ai.usage.cache_read.input_tokens, gen_ai.usage.output_tokens) and the OTLP JSON encoding
(https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: intValue and *UnixNano as decimal strings),
one ExportTraceServiceRequest a line as the Collector's file exporter writes them.
"""

from __future__ import annotations

import io
import json

from apps.connectors.sources import get_source
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "otel_genai"
NAME = "traces.jsonl"


def requests_() -> list[dict]:
    return [json.loads(line) for line in fixture_bytes(KEY, NAME).splitlines()]


def as_bytes(values) -> bytes:
    return "".join(json.dumps(v) + "\n" for v in values).encode()


def test_fixture_inference_spans_only_cache_reads_inside_input():
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME))
    got = totals(frame)
    # By hand: chat (1200 in of which 1024 cached, 300 out), embeddings (64 in), the Anthropic chat (5000 in,
    # 800 out; the cache write stays input, reasoning is inside output). The HTTP span, the agent span that
    # repeats its child's usage and the throttled call are left out.
    assert got["requests"] == 3
    assert got["input_tokens"] == (1200 - 1024) + 64 + 5000
    assert got["cached_input_tokens"] == 1024
    assert got["output_tokens"] == 300 + 0 + 800
    assert frame.attrs["skipped"] == {"not_ai": 1, "not_inference": 1, "failed_request": 1}
    assert frame.attrs["rows_read"] == 6
    chat = frame.set_index("model").loc["gpt-4o-2024-08-06"]  # the response model wins over the request model
    assert (chat["person"], chat["project"], str(chat["day"].date())) == (
        "ana@example.com",
        "support-bot",
        "2026-03-02",
    )
    claude = frame.set_index("model").loc["claude-sonnet-4-20250514"]
    assert (claude["provider"], claude["person"]) == ("anthropic", "ben@example.com")  # gen_ai.system, enduser.id


def test_chunks_of_two_spans_sum_to_the_whole_file():
    chunks = list(get_source(KEY).iter_chunks(io.BytesIO(fixture_bytes(KEY, NAME)), NAME, chunk_rows=2))
    assert len(chunks) == 3 and sum(c.attrs["rows_read"] for c in chunks) == 6
    assert (
        sum(int(c["input_tokens"].sum()) for c in chunks)
        == totals(parse_bytes(KEY, fixture_bytes(KEY, NAME)))["input_tokens"]
    )


def test_an_inference_span_without_output_tokens_is_refused_naming_the_attribute():
    values = requests_()
    attrs = values[1]["resourceSpans"][0]["scopeSpans"][0]["spans"][1]["attributes"]
    attrs[:] = [a for a in attrs if a["key"] != "gen_ai.usage.output_tokens"]
    error = refused(KEY, as_bytes(values), "traces.jsonl")
    assert error.row == "[1].resourceSpans[0].scopeSpans[0].spans[1].attributes"
    assert error.column == "gen_ai.usage.output_tokens" and "missing" in error.message


def test_a_bad_token_value_and_a_bad_start_time_are_refused():
    values = requests_()
    span = values[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["attributes"][4] = {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "-5"}}
    assert refused(KEY, as_bytes(values)).column == "gen_ai.usage.input_tokens"
    values = requests_()
    values[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["startTimeUnixNano"] = "2026-03-02"
    assert refused(KEY, as_bytes(values)).column == "startTimeUnixNano"


def test_an_empty_metrics_export_and_another_vendors_file_are_refused():
    metrics = {"resourceMetrics": [{"resource": {}, "scopeMetrics": []}]}
    assert "no spans and no metric data points" in refused(KEY, json.dumps(metrics).encode()).message
    error = refused(KEY, fixture_bytes("anthropic_usage", "usage_report_messages.json"))
    assert "anthropic_usage" in error.message


def test_a_pretty_printed_request_and_a_bom_read_as_the_json_lines_do():
    expected = totals(parse_bytes(KEY, fixture_bytes(KEY, NAME)))
    values = requests_()
    pretty = "\n".join(json.dumps(v, indent=2) for v in values).encode()
    assert totals(parse_bytes(KEY, pretty)) == expected
    assert totals(parse_bytes(KEY, b"\xef\xbb\xbf" + fixture_bytes(KEY, NAME))) == expected


def test_a_file_cut_in_its_last_line_is_refused_as_truncated_and_names_the_value():
    data = fixture_bytes(KEY, NAME)
    error = refused(KEY, data[: len(data) - 200], "traces.jsonl")
    assert "truncated" in error.message and "traces.jsonl" in str(error)
