"""Google Cloud Billing export rows (the BigQuery standard usage cost schema) as CSV, or as JSON lines
/ a JSON array with the nested records (``{"service": {"description": ...}, "sku": {...}}``).

Fields read (nested names flattened with dots, matched whatever the case or separator):
``service.description``, ``sku.description``, ``usage_start_time``, ``usage.amount``, ``usage.unit``,
``location.region`` (or ``location.location``), ``project.id``, ``labels``, ``cost``, ``currency``.

A row is AI token usage when its service is Vertex AI / Gemini API / Generative Language API (or the
SKU names Gemini) **and** the SKU description names input or output tokens or characters, e.g.
"Gemini 2.5 Flash Input Text Tokens", "Gemini 1.5 Pro Text Output - Predictions" (characters). Other
rows are skipped and counted by reason (see ``skips``): ``not_ai`` for other services, ``not_inference`` for
AI SKUs that bill no tokens (cache storage, tuning, per-image or per-second media). A token SKU with a blank
``usage.amount`` is refused, naming the row (never read as 0 tokens).

* model: ``gemini-<version>-<variant>`` when the SKU names Gemini ("gemini-2.5-flash-lite"), else the
  SKU words before the direction word, lower-cased and hyphenated.
* tokens = ``usage.amount``; SKUs billed by characters (older Gemini 1.x on Vertex) are converted at
  Google's documented 4 characters per token, which is an approximation.
* "cached"/"cache"/"caching" SKUs ("Gemini 2.5 Flash Input Text Caching", "… Text Input Caching") go to
  cached_input_tokens; context-cache *storage* SKUs (token-hours) are skipped.
* Gemini 2.x audio / image / video input SKUs billed in units of ``count`` are input tokens (Vertex AI
  prices Gemini 2.x media input per token); Gemini 1.x media SKUs (per image / per second) are skipped.
* ``EmbedContent`` SKUs are input tokens of the embedding model the SKU names ("Gemini Embedding 001",
  "text-embedding-005"); a SKU naming none is assumed to be ``gemini-embedding-001``, the generally
  available Gemini embedding model (an assumption: the SKU does not say).
* zone = ``gcp:<region>`` (``gcp:us`` for a multi-region, ``gcp:global`` for the global endpoint);
  project = ``project.id``; team = the ``team`` label; cost is the gross ``cost`` (credits are not
  subtracted); requests = 0 (bills do not count requests).
* ``usage_start_time`` may read ``2025-01-15 08:00:00 UTC`` (BigQuery CSV) or ISO 8601.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from apps.connectors.sources.chunk import CsvChunk, records_chunk
from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS, iter_csv
from apps.connectors.sources.detect import check_source, json_fields
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import combine, finish
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import looks_like_json, seekable
from apps.core.messages import Message

KEY = "gcp_billing_export"
LABEL = "Google Cloud Billing export (Vertex AI / Gemini SKUs)"
SIGNATURE = (
    "service.description",
    "sku.description",
    "usage_start_time",
    "usage.amount",
    "usage.unit",
    "cost",
    "currency",
)
PROVIDER = "google"
CHARS_PER_TOKEN = 4  # Google: "a token is equivalent to about 4 characters" for Gemini models

FIELDS = (
    Field("service", ("service.description", "service_description")),
    Field("sku", ("sku.description", "sku_description")),
    Field("start", ("usage_start_time",)),
    Field("amount", ("usage.amount", "usage_amount")),
    Field("unit", ("usage.unit", "usage_unit"), required=False),
    Field("region", ("location.region", "location_region"), required=False),
    Field("location", ("location.location", "location_location"), required=False),
    Field("project", ("project.id", "project_id"), required=False),
    Field("labels", ("labels",), required=False),
    Field("cost", ("cost",), required=False),
    Field("currency", ("currency",), required=False),
)

_AI_SERVICE = re.compile(r"vertex ai|gemini|generative language", re.I)
_GEMINI = re.compile(r"gemini[\s\-]*(\d+(?:\.\d+)?)[\s\-]*(pro|flash[\s\-]*lite|flash|ultra|nano)?", re.I)
_DIRECTION = re.compile(r"\b(input|output)\b", re.I)
_MEDIA = re.compile(r"\b(image|video|audio)\b", re.I)
_CACHE = re.compile(r"\bcach(?:e|ed|ing)\b", re.I)
_EMBEDDING = re.compile(
    r"gemini[\s\-]*embedding(?:[\s\-]*(?:\d+|exp|preview)\b)+|text[\s\-]*(?:multilingual[\s\-]*)?embedding[\s\-]*\d+",
    re.I,
)
DEFAULT_EMBEDDING_MODEL = "gemini-embedding-001"
_NOT_MODEL_WORDS = ("text", "cached", "cache", "caching", "long", "context")
_TEAM_LABEL = re.compile(r'"key"\s*:\s*"team"\s*,\s*"value"\s*:\s*"([^"]*)"', re.I)


def _model_name(text: str, before_direction: str) -> str:
    """The model a (lower-cased) SKU description names; '' when it names none."""
    if "embed" in text:
        e = _EMBEDDING.search(text)
        # Assumption: an EmbedContent SKU naming no model is gemini-embedding-001, the generally
        # available Gemini embedding model (ai.google.dev/gemini-api/docs/models/gemini-embedding-001).
        return re.sub(r"[\s\-]+", "-", e.group(0)) if e else DEFAULT_EMBEDDING_MODEL
    g = _GEMINI.search(text)
    if g:
        return "gemini-" + g.group(1) + ("-" + re.sub(r"[\s\-]+", "-", g.group(2)) if g.group(2) else "")
    words = re.split(r"[\s\-]+", before_direction.strip())
    return "-".join(w for w in words if w and w not in _NOT_MODEL_WORDS)


def _is_token_count(text: str, unit: str) -> bool:
    """Token usage (not characters): a token SKU, or a Gemini 2.x+ / embedding SKU billed in units of
    `count`, which Vertex AI uses for its audio / image / video input-token SKUs."""
    if "token" in text:
        return True
    if unit.lower() not in ("count", "token", "tokens"):
        return False
    g = _GEMINI.search(text)
    return "embed" in text or bool(g and float(g.group(1)) >= 2)


def parse_sku(description: str, unit: str = "") -> tuple[str, str, bool] | None:
    """(model, direction, characters) for a token/character SKU, direction 'input', 'cached' or
    'output'; None when the SKU is not text-generation usage."""
    text = description.lower()
    m = _DIRECTION.search(text)
    if (not m and "embed" not in text) or "storage" in text:
        return None  # cache storage is billed per token-hour, not as tokens read
    characters = "character" in text or "char" in unit.lower()
    if not characters and "token" not in text and unit.lower() not in ("", "count", "token", "tokens"):
        return None
    if _MEDIA.search(text) and not _is_token_count(text, unit):
        return None  # per-image / per-second media SKUs (Gemini 1.x) are not token counts
    model = _model_name(text, text[: m.start()] if m else text)
    if not model:
        return None
    direction = m.group(1) if m else "input"  # embeddings only read input
    if direction == "input" and _CACHE.search(text):
        direction = "cached"
    return model, direction, characters


def _flatten(obj: dict, prefix: str = "") -> dict:
    """Nested export records -> dotted names ('sku.description'); lists (labels, credits) as JSON text."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, name + "."))
        elif isinstance(v, list):
            out[name] = json.dumps(v)
        else:
            out[name] = v
    return out


def _json_chunks(stream: BinaryIO, filename: str, chunk_rows: int) -> Iterator[CsvChunk]:
    # JSON rows become string chunks shaped like CSV ones, so one conversion path serves both.
    records: list[dict] = []
    paths: list[str] = []
    columns: dict[str, str] | None = None
    for path, value in iter_json_values(stream, filename, source_key=KEY):
        if not isinstance(value, dict):
            raise SourceError(filename, path, None, Message("expected a billing export row object"))
        if columns is None and not records:
            check_source(json_fields(value), filename, KEY)
        records.append(_flatten(value))
        paths.append(path)
        if len(records) >= chunk_rows:
            chunk = records_chunk(records, paths, FIELDS, filename, KEY, columns)
            columns = chunk.columns
            yield chunk
            records, paths = [], []
    if records:
        yield records_chunk(records, paths, FIELDS, filename, KEY, columns)


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Yield conformed frames chunk by chunk. For JSON input, 'row N' in errors is the N-th record."""
    stream = seekable(stream)
    is_json = looks_like_json(stream)
    chunks = (
        _json_chunks(stream, filename, chunk_rows)
        if is_json
        else iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows)
    )
    found_any = False
    services: set[str] = set()
    for chunk in chunks:
        services.update(np.unique(chunk.text("service"))[:20].tolist())
        parsed = _token_skus(chunk)
        idx = np.flatnonzero(np.array([not isinstance(p, SkipReason) for p in parsed], dtype=bool))
        attrs = counted(len(chunk), Counter(p for p in parsed if isinstance(p, SkipReason)))
        if not len(idx):
            yield finish([], KEY, attrs=attrs)
            continue
        found_any = True
        # take() keeps the row/path of each record in the file for errors
        yield finish(_frame(chunk.take(idx), [parsed[i] for i in idx]), KEY, attrs=attrs)
    if not found_any:
        shown = ", ".join(sorted(s for s in services if s)[:10]) or "none"
        raise SourceError(
            filename,
            None,
            "sku.description",
            Message("found no Vertex AI / Gemini token SKUs (services in the file: {services})", services=shown),
        )


def _token_skus(chunk: CsvChunk) -> list[tuple[str, str, bool] | SkipReason]:
    """(model, direction, characters) of each record's SKU, or why the record is not AI token usage."""
    cache: dict[tuple[str, str], Any] = {}
    parsed = []
    for sv, sk, un in zip(chunk.text("service"), chunk.text("sku"), chunk.text("unit"), strict=True):
        key = (sk, un)
        if not (_AI_SERVICE.search(sv) or "gemini" in sk.lower()):
            parsed.append(SkipReason.NOT_AI)
            continue
        if key not in cache:
            cache[key] = parse_sku(sk, un) or SkipReason.NOT_INFERENCE
        parsed.append(cache[key])
    return parsed


def _frame(chunk: CsvChunk, info: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """The usage rows of the token-SKU records of a chunk, `info` their (model, direction, characters)."""
    amount = chunk.numbers("amount", whole=False, blank_is_zero=False)
    day = chunk.days("start", example="2025-01-15 08:00:00 UTC")
    cost = chunk.numbers("cost", whole=False, allow_negative=True)
    chars = np.array([p[2] for p in info], dtype=bool)
    tokens = np.rint(np.where(chars, amount / CHARS_PER_TOKEN, amount)).astype(np.int64)
    direction = np.array([p[1] for p in info])
    region = chunk.text("region")
    location = chunk.text("location")
    zone = [f"gcp:{(r or loc).lower()}" if (r or loc) else "" for r, loc in zip(region, location, strict=True)]
    team = [(_TEAM_LABEL.search(lab).group(1) if _TEAM_LABEL.search(lab) else "") for lab in chunk.text("labels")]
    return pd.DataFrame(
        {
            "day": day,
            "provider": PROVIDER,
            "model": [p[0] for p in info],
            "input_tokens": np.where(direction == "input", tokens, 0),
            "cached_input_tokens": np.where(direction == "cached", tokens, 0),
            "output_tokens": np.where(direction == "output", tokens, 0),
            "project": chunk.text("project"),
            "team": team,
            "zone": zone,
            "cost": cost,
            "currency": chunk.text("currency"),
        }
    )


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole export as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
