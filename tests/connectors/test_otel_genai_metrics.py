"""The OTel GenAI token usage metric as OTLP JSON (source ``otel_genai``, read by otel_metrics).

Follows "Semantic conventions for generative AI metrics" (https://opentelemetry.io/docs/specs/semconv/gen-ai/
gen-ai-metrics/: gen_ai.client.token.usage, a histogram in {token} with gen_ai.token.type input | output,
gen_ai.operation.name, gen_ai.provider.name, gen_ai.request.model, gen_ai.response.model) and the OTLP metrics
model in JSON (opentelemetry-proto metrics.proto and its examples/metrics.json: histogram.aggregationTemporality
1 = delta, 2 = cumulative; dataPoints[].count a decimal string, sum a double, timeUnixNano), one
ExportMetricsServiceRequest a line as the Collector's file exporter writes them. The fixture is
tests/fixtures/otel_genai/metrics.jsonl.
"""

from __future__ import annotations

import io
import json

from apps.connectors.sources import detect, get_source
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "otel_genai"
NAME = "metrics.jsonl"
USAGE = "[0].resourceMetrics[0].scopeMetrics[0].metrics[1].histogram"


def exports() -> list[dict]:
    return [json.loads(line) for line in fixture_bytes(KEY, NAME).splitlines()]


def usage(values: list[dict]) -> dict:
    """The token usage histogram of the first export."""
    return values[0]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][1]["histogram"]


def as_bytes(values) -> bytes:
    return "".join(json.dumps(v) + "\n" for v in values).encode()


def test_fixture_delta_points_sum_tokens_by_type_and_count_requests_from_the_input_points():
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME))
    got = totals(frame)
    # By hand, from the fixture: chat 3 calls (3600 in, 900 out), embeddings 2 calls (128 in), the Anthropic chat
    # 1 call (5000 in, 800 out). The agent's point repeats its calls' usage; the durations are other metrics.
    assert got["requests"] == 3 + 2 + 1
    assert got["input_tokens"] == 3600 + 128 + 5000
    assert got["output_tokens"] == 900 + 800
    assert got["cached_input_tokens"] == 0  # the metric does not split cache reads out
    assert frame.attrs["rows_read"] == 8
    assert frame.attrs["skipped"] == {"not_usage_metric": 2, "not_inference": 1}
    chat = frame.set_index("model").loc["gpt-4o-2024-08-06"]  # the response model wins over the request model
    assert (chat["provider"], chat["project"], str(chat["day"].date())) == ("openai", "support-bot", "2026-03-02")
    assert (int(chat["requests"]), int(chat["input_tokens"]), int(chat["output_tokens"])) == (3, 3600, 900)
    claude = frame.set_index("model").loc["claude-sonnet-4-20250514"]
    assert claude["provider"] == "anthropic"  # from the older gen_ai.system


def test_a_cumulative_histogram_is_refused_saying_how_to_export_deltas():
    values = exports()
    usage(values)["aggregationTemporality"] = 2
    error = refused(KEY, as_bytes(values), NAME)
    assert (error.row, error.column) == (USAGE, "aggregationTemporality")
    assert "cumulativetodelta" in error.message and "TEMPORALITY_PREFERENCE=delta" in error.message
    assert f"{NAME}, at {USAGE}.aggregationTemporality" in str(error)


def test_a_point_without_sum_and_an_unknown_token_type_are_refused_naming_them():
    values = exports()
    usage(values)["dataPoints"][1].pop("sum")
    error = refused(KEY, as_bytes(values))
    assert (error.row, error.column) == (f"{USAGE}.dataPoints[1]", "sum")
    values = exports()
    usage(values)["dataPoints"][0]["attributes"][-1]["value"] = {"stringValue": "cached_input"}
    error = refused(KEY, as_bytes(values))
    assert (error.row, error.column) == (f"{USAGE}.dataPoints[0].attributes", "gen_ai.token.type")
    assert "'cached_input'" in error.message
    values = exports()
    usage(values)["dataPoints"][0]["attributes"].pop()
    assert "the attribute is missing" in refused(KEY, as_bytes(values)).message


def test_a_count_of_zero_with_tokens_and_the_metric_as_a_gauge_are_refused():
    values = exports()
    usage(values)["dataPoints"][0].pop("count")  # proto3 JSON leaves a zero count out
    error = refused(KEY, as_bytes(values))
    assert error.column == "count" and "a sum of 3600 tokens" in error.message
    values = exports()
    metric = values[0]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][1]
    metric["gauge"] = {"dataPoints": metric.pop("histogram")["dataPoints"]}
    error = refused(KEY, as_bytes(values))
    assert error.column == "gauge" and "as a histogram" in error.message


def test_an_exponential_histogram_reads_as_the_explicit_one():
    expected = totals(parse_bytes(KEY, fixture_bytes(KEY, NAME)))
    values = exports()
    for line in values:
        for metric in line["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]:
            if metric["name"] == "gen_ai.client.token.usage":
                histogram = metric.pop("histogram")
                for point in histogram["dataPoints"]:
                    del point["bucketCounts"], point["explicitBounds"]
                    point.update(scale=3, zeroCount="0", positive={"offset": 40, "bucketCounts": [point["count"]]})
                metric["exponentialHistogram"] = histogram
    assert totals(parse_bytes(KEY, as_bytes(values))) == expected


def test_spans_and_metrics_in_one_file_add_up_in_either_order():
    spans, metrics = fixture_bytes(KEY, "traces.jsonl"), fixture_bytes(KEY, NAME)
    apart = [totals(parse_bytes(KEY, spans)), totals(parse_bytes(KEY, metrics))]
    both = {k: apart[0][k] + apart[1][k] for k in apart[0]}
    for data in (spans + metrics, metrics + spans):
        frame = parse_bytes(KEY, data)
        assert totals(frame) == both
        assert frame.attrs["rows_read"] == 6 + 8


def test_chunks_of_two_rows_sum_to_the_whole_file():
    data = fixture_bytes(KEY, NAME)
    chunks = list(get_source(KEY).iter_chunks(io.BytesIO(data), NAME, chunk_rows=2))
    assert len(chunks) >= 3 and sum(c.attrs["rows_read"] for c in chunks) == 8
    assert sum(int(c["input_tokens"].sum()) for c in chunks) == totals(parse_bytes(KEY, data))["input_tokens"]


def test_a_metrics_file_is_detected_as_otel_genai_and_refused_by_another_source():
    data = fixture_bytes(KEY, NAME)
    assert detect(io.BytesIO(data), NAME)[0][0] == KEY
    error = refused("cursor_admin", data, NAME)
    assert "'otel_genai'" in error.message


def test_a_metrics_file_cut_in_its_last_line_is_refused_as_truncated():
    data = fixture_bytes(KEY, NAME)
    error = refused(KEY, data[: len(data) - 300], NAME)
    assert "truncated" in error.message and NAME in str(error)
