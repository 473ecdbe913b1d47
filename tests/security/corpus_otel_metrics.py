"""Bad-input corpus cases of the OTel GenAI token usage metric (``otel_genai`` reading
tests/fixtures/otel_genai/metrics.jsonl), appended to corpus.CASES through corpus_new_sources. Follows
https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/ and opentelemetry-proto's metrics.proto."""

from __future__ import annotations

METRICS = "otel_genai/metrics.jsonl"
USAGE = "[0].resourceMetrics[0].scopeMetrics[0].metrics[1].histogram"  # the token usage histogram of line 1
POINT0 = f"{USAGE}.dataPoints[0]"


def cases() -> list:
    """The cases, built on the corpus's helpers (imported here, as corpus_new_sources does)."""
    from tests.security.corpus import BadInput, jsonl_edit, truncated

    def _usage(edit) -> bytes:
        """The metrics fixture with the token usage histogram of its first line changed by `edit`."""
        return jsonl_edit(
            METRICS, lambda values: edit(values[0]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][1]["histogram"])
        )

    def _token_type(value: str):
        def edit(histogram: dict) -> None:
            attrs = histogram["dataPoints"][0]["attributes"]
            attrs[-1] = {"key": "gen_ai.token.type", "value": {"stringValue": value}}

        return edit

    return [
        BadInput("otel_genai", "metrics-truncated", lambda: truncated(METRICS, 0.7), ("truncated",), extension="jsonl"),
        BadInput(
            "otel_genai",
            "metrics-cumulative",
            lambda: _usage(lambda h: h.update(aggregationTemporality=2)),
            ("got cumulative (2)", "cumulativetodelta", "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta"),
            USAGE,
            "aggregationTemporality",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "metrics-no-temporality",
            lambda: _usage(lambda h: h.pop("aggregationTemporality")),
            ("expected delta temporality (1), got None",),
            USAGE,
            "aggregationTemporality",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "metrics-point-without-sum",
            lambda: _usage(lambda h: h["dataPoints"][0].pop("sum")),
            ("the point has no sum",),
            POINT0,
            "sum",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "metrics-token-type-total",
            lambda: _usage(_token_type("total")),
            ("expected 'input' or 'output'", "'total'"),
            f"{POINT0}.attributes",
            "gen_ai.token.type",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "metrics-fractional-sum",
            lambda: _usage(lambda h: h["dataPoints"][1].update(sum=900.5)),
            ("expected a whole number >= 0, got 900.5",),
            f"{USAGE}.dataPoints[1]",
            "sum",
            extension="jsonl",
        ),
        BadInput(
            "otel_genai",
            "metrics-time-as-date",
            lambda: _usage(lambda h: h["dataPoints"][2].update(timeUnixNano="2026-03-02T10:01:00Z")),
            ("expected nanoseconds since 1970",),
            f"{USAGE}.dataPoints[2]",
            "timeUnixNano",
            extension="jsonl",
        ),
    ]
