"""Anthropic Admin API Claude Code usage report (``/v1/organizations/usage_report/claude_code``), JSON.

Follows Anthropic's API reference "Get Claude Code Usage Report"
(platform.claude.com/docs/en/api/admin/usage_report/retrieve_claude_code). Accepted shapes: one page
``{"data": [records], "has_more", "next_page"}``, a JSON list of pages, or pages one after another (one a line, as
a pull of several days writes them). A record is one actor on one UTC day: ``date``, ``actor``
(``user_actor`` with ``email_address`` or ``api_actor`` with ``api_key_name``), ``model_breakdown[]`` with
``model``, ``tokens`` {``input``, ``output``, ``cache_read``, ``cache_creation``} and ``estimated_cost``
{``amount`` in minor units, ``currency``}; ``core_metrics``, ``tool_actions`` and ``terminal_type`` are not usage.

Mapping (provider ``anthropic``), one usage row per record and model:

* day = ``date`` (a UTC date, also read from an RFC 3339 timestamp); person = ``actor.email_address``;
  api_key = ``actor.api_key_name``; project = ``organization_id``.
* input_tokens = ``tokens.input`` + ``tokens.cache_creation`` (writing the cache is full prompt processing, as
  anthropic_usage reads it); cached_input_tokens = ``tokens.cache_read``; output_tokens = ``tokens.output``. All
  four are required: a missing one is refused, naming it, never read as 0.
* cost = ``estimated_cost.amount`` / 100 (the amount is in cents for USD and the other two-decimal currencies
  listed below; another currency is refused, naming it, rather than guessed). It is Anthropic's estimate, not a
  bill line.
* The report has no request count: requests stays 0 (``num_sessions`` counts sessions, not model calls).
* The same actor, day and model twice in a file is a page loaded twice: refused.
* For API customers (``customer_type`` ``api``) the same tokens also appear in the messages usage report of
  their key; loading both reports for one key counts them twice (the run page shows both sources).
"""

from __future__ import annotations

from typing import Any, BinaryIO, ClassVar

import pandas as pd

from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import Amount, Items, JsonRow, RequiredCount, Text, required, validate
from apps.connectors.sources.json_pages import entry_path, iter_pages
from apps.connectors.sources.json_values import expect, json_day
from apps.connectors.sources.skips import counted
from apps.core.messages import Message

KEY = "anthropic_claude_code"
LABEL = "Anthropic Claude Code usage report"
SIGNATURE = ("actor", "core_metrics", "model_breakdown", "customer_type", "terminal_type", "estimated_cost")
DESCRIPTION = "Claude Code per user per day from the Admin API: tokens and estimated cost by model."
DOC_URL = "https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_claude_code"
PROVIDER = "anthropic"
# Currencies whose minor unit is a hundredth (ISO 4217 exponent 2); the report has only ever given USD.
CENT_CURRENCIES = frozenset({"USD", "EUR", "GBP", "CAD", "AUD", "CHF"})


class Tokens(JsonRow):
    """The token counts of one model of a record."""

    WHAT: ClassVar[str] = "a tokens object"

    input: RequiredCount = required()
    output: RequiredCount = required()
    cache_read: RequiredCount = required()
    cache_creation: RequiredCount = required()


class Cost(JsonRow):
    """Anthropic's estimated cost, in minor currency units."""

    WHAT: ClassVar[str] = "an estimated_cost object"

    amount: Amount = 0.0
    currency: Text = "USD"


class ModelUsage(JsonRow):
    """One item of ``model_breakdown``."""

    WHAT: ClassVar[str] = "a model_breakdown item"

    model: Text = ""
    tokens: Tokens
    estimated_cost: Cost | None = None


class Actor(JsonRow):
    """Who used Claude Code: a user (e-mail) or an API key (its name)."""

    WHAT: ClassVar[str] = "an actor object"

    email_address: Text = ""
    api_key_name: Text = ""


class Record(JsonRow):
    """One actor's Claude Code day."""

    WHAT: ClassVar[str] = "a Claude Code usage record"

    actor: Actor
    organization_id: Text = ""
    model_breakdown: Items[ModelUsage] = []


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse Claude Code usage report page(s) into a conformed usage frame (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    read = 0
    seen: dict[tuple, str] = {}
    for path, page in iter_pages(stream, filename, KEY, what="a Claude Code usage report page", of="records"):
        for r, record in enumerate(page["data"]):
            rows += _rows(record, filename, entry_path(path, "data", r), seen)
            read += 1
    return finish(rows, KEY, attrs=counted(read))


def _rows(record: Any, filename: str, path: str, seen: dict[tuple, str]) -> list[dict[str, Any]]:
    expect(record, dict, filename, path, Record.WHAT)
    if "model_breakdown" not in record or "actor" not in record:
        missing = "actor" if "actor" not in record else "model_breakdown"
        raise SourceError(
            filename,
            path,
            missing,
            Message(
                "expected the record's {missing}, the key is missing{hint}",
                missing=missing,
                hint=wrong_source_hint(json_fields(record), KEY),
            ),
        )
    day = json_day(record.get("date"), filename, path, "date")
    usage = validate(Record, record, filename, path)
    rows = []
    for m, item in enumerate(usage.model_breakdown):
        key = (day, usage.actor.email_address, usage.actor.api_key_name, item.model)
        where = f"{path}.model_breakdown[{m}]"
        if key in seen:
            raise SourceError(
                filename,
                where,
                None,
                Message(
                    "the same actor, day and model already appears at {where}; the file repeats a page "
                    "(overlapping pulls?): keep one and upload again",
                    where=seen[key],
                ),
            )
        seen[key] = where
        cost, currency = _cost(item.estimated_cost, filename, where)
        rows.append(
            {
                "day": day,
                "provider": PROVIDER,
                "model": item.model,
                "input_tokens": item.tokens.input + item.tokens.cache_creation,
                "cached_input_tokens": item.tokens.cache_read,
                "output_tokens": item.tokens.output,
                "person": usage.actor.email_address,
                "api_key": usage.actor.api_key_name,
                "project": usage.organization_id,
                "cost": cost,
                "currency": currency,
            }
        )
    return rows


def _cost(cost: Cost | None, filename: str, path: str) -> tuple[float, str]:
    """(major units, currency) of an estimated cost; (0, '') when the item has none."""
    if cost is None:
        return 0.0, ""
    currency = cost.currency.strip().upper()
    if currency not in CENT_CURRENCIES:
        raise SourceError(
            filename,
            f"{path}.estimated_cost",
            "currency",
            Message(
                "expected a currency whose minor unit is a cent ({currencies}), got {value}",
                currencies=", ".join(sorted(CENT_CURRENCIES)),
                value=describe_value(cost.currency),
            ),
        )
    return cost.amount / 100, currency
