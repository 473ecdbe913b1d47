"""Anthropic Admin API cost report (``GET /v1/organizations/cost_report``), JSON: what Anthropic billed, per day.

Accepted shapes: one page ``{"data": [buckets], "has_more", "next_page"}``, a JSON list of pages, or pages one
after another. A bucket has ``starting_at``/``ending_at`` (RFC 3339; the API's only width is ``1d``) and
``results``; a result holds ``amount`` — a decimal string in the currency's lowest unit (cents: "123.45" USD
is $1.2345) — and ``currency`` ("USD"), and, when grouped by description, ``cost_type``, ``model``,
``token_type``, ``context_window``, ``service_tier``, ``description``; ``workspace_id`` when grouped by
workspace (null: the default workspace).

Mapping (provider ``anthropic``, usage kind ``billed_cost``, one record per day x line x workspace x
currency): cost = ``amount`` / 100, exactly; currency; model = ``model``, else ``description``, else
``cost_type`` ('' when not grouped); ``workspace_id`` -> project. No tokens, no energy: the usage report
carries those. A result without ``amount`` or ``currency`` is refused, naming the key.
"""

from __future__ import annotations

from decimal import Decimal
from typing import BinaryIO, ClassVar

import pandas as pd
from pydantic import Field

from apps.connectors.sources.billed import Currency, Money, finish_billed, iter_results
from apps.connectors.sources.json_models import JsonRow, Text, validate

KEY = "anthropic_cost_report"
LABEL = "Anthropic cost report"
# Three bucket keys of six, as anthropic_usage's: a JSON list of pages (read only to the bucket keys) ties.
SIGNATURE = ("starting_at", "ending_at", "results", "amount", "currency", "cost_type")
PROVIDER = "anthropic"


class Result(JsonRow):
    """One cost item of a bucket of the cost report."""

    WHAT: ClassVar[str] = "a cost report result object"

    amount: Money = Field(default=None, validate_default=True)
    currency: Currency = Field(default=None, validate_default=True)
    model: Text = ""
    description: Text = ""
    cost_type: Text = ""
    workspace_id: Text = ""


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse Anthropic cost report page(s) into billed_cost rows of the usage frame (see the module docstring)."""
    lines: dict[tuple, Decimal] = {}
    read = 0
    results = iter_results(
        stream, filename, KEY, what="an Anthropic cost report page", start="starting_at", end="ending_at", unix=False
    )
    for path, day, result in results:
        read += 1
        line = validate(Result, result, filename, path)
        key = (day, line.model or line.description or line.cost_type, line.workspace_id, line.currency)
        # Dividing by 100 only moves the decimal point: exact at any precision.
        lines[key] = lines.get(key, Decimal(0)) + line.amount.scaleb(-2)
    return finish_billed(lines, KEY, PROVIDER, read=read)
