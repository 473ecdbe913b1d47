"""LiteLLM proxy spend logs (table ``LiteLLM_SpendLogs`` / ``/spend/logs``), one row per request, as
CSV (a table export) or JSON (a list of log objects, ``{"data": [...]}``, or JSON lines).

Columns read (others, such as ``messages`` and ``response``, are skipped without being parsed into
Python objects): ``startTime``, ``model``, ``prompt_tokens``, ``completion_tokens`` (required) and
``spend``, ``custom_llm_provider``, ``user``, ``team_id``, ``api_key``, ``metadata``, ``cache_hit``,
``request_id``, ``end_user``, ``status``.

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
  are skipped (counted under ``cache_hit``, see ``skips``) because no inference energy was used.
* Rows with ``status`` ``failure`` (LiteLLM logs failed calls too, e.g. a 429 with 0 tokens) are skipped the
  same way (counted under ``failed_request``, and in ``attrs['rows_failed']``): no request answered, so no
  request, token or spend is counted. ``success`` or blank is read; any other status is refused naming the
  row. A file without a ``status`` column (older LiteLLM) is read as all successes, as before.
* A read row with a blank ``prompt_tokens`` or ``completion_tokens`` is refused, naming the row and column: the
  tokens are never read as 0.
* The zone is left blank: the log does not say where the provider ran the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apps.connectors.sources.bounds import MAX_AMOUNT, max_text
from apps.connectors.sources.chunk import CsvChunk, records_chunk
from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS, iter_csv
from apps.connectors.sources.detect import check_source, json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import combine, finish
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import looks_like_json, seekable
from apps.core.distinct import per_distinct
from apps.core.messages import Message

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
    Field("status", ("status",), required=False),
)
# LiteLLM's StandardLoggingPayloadStatus; a blank status (a row written before LiteLLM filled it) reads as success.
SUCCESS, FAILURE = "success", "failure"
PROVIDERS = {
    "azure": "azure_openai",
    "azure_ai": "azure_ai",
    "vertex_ai": "google",
    "vertex_ai_beta": "google",
    "gemini": "google",
    "text-completion-openai": "openai",
}
# Values read from the metadata JSON text, in the order they are used: name -> (marker, rest), the regex
# marker + rest with the value in the group v.
_META = {
    "cached": ('"cached_tokens', r'"\s*:\s*(?P<v>\d+)'),
    "user_id": ('"user_api_key_user_id', r'"\s*:\s*"(?P<v>[^"]*)"'),
    "team_alias": ('"user_api_key_team_alias', r'"\s*:\s*"(?P<v>[^"]*)"'),
    "key_alias": ('"user_api_key_alias', r'"\s*:\s*"(?P<v>[^"]*)"'),
}
_THREADS = 2  # for the metadata regexes: the cores of a small server


def first_match(text: pa.ChunkedArray, marker: str, rest: str) -> pa.ChunkedArray:
    """Group v of the first match of the regex `marker` + `rest` in every row (null where none), as
    pc.extract_regex finds it, in about half the time: RE2 is slow to find a group while it searches a long text,
    so a plain search first cuts each row at the first `marker` and only what follows is matched, anchored.
    `marker` is a literal that cannot overlap itself (it starts with a quote and holds no other)."""
    parts = pc.split_pattern(pc.fill_null(text, ""), marker, max_splits=1)  # a null would drop out of the flatten
    tail = pc.list_flatten(pc.list_slice(parts, 1, 2, return_fixed_size_list=True))  # null without the marker
    found = pc.struct_field(pc.extract_regex(tail, "^" + rest), [0])
    again = pc.and_(pc.is_null(found), pc.is_valid(tail))  # a marker with no value after it: search further on
    if pc.any(again).as_py():
        later = pc.extract_regex(pc.if_else(again, tail, pa.scalar(None, pa.string())), marker + rest)
        found = pc.coalesce(found, pc.struct_field(later, [0]))
    return found


def _meta(metadata: pa.ChunkedArray | None, name: str, n: int, blank: str = "") -> pa.ChunkedArray:
    """One value from the metadata JSON text of every row (`blank` where there is none), by RE2 in Arrow:
    parsing each row's JSON in Python would cost more than the rest of the parse together."""
    if metadata is None:
        return pa.chunked_array([pa.repeat(blank, n)])
    return pc.fill_null(first_match(metadata, *_META[name]), blank)


def _cached_tokens(chunk: CsvChunk, found: pa.ChunkedArray) -> np.ndarray:
    """metadata's cached_tokens (the digits the regex found, "0" where none) as int64. A value above MAX_AMOUNT
    is refused as CsvChunk.numbers refuses an amount, naming the metadata column; the cast alone would raise a
    bare ArrowInvalid for one beyond int64. Any value of fewer digits than MAX_AMOUNT is below it, so a file
    whose values are all that short (every real one) pays for one length scan only."""
    lengths = pc.utf8_length(found)
    width = len(str(MAX_AMOUNT))
    if (pc.max(lengths).as_py() or 0) >= width:
        # Compared as digit strings, leading zeros dropped: exact however long the value (no int64 to overflow).
        digits = pc.utf8_ltrim(found, characters="0")
        size = pc.utf8_length(digits)
        big = pc.or_(pc.greater(size, width), pc.and_(pc.equal(size, width), pc.greater(digits, str(MAX_AMOUNT))))
        bad = np.flatnonzero(big.to_numpy(zero_copy_only=False))
        if len(bad):
            first = int(bad[0])
            raise chunk.error(
                first,
                "metadata",
                Message(
                    "expected a whole number >= 0 {bound} for metadata's cached_tokens, got {value}",
                    bound=max_text(),
                    value=describe_value(found[first].as_py()),
                ),
            )
    return pc.cast(found, pa.int64()).to_numpy(zero_copy_only=False)


def _either(first: pa.ChunkedArray, fallback: pa.ChunkedArray) -> pd.Series:
    """`first` where it is not blank, else `fallback`, as pandas strings (kept in Arrow: converting Python
    strings to pandas' Arrow-backed ones costs more than the whole comparison)."""
    return pc.if_else(pc.not_equal(first, ""), first, fallback).to_pandas()


def _is_true(flags: np.ndarray) -> np.ndarray:
    return np.isin(np.char.lower(flags.astype(str)), ["true", "1", "t", "yes"])


def _provider_names(providers: np.ndarray) -> list[str]:
    return [PROVIDERS.get(p, p) for p in providers]


def _model_names(models: np.ndarray, providers: np.ndarray) -> list[str]:
    # Strip a leading "<provider>/" that some deployments keep in the model name.
    return [m.split("/", 1)[1] if p and m.startswith(p + "/") else m for m, p in zip(models, providers, strict=True)]


def _status_codes(statuses: np.ndarray) -> np.ndarray:
    """0 success (or blank), 1 failure, -1 a status LiteLLM does not write."""
    words = np.char.lower(np.char.strip(statuses.astype(str)))
    return np.select([np.isin(words, ["", SUCCESS]), words == FAILURE], [0, 1], -1)


def _failed(chunk: CsvChunk) -> np.ndarray:
    """The rows whose status is failure; an unknown status is refused, naming the row and column."""
    if not chunk.has("status"):
        return np.zeros(len(chunk), dtype=bool)
    status = pc.fill_null(chunk.raw("status"), "")  # a JSON null, as a blank
    codes = per_distinct(_status_codes, status).to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(codes < 0)
    if len(bad):
        first = int(bad[0])
        got = describe_value(status[first].as_py())
        message = Message(
            "expected '{success}' or '{failure}' (or blank), got {value}", success=SUCCESS, failure=FAILURE, value=got
        )
        raise chunk.error(first, "status", message)
    return codes == 1


def _frame(chunk: CsvChunk, pool: ThreadPoolExecutor) -> tuple[pd.DataFrame, int, int]:
    n = len(chunk)
    hit = np.zeros(n, dtype=bool)
    if chunk.has("cache_hit"):
        hit = per_distinct(_is_true, chunk.raw("cache_hit")).to_numpy(zero_copy_only=False)
    failed = _failed(chunk) & ~hit
    keep = np.flatnonzero(~(hit | failed))
    if len(keep) < n:
        chunk = chunk.take(keep)
        n = len(keep)
    metadata = chunk.column("metadata") if chunk.has("metadata") else None
    # The regexes are the slowest step: Arrow releases the GIL, so they run on the pool's threads (the other
    # core) while this thread converts the other columns.
    meta = {name: pool.submit(_meta, metadata, name, n, "0" if name == "cached" else "") for name in _META}
    prompt = chunk.numbers("prompt_tokens", whole=True, blank_is_zero=False)
    provider_raw = chunk.raw("provider")
    provider = per_distinct(_provider_names, provider_raw).to_pandas()
    model = per_distinct(_model_names, chunk.raw("model"), provider_raw).to_pandas()
    # The checks that can fail run in the order they always did, so a file with several problems names the same.
    cached = np.minimum(_cached_tokens(chunk, meta["cached"].result()), prompt)  # cached beyond prompt: clipped
    day = chunk.days("start", example="2025-01-31T10:00:00Z")
    output = chunk.numbers("completion_tokens", whole=True, blank_is_zero=False)
    cost = chunk.numbers("spend", whole=False)
    frame = pd.DataFrame(
        {
            "day": day,
            "provider": provider,
            "model": model,
            "requests": np.ones(n, dtype=np.int64),
            "input_tokens": prompt - cached,
            "cached_input_tokens": cached,
            "output_tokens": output,
            "person": _either(chunk.raw("user"), meta["user_id"].result()),
            "team": _either(meta["team_alias"].result(), chunk.raw("team_id")),
            "api_key": _either(meta["key_alias"].result(), chunk.raw("api_key")),
            "cost": cost,
            "currency": "USD",
        }
    )
    return frame, int(hit.sum() + failed.sum()), int(failed.sum())


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
                    Message("expected a spend log object{hint}", hint=wrong_source_hint(json_fields(item), KEY)),
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
        raise SourceError(filename, None, None, Message("the file holds no spend log rows"))


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Yield conformed frames, each the sum of one chunk of the log (keys may repeat across chunks)."""
    stream = seekable(stream)
    chunks = (
        _json_chunks(stream, filename, chunk_rows)
        if looks_like_json(stream)
        else iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows)
    )
    with ThreadPoolExecutor(_THREADS) as pool:
        for chunk in chunks:
            frame, skipped, failed = _frame(chunk, pool)
            reasons = {SkipReason.CACHE_HIT: skipped - failed, SkipReason.FAILED_REQUEST: failed}
            attrs = counted(len(chunk), reasons, rows_failed=failed)
            yield finish(frame, KEY, attrs=attrs)


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole log as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
