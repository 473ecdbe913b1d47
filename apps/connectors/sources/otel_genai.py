"""OpenTelemetry spans and metrics with the GenAI semantic conventions, as the Collector's file exporter writes them:
OTLP JSON, one ``ExportTraceServiceRequest`` (``{"resourceSpans": [...]}``) or ``ExportMetricsServiceRequest``
(``{"resourceMetrics": [...]}``) per line, one file per rotation; traces and metrics in one file or in separate ones.
Any internal app instrumented with an OpenTelemetry GenAI instrumentation (OpenAI, Anthropic, Bedrock, LangChain ...)
produces them. The metrics (the ``gen_ai.client.token.usage`` histogram) are read by :mod:`otel_metrics`, whose
docstring gives their mapping; the spans here. Spans and the metric of the same calls count the same tokens: an app
that exports both should be loaded from one of them.

Follows the OpenTelemetry pages "Semantic conventions for generative client AI spans"
(opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/, status: development) and the OTLP JSON encoding
(opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: 64-bit integers such as ``intValue`` and
``startTimeUnixNano`` as decimal strings, attributes as ``[{"key", "value": {"stringValue" | "intValue" | ...}}]``).

Read per span (a row; the resource's service.name applies to the spans under it):

* A span counts as model inference when it carries ``gen_ai.usage.input_tokens`` or ``gen_ai.usage.output_tokens``
  and its ``gen_ai.operation.name`` is absent or an inference operation (``chat``, ``text_completion``,
  ``generate_content``, ``embeddings``). Agent and tool spans (``invoke_agent``, ``execute_tool``, ...) may repeat
  the usage of the calls under them: skipped, counted under ``not_inference``. A span with no GenAI usage at all
  (HTTP, database ...) is skipped under ``not_ai``; an inference span with status ERROR and no output tokens under
  ``failed_request``.
* An inference span missing ``gen_ai.usage.input_tokens`` or ``gen_ai.usage.output_tokens`` is refused, naming the
  span and the attribute: a count is never read as 0.
* day = UTC day of ``startTimeUnixNano``; requests = one per span.
* provider = ``gen_ai.provider.name`` (older instrumentations: ``gen_ai.system``) named as the other sources name
  it (``aws.bedrock`` -> ``aws_bedrock``, ``azure.ai.openai`` -> ``azure_openai``, ``gcp.*`` -> ``google``,
  ``mistral_ai`` -> ``mistral``); model = ``gen_ai.response.model``, else ``gen_ai.request.model``.
* The conventions count cached tokens inside ``gen_ai.usage.input_tokens``: cached_input_tokens =
  ``gen_ai.usage.cache_read.input_tokens`` (at most the input tokens), input_tokens = the rest (cache writes stay
  input). ``gen_ai.usage.reasoning.output_tokens`` are part of the output tokens and are not added again.
* person = ``user.id`` (else ``enduser.id``); project = the resource's ``service.name``. The zone is left blank:
  a client span does not say where the provider ran the call.

Memory: the file is read one exported request (one line, one batch of the Collector's batch processor) at a time
and summed every ``chunk_rows`` rows (spans or data points), so it stays flat however large the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import pandas as pd

from apps.connectors.sources import otel_metrics
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS
from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import combine
from apps.connectors.sources.otel_common import (
    INFERENCE_OPERATIONS,
    KEY,
    Chunk,
    attributes,
    day_of,
    requests,
    scoped_items,
    token_attribute,
)
from apps.connectors.sources.skips import SkipReason
from apps.core.messages import Message

LABEL = "OpenTelemetry GenAI spans and metrics (OTLP JSON)"
SIGNATURE = ("resourceSpans", "resource", "scopeSpans", "scope", "spans")  # what detection sees (4 levels deep)
METRICS_SIGNATURE = ("resourceMetrics", "resource", "scopeMetrics", "scope", "metrics")
SIGNATURES = (SIGNATURE, METRICS_SIGNATURE)
DESCRIPTION = "Spans or token-usage metrics of apps instrumented with OpenTelemetry GenAI, from the Collector's files."
DOC_URL = "https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/"
METRICS_DOC_URL = "https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/"

INPUT = "gen_ai.usage.input_tokens"
OUTPUT = "gen_ai.usage.output_tokens"
CACHE_READ = "gen_ai.usage.cache_read.input_tokens"
STATUS_ERROR = 2  # Status.code: 0 unset, 1 ok, 2 error


def _add_span(chunk: Chunk, span: Any, project: str, filename: str, path: str) -> None:
    """Read one span into the chunk, or count it under the reason it is left out."""
    if not isinstance(span, dict):
        raise SourceError(
            filename, path, None, Message("expected a span object, got {value}", value=describe_value(span))
        )
    attrs = attributes(span.get("attributes"), filename, path)
    if INPUT not in attrs and OUTPUT not in attrs:
        chunk.skip(SkipReason.NOT_AI)
        return
    operation = attrs.get("gen_ai.operation.name")
    if operation and operation not in INFERENCE_OPERATIONS:
        chunk.skip(SkipReason.NOT_INFERENCE)
        return
    status = span.get("status") or {}
    if status.get("code") in (STATUS_ERROR, "STATUS_CODE_ERROR") and not attrs.get(OUTPUT):
        chunk.skip(SkipReason.FAILED_REQUEST)
        return
    where = f"{path}.attributes"
    prompt = token_attribute(attrs, INPUT, filename, where)
    output = token_attribute(attrs, OUTPUT, filename, where)
    cached = min(token_attribute(attrs, CACHE_READ, filename, where), prompt) if CACHE_READ in attrs else 0
    chunk.add(day_of(span, "startTimeUnixNano", filename, path), attrs, project, (prompt - cached, cached, output), 1)


def _spans(request: dict, path: str, filename: str) -> Iterator[tuple[Any, str, str]]:
    """(span, the resource's service.name, path) for every span of an exported traces request."""
    return scoped_items(request, path, filename, "resourceSpans", "scopeSpans", "spans")


def _rows(stream: BinaryIO, filename: str) -> Iterator[tuple[Any, Any, str, str]]:
    """(reader, item, service.name, path) for every span and every metric of the file, in file order."""
    for n, (path, request) in enumerate(requests(stream, filename)):
        if n == 0:
            check_source(json_fields(request), filename, KEY)
        if isinstance(request, dict) and isinstance(request.get("resourceSpans"), list):
            for span, project, where in _spans(request, path, filename):
                yield _add_span, span, project, where
        elif isinstance(request, dict) and isinstance(request.get("resourceMetrics"), list):
            for metric, project, where in otel_metrics.metrics(request, path, filename):
                yield otel_metrics.add_metric, metric, project, where
        else:
            raise SourceError(
                filename,
                path,
                "resourceSpans",
                Message(
                    "expected an OTLP JSON export of traces or metrics, an object with a 'resourceSpans' or "
                    "'resourceMetrics' list{hint}",
                    hint=wrong_source_hint(json_fields(request), KEY),
                ),
            )


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Conformed frames of about `chunk_rows` rows (spans, data points) each; keys may repeat across chunks."""
    chunk, total = Chunk(), 0
    for reader, item, project, path in _rows(stream, filename):
        before = chunk.read
        reader(chunk, item, project, filename, path)
        total += chunk.read - before
        if chunk.read >= chunk_rows:
            yield chunk.frame()
            chunk = Chunk()
    if total == 0:
        raise SourceError(filename, None, None, Message("the file holds no spans and no metric data points"))
    if chunk.read:
        yield chunk.frame()


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole file as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
