"""What the two OTLP JSON readers of the ``otel_genai`` source share: the exported requests of a file read one at a
time, OTLP attribute lists, token counts, days from ``*UnixNano`` timestamps, provider names, and the chunk the
spans (:mod:`otel_genai`) and the token-usage data points (:mod:`otel_metrics`) are read into.

Follows the OTLP JSON encoding (opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): 64-bit integers such as
``intValue``, ``count`` and ``*UnixNano`` as decimal strings (a plain JSON number is read too), enums as integers,
attributes as ``[{"key", "value": {"stringValue" | "intValue" | ...}}]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import pandas as pd

from apps.connectors.sources.bounds import MAX_AMOUNT, max_text
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.json_scan import MAX_STRING_BYTES
from apps.connectors.sources.json_strict import strict_loads
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import check_not_empty, seekable
from apps.core.messages import Message

KEY = "otel_genai"
# Operations that are one model call; agent and tool operations (invoke_agent, execute_tool ...) repeat the
# usage of the calls under them.
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
_NANOS_PER_DAY = 86_400 * 10**9
_EPOCH = pd.Timestamp("1970-01-01")
_VALUE_KEYS = ("stringValue", "intValue", "doubleValue", "boolValue")


def attributes(items: Any, filename: str, path: str) -> dict[str, Any]:
    """An OTLP attribute list as {key: value} (scalars only; arrays and maps are not usage and are dropped)."""
    if not items:
        return {}
    if not isinstance(items, list):
        raise SourceError(
            filename,
            path,
            "attributes",
            Message("expected a list of attributes, got {value}", value=describe_value(items)),
        )
    out = {}
    for item in items:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, dict):
            for kind in _VALUE_KEYS:
                if kind in value:
                    out[item.get("key")] = value[kind]
                    break
    return out


def whole_number(value: Any, filename: str, path: str, column: str) -> int:
    """A token count or a point's count as a whole number >= 0 (64-bit integers are decimal strings in OTLP JSON;
    a double such as a histogram's sum must have no fraction)."""
    if value is None:
        raise SourceError(filename, path, column, Message("expected a whole number >= 0, the field is missing"))
    if (isinstance(value, str) and value.strip().isdigit()) or (isinstance(value, float) and value.is_integer()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SourceError(
            filename, path, column, Message("expected a whole number >= 0, got {value}", value=describe_value(value))
        )
    if value > MAX_AMOUNT:
        raise SourceError(
            filename,
            path,
            column,
            Message("expected a whole number >= 0 {bound}, got {value}", bound=max_text(), value=value),
        )
    return value


def token_attribute(attrs: dict[str, Any], key: str, filename: str, path: str) -> int:
    """A token attribute of a span as a whole number >= 0; a missing one is refused, never read as 0."""
    if attrs.get(key) is None:
        raise SourceError(filename, path, key, Message("expected a whole number >= 0, the attribute is missing"))
    return whole_number(attrs[key], filename, path, key)


def day_of(holder: dict, field: str, filename: str, path: str) -> int:
    """The UTC day of the timestamp `field` (nanoseconds since 1970), as days since 1970 (turned into dates once
    per chunk)."""
    value = holder.get(field)
    try:
        nanos = int(value)
        if isinstance(value, bool) or nanos <= 0:
            raise ValueError
    except (TypeError, ValueError):
        raise SourceError(
            filename,
            path,
            field,
            Message("expected nanoseconds since 1970 as digits, got {value}", value=describe_value(value)),
        ) from None
    return nanos // _NANOS_PER_DAY


def scoped_items(
    request: dict, path: str, filename: str, signal: str, scopes: str, items: str
) -> Iterator[tuple[Any, str, str]]:
    """(item, the resource's service.name, path) for every item of an exported OTLP request: `signal` the
    resource list (resourceSpans, resourceMetrics), `scopes` its scope list, `items` the scope's items."""
    base = f"{path}.{signal}" if path else signal
    for r, resource_items in enumerate(request[signal]):
        rpath = f"{base}[{r}]"
        resource = (resource_items or {}).get("resource") or {}
        project = str(attributes(resource.get("attributes"), filename, f"{rpath}.resource").get("service.name") or "")
        for s, scope in enumerate((resource_items or {}).get(scopes) or []):
            for i, item in enumerate((scope or {}).get(items) or []):
                yield item, project, f"{rpath}.{scopes}[{s}].{items}[{i}]"


def provider_of(attrs: dict[str, Any]) -> str:
    """``gen_ai.provider.name`` (older instrumentations: ``gen_ai.system``) as the other sources name it."""
    provider = str(attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or "")
    return PROVIDERS.get(provider, provider)


def model_of(attrs: dict[str, Any]) -> str:
    """The response model, else the request model."""
    return str(attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model") or "")


def person_of(attrs: dict[str, Any]) -> str:
    """``user.id``, else ``enduser.id``."""
    return str(attrs.get("user.id") or attrs.get("enduser.id") or "")


class Chunk:
    """Rows (spans or data points) read so far, kept as columns: a dict per row would cost more memory than the
    file's batch."""

    NAMES = ("day", "provider", "model", "input_tokens", "cached_input_tokens", "output_tokens", "requests")

    def __init__(self) -> None:
        self.columns: dict[str, list] = {name: [] for name in self.NAMES}
        self.columns.update(person=[], project=[])
        self.read = 0
        self.skipped: dict[SkipReason, int] = {}

    def skip(self, reason: SkipReason, rows: int = 1) -> None:
        """Count `rows` rows read and left out under `reason`."""
        self.read += rows
        self.skipped[reason] = self.skipped.get(reason, 0) + rows

    def add(self, day: int, attrs: dict[str, Any], project: str, tokens: tuple[int, int, int], requests: int) -> None:
        """One row read into the chunk: `tokens` = (input, cached input, output)."""
        self.read += 1
        c = self.columns
        c["day"].append(day)
        c["provider"].append(provider_of(attrs))
        c["model"].append(model_of(attrs))
        c["input_tokens"].append(tokens[0])
        c["cached_input_tokens"].append(tokens[1])
        c["output_tokens"].append(tokens[2])
        c["requests"].append(requests)
        c["person"].append(person_of(attrs))
        c["project"].append(project)

    def frame(self) -> pd.DataFrame:
        """The chunk as a conformed, summed usage frame with its counts."""
        frame = pd.DataFrame(self.columns)
        frame["day"] = _EPOCH + pd.to_timedelta(frame["day"], unit="D")
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
    """The stream's lines, refusing to read one longer than MAX_STRING_BYTES whole (raised as _NotLines)."""
    while line := stream.readline(MAX_STRING_BYTES + 1):
        if len(line) > MAX_STRING_BYTES:
            raise _NotLines
        yield line


def requests(stream: BinaryIO, filename: str) -> Iterator[tuple[str, Any]]:
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
