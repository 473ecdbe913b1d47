"""Cursor Admin API usage events (``POST /teams/filtered-usage-events``), JSON: one page
``{"usageEvents": [...], "pagination": {...}, "totalUsageEventsCount", "period"}``, a JSON list of pages, or pages
one after another.

Follows Cursor's page "Admin API", section "Get Usage Events Data" (docs.cursor.com/account/teams/admin-api): an
event has ``timestamp`` (epoch milliseconds, as a string), ``model``, ``kind``, ``maxMode``, ``requestsCosts``,
``isTokenBasedCall``, ``tokenUsage`` {``inputTokens``, ``outputTokens``, ``cacheWriteTokens``, ``cacheReadTokens``,
``totalCents``} and ``userEmail``.

Mapping (the model name is kept as Cursor writes it, ``claude-4-opus``; Cursor does not name the vendor it routed
the call to, so provider is read from the name: ``claude`` -> anthropic, ``gpt``/``o1``/``o3``/``o4`` -> openai,
``gemini`` -> google, ``grok`` -> xai, ``deepseek`` -> deepseek, else ``cursor``, Cursor's own models such as
``composer``):

* day = UTC day of ``timestamp``; requests = one per event; person = ``userEmail``.
* input_tokens = ``inputTokens`` + ``cacheWriteTokens`` (writing the cache is prompt processing);
  cached_input_tokens = ``cacheReadTokens``; output_tokens = ``outputTokens``. For a token-based call
  (``isTokenBasedCall`` true) all four are required: a missing one is refused, naming it.
* cost = ``totalCents`` / 100 USD (Cursor's price of the tokens; what it charged may differ by plan).
* An event that is not token-based (a request priced per request) has no token counts: it is skipped, counted
  under ``priced_per_request``, so the run shows how many requests the footprint could not estimate.

Cursor's daily usage data (``cursor_daily_usage``) counts the same requests per user and day: load one of the two.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO, ClassVar

import pandas as pd

from apps.connectors.sources.errors import SourceError, describe_value
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import Amount, JsonRow, RequiredCount, Text, required, validate
from apps.connectors.sources.json_pages import entry_path, iter_pages
from apps.connectors.sources.json_values import expect, json_day
from apps.connectors.sources.skips import SkipReason, counted
from apps.core.messages import Message

KEY = "cursor_admin"
LABEL = "Cursor Admin API usage events"
SIGNATURE = ("usageEvents", "pagination", "isTokenBasedCall", "tokenUsage", "userEmail", "totalUsageEventsCount")
DESCRIPTION = "Cursor team usage events from the Admin API: tokens, model and cents per request and user."
DOC_URL = "https://docs.cursor.com/account/teams/admin-api"
PROVIDER = "cursor"
_VENDORS = (("claude", "anthropic"), ("gemini", "google"), ("grok", "xai"), ("deepseek", "deepseek"))
_OPENAI = re.compile(r"^(gpt|o1|o3|o4)\b")


def vendor(model: str) -> str:
    """The provider a Cursor model name belongs to (rules in the module docstring)."""
    lower = model.lower()
    if _OPENAI.match(lower):
        return "openai"
    return next((name for hint, name in _VENDORS if hint in lower), PROVIDER)


class TokenUsage(JsonRow):
    """The token counts and price of one token-based event."""

    WHAT: ClassVar[str] = "a tokenUsage object"

    inputTokens: RequiredCount = required()
    outputTokens: RequiredCount = required()
    cacheWriteTokens: RequiredCount = required()
    cacheReadTokens: RequiredCount = required()
    totalCents: Amount = 0.0


class Event(JsonRow):
    """One usage event."""

    WHAT: ClassVar[str] = "a usage event object"

    model: Text = ""
    userEmail: Text = ""
    tokenUsage: TokenUsage | None = None


def _day(value: Any, filename: str, path: str) -> pd.Timestamp:
    """The UTC day of an epoch-milliseconds timestamp (a digit string or a number)."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.isdigit():
        raise SourceError(
            filename,
            path,
            "timestamp",
            Message("expected epoch milliseconds like '1750979225854', got {value}", value=describe_value(value)),
        )
    return json_day(int(text) // 1000, filename, path, "timestamp", unix=True)


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse usage-event page(s) into a conformed usage frame (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    read = untokened = 0
    for path, page in iter_pages(stream, filename, KEY, what="a Cursor usage events page", items="usageEvents"):
        for e, event in enumerate(page["usageEvents"]):
            read += 1
            row = _row(event, filename, entry_path(path, "usageEvents", e))
            if row is None:
                untokened += 1
            else:
                rows.append(row)
    return finish(rows, KEY, attrs=counted(read, {SkipReason.PRICED_PER_REQUEST: untokened}))


def _row(event: Any, filename: str, path: str) -> dict[str, Any] | None:
    """The usage of one event; None for an event priced per request, without token counts."""
    expect(event, dict, filename, path, Event.WHAT)  # the shared "expected <what>, got <value>" message
    token_based = event.get("isTokenBasedCall")
    if token_based is False or (token_based is None and event.get("tokenUsage") is None):
        return None
    if event.get("tokenUsage") is None:
        raise SourceError(
            filename,
            path,
            "tokenUsage",
            Message("expected the token counts of a token-based call, the key is missing"),
        )
    day = _day(event.get("timestamp"), filename, path)
    usage = validate(Event, event, filename, path)
    tokens = usage.tokenUsage
    return {
        "day": day,
        "provider": vendor(usage.model),
        "model": usage.model,
        "requests": 1,
        "input_tokens": tokens.inputTokens + tokens.cacheWriteTokens,
        "cached_input_tokens": tokens.cacheReadTokens,
        "output_tokens": tokens.outputTokens,
        "person": usage.userEmail,
        "cost": tokens.totalCents / 100,
        "currency": "USD",
    }
