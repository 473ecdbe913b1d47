"""OpenAI organisation Usage API pages (``/v1/organization/usage/completions``, ``/embeddings``,
``/moderations``, ``/images``, ``/audio_speeches``, ``/audio_transcriptions``) as JSON.

Accepted shapes: one page ``{"object": "page", "data": [buckets], "has_more", "next_page"}``, a JSON
list of such pages, or pages written one after another (JSON lines / ``--paginate`` output). Each
bucket has ``start_time``/``end_time`` (unix seconds) and ``results``; a result's day is the UTC day
of its bucket's ``start_time`` (hourly or minute buckets are summed to the day).

Mapping to the usage frame (provider ``openai``):

* ``input_tokens`` includes ``input_cached_tokens`` in OpenAI's report, so the frame gets
  ``input_tokens - input_cached_tokens`` as input and ``input_cached_tokens`` as cached input.
  Audio, image and text tokens (``input_audio_tokens``, ``input_text_tokens``, ``output_image_tokens``, ...)
  are parts of input/output tokens already and are not added again.
* Required, as OpenAI documents them: ``num_model_requests`` in every result, ``input_tokens`` in completions,
  embeddings and moderations results, ``output_tokens`` in completions results. A result missing one is
  refused naming the key (a result carrying only per-modality fields is refused, never stored as zeros);
  ``input_cached_tokens`` is documented as optional (absent: derived from ``input_uncached_tokens`` when given,
  else none cached). A result ``object`` the source does not know is refused.
* ``num_model_requests`` -> requests; ``project_id`` -> project; ``user_id`` -> person;
  ``api_key_id`` -> api_key; ``model`` -> model ('' when the report was not grouped by model).
* image and audio results carry no tokens: they give requests only. Vector-store and code-interpreter
  results are not model inference and are skipped (counted under ``not_inference``, see ``skips``).
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
from apps.connectors.sources.json_models import (
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
from apps.connectors.sources.skips import SkipReason, counted
from apps.core.messages import Message

KEY = "openai_usage"
LABEL = "OpenAI usage API pages"
SIGNATURE = ("start_time", "end_time", "results", "num_model_requests", "input_cached_tokens")
PROVIDER = "openai"
# Result objects that are not model usage at all.
_SKIPPED_OBJECTS = (
    "organization.usage.vector_stores.result",
    "organization.usage.code_interpreter_sessions.result",
)


class Requests(JsonRow):
    """A result that counts requests only (images, audio speeches and transcriptions): no tokens."""

    WHAT: ClassVar[str] = Message("a usage result object")

    num_model_requests: RequiredCount = required()
    model: Text = ""
    user_id: Text = ""
    project_id: Text = ""
    api_key_id: Text = ""


class InputTokens(Requests):
    """An embeddings or moderations result: input tokens and requests, both documented as always present."""

    input_tokens: RequiredCount = required()


class Result(InputTokens):
    """A completions result. ``input_tokens`` includes the cached ones; ``input_cached_tokens`` is documented as
    optional (absent: none cached, unless ``input_uncached_tokens`` says how many were not)."""

    output_tokens: RequiredCount = required()
    input_cached_tokens: OptionalCount = None
    input_uncached_tokens: OptionalCount = None

    @field_validator("input_cached_tokens", "input_uncached_tokens")
    @classmethod
    def _within_input(cls, part: int | None, info: ValidationInfo) -> int | None:
        total = info.data.get("input_tokens")
        if part is not None and total is not None and part > total:
            raise refuse(Message("expected at most input_tokens ({total}), got {part}", total=total, part=part))
        return part

    @property
    def cached(self) -> int:
        """The cached input tokens: as reported, else input less the uncached ones, else none."""
        if self.input_cached_tokens is not None:
            return self.input_cached_tokens
        if self.input_uncached_tokens is not None:
            return self.input_tokens - self.input_uncached_tokens
        return 0


# The model of each result object; a result without "object" (older examples) is read by its keys.
_MODELS: dict[str, type[Requests]] = {
    "organization.usage.completions.result": Result,
    "organization.usage.embeddings.result": InputTokens,
    "organization.usage.moderations.result": InputTokens,
    "organization.usage.images.result": Requests,
    "organization.usage.audio_speeches.result": Requests,
    "organization.usage.audio_transcriptions.result": Requests,
}
_REQUEST_ONLY_KEYS = ("images", "characters", "seconds")


def _model_of(obj: str, result: dict, filename: str, path: str) -> type[Requests]:
    """The model a result is validated with: by its ``object``, else by its keys. An unknown object is refused
    rather than read as zeros."""
    if obj:
        if obj not in _MODELS:
            known = ", ".join(sorted(_MODELS))
            message = Message("expected a usage result object ({known}), got {value}", known=known, value=repr(obj))
            raise SourceError(filename, path, "object", message)
        return _MODELS[obj]
    if "input_tokens" in result and "output_tokens" not in result and not _has_completion_keys(result):
        return InputTokens
    if "input_tokens" not in result and any(k in result for k in _REQUEST_ONLY_KEYS):
        return Requests
    return Result  # per-modality fields alone are refused for the missing input_tokens/output_tokens


def _has_completion_keys(result: dict) -> bool:
    return any(k.startswith(("output_", "input_cached", "input_text", "input_audio", "input_image")) for k in result)


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse OpenAI Usage API page(s) into a conformed usage frame (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    read = skipped = 0
    seen: dict[tuple, str] = {}
    for path, page in iter_pages(stream, filename, KEY, what=Message("an OpenAI usage page"), of="buckets"):
        r, s, n = _parse_page(page, filename, path, seen)
        rows += r
        skipped += s
        read += n
    return finish(rows, KEY, attrs=counted(read, {SkipReason.NOT_INFERENCE: skipped}))


def _parse_page(page: dict, filename: str, path: str, seen: dict[tuple, str]) -> tuple[list[dict], int, int]:
    rows: list[dict] = []
    skipped = read = 0
    for b, bucket in enumerate(page["data"]):
        bpath = entry_path(path, "data", b)
        expect(bucket, dict, filename, bpath, Message("a bucket object"))
        # Some older examples name the list 'result'.
        results = bucket["result"] if "results" not in bucket and "result" in bucket else bucket.get("results")
        if not isinstance(results, list):
            hint = wrong_source_hint(json_fields(page), KEY)
            raise SourceError(filename, bpath, "results", Message("expected a list of usage results{hint}", hint=hint))
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
                    Message(
                        "this is an OpenAI costs page (/v1/organization/costs), not usage; choose the "
                        "'openai_costs' source for it, or load the usage pages (/v1/organization/usage/completions)"
                    ),
                )
            if obj in _SKIPPED_OBJECTS:
                skipped += 1
                continue
            if day is None:
                day = json_day(bucket.get("start_time"), filename, bpath, "start_time", unix=True)
            check_repeat(seen, (bucket.get("start_time"), bucket.get("end_time")), result, filename, rpath)
            usage = validate(_model_of(obj, result, filename, rpath), result, filename, rpath)
            total = getattr(usage, "input_tokens", 0)
            cached = usage.cached if isinstance(usage, Result) else 0
            rows.append(
                {
                    "day": day,
                    "provider": PROVIDER,
                    "model": usage.model,
                    "requests": usage.num_model_requests,
                    "input_tokens": total - cached,
                    "cached_input_tokens": cached,
                    "output_tokens": getattr(usage, "output_tokens", 0),
                    "person": usage.user_id,
                    "project": usage.project_id,
                    "api_key": usage.api_key_id,
                }
            )
    return rows, skipped, read
