"""OpenTelemetry spans with the GenAI semantic conventions, as the Collector's file exporter writes them: OTLP JSON,
one ``ExportTraceServiceRequest`` (``{"resourceSpans": [...]}``) per line, one file per rotation. Any internal app
instrumented with an OpenTelemetry GenAI instrumentation (OpenAI, Anthropic, Bedrock, LangChain ...) produces them.

Follows the OpenTelemetry pages "Semantic conventions for generative client AI spans"
(opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/, status: development) and the OTLP JSON encoding
(opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: 64-bit integers such as ``intValue`` and
``startTimeUnixNano`` as decimal strings, attributes as ``[{"key", "value": {"stringValue" | "intValue" | ...}}]``).

Read per span (resource and scope attributes apply to the spans under them):

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
and summed every ``chunk_rows`` spans, so it stays flat however large the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import pandas as pd

from apps.connectors.sources.bounds import MAX_AMOUNT, max_text
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS
from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import combine, finish
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.json_scan import MAX_STRING_BYTES
from apps.connectors.sources.json_strict import strict_loads
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import check_not_empty, seekable

KEY = "otel_genai"
LABEL = "OpenTelemetry GenAI spans (OTLP JSON)"
SIGNATURE = ("resourceSpans", "resource", "scopeSpans", "scope", "spans")  # what detection sees (4 levels deep)
DESCRIPTION = (
    "Spans of any app instrumented with the OpenTelemetry GenAI conventions, from the Collector's file exporter."
)
DOC_URL = "https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/"

INPUT = "gen_ai.usage.input_tokens"
OUTPUT = "gen_ai.usage.output_tokens"
CACHE_READ = "gen_ai.usage.cache_read.input_tokens"
INFERENCE_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "embeddings"})
PROVIDERS = {
    "aws.bedrock": "aws_bedrock",
    "azure.ai.openai": "azure_openai",
    "azure.ai.inference": "azure_ai",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "mistral_ai": "mistral",
    "ibm.watsonx.ai": "ibm",
    "x_ai": "xai",
}
STATUS_ERROR = 2  # Status.code: 0 unset, 1 ok, 2 error
_NANOS_PER_DAY = 86_400 * 10**9
_EPOCH = pd.Timestamp("1970-01-01")
_VALUE_KEYS = ("stringValue", "intValue", "doubleValue", "boolValue")


def _attributes(items: Any, filename: str, path: str) -> dict[str, Any]:
    """An OTLP attribute list as {key: value} (scalars only; arrays and maps are not usage and are dropped)."""
    if not items:
        return {}
    if not isinstance(items, list):
        raise SourceError(filename, path, "attributes", f"expected a list of attributes, got {describe_value(items)}")
    out = {}
    for item in items:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, dict):
            for kind in _VALUE_KEYS:
                if kind in value:
                    out[item.get("key")] = value[kind]
                    break
    return out


def _count(attrs: dict[str, Any], key: str, filename: str, path: str) -> int:
    """A token attribute as a whole number >= 0 (an OTLP intValue is a decimal string)."""
    value = attrs.get(key)
    if value is None:
        raise SourceError(filename, path, key, "expected a whole number >= 0, the attribute is missing")
    if (isinstance(value, str) and value.strip().isdigit()) or (isinstance(value, float) and value.is_integer()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SourceError(filename, path, key, f"expected a whole number >= 0, got {describe_value(value)}")
    if value > MAX_AMOUNT:
        raise SourceError(filename, path, key, f"expected a whole number >= 0 {max_text()}, got {value}")
    return value


def _day(span: dict, filename: str, path: str) -> int:
    """The UTC day of the span's start, as days since 1970 (turned into dates once per chunk)."""
    value = span.get("startTimeUnixNano")
    try:
        nanos = int(value)
        if isinstance(value, bool) or nanos <= 0:
            raise ValueError
    except (TypeError, ValueError):
        raise SourceError(
            filename,
            path,
            "startTimeUnixNano",
            f"expected nanoseconds since 1970 as digits, got {describe_value(value)}",
        ) from None
    return nanos // _NANOS_PER_DAY


class _Chunk:
    """Spans read so far, kept as columns (a dict per span would cost more memory than the file's batch)."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {
            name: [] for name in ("day", "provider", "model", "input_tokens", "cached_input_tokens", "output_tokens")
        }
        self.columns.update(person=[], project=[])
        self.read = 0
        self.skipped = dict.fromkeys((SkipReason.NOT_AI, SkipReason.NOT_INFERENCE, SkipReason.FAILED_REQUEST), 0)

    def add(self, span: Any, resource: dict[str, Any], filename: str, path: str) -> None:
        """Read one span into the chunk, or count it under the reason it is left out."""
        self.read += 1
        if not isinstance(span, dict):
            raise SourceError(filename, path, None, f"expected a span object, got {describe_value(span)}")
        attrs = _attributes(span.get("attributes"), filename, path)
        if INPUT not in attrs and OUTPUT not in attrs:
            self.skipped[SkipReason.NOT_AI] += 1
            return
        operation = attrs.get("gen_ai.operation.name")
        if operation and operation not in INFERENCE_OPERATIONS:
            self.skipped[SkipReason.NOT_INFERENCE] += 1
            return
        status = span.get("status") or {}
        if status.get("code") in (STATUS_ERROR, "STATUS_CODE_ERROR") and not attrs.get(OUTPUT):
            self.skipped[SkipReason.FAILED_REQUEST] += 1
            return
        where = f"{path}.attributes"
        prompt = _count(attrs, INPUT, filename, where)
        output = _count(attrs, OUTPUT, filename, where)
        cached = min(_count(attrs, CACHE_READ, filename, where), prompt) if CACHE_READ in attrs else 0
        provider = str(attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or "")
        c = self.columns
        c["day"].append(_day(span, filename, path))
        c["provider"].append(PROVIDERS.get(provider, provider))
        c["model"].append(str(attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model") or ""))
        c["input_tokens"].append(prompt - cached)
        c["cached_input_tokens"].append(cached)
        c["output_tokens"].append(output)
        c["person"].append(str(attrs.get("user.id") or attrs.get("enduser.id") or ""))
        c["project"].append(str(resource.get("service.name") or ""))

    def frame(self) -> pd.DataFrame:
        """The chunk as a conformed, summed usage frame with its counts."""
        frame = pd.DataFrame(self.columns)
        frame["day"] = _EPOCH + pd.to_timedelta(frame["day"], unit="D")
        frame["requests"] = 1
        return finish(frame, KEY, attrs=counted(self.read, self.skipped))


class _NotLines(Exception):
    """The file is not UTF-8 JSON lines that json.loads reads (another layout, or a problem to be located)."""


def _lines(stream: BinaryIO) -> Iterator[tuple[str, Any]]:
    """(path, value) of a JSON-lines file read a line at a time with json.loads (refusing what iter_json_values
    refuses: a key twice, NaN, Infinity, 1e400); paths as iter_json_values gives them ('' for a file of one value,
    else [i]). A line longer than MAX_STRING_BYTES goes to the incremental reader, which reads it in blocks and
    refuses a string that long (here it would be read whole first)."""
    values = (line for line in _bounded_lines(stream) if line.strip())
    first = next(values, None)
    if first is None or not first.lstrip(b"\xef\xbb\xbf \t").startswith(b"{"):
        raise _NotLines
    first = first.removeprefix(b"\xef\xbb\xbf")
    second = next(values, None)
    try:
        if second is None:
            yield "", strict_loads(first)
            return
        yield "[0]", strict_loads(first)
        yield "[1]", strict_loads(second)
        for i, line in enumerate(values, start=2):
            yield f"[{i}]", strict_loads(line)
    except (ValueError, UnicodeDecodeError):
        raise _NotLines from None


def _bounded_lines(stream: BinaryIO) -> Iterator[bytes]:
    while line := stream.readline(MAX_STRING_BYTES + 1):
        if len(line) > MAX_STRING_BYTES:
            raise _NotLines
        yield line


def _requests(stream: BinaryIO, filename: str) -> Iterator[tuple[str, Any]]:
    """(path, request) of the file. The exporter's JSON lines are read line by line with json.loads, several times
    faster than the incremental reader; any other layout, or a line json cannot read, goes through
    iter_json_values, which names the problem and where (the values already given are not given again)."""
    stream = seekable(stream)
    check_not_empty(stream, filename)
    start = stream.tell()
    done = 0
    try:
        for path, value in _lines(stream):
            yield path, value
            done += 1
        return
    except _NotLines:
        stream.seek(start)
    for n, (path, value) in enumerate(iter_json_values(stream, filename, source_key=KEY)):
        if n >= done:
            yield path, value


def _spans(stream: BinaryIO, filename: str) -> Iterator[tuple[Any, dict[str, Any], str]]:
    """(span, resource attributes, path) for every span of every exported request in the file."""
    for n, (path, request) in enumerate(_requests(stream, filename)):
        if n == 0:
            check_source(json_fields(request), filename, KEY)
        if not isinstance(request, dict) or not isinstance(request.get("resourceSpans"), list):
            if isinstance(request, dict) and "resourceMetrics" in request:
                raise SourceError(
                    filename,
                    path,
                    "resourceMetrics",
                    "this is an OTLP metrics export; this source reads spans (the Collector's traces pipeline "
                    "written by the file exporter)",
                )
            raise SourceError(
                filename,
                path,
                "resourceSpans",
                "expected an OTLP JSON traces export, an object with a 'resourceSpans' list"
                + wrong_source_hint(json_fields(request), KEY),
            )
        base = f"{path}.resourceSpans" if path else "resourceSpans"
        for r, resource_spans in enumerate(request["resourceSpans"]):
            rpath = f"{base}[{r}]"
            resource = (resource_spans or {}).get("resource") or {}
            resource_attrs = _attributes(resource.get("attributes"), filename, f"{rpath}.resource")
            for s, scope in enumerate((resource_spans or {}).get("scopeSpans") or []):
                spans = (scope or {}).get("spans") or []
                for i, span in enumerate(spans):
                    yield span, resource_attrs, f"{rpath}.scopeSpans[{s}].spans[{i}]"


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Conformed frames of at most about `chunk_rows` spans each (keys may repeat across chunks)."""
    chunk, total = _Chunk(), 0
    for span, resource, path in _spans(stream, filename):
        chunk.add(span, resource, filename, path)
        total += 1
        if chunk.read >= chunk_rows:
            yield chunk.frame()
            chunk = _Chunk()
    if total == 0:
        raise SourceError(filename, None, None, "the file holds no spans")
    if chunk.read:
        yield chunk.frame()


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole file as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
