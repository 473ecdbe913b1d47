"""OTLP JSON GenAI token usage metric: several hundred delta data points over rotated exports, totals == ingest
--json; spans and metrics in one file; re-ingest stores nothing.

Follows https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/ (gen_ai.client.token.usage: a histogram
in {token}, one measurement per call and gen_ai.token.type input | output, the ExplicitBucketBoundaries the page
gives) and opentelemetry-proto's metrics.proto in JSON (aggregationTemporality 1 = delta, count as a decimal
string, sum a double). The points are generated here; the expected totals are summed from the generator's own
per-call numbers (requests = calls, tokens = the calls' tokens), not from the points the parser reads.
"""

from __future__ import annotations

import bisect
import json
import random

from tests.connectors import test_doc_totals_otel_genai as spans
from tests.connectors.doc_totals import ZERO, amounts, ingest_json

KEY = "otel_genai"
T0 = 1772409600  # 2026-03-02T00:00:00Z
BOUNDS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
MODELS = [
    ("openai", "gpt-4o-mini"),
    ("anthropic", "claude-3-5-haiku-20241022"),
    ("aws.bedrock", "amazon.nova-lite-v1:0"),
]
SERVICES = ["support-bot", "search-api"]


def attr(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def point(start: int, end: int, values: list[int], attrs: list[dict]) -> dict:
    """A delta histogram point of these measurements, buckets as the SDK fills them."""
    buckets = [0] * (len(BOUNDS) + 1)
    for v in values:
        buckets[bisect.bisect_left(BOUNDS, v)] += 1
    return {
        "attributes": attrs,
        "startTimeUnixNano": str(start * 10**9),
        "timeUnixNano": str(end * 10**9),
        "count": str(len(values)),
        "sum": float(sum(values)) if len(values) % 2 else sum(values),  # a double, written either way
        "bucketCounts": [str(b) for b in buckets],
        "explicitBounds": BOUNDS,
        "min": min(values),
        "max": max(values),
    }


def export(rng: random.Random, minute: int, expected: dict, skipped: dict, keys: set) -> dict:
    """One export (a minute) of every service: token usage points per model, an agent point, a duration metric."""
    start, end = T0 + minute * 397, T0 + minute * 397 + 60
    resource_metrics = []
    for service in SERVICES:
        points, durations = [], []
        for provider, model in rng.sample(MODELS, rng.randint(1, 3)):
            calls = rng.randint(1, 6)
            prompts = [rng.randint(1, 30_000) for _ in range(calls)]
            outputs = [rng.randint(0, 4_000) for _ in range(calls)]
            base = [attr("gen_ai.operation.name", "chat"), attr("gen_ai.provider.name", provider)]
            base.append(attr("gen_ai.request.model", model))
            points.append(point(start, end, prompts, [*base, attr("gen_ai.token.type", "input")]))
            points.append(point(start, end, outputs, [*base, attr("gen_ai.token.type", "output")]))
            durations.append(point(start, end, [1] * calls, base))
            expected["requests"] += calls
            expected["input_tokens"] += sum(prompts)
            expected["output_tokens"] += sum(outputs)
            keys.add((end // 86_400, provider, model, service))
        if rng.random() < 0.3:  # an agent's point repeats the usage of the calls it made
            agent = [attr("gen_ai.operation.name", "invoke_agent"), attr("gen_ai.token.type", "input")]
            points.append(point(start, end, [500, 700], agent))
            skipped["not_inference"] += 1
        skipped["not_usage_metric"] += len(durations)
        metrics = [
            {"name": "gen_ai.client.operation.duration", "unit": "s", "histogram": {"aggregationTemporality": 1}},
            {"name": "gen_ai.client.token.usage", "unit": "{token}", "histogram": {"aggregationTemporality": 1}},
        ]
        metrics[0]["histogram"]["dataPoints"] = durations
        metrics[1]["histogram"]["dataPoints"] = points
        resource_metrics.append(
            {
                "resource": {"attributes": [attr("service.name", service)]},
                "scopeMetrics": [{"scope": {"name": "opentelemetry.instrumentation.genai"}, "metrics": metrics}],
            }
        )
    return {"resourceMetrics": resource_metrics}


def generate(seed: int = 18, minutes: int = 120):
    rng = random.Random(seed)
    expected, skipped, keys = dict(ZERO), {"not_inference": 0, "not_usage_metric": 0}, set()
    lines = [export(rng, m, expected, skipped, keys) for m in range(minutes)]
    points = sum(
        len(metric["histogram"]["dataPoints"])
        for line in lines
        for rm in line["resourceMetrics"]
        for metric in rm["scopeMetrics"][0]["metrics"]
    )
    return lines, expected, skipped, keys, points


def jsonl(lines: list[dict]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_delta_points_total_exactly_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    lines, expected, skipped, keys, points = generate()
    assert points >= 500
    data = jsonl(lines)
    out = ingest_json(tmp_path, capsys, KEY, "metrics-2026-03-02.jsonl", data)
    assert amounts(out) == expected
    assert (out["rows"], out["skipped"], out["records"]) == (points, skipped, len(keys))
    again = ingest_json(tmp_path, capsys, KEY, "metrics-2026-03-02.jsonl", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]


def test_traces_and_metrics_rotations_in_one_file_total_both(org_a, tmp_path, capsys):
    lines, expected, skipped, _, points = generate(seed=7, minutes=30)
    span_lines, span_expected, span_skipped, _, n = spans.generate(seed=7, batches=10)
    mixed = [x for pair in zip(span_lines, lines, strict=False) for x in pair] + lines[len(span_lines) :]
    out = ingest_json(tmp_path, capsys, KEY, "collector-2026-03-02.jsonl", jsonl(mixed))
    assert amounts(out) == {k: expected[k] + span_expected[k] for k in ZERO}
    both_skipped = {k: skipped.get(k, 0) + span_skipped.get(k, 0) for k in {*skipped, *span_skipped}}
    assert out["rows"] == points + n and out["skipped"] == both_skipped
