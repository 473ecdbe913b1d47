"""Azure Cost Management export (cost details CSV, EA or MCA layout) – the Azure OpenAI / Foundry
token meters in it. The FOCUS export Microsoft now recommends is read too, by the sibling module
``azure_focus_cost`` (same meter rules, FOCUS column names), when the header is FOCUS's.

Columns are matched by name whatever their case (EA exports say ``MeterName``, MCA ones
``meterName``): ``Date``/``UsageDate``, ``MeterCategory``, ``MeterSubCategory``, ``MeterName``,
``Quantity``, ``UnitOfMeasure``, ``ResourceLocation``, ``ResourceGroup``/``ResourceGroupName``,
``SubscriptionId``/``SubscriptionName``, ``CostInBillingCurrency``/``Cost``,
``BillingCurrency``/``BillingCurrencyCode``, ``Tags``; other columns are ignored.

A row is AI token usage when its meter category or subcategory names Cognitive Services, Azure
OpenAI, Foundry or AI services **and** its meter name reads as a token meter (Microsoft's
abbreviations vary by model family: "gpt-4o-0513 Inp glbl Tokens", "gpt 4.1 cached Inp glbl Tokens",
"gpt-4o-mini-0718-outp-glbl Tokens", "5.4 pp opt Gl 1M Tokens", "R1 Inp glbl Tokens"). The words
before the direction word name the model ("gpt-4o-0513", "gpt-4.1"; a bare GPT-5 version gets a
``gpt-`` prefix). Embedding meters have no direction word ("text-embedding-3-large-glbl Tokens",
"embedding-ada-glbl Tokens"): embeddings bill only what is sent, so they are input tokens of the
model the meter names ("text-embedding-3-large"). Other rows are skipped and counted by reason (see ``skips``):
``not_ai`` for meters of other services (VMs, storage), ``not_inference`` for AI meters that bill no tokens
(image, hosting, training meters).

* A token meter with a blank ``Quantity`` is refused, naming the row: the tokens are never read as 0.
* tokens = Quantity x the unit's multiplier (``1K`` -> 1,000, ``1M`` -> 1,000,000, ``Tokens`` -> 1),
  rounded to whole tokens; input, cached input or output according to the meter name.
* zone = ``azure:<ResourceLocation>`` lower-cased without spaces ("East US" -> ``azure:eastus``). MCA
  files also carry ``location``, a normalised display name ("FR Central" for ``francecentral``):
  ``ResourceLocation`` (the ARM region) is preferred, ``location`` is read only when it is absent. For
  Global and Data Zone deployments Azure may serve the request in another region of the geography;
  the resource's region is the best the bill says.
* project = ``<subscription>/<resource group>``; team = the ``team`` tag when the row has one;
  cost/currency from the billing-currency columns; requests = 0 (bills do not count requests).
* Dates: ISO (``2025-08-01``) or the US layout Azure exports use (``08/01/2025``, month first).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd

from apps.connectors.sources.bounds import MAX_AMOUNT
from apps.connectors.sources.chunk import CsvChunk
from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS, iter_csv, read_layout
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import combine, finish
from apps.connectors.sources.skips import SkipReason, counted
from apps.connectors.sources.sniff import seekable
from apps.core.messages import Message

KEY = "azure_openai_cost"
LABEL = "Azure Cost Management export (Azure OpenAI / Foundry meters)"
SIGNATURE = (
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "UnitOfMeasure",
    "Quantity",
    "CostInBillingCurrency",
    "ResourceLocation",
)
# The FOCUS export's (read by azure_focus_cost): detection scores a file against both.
FOCUS_SIGNATURE = (
    "ChargePeriodStart",
    "ChargeCategory",
    "BilledCost",
    "ConsumedQuantity",
    "ConsumedUnit",
    "x_SkuMeterCategory",
    "x_SkuMeterName",
)
SIGNATURES = (SIGNATURE, FOCUS_SIGNATURE)
PROVIDER = "azure_openai"

FIELDS = (
    Field("date", ("UsageDate", "Date", "UsageDateTime")),
    Field("meter_category", ("MeterCategory",)),
    Field("meter_subcategory", ("MeterSubCategory",), required=False),
    Field("meter_name", ("MeterName",)),
    Field("quantity", ("Quantity", "UsageQuantity", "ConsumedQuantity")),
    Field("unit", ("UnitOfMeasure",)),
    # Not named "location": a field's own name is matched first, and MCA files have a `location` column
    # holding the normalised display name ("FR Central"), which is no ARM region.
    Field("resource_location", ("ResourceLocation", "ResourceLocationNormalized", "Location"), required=False),
    Field("resource_group", ("ResourceGroup", "ResourceGroupName"), required=False),
    Field("subscription", ("SubscriptionName", "SubscriptionId", "SubscriptionGuid"), required=False),
    Field("cost", ("CostInBillingCurrency", "Cost", "PreTaxCost", "CostInUSD"), required=False),
    Field("currency", ("BillingCurrency", "BillingCurrencyCode", "Currency"), required=False),
    Field("tags", ("Tags",), required=False),
)

_AI_CATEGORY = re.compile(r"cognitive|openai|foundry|ai services|azure ai", re.I)
_INPUT = {"inp", "input", "inpt"}
_OUTPUT = {"outp", "output", "out", "opt", "outpt"}
_CACHED = {"cached", "cd", "ccchd", "cchd", "cache", "cch"}
# Words after the model that describe the deployment or billing, not the model.
_NOISE = {
    "glbl",
    "global",
    "gl",
    "dz",
    "dzone",
    "data",
    "zone",
    "regnl",
    "regional",
    "rgnl",
    "tokens",
    "token",
    "1m",
    "1k",
    "pp",
    "std",
    "l",
    "lng",
    "long",
    "batch",
    "finetuned",
    "ft",
}
# Meters that bill something other than inference tokens (training, hosting hours, images, seconds).
_NOT_TOKENS = {
    "grader",
    "hosting",
    "training",
    "images",
    "image",
    "unit",
    "hour",
    "hours",
    "second",
    "seconds",
    "provisioned",
}
_TEAM_TAG = re.compile(r'"?team"?\s*:\s*"([^"]*)"', re.I)


def parse_meter(name: str) -> tuple[str, str] | None:
    """(model, direction) for a token meter name, direction being 'input', 'cached' or 'output';
    None when the meter does not count inference tokens."""
    words = [w for w in re.split(r"[\s\-_]+", name.strip().lower()) if w]
    if not words or not (any(w.startswith("token") for w in words) or "1m" in words or "1k" in words):
        return None
    if _NOT_TOKENS & set(words):
        return None
    at = next((i for i, w in enumerate(words) if w in _INPUT or w in _OUTPUT), None)
    if at is None:
        return _embedding_meter(words)
    before = words[:at]
    model_words = [w for w in before if w not in _CACHED and w not in _NOISE]
    if not model_words:
        return None
    direction = "output" if words[at] in _OUTPUT else "cached" if _CACHED & set(before) else "input"
    return "-".join(model_words), direction


def _embedding_meter(words: list[str]) -> tuple[str, str] | None:
    """Embedding models bill one meter with no direction word ("text-embedding-3-large-glbl Tokens",
    "embedding-ada-glbl Tokens"): what is sent to them, so input tokens of the model it names."""
    if not any(w.startswith("embedding") for w in words):
        return None
    return "-".join(w for w in words if w not in _NOISE), "input"


def unit_multiplier(unit: str) -> float | None:
    """Tokens per unit of measure: '1K' -> 1000, '1M Tokens' -> 1e6, 'Tokens' -> 1; None if unknown."""
    text = unit.strip().lower().replace("tokens", "").replace("token", "").strip()
    if text == "":
        return 1.0
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([km]?)", text)
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)]


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Yield conformed frames, one per chunk of the export (see the module docstring); a FOCUS export is read by
    the azure_focus_cost module."""
    # Imported here: that module builds on this one's meter rules (token_meters, token_frame).
    from apps.connectors.sources import azure_focus_cost

    stream = seekable(stream)
    start = stream.tell()
    header = read_layout(stream, filename).header
    stream.seek(start)
    if azure_focus_cost.is_focus(header):
        yield from azure_focus_cost.iter_chunks(stream, filename, chunk_rows)
        return
    found_any = False
    categories: set[str] = set()
    for chunk in iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows):
        categories.update(np.unique(chunk.text("meter_category"))[:20].tolist())
        parsed = _token_meters(chunk)
        idx, attrs = kept_and_skipped(parsed)
        if not len(idx):
            yield finish([], KEY, attrs=attrs)
            continue
        found_any = True
        # take() keeps each record's row number in the file for errors
        yield finish(token_frame(chunk.take(idx), [parsed[i] for i in idx]), KEY, attrs=attrs)
    if not found_any:
        shown = ", ".join(sorted(c for c in categories if c)[:10]) or "none"
        raise SourceError(
            filename,
            None,
            "MeterName",
            Message(
                "found no Azure OpenAI / Foundry token meters (meter categories in the file: "
                "{categories}); export the cost details of the subscription that holds the AI resources",
                categories=shown,
            ),
        )


Meter = tuple[str, str] | SkipReason  # (model, direction) of a token meter, or why the row is left out


def token_meters(categories, subcategories, names, units) -> list[Meter]:
    """(model, direction) of each record's token meter, or the reason it is not AI token usage: not an AI meter
    category at all, or an AI meter that bills no inference tokens (hosting, training, images)."""
    # Bills repeat a handful of categories and meters many times: decide each distinct one once.
    ai_cache: dict[str, bool] = {}
    meter_cache: dict[str, Meter] = {}
    parsed: list[Meter] = []
    for c, s, m, u in zip(categories, subcategories, names, units, strict=True):
        cat = f"{c} {s}"
        if cat not in ai_cache:
            ai_cache[cat] = bool(_AI_CATEGORY.search(cat))
        if not ai_cache[cat]:
            parsed.append(SkipReason.NOT_AI)
            continue
        meter = f"{m} {u}"  # the unit ('1K', '1 Hour') helps tell token meters from others
        if meter not in meter_cache:
            meter_cache[meter] = parse_meter(meter) or SkipReason.NOT_INFERENCE
        parsed.append(meter_cache[meter])
    return parsed


def kept_and_skipped(parsed: list[Meter], rows_read: int | None = None, **more: int) -> tuple[np.ndarray, dict]:
    """The offsets of the token-meter records, and the chunk's attrs with the others counted by reason (`more`
    adds reasons decided before the meters were read, `rows_read` then counting those rows too)."""
    kept = np.fromiter((not isinstance(p, SkipReason) for p in parsed), dtype=bool, count=len(parsed))
    idx = np.flatnonzero(kept)
    counts = Counter(p for p in parsed if isinstance(p, SkipReason))
    for reason, n in more.items():
        counts[SkipReason(reason)] += n
    return idx, counted(len(parsed) if rows_read is None else rows_read, counts)


def _token_meters(chunk: CsvChunk) -> list[Meter]:
    """The meter of each record of a chunk (see token_meters)."""
    columns = (chunk.text(name) for name in ("meter_category", "meter_subcategory", "meter_name", "unit"))
    return token_meters(*columns)


def token_frame(
    chunk: CsvChunk,
    meters: list[tuple[str, str]],
    *,
    formats: tuple[str, ...] = ("%m/%d/%Y", "%Y-%m-%d"),
    example: str = "2025-08-01 or 08/01/2025",
) -> pd.DataFrame:
    """The usage rows of the token-meter records of a chunk, `meters` their (model, direction). The chunk's fields
    are named as FIELDS names them (the FOCUS export maps its own columns to the same names)."""
    quantity = chunk.numbers("quantity", whole=False, blank_is_zero=False)
    day = chunk.days("date", formats=formats, example=example)
    cost = chunk.numbers("cost", whole=False, allow_negative=True)
    tokens = _tokens(chunk, quantity)
    directions = np.array([direction for _, direction in meters])
    models = [
        ("gpt-" + m) if m[:1].isdigit() and "gpt" in s.lower() else m
        for (m, _), s in zip(meters, chunk.text("meter_subcategory"), strict=True)
    ]
    subscription = chunk.text("subscription")
    group = chunk.text("resource_group")
    project = [f"{s}/{g}" if s and g else (s or g) for s, g in zip(subscription, group, strict=True)]
    location = [("azure:" + re.sub(r"\s+", "", loc.lower())) if loc else "" for loc in chunk.text("resource_location")]
    team = [(_TEAM_TAG.search(t).group(1) if _TEAM_TAG.search(t) else "") for t in chunk.text("tags")]
    return pd.DataFrame(
        {
            "day": day,
            "provider": PROVIDER,
            "model": models,
            "input_tokens": np.where(directions == "input", tokens, 0),
            "cached_input_tokens": np.where(directions == "cached", tokens, 0),
            "output_tokens": np.where(directions == "output", tokens, 0),
            "project": project,
            "team": team,
            "zone": location,
            "cost": cost,
            "currency": chunk.text("currency"),
        }
    )


def _tokens(chunk: CsvChunk, quantity: np.ndarray) -> np.ndarray:
    """Quantity x the unit's multiplier, in whole tokens; an unknown unit or too many tokens is an error."""
    units = chunk.text("unit")
    multipliers = np.empty(len(chunk))
    for j, unit in enumerate(units):
        mult = unit_multiplier(unit)
        if mult is None:
            raise chunk.error(
                j, "unit", Message("expected a token unit such as '1K' or '1M', got {value}", value=repr(unit))
            )
        multipliers[j] = mult
    too_many = np.flatnonzero(quantity * multipliers > MAX_AMOUNT)
    if len(too_many):
        j = int(too_many[0])
        raise chunk.error(
            j,
            "quantity",
            Message(
                "expected at most {maximum} tokens, got {quantity} x {unit} = {tokens} tokens",
                maximum=f"{MAX_AMOUNT:,}",
                quantity=str(chunk.text("quantity")[j]),
                unit=str(units[j]),
                tokens=f"{quantity[j] * multipliers[j]:,.0f}",
            ),
        )
    return np.rint(quantity * multipliers).astype(np.int64)


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole export as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
