"""LiteLLM proxy spend logs (table ``LiteLLM_SpendLogs`` / ``/spend/logs``), one row per request, as
CSV (a table export) or JSON (a list of log objects, ``{"data": [...]}``, or JSON lines).

Columns read (others, such as ``messages`` and ``response``, are skipped without being parsed into
Python objects): ``startTime``, ``model``, ``prompt_tokens``, ``completion_tokens`` (required) and
``spend``, ``custom_llm_provider``, ``user``, ``team_id``, ``api_key``, ``metadata``, ``cache_hit``,
``request_id``, ``end_user``.

Requests are summed to the frame's grain (day x provider x model x person x team x key), chunk by
chunk, so memory stays flat however long the log is.

* day = UTC day of ``startTime``; requests = number of log rows; cost = ``spend`` in USD.
* provider = ``custom_llm_provider`` named as the other sources name it (``azure`` ->
  ``azure_openai``, ``vertex_ai``/``gemini`` -> ``google``, others as given); model = ``model``
  without a leading ``<provider>/``.
* LiteLLM's ``prompt_tokens`` include cached prompt tokens (as OpenAI's do); when ``metadata``
  reports ``prompt_tokens_details.cached_tokens`` those go to cached_input_tokens and are taken off
  input_tokens.
* person = ``user`` (else ``metadata.user_api_key_user_id``); team = ``metadata.user_api_key_team_alias``
  (else ``team_id``); api_key = ``metadata.user_api_key_alias`` (else the hashed ``api_key``).
* Rows with ``cache_hit`` true were answered from LiteLLM's own cache without calling a model: they
  are skipped (counted in ``attrs['rows_skipped']``) because no inference energy was used.
* The zone is left blank: the log does not say where the provider ran the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apps.connectors.sources._common import (
    DEFAULT_CHUNK_ROWS,
    CsvChunk,
    Field,
    SourceError,
    check_source,
    combine,
    finish,
    iter_csv,
    iter_json_values,
    json_fields,
    looks_like_json,
    records_chunk,
    seekable,
    wrong_source_hint,
)

KEY = "litellm_spend_logs"
LABEL = "LiteLLM spend logs"
SIGNATURE = (
    "request_id",
    "call_type",
    "spend",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "custom_llm_provider",
    "model_group",
)

FIELDS = (
    Field("start", ("startTime", "start_time")),
    Field("model", ("model",)),
    Field("prompt_tokens", ("prompt_tokens",)),
    Field("completion_tokens", ("completion_tokens",)),
    Field("spend", ("spend",), required=False),
    Field("provider", ("custom_llm_provider",), required=False),
    Field("user", ("user",), required=False),
    Field("team_id", ("team_id",), required=False),
    Field("api_key", ("api_key",), required=False),
    Field("metadata", ("metadata",), required=False),
    Field("cache_hit", ("cache_hit",), required=False),
)
PROVIDERS = {
    "azure": "azure_openai",
    "azure_ai": "azure_ai",
    "vertex_ai": "google",
    "vertex_ai_beta": "google",
    "gemini": "google",
    "text-completion-openai": "openai",
}
_META = {
    "key_alias": r'"user_api_key_alias"\s*:\s*"(?P<v>[^"]*)"',
    "team_alias": r'"user_api_key_team_alias"\s*:\s*"(?P<v>[^"]*)"',
    "user_id": r'"user_api_key_user_id"\s*:\s*"(?P<v>[^"]*)"',
    "cached": r'"cached_tokens"\s*:\s*(?P<v>\d+)',
}


def _meta(metadata: pa.ChunkedArray | None, name: str, n: int) -> np.ndarray:
    """One value from the metadata JSON text of every row, by an RE2 regex in Arrow: parsing each
    row's JSON in Python would cost more than the rest of the parse together."""
    if metadata is None:
        return np.full(n, "", dtype=object)
    found = pc.struct_field(pc.extract_regex(metadata, _META[name]), [0])
    return pc.fill_null(found, "").to_numpy(zero_copy_only=False)


def _frame(chunk: CsvChunk) -> tuple[pd.DataFrame, int]:
    n = len(chunk)
    hit = np.zeros(n, dtype=bool)
    if chunk.has("cache_hit"):
        hit = np.isin(np.char.lower(chunk.text("cache_hit").astype(str)), ["true", "1", "t", "yes"])
    keep = np.flatnonzero(~hit)
    if len(keep) < n:
        chunk = chunk.take(keep)
        n = len(keep)
    metadata = chunk.raw("metadata") if chunk.has("metadata") else None
    prompt = chunk.numbers("prompt_tokens", whole=True)
    if metadata is not None:
        found = pc.struct_field(pc.extract_regex(metadata, _META["cached"]), [0])
        cached = pc.cast(pc.fill_null(found, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    else:
        cached = np.zeros(n, dtype=np.int64)
    cached = np.minimum(cached, prompt)
    provider_raw = chunk.text("provider")
    provider = pd.Series(provider_raw, dtype=object).map(lambda p: PROVIDERS.get(p, p))
    model = chunk.text("model")
    # Strip a leading "<provider>/" that some deployments keep in the model name.
    prefixed = [
        m.split("/", 1)[1] if p and m.startswith(p + "/") else m
        for m, p in zip(model, provider_raw, strict=True)
    ]
    user = chunk.text("user")
    user_meta = _meta(metadata, "user_id", n)
    team_alias = _meta(metadata, "team_alias", n)
    key_alias = _meta(metadata, "key_alias", n)
    frame = pd.DataFrame(
        {
            "day": chunk.days("start", example="2025-01-31T10:00:00Z"),
            "provider": provider.to_numpy(),
            "model": prefixed,
            "requests": np.ones(n, dtype=np.int64),
            "input_tokens": prompt - cached,
            "cached_input_tokens": cached,
            "output_tokens": chunk.numbers("completion_tokens", whole=True),
            "person": np.where(user != "", user, user_meta),
            "team": np.where(team_alias != "", team_alias, chunk.text("team_id")),
            "api_key": np.where(key_alias != "", key_alias, chunk.text("api_key")),
            "cost": chunk.numbers("spend", whole=False),
            "currency": "USD",
        }
    )
    return frame, int(hit.sum())


def _json_chunks(stream: BinaryIO, filename: str, chunk_rows: int) -> Iterator[CsvChunk]:
    records: list[dict] = []
    paths: list[str] = []
    columns = None
    for path, value in iter_json_values(stream, filename, source_key=KEY):
        items = [(path, value)]
        if isinstance(value, dict) and isinstance(value.get("data"), list):  # /spend/logs/v2 page
            base = f"{path}.data" if path else "data"
            items = [(f"{base}[{i}]", v) for i, v in enumerate(value["data"])]
        for item_path, item in items:
            if not isinstance(item, dict):
                raise SourceError(
                    filename,
                    item_path,
                    None,
                    "expected a spend log object" + wrong_source_hint(json_fields(item), KEY),
                )
            if columns is None and not records:
                check_source(json_fields(item), filename, KEY)
            records.append(item)
            paths.append(item_path)
            if len(records) >= chunk_rows:
                chunk = records_chunk(records, paths, FIELDS, filename, KEY, columns)
                columns = chunk.columns
                yield chunk
                records, paths = [], []
    if records:
        yield records_chunk(records, paths, FIELDS, filename, KEY, columns)
    elif columns is None:
        raise SourceError(filename, None, None, "the file holds no spend log rows")


def iter_chunks(
    stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Yield conformed frames, each the sum of one chunk of the log (keys may repeat across chunks)."""
    stream = seekable(stream)
    chunks = (
        _json_chunks(stream, filename, chunk_rows)
        if looks_like_json(stream)
        else iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows)
    )
    for chunk in chunks:
        frame, skipped = _frame(chunk)
        yield finish(frame, KEY, attrs={"rows_read": len(chunk), "rows_skipped": skipped})


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole log as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
