"""Anthropic Admin API usage report for messages (``/v1/organizations/usage_report/messages``), JSON.

Accepted shapes: one page ``{"data": [buckets], "has_more", "next_page"}``, a JSON list of pages, or
pages one after another. A bucket has ``starting_at``/``ending_at`` (ISO 8601) and ``results``; the
day is the UTC day of ``starting_at`` (hourly/minute buckets are summed to the day).

Mapping (provider ``anthropic``):

* input_tokens = ``uncached_input_tokens`` + ``cache_creation.ephemeral_1h_input_tokens`` +
  ``cache_creation.ephemeral_5m_input_tokens`` (writing the cache is full prompt processing);
  cached_input_tokens = ``cache_read_input_tokens``; output_tokens = ``output_tokens``.
* ``workspace_id`` -> project (null is the default workspace, left ''), ``api_key_id`` -> api_key,
  ``model`` -> model.
* The report has no request count: requests is 0 unless a result carries ``num_model_requests``
  or ``requests``; the calculator must then work from tokens, not requests.
* ``server_tool_use`` (web searches) is not model inference and is not counted.
* ``uncached_input_tokens``, ``cache_creation`` (both of its counts), ``cache_read_input_tokens`` and
  ``output_tokens`` are documented as always present: a result missing one (a renamed key) is refused, naming it,
  and nothing is stored.

A cost report page (results with ``amount``/``currency``) is refused with a message.
"""

from __future__ import annotations

from typing import Annotated, Any, BinaryIO, ClassVar

import pandas as pd
from pydantic import BeforeValidator, Field

from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import (
    Count,
    JsonRow,
    OptionalCount,
    RequiredCount,
    Text,
    refuse,
    required,
    validate,
)
from apps.connectors.sources.json_pages import entry_path, iter_pages
from apps.connectors.sources.json_values import check_repeat, expect, json_day
from apps.connectors.sources.skips import counted
from apps.core.messages import Message

KEY = "anthropic_usage"
LABEL = "Anthropic usage report (messages)"
SIGNATURE = (
    "starting_at",
    "ending_at",
    "results",
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "cache_creation",
)
PROVIDER = "anthropic"


def _cache_creation(value: Any) -> Any:
    if value is None:
        raise refuse(Message("expected an object of cache-creation tokens, the key is missing"))
    return value


class CacheCreation(JsonRow):
    """The tokens a result wrote to the prompt cache (full prompt processing)."""

    WHAT: ClassVar[str] = "an object of cache-creation tokens"

    ephemeral_1h_input_tokens: RequiredCount = required()
    ephemeral_5m_input_tokens: RequiredCount = required()


class Result(JsonRow):
    """One usage result of a bucket of the messages usage report."""

    WHAT: ClassVar[str] = "a usage result object"

    # Checked in this order, the order the messages have always named the first problem in. The token counts and
    # cache_creation are documented as always present: a missing one is refused, never read as 0.
    uncached_input_tokens: RequiredCount = required()
    cache_creation: Annotated[CacheCreation, BeforeValidator(_cache_creation)] = Field(
        default=None, validate_default=True
    )
    requests: Count = 0
    num_model_requests: OptionalCount = None  # when given, the request count (else 'requests')
    cache_read_input_tokens: RequiredCount = required()
    output_tokens: RequiredCount = required()
    model: Text = ""
    workspace_id: Text = ""  # null: the default workspace
    api_key_id: Text = ""


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse Anthropic usage report page(s) into a conformed usage frame (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    read = 0
    seen: dict[tuple, str] = {}
    for path, page in iter_pages(stream, filename, KEY, what="an Anthropic usage report page", of="buckets"):
        page_rows, n = _parse_page(page, filename, path, seen)
        rows += page_rows
        read += n
    return finish(rows, KEY, attrs=counted(read))


def _parse_page(page: dict, filename: str, path: str, seen: dict[tuple, str]) -> tuple[list[dict], int]:
    rows: list[dict] = []
    read = 0
    for b, bucket in enumerate(page["data"]):
        bpath = entry_path(path, "data", b)
        expect(bucket, dict, filename, bpath, "a bucket object")
        results = bucket.get("results")
        if not isinstance(results, list):
            raise SourceError(
                filename,
                bpath,
                "results",
                Message("expected a list of usage results{hint}", hint=wrong_source_hint(json_fields(page), KEY)),
            )
        day = None
        for r, result in enumerate(results):
            rpath = f"{bpath}.results[{r}]"
            expect(result, dict, filename, rpath, Result.WHAT)
            read += 1
            if "amount" in result and "output_tokens" not in result:
                raise SourceError(
                    filename,
                    rpath,
                    None,
                    Message(
                        "this is an Anthropic cost report (/v1/organizations/cost_report), not the "
                        "usage report; choose the 'anthropic_cost_report' source for it, or load "
                        "/v1/organizations/usage_report/messages pages"
                    ),
                )
            if "uncached_input_tokens" not in result and "output_tokens" not in result:
                raise SourceError(
                    filename,
                    rpath,
                    "uncached_input_tokens",
                    Message(
                        "expected the usage report's token fields (uncached_input_tokens, "
                        "cache_read_input_tokens, output_tokens){hint}",
                        hint=wrong_source_hint(json_fields(page), KEY),
                    ),
                )
            if day is None:
                day = json_day(bucket.get("starting_at"), filename, bpath, "starting_at")
            check_repeat(seen, (bucket.get("starting_at"), bucket.get("ending_at")), result, filename, rpath)
            usage = validate(Result, result, filename, rpath)
            rows.append(
                {
                    "day": day,
                    "provider": PROVIDER,
                    "model": usage.model,
                    "requests": usage.requests if usage.num_model_requests is None else usage.num_model_requests,
                    "input_tokens": usage.uncached_input_tokens
                    + usage.cache_creation.ephemeral_1h_input_tokens
                    + usage.cache_creation.ephemeral_5m_input_tokens,
                    "cached_input_tokens": usage.cache_read_input_tokens,
                    "output_tokens": usage.output_tokens,
                    "project": usage.workspace_id,
                    "api_key": usage.api_key_id,
                }
            )
    return rows, read
