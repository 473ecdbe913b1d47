"""The ``gen_ai.client.token.usage`` histogram of an OTLP JSON metrics export (``{"resourceMetrics": [...]}``, one
``ExportMetricsServiceRequest`` a line as the Collector's file exporter writes them), read for the ``otel_genai``
source.

Follows "Semantic conventions for generative AI metrics" (opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/,
status: development): a histogram in ``{token}``, one measurement per operation and token type, with the attributes
``gen_ai.token.type`` (``input`` | ``output``), ``gen_ai.operation.name``, ``gen_ai.provider.name``,
``gen_ai.request.model`` and ``gen_ai.response.model``; and the OTLP metrics data model as the JSON encoding gives it
(opentelemetry-proto ``metrics.proto``: ``histogram.aggregationTemporality`` 1 = delta, 2 = cumulative;
``dataPoints[].count`` as a decimal string, ``sum`` a double, ``timeUnixNano``).

Read per data point (a row; resource attributes apply to the points under them):

* Only delta temporality: a point is the tokens of its interval. A cumulative histogram (tokens since the process
  started, repeated at every export) is refused naming ``aggregationTemporality``, with how to export deltas.
  ``exponentialHistogram`` is read as ``histogram`` (same count and sum).
* tokens = the point's ``sum``, as input or output tokens by ``gen_ai.token.type``; a point without ``sum``, or
  with a token type other than input/output, is refused naming it. The metric does not split cache reads out of
  the input tokens: cached_input_tokens stays 0.
* requests = the ``count`` of the ``input`` point (each call records one input and one output measurement, so the
  output point's count would count the same calls again); ``count`` absent is 0, as proto3 JSON omits a zero.
* day = UTC day of ``timeUnixNano`` (the end of the interval; exports are typically a minute apart).
* A point whose ``gen_ai.operation.name`` is not an inference operation is skipped (``not_inference``); the data
  points of every other metric (durations, HTTP, runtime ...) under ``not_usage_metric``.
* provider, model, person and project as for the spans (``gen_ai.provider.name``, response else request model,
  ``user.id`` when an instrumentation adds it, the resource's ``service.name``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.otel_common import (
    INFERENCE_OPERATIONS,
    Chunk,
    attributes,
    day_of,
    scoped_items,
    whole_number,
)
from apps.connectors.sources.skips import SkipReason
from apps.core.messages import Message

USAGE_METRIC = "gen_ai.client.token.usage"
TOKEN_TYPES = ("input", "output")
HISTOGRAMS = ("histogram", "exponentialHistogram")
DATA_KINDS = ("sum", "gauge", "histogram", "exponentialHistogram", "summary")
DELTA = (1, "AGGREGATION_TEMPORALITY_DELTA")  # enums are integers in OTLP JSON; protobuf's JSON also takes names
CUMULATIVE = (2, "AGGREGATION_TEMPORALITY_CUMULATIVE")
HOW_TO_DELTA = Message(
    "export deltas: set OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta in the app's SDK, or add the "
    "Collector's cumulativetodelta processor to the metrics pipeline before the file exporter"
)


def metrics(request: dict, path: str, filename: str) -> Iterator[tuple[Any, str, str]]:
    """(metric, the resource's service.name, path) for every metric of an exported metrics request."""
    return scoped_items(request, path, filename, "resourceMetrics", "scopeMetrics", "metrics")


def add_metric(chunk: Chunk, metric: Any, project: str, filename: str, path: str) -> None:
    """Read the data points of one metric into the chunk (those of other metrics counted as skipped)."""
    if not isinstance(metric, dict):
        raise SourceError(
            filename, path, None, Message("expected a metric object, got {value}", value=describe_value(metric))
        )
    kind = next((k for k in DATA_KINDS if isinstance(metric.get(k), dict)), None)
    points = (metric[kind].get("dataPoints") or []) if kind else []
    if not isinstance(points, list):
        raise SourceError(
            filename,
            f"{path}.{kind}",
            "dataPoints",
            Message("expected a list, got {value}", value=describe_value(points)),
        )
    if metric.get("name") != USAGE_METRIC:
        chunk.skip(SkipReason.NOT_USAGE_METRIC, len(points))
        return
    if kind not in HISTOGRAMS:
        raise SourceError(
            filename,
            path,
            kind or "histogram",
            Message(
                "expected {metric} as a histogram (the GenAI conventions' instrument), got a {kind}",
                metric=USAGE_METRIC,
                kind=kind,
            )
            if kind
            else Message(
                "expected {metric} as a histogram (the GenAI conventions' instrument), got no data", metric=USAGE_METRIC
            ),
        )
    _check_delta(metric[kind], filename, f"{path}.{kind}")
    for i, point in enumerate(points):
        _add_point(chunk, point, project, filename, f"{path}.{kind}.dataPoints[{i}]")


def _check_delta(data: dict, filename: str, path: str) -> None:
    """Refuse a histogram whose points are not per interval."""
    temporality = data.get("aggregationTemporality")
    if temporality in DELTA:
        return
    if temporality in CUMULATIVE:
        message = Message(
            "expected delta temporality (1), got cumulative (2): each point would repeat the tokens since the app "
            "started, not the tokens of its interval; {how}",
            how=HOW_TO_DELTA,
        )
    else:
        message = Message(
            "expected delta temporality (1), got {value}; {how}", value=describe_value(temporality), how=HOW_TO_DELTA
        )
    raise SourceError(filename, path, "aggregationTemporality", message)


def _add_point(chunk: Chunk, point: Any, project: str, filename: str, path: str) -> None:
    """One data point of the token usage histogram into the chunk, or counted under the reason it is left out."""
    if not isinstance(point, dict):
        raise SourceError(
            filename, path, None, Message("expected a data point object, got {value}", value=describe_value(point))
        )
    attrs = attributes(point.get("attributes"), filename, path)
    operation = attrs.get("gen_ai.operation.name")
    if operation and operation not in INFERENCE_OPERATIONS:
        chunk.skip(SkipReason.NOT_INFERENCE)
        return
    token_type = attrs.get("gen_ai.token.type")
    if token_type not in TOKEN_TYPES:
        got = (
            Message("expected 'input' or 'output' (the GenAI conventions' token types), the attribute is missing")
            if token_type is None
            else Message(
                "expected 'input' or 'output' (the GenAI conventions' token types), got {value}",
                value=describe_value(token_type),
            )
        )
        raise SourceError(
            filename,
            f"{path}.attributes",
            "gen_ai.token.type",
            got,
        )
    if point.get("sum") is None:
        raise SourceError(
            filename,
            path,
            "sum",
            Message(
                "expected the tokens of the interval, the point has no sum (the histogram was exported without it)"
            ),
        )
    tokens = whole_number(point["sum"], filename, path, "sum")
    count = whole_number(point.get("count", 0), filename, path, "count")
    if count == 0 and tokens:
        raise SourceError(
            filename, path, "count", Message("expected a count > 0 for a sum of {tokens} tokens, got 0", tokens=tokens)
        )
    day = day_of(point, "timeUnixNano", filename, path)
    if token_type == TOKEN_TYPES[0]:  # input
        chunk.add(day, attrs, project, (tokens, 0, 0), count)
    else:
        chunk.add(day, attrs, project, (0, 0, tokens), 0)
