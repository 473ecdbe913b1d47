"""OTLP JSON GenAI spans: several hundred spans over rotated batches, totals == ingest --json.

Follows https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/ (attributes gen_ai.*; cached tokens
are part of gen_ai.usage.input_tokens) and https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
(intValue and startTimeUnixNano as decimal strings; a plain JSON number is read too). The spans are generated
here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import json
import random

from tests.connectors.doc_totals import ZERO, amounts, as_text, ingest_json

KEY = "otel_genai"
DAY0 = 1772409600  # 2026-03-02T00:00:00Z
MODELS = [
    ("openai", "gpt-4o-mini"),
    ("anthropic", "claude-3-5-haiku-20241022"),
    ("aws.bedrock", "amazon.nova-lite-v1:0"),
]
SERVICES = ["support-bot", "search-api"]


def attr(key: str, value):
    if isinstance(value, str) and not value.isdigit():
        return {"key": key, "value": {"stringValue": value}}
    return {"key": key, "value": {"intValue": value}}


def span(rng: random.Random, n: int, expected: dict, skipped: dict, keys: set, service: str) -> dict:
    start = (DAY0 + n * 977) * 10**9 + rng.randint(0, 10**9)
    kind = rng.random()
    provider, model = rng.choice(MODELS)
    attrs = [attr("gen_ai.provider.name", provider), attr("gen_ai.request.model", model)]
    if kind < 0.1:  # an HTTP span of the same trace: no GenAI usage
        attrs = [attr("http.request.method", "POST")]
        skipped["not_ai"] += 1
    elif kind < 0.15:  # an agent span repeating its children's usage
        attrs += [attr("gen_ai.operation.name", "invoke_agent"), attr("gen_ai.usage.input_tokens", "10")]
        attrs.append(attr("gen_ai.usage.output_tokens", "5"))
        skipped["not_inference"] += 1
    else:
        prompt, out = rng.randint(1, 20_000), rng.randint(0, 3_000)
        cached = rng.randint(0, prompt) if rng.random() < 0.4 else None
        attrs += [
            attr("gen_ai.operation.name", "chat"),
            attr("gen_ai.usage.input_tokens", as_text(rng, prompt, 0.5)),
            attr("gen_ai.usage.output_tokens", as_text(rng, out, 0.5)),
        ]
        if cached is not None:
            attrs.append(attr("gen_ai.usage.cache_read.input_tokens", str(cached)))
        user = rng.choice(["", "ana", "ben"])
        if user:
            attrs.append(attr("user.id", user))
        expected["requests"] += 1
        expected["input_tokens"] += prompt - (cached or 0)
        expected["cached_input_tokens"] += cached or 0
        expected["output_tokens"] += out
        keys.add((start // (86_400 * 10**9), provider, model, user, service))
    return {
        "traceId": f"{n:032x}",
        "spanId": f"{n:016x}",
        "name": "chat",
        "kind": 3,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + 10**9),
        "attributes": attrs,
        "status": {},
    }


def generate(seed: int = 18, batches: int = 40, per_batch: int = 20):
    rng = random.Random(seed)
    expected, skipped, keys, lines, n = dict(ZERO), {"not_ai": 0, "not_inference": 0}, set(), [], 0
    for _ in range(batches):
        resource_spans = []
        for service in SERVICES:
            spans = []
            for _ in range(per_batch // 2):
                spans.append(span(rng, n, expected, skipped, keys, service))
                n += 1
            resource_spans.append(
                {
                    "resource": {"attributes": [attr("service.name", service)]},
                    "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.genai"}, "spans": spans}],
                }
            )
        lines.append({"resourceSpans": resource_spans})
    return lines, expected, skipped, keys, n


def test_file_exporter_lines_totals_exactly_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    lines, expected, skipped, keys, n = generate()
    assert n >= 800
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    out = ingest_json(tmp_path, capsys, KEY, "traces-2026-03-02.jsonl", data)
    assert amounts(out) == expected
    assert (out["rows"], out["skipped"], out["records"]) == (n, skipped, len(keys))
    again = ingest_json(tmp_path, capsys, KEY, "traces-2026-03-02.jsonl", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]
