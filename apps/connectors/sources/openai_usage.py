"""OpenAI organisation Usage API pages (``/v1/organization/usage/completions``, ``/embeddings``,
``/moderations``, ``/images``, ``/audio_speeches``, ``/audio_transcriptions``) as JSON.

Accepted shapes: one page ``{"object": "page", "data": [buckets], "has_more", "next_page"}``, a JSON
list of such pages, or pages written one after another (JSON lines / ``--paginate`` output). Each
bucket has ``start_time``/``end_time`` (unix seconds) and ``results``; a result's day is the UTC day
of its bucket's ``start_time`` (hourly or minute buckets are summed to the day).

Mapping to the usage frame (provider ``openai``):

* ``input_tokens`` includes ``input_cached_tokens`` in OpenAI's report, so the frame gets
  ``input_tokens - input_cached_tokens`` as input and ``input_cached_tokens`` as cached input.
  Audio tokens are part of input/output tokens already and are not added again.
* ``num_model_requests`` -> requests; ``project_id`` -> project; ``user_id`` -> person;
  ``api_key_id`` -> api_key; ``model`` -> model ('' when the report was not grouped by model).
* image and audio results carry no tokens: they give requests only. Vector-store and code-interpreter
  results are not model usage and are skipped (counted in ``attrs['rows_skipped']``).
* The zone is left blank: the API does not say where requests ran.

A costs page (``organization.costs.result``) is refused with a message: costs are the ``openai_costs`` source.
"""

from __future__ import annotations

from typing import Any, BinaryIO, ClassVar

import pandas as pd
from pydantic import ValidationInfo, field_validator

from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import Count, JsonRow, Text, refuse, validate
from apps.connectors.sources.json_reader import load_json
from apps.connectors.sources.json_values import check_repeat, expect, json_day

KEY = "openai_usage"
LABEL = "OpenAI usage API pages"
SIGNATURE = ("start_time", "end_time", "results", "num_model_requests", "input_cached_tokens")
PROVIDER = "openai"
# Result objects that are not model usage at all.
_SKIPPED_OBJECTS = (
    "organization.usage.vector_stores.result",
    "organization.usage.code_interpreter_sessions.result",
)


class Result(JsonRow):
    """One usage result of a bucket (``organization.usage.completions.result`` and siblings)."""

    WHAT: ClassVar[str] = "a usage result object"

    input_tokens: Count = 0  # includes the cached ones
    input_cached_tokens: Count = 0
    num_model_requests: Count = 0
    output_tokens: Count = 0
    model: Text = ""
    user_id: Text = ""
    project_id: Text = ""
    api_key_id: Text = ""

    @field_validator("input_cached_tokens")
    @classmethod
    def _cached_within_input(cls, cached: int, info: ValidationInfo) -> int:
        total = info.data.get("input_tokens")
        if total is not None and cached > total:
            raise refuse(f"expected at most input_tokens ({total}), got {cached}")
        return cached


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse OpenAI Usage API page(s) into a conformed usage frame (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    read = skipped = 0
    seen: dict[tuple, str] = {}
    for top_path, value in load_json(stream, filename, KEY):
        pages = value if isinstance(value, list) else [value]
        for i, page in enumerate(pages):
            path = f"{top_path}[{i}]" if isinstance(value, list) else top_path
            r, s, n = _parse_page(page, filename, path, seen)
            rows += r
            skipped += s
            read += n
    return finish(rows, KEY, attrs={"rows_read": read, "rows_skipped": skipped})


def _parse_page(page: Any, filename: str, path: str, seen: dict[tuple, str]) -> tuple[list[dict], int, int]:
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        hint = wrong_source_hint(json_fields(page), KEY)
        raise SourceError(
            filename,
            path,
            "data" if isinstance(page, dict) else None,
            "expected an OpenAI usage page, an object with a 'data' list of buckets" + hint,
        )
    rows: list[dict] = []
    skipped = read = 0
    for b, bucket in enumerate(page["data"]):
        bpath = f"{path}.data[{b}]" if path else f"data[{b}]"
        expect(bucket, dict, filename, bpath, "a bucket object")
        # Some older examples name the list 'result'.
        results = bucket["result"] if "results" not in bucket and "result" in bucket else bucket.get("results")
        if not isinstance(results, list):
            hint = wrong_source_hint(json_fields(page), KEY)
            raise SourceError(filename, bpath, "results", "expected a list of usage results" + hint)
        day = None
        for r, result in enumerate(results):
            rpath = f"{bpath}.results[{r}]"
            expect(result, dict, filename, rpath, Result.WHAT)
            read += 1
            obj = "" if result.get("object") is None else str(result["object"])
            if obj == "organization.costs.result" or ("amount" in result and "input_tokens" not in result):
                raise SourceError(
                    filename,
                    rpath,
                    None,
                    "this is an OpenAI costs page (/v1/organization/costs), not usage; choose the "
                    "'openai_costs' source for it, or load the usage pages (/v1/organization/usage/completions)",
                )
            if obj in _SKIPPED_OBJECTS:
                skipped += 1
                continue
            if day is None:
                day = json_day(bucket.get("start_time"), filename, bpath, "start_time", unix=True)
            check_repeat(seen, (bucket.get("start_time"), bucket.get("end_time")), result, filename, rpath)
            usage = validate(Result, result, filename, rpath)
            rows.append(
                {
                    "day": day,
                    "provider": PROVIDER,
                    "model": usage.model,
                    "requests": usage.num_model_requests,
                    "input_tokens": usage.input_tokens - usage.input_cached_tokens,
                    "cached_input_tokens": usage.input_cached_tokens,
                    "output_tokens": usage.output_tokens,
                    "person": usage.user_id,
                    "project": usage.project_id,
                    "api_key": usage.api_key_id,
                }
            )
    return rows, skipped, read
