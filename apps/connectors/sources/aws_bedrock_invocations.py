"""Amazon Bedrock model-invocation logs, JSON lines as Bedrock writes them to S3 or CloudWatch Logs, one record per
model call (``schemaType`` ``ModelInvocationLog``). Also a JSON list of records or a CloudWatch Logs export
``{"events": [{"message": "<record as JSON text>"}, ...]}``.

Follows AWS's page "Monitor model invocation using CloudWatch Logs and Amazon S3"
(docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html).

Keys read: ``timestamp``, ``modelId``, ``input.inputTokenCount``, ``output.outputTokenCount`` (required) and
``input.cacheReadInputTokenCount``, ``input.cacheWriteInputTokenCount``, ``region``, ``inferenceRegion``,
``accountId``, ``identity.arn``, ``errorCode``. The request and response bodies are never looked at.

* day = UTC day of ``timestamp``; requests = one per record.
* model = ``modelId`` without an ARN's ``arn:...:<kind>/`` prefix, without a cross-region inference profile's
  geography (``us.``, ``eu.``, ``apac.``, ``global.``...) and without the version suffix (``-v1:0``); provider =
  the vendor before the first dot (``anthropic``, ``meta``, ``amazon``, ``mistral``, ``cohere``...), or
  ``aws_bedrock`` for an id without one (a provisioned or custom model).
* input_tokens = ``inputTokenCount`` + ``cacheWriteInputTokenCount`` (writing the prompt cache is full prompt
  processing, as anthropic_usage reads it); cached_input_tokens = ``cacheReadInputTokenCount``.
* zone = ``aws:<inferenceRegion>`` (where a cross-region profile actually ran it), else ``aws:<region>``.
* person = ``identity.arn`` (the IAM user or assumed role that called); project = ``accountId``.
* A record with an ``errorCode`` is a failed call: skipped, counted under ``failed_request``.
* The log carries no price: cost is left empty (the bill, source ``aws_cur_bedrock``, has it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

import pandas as pd

from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS
from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import combine, finish
from apps.connectors.sources.json_models import Count, JsonRow, RequiredCount, Section, Text, required, validate
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.json_strict import StrictJsonError, strict_loads
from apps.connectors.sources.json_values import json_day
from apps.connectors.sources.skips import SkipReason, counted
from apps.core.messages import Message

KEY = "aws_bedrock_invocations"
LABEL = "Amazon Bedrock model-invocation logs"
SIGNATURE = ("schemaType", "modelId", "inputTokenCount", "outputTokenCount", "requestId", "operation")
DESCRIPTION = "One record per Bedrock model call (JSON lines from S3 or CloudWatch): tokens, caller, region."
DOC_URL = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html"
UNKNOWN_VENDOR = "aws_bedrock"
# Geography prefixes of cross-region inference profiles ("us.anthropic.claude-...").
_GEO = re.compile(r"^(us|eu|apac|jp|au|ca|us-gov|global)\.(?=[a-z0-9-]+\.)")
_VERSION = re.compile(r"-v\d+(:\d+)?$")


class Input(JsonRow):
    """The ``input`` object of a record: its token counts (the body is ignored)."""

    WHAT: ClassVar[str] = "an input object with inputTokenCount"

    inputTokenCount: RequiredCount = required()
    cacheReadInputTokenCount: Count = 0
    cacheWriteInputTokenCount: Count = 0


class Output(JsonRow):
    """The ``output`` object of a record."""

    WHAT: ClassVar[str] = "an output object with outputTokenCount"

    outputTokenCount: RequiredCount = required()


class Identity(JsonRow):
    """Who called."""

    WHAT: ClassVar[str] = "an identity object"

    arn: Text = ""


class Record(JsonRow):
    """One successful model-invocation record."""

    WHAT: ClassVar[str] = "a model-invocation log record"

    input: Input | None = None
    output: Output | None = None
    identity: Section[Identity] = Identity()
    region: Text = ""
    inferenceRegion: Text = ""
    accountId: Text = ""


def model_and_provider(model_id: str) -> tuple[str, str]:
    """(model, provider) of a Bedrock model id, inference-profile id or ARN (rules in the module docstring)."""
    name = model_id.rsplit("/", 1)[-1] if model_id.startswith("arn:") else model_id
    name = _GEO.sub("", name)
    vendor, dot, rest = name.partition(".")
    if not dot:
        return _VERSION.sub("", name), UNKNOWN_VENDOR
    return _VERSION.sub("", rest), vendor


def _records(stream: BinaryIO, filename: str) -> Iterator[tuple[str, Any]]:
    """The records of the file with their paths; a CloudWatch export's messages decoded from their JSON text."""
    for path, value in iter_json_values(stream, filename, source_key=KEY):
        if isinstance(value, dict) and isinstance(value.get("events"), list) and "modelId" not in value:
            base = f"{path}.events" if path else "events"
            for i, event in enumerate(value["events"]):
                yield f"{base}[{i}]", _message(event, filename, f"{base}[{i}]")
        else:
            yield path, value


def _message(event: Any, filename: str, path: str) -> Any:
    text = event.get("message") if isinstance(event, dict) else None
    try:
        return strict_loads(text) if isinstance(text, str) else text
    except StrictJsonError as exc:
        raise SourceError(
            filename, path, "message", Message("in the log record's JSON text, {problem}", problem=exc.message)
        ) from None
    except ValueError:
        raise SourceError(
            filename,
            path,
            "message",
            Message("expected a log record as JSON text, got {value}", value=describe_value(text)),
        ) from None


def _row(record: Any, filename: str, path: str) -> dict[str, Any] | None:
    """The usage of one record, or None for a failed call."""
    if not isinstance(record, dict) or "modelId" not in record:
        raise SourceError(
            filename,
            path,
            "modelId" if isinstance(record, dict) else None,
            Message(
                "expected a Bedrock model-invocation log record with a modelId{hint}",
                hint=wrong_source_hint(json_fields(record), KEY),
            ),
        )
    if record.get("errorCode"):
        return None
    model_id = record["modelId"]
    if not isinstance(model_id, str) or not model_id.strip():
        raise SourceError(
            filename, path, "modelId", Message("expected a model id, got {value}", value=describe_value(model_id))
        )
    for key in ("input", "output"):
        if record.get(key) is None:
            raise SourceError(
                filename, path, key, Message("expected the record's {key} object, the key is missing", key=key)
            )
    day = json_day(record.get("timestamp"), filename, path, "timestamp")
    usage = validate(Record, record, filename, path)
    model, provider = model_and_provider(model_id.strip())
    region = usage.inferenceRegion or usage.region
    return {
        "day": day,
        "provider": provider,
        "model": model,
        "requests": 1,
        "input_tokens": usage.input.inputTokenCount + usage.input.cacheWriteInputTokenCount,
        "cached_input_tokens": usage.input.cacheReadInputTokenCount,
        "output_tokens": usage.output.outputTokenCount,
        "person": usage.identity.arn,
        "project": usage.accountId,
        "zone": f"aws:{region.strip().lower()}" if region.strip() else "",
    }


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Conformed frames of at most `chunk_rows` records each, so a day of logs is read in flat memory."""
    rows: list[dict[str, Any]] = []
    read = failed = total = 0
    for path, record in _records(stream, filename):
        if total == 0:
            check_source(json_fields(record), filename, KEY)
        read += 1
        total += 1
        row = _row(record, filename, path)
        if row is None:
            failed += 1
        else:
            rows.append(row)
        if read >= chunk_rows:
            yield finish(rows, KEY, attrs=counted(read, {SkipReason.FAILED_REQUEST: failed}))
            rows, read, failed = [], 0, 0
    if total == 0:
        raise SourceError(filename, None, None, Message("the file holds no model-invocation log records"))
    if read:
        yield finish(rows, KEY, attrs=counted(read, {SkipReason.FAILED_REQUEST: failed}))


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole log as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
