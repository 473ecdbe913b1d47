"""What the two bill sources share (openai_costs, anthropic_cost_report): an exact money amount, the walk over
pages -> buckets -> results, and the billed lines summed in Decimal into the usage frame.

A bill line is a record of usage kind ``billed_cost``: a cost in its currency, never tokens nor energy (the
token records of the same usage carry the footprint; apps/costs/cost.py decides which € figure counts)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, BinaryIO

import pandas as pd
from pydantic import BeforeValidator

from apps.connectors.sources.bounds import MAX_AMOUNT
from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import refuse
from apps.connectors.sources.json_pages import entry_path, iter_pages
from apps.connectors.sources.json_values import check_repeat, expect, json_day
from apps.connectors.sources.skips import counted
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_BILLED_COST


def _money(value: Any) -> Decimal:
    """An exact amount: a JSON number (read back by its shortest repr, which is the file's text for any amount
    of up to 15 significant digits) or a decimal string. A missing or empty amount is refused, never a zero."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise refuse(Message("expected an amount (a number or a decimal string), the key is missing or empty"))
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise refuse(_not_an_amount(value))
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise refuse(_not_an_amount(value))
    if abs(amount) > MAX_AMOUNT:
        # The bound written out here (not bounds.max_text) so the whole sentence is one translatable template.
        raise refuse(
            Message(
                "expected an amount between {low} and {high}, got {value}",
                low=f"{-MAX_AMOUNT:,}",
                high=f"{MAX_AMOUNT:,}",
                value=describe_value(value),
            )
        )
    return amount


def _currency(value: Any) -> str:
    """An ISO 4217 code, upper case (OpenAI writes 'usd'); missing or empty is refused: an amount needs one."""
    text = "" if value is None else str(value).strip()
    if not text:
        raise refuse(Message("expected an ISO 4217 currency code like 'USD', the key is missing or empty"))
    if not (len(text) == 3 and text.isalpha()):
        raise refuse(Message("expected an ISO 4217 currency code like 'USD', got {value}", value=describe_value(value)))
    return text.upper()


def _not_an_amount(value: Any) -> Message:
    return Message("expected an amount (a number or a decimal string), got {value}", value=describe_value(value))


Money = Annotated[Decimal, BeforeValidator(_money)]
Currency = Annotated[str, BeforeValidator(_currency)]


def iter_results(
    stream: BinaryIO, filename: str, key: str, *, what: str, start: str, end: str, unix: bool
) -> Iterator[tuple[str, pd.Timestamp, dict]]:
    """(JSON path, UTC day of its bucket, result) of every result of every page of the file: one page, a JSON
    list of pages, or pages written one after another. A result repeated in the same bucket is refused."""
    seen: dict[tuple, str] = {}
    for path, page in iter_pages(stream, filename, key, what=what, of="buckets"):
        for b, bucket in enumerate(page["data"]):
            bpath = entry_path(path, "data", b)
            expect(bucket, dict, filename, bpath, "a bucket object")
            results = bucket.get("results")
            if not isinstance(results, list):
                hint = wrong_source_hint(json_fields(page), key)
                raise SourceError(
                    filename, bpath, "results", Message("expected a list of cost results{hint}", hint=hint)
                )
            day = json_day(bucket.get(start), filename, bpath, start, unix=unix) if results else None
            for r, result in enumerate(results):
                rpath = f"{bpath}.results[{r}]"
                expect(result, dict, filename, rpath, "a cost result object")
                check_repeat(seen, (bucket.get(start), bucket.get(end)), _grouping(result), filename, rpath)
                yield rpath, day, result


def _grouping(result: dict) -> dict:
    """The result's grouping fields for the repeat check: the amount is a nested object, its currency counts."""
    amount = result.get("amount")
    currency = amount.get("currency") if isinstance(amount, dict) else result.get("currency")
    return {**result, "currency": currency}


def finish_billed(lines: dict[tuple, Decimal], key: str, provider: str, *, read: int) -> pd.DataFrame:
    """The bill lines (day, model, project, currency) -> exact sum, as a conformed frame of billed_cost rows.
    Summed here in Decimal, so the frame's float holds each stored amount as the vendor's figures add up."""
    rows = [
        {
            "day": day,
            "provider": provider,
            "model": model,
            "usage_kind": USAGE_KIND_BILLED_COST,
            "project": project,
            "cost": float(amount),
            "currency": currency,
        }
        for (day, model, project, currency), amount in lines.items()
    ]
    return finish(rows, key, attrs=counted(read))  # every bill line is read: none is left out
