"""AWS Cost and Usage Report lines for Amazon Bedrock, CSV: a CUR 2.0 Data Export (``line_item_usage_type``...) or a
legacy CUR (``lineItem/UsageType``...; the names compare the same once case and punctuation are dropped).

Follows AWS's page "Understanding your Amazon Bedrock Cost and Usage Report data"
(docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-understanding-cur-data.html): one line item per token type,
told apart by the usage type's ending (``-input-tokens``, ``-output-tokens``, ``-cache-read-input-token-count``,
``-cache-write-input-token-count``, and the ``-mantle-input-tokens-*`` / ``-mantle-output-tokens-*`` forms).

Columns read: ``line_item_usage_start_date``, ``line_item_product_code``, ``line_item_usage_type``,
``line_item_usage_amount``, ``pricing_unit`` (required), ``line_item_line_item_type``, ``line_item_unblended_cost``,
``line_item_currency_code``, ``line_item_usage_account_id``, ``product_region_code`` (legacy ``product/region``),
``line_item_iam_principal`` and ``product_product_name``.

* A line is Bedrock when its product code or product name names Bedrock; others are skipped (``not_ai``). A
  Bedrock line whose usage type is no token type (provisioned model units, customisation, storage, guardrails) is
  skipped (``not_inference``); a line item type other than ``Usage``, ``DiscountedUsage`` or
  ``SavingsPlanCoveredUsage`` (tax, credit, refund, fees) is skipped (``not_usage_charge``).
* tokens = ``line_item_usage_amount`` times the ``pricing_unit`` (``tokens``/``Units``/``Count``: 1, ``1K tokens``:
  1,000, ``1M tokens``: 1,000,000). Another unit is refused, naming the row: a count is never guessed.
  input_tokens = input + cache-write lines (writing the cache is prompt processing); cached_input_tokens = the
  cache-read lines; output_tokens = the output lines.
* model = the usage type between its region prefix (``USE1-``) and its token ending, as AWS writes it
  (``Claude3.5Sonnet``); provider from the model's name (``claude`` -> anthropic, ``llama`` -> meta, ``nova`` /
  ``titan`` -> amazon, ``mistral`` / ``mixtral`` -> mistral, ``command`` / ``cohere`` -> cohere), else ``aws_bedrock``.
* zone = ``aws:<product_region_code>``; project = the usage account; person = ``line_item_iam_principal`` (IAM
  principal attribution); cost = ``line_item_unblended_cost`` in ``line_item_currency_code``; requests = 0 (the
  bill does not count requests).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd

from apps.connectors.sources.chunk import CsvChunk
from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS, iter_csv
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import combine, finish
from apps.connectors.sources.skips import SkipReason, counted
from apps.core.messages import Message

KEY = "aws_cur_bedrock"
LABEL = "AWS Cost and Usage Report (Bedrock lines)"
SIGNATURE = (
    "line_item_usage_start_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "line_item_line_item_type",
)
DESCRIPTION = "Bedrock lines of an AWS CUR 2.0 or legacy CUR export: tokens by type, cost, account and region."
DOC_URL = "https://docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-understanding-cur-data.html"

FIELDS = (
    Field("start", ("line_item_usage_start_date",)),
    Field("product", ("line_item_product_code",)),
    Field("usage_type", ("line_item_usage_type",)),
    Field("amount", ("line_item_usage_amount",)),
    Field("unit", ("pricing_unit",)),
    Field("line_type", ("line_item_line_item_type",), required=False),
    Field("cost", ("line_item_unblended_cost",), required=False),
    Field("currency", ("line_item_currency_code",), required=False),
    Field("account", ("line_item_usage_account_id",), required=False),
    Field("region", ("product_region_code", "product/region"), required=False),
    Field("principal", ("line_item_iam_principal",), required=False),
    Field("product_name", ("product_product_name", "product/ProductName"), required=False),
)
USAGE_LINES = frozenset({"usage", "discountedusage", "savingsplancoveredusage", ""})
_TOKEN_TYPE = re.compile(
    r"^(?:[A-Z]{2,4}\d?-)?(?P<model>.+?)-(?:mantle-)?"
    r"(?P<kind>cache-read-input-token-count|cache-write-input-token-count|input-tokens?|output-tokens?)(?:-.*)?$",
    re.I,
)
UNITS = {"tokens": 1, "token": 1, "units": 1, "unit": 1, "count": 1, "1k tokens": 1_000, "1m tokens": 1_000_000}
_VENDORS = (
    ("claude", "anthropic"),
    ("llama", "meta"),
    ("nova", "amazon"),
    ("titan", "amazon"),
    ("mixtral", "mistral"),
    ("mistral", "mistral"),
    ("command", "cohere"),
    ("cohere", "cohere"),
)


def token_type(usage_type: str) -> tuple[str, str] | None:
    """(model, kind) of a Bedrock token usage type, kind 'input', 'output', 'cache_read' or 'cache_write'."""
    m = _TOKEN_TYPE.match(usage_type.strip())
    if not m:
        return None
    kind = m.group("kind").lower()
    if kind.startswith("cache-read"):
        return m.group("model"), "cache_read"
    if kind.startswith("cache-write"):
        return m.group("model"), "cache_write"
    return m.group("model"), "input" if kind.startswith("input") else "output"


def vendor(model: str) -> str:
    """The provider a Bedrock usage type's model belongs to (rules in the module docstring)."""
    lower = model.lower()
    return next((name for hint, name in _VENDORS if hint in lower), "aws_bedrock")


def _reasons(chunk: CsvChunk) -> tuple[list[tuple[str, str] | SkipReason], np.ndarray]:
    """Each line's (model, kind), or why it is left out; and the line items' types, lower-cased."""
    products = chunk.text("product")
    names = chunk.text("product_name")
    line_types = np.char.lower(chunk.text("line_type").astype(str))
    parsed: list[tuple[str, str] | SkipReason] = []
    cache: dict[str, tuple[str, str] | None] = {}
    for product, name, usage_type, line_type in zip(products, names, chunk.text("usage_type"), line_types, strict=True):
        if "bedrock" not in product.lower() and "bedrock" not in name.lower():
            parsed.append(SkipReason.NOT_AI)
        elif line_type not in USAGE_LINES:
            parsed.append(SkipReason.NOT_USAGE_CHARGE)
        else:
            if usage_type not in cache:
                cache[usage_type] = token_type(usage_type)
            parsed.append(cache[usage_type] or SkipReason.NOT_INFERENCE)
    return parsed, line_types


def _multipliers(chunk: CsvChunk) -> np.ndarray:
    """Tokens per unit of each line's pricing unit; an unknown unit is refused, naming the row."""
    units = chunk.text("unit")
    out = np.empty(len(units), dtype=np.int64)
    for i, unit in enumerate(units):
        n = UNITS.get(" ".join(unit.lower().split()))
        if n is None:
            raise chunk.error(
                i,
                "unit",
                Message(
                    "expected a token unit ({units}), got {value}",
                    units=", ".join(sorted(set(UNITS))),
                    value=describe_value(unit),
                ),
            )
        out[i] = n
    return out


def _frame(chunk: CsvChunk, info: list[tuple[str, str]]) -> pd.DataFrame:
    amount = chunk.numbers("amount", whole=False, blank_is_zero=False)
    tokens = np.rint(amount * _multipliers(chunk)).astype(np.int64)
    kind = np.array([k for _, k in info])
    models = [m for m, _ in info]
    region = chunk.text("region")
    return pd.DataFrame(
        {
            "day": chunk.days("start", example="2026-03-01T00:00:00Z"),
            "provider": [vendor(m) for m in models],
            "model": models,
            "input_tokens": np.where((kind == "input") | (kind == "cache_write"), tokens, 0),
            "cached_input_tokens": np.where(kind == "cache_read", tokens, 0),
            "output_tokens": np.where(kind == "output", tokens, 0),
            "project": chunk.text("account"),
            "person": chunk.text("principal"),
            "zone": [f"aws:{r.strip().lower()}" if r.strip() else "" for r in region],
            "cost": chunk.numbers("cost", whole=False, allow_negative=True),
            "currency": chunk.text("currency"),
        }
    )


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Conformed frames chunk by chunk of the export (keys may repeat across chunks)."""
    found = False
    for chunk in iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows):
        parsed, _ = _reasons(chunk)
        keep = np.flatnonzero(np.array([not isinstance(p, SkipReason) for p in parsed], dtype=bool))
        attrs = counted(len(chunk), Counter(p for p in parsed if isinstance(p, SkipReason)))
        if not len(keep):
            yield finish([], KEY, attrs=attrs)
            continue
        found = True
        yield finish(_frame(chunk.take(keep), [parsed[i] for i in keep]), KEY, attrs=attrs)
    if not found:
        raise SourceError(
            filename,
            None,
            "line_item_usage_type",
            Message(
                "found no Amazon Bedrock token lines (usage types ending in "
                "-input-tokens, -output-tokens or -cache-read/-cache-write-input-token-count)"
            ),
        )


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole export as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
