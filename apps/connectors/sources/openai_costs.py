"""OpenAI organisation Costs API pages (``GET /v1/organization/costs``), JSON: what OpenAI billed, per day.

Accepted shapes: one page ``{"object": "page", "data": [buckets], "has_more", "next_page"}``, a JSON list of
such pages, or pages written one after another. A bucket has ``start_time``/``end_time`` (unix seconds; the
API's only width is ``1d``) and ``results``; each result (``organization.costs.result``) holds
``amount: {value, currency}`` and, when the pull grouped by them, ``line_item`` and ``project_id`` (null
otherwise).

Mapping (provider ``openai``, usage kind ``billed_cost``, one record per day x line item x project x
currency): ``amount.value`` -> cost, exactly (a number or a decimal string; credits are negative),
``amount.currency`` -> currency (upper case), model = ``line_item`` up to its first comma (the line
"gpt-4o-2024-08-06, input" is model gpt-4o-2024-08-06: the cost pages then put the bill next to the model's
token records; the model's lines of a day are summed), ``project_id`` -> project. No tokens, no energy:
the usage pages carry those.
A result without ``amount.value`` or ``amount.currency`` is refused, naming the key.
"""

from __future__ import annotations

from decimal import Decimal
from typing import BinaryIO, ClassVar

import pandas as pd
from pydantic import Field

from apps.connectors.sources.billed import Currency, Money, finish_billed, iter_results
from apps.connectors.sources.json_models import JsonRow, Text, validate
from apps.core.messages import Message

KEY = "openai_costs"
LABEL = "OpenAI Costs API pages"
# Three bucket keys of five, as openai_usage's: a JSON list of pages (read only to the bucket keys) ties, not loses.
SIGNATURE = ("start_time", "end_time", "results", "amount", "line_item")
PROVIDER = "openai"


class Amount(JsonRow):
    """The monetary value of a costs result in its currency."""

    WHAT: ClassVar[str] = Message("an amount object {value, currency}")

    value: Money = Field(default=None, validate_default=True)
    currency: Currency = Field(default=None, validate_default=True)


class Result(JsonRow):
    """One costs result of a bucket (``organization.costs.result``)."""

    WHAT: ClassVar[str] = Message("a costs result object")

    amount: Amount = Field(default=None, validate_default=True)
    line_item: Text = ""
    project_id: Text = ""


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse OpenAI Costs API page(s) into billed_cost rows of the usage frame (see the module docstring)."""
    lines: dict[tuple, Decimal] = {}
    read = 0
    results = iter_results(
        stream, filename, KEY, what=Message("an OpenAI costs page"), start="start_time", end="end_time", unix=True
    )
    for path, day, result in results:
        read += 1
        line = validate(Result, result, filename, path)
        key = (day, line.line_item.split(",", 1)[0].strip(), line.project_id, line.amount.currency)
        lines[key] = lines.get(key, Decimal(0)) + line.amount.value
    return finish_billed(lines, KEY, PROVIDER, read=read)
