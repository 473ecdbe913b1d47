"""Generic usage CSV: our documented template for any AI usage no other source covers.

One row is an amount of token usage on one day. Columns (header required, names exactly these, in
any order; see ``docs/generic_csv.md`` for the full help):

==================== ======== ==========================================================
column               required meaning
==================== ======== ==========================================================
date                 yes      day of use, ``YYYY-MM-DD`` (a timestamp is cut to its UTC day)
provider             yes      openai, anthropic, azure_openai, google, mistral, self_hosted...
model                yes      model name as the provider calls it, e.g. ``gpt-4o-mini``
input_tokens         yes      prompt tokens billed at the normal rate (excluding cached)
output_tokens        yes      generated tokens
requests             no       number of model requests (0 when blank or absent)
cached_input_tokens  no       prompt tokens served from the provider's cache
user                 no       e-mail or login of the person
team                 no       team name
project              no       project, workspace or subscription
api_key              no       API key id (never the secret)
zone                 no       where the electricity was used: ISO country (``FR``/``FRA``) or
                              ``provider:region`` (``azure:swedencentral``)
cost                 no       amount paid for the row (negative for a credit)
currency             no       ISO 4217 code of ``cost``, e.g. ``EUR``
==================== ======== ==========================================================

Unknown columns are refused (a typo such as ``ouput_tokens`` would otherwise lose data silently).
Counts must be whole numbers >= 0 with a dot as the decimal separator where decimals are allowed
(cost). Files may be comma-, semicolon- or tab-separated, UTF-8 (with or without BOM) or UTF-16.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd

from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS, iter_csv
from apps.connectors.sources.frames import combine, finish
from apps.connectors.sources.skips import counted
from apps.core.messages import Message

KEY = "generic_csv"
LABEL = "generic usage CSV template"
SIGNATURE = ("date", "provider", "model", "input_tokens", "output_tokens", "requests", "zone")

# Exact names only: the template is ours, so aliases would only hide mistakes.
FIELDS = (
    Field("date"),
    Field("provider"),
    Field("model"),
    Field("input_tokens"),
    Field("output_tokens"),
    Field("requests", required=False),
    Field("cached_input_tokens", required=False),
    Field("user", required=False),
    Field("team", required=False),
    Field("project", required=False),
    Field("api_key", required=False),
    Field("zone", required=False),
    Field("cost", required=False),
    Field("currency", required=False),
)


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Yield conformed frames chunk by chunk (keys may repeat across chunks; sum them)."""
    for chunk in iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows, refuse_unknown=True):
        for name in ("provider", "model"):
            blank = np.flatnonzero(chunk.text(name) == "")
            if len(blank):
                raise chunk.error(int(blank[0]), name, Message("expected a {name} name, got a blank", name=name))
        cost = chunk.numbers("cost", whole=False, allow_negative=True)
        currency = chunk.text("currency")
        missing = np.flatnonzero((cost != 0) & (currency == ""))
        if len(missing):
            raise chunk.error(int(missing[0]), "currency", Message("expected an ISO 4217 code (e.g. EUR) for the cost"))
        frame = pd.DataFrame(
            {
                "day": chunk.days("date"),
                "provider": np.char.lower(chunk.text("provider").astype(str)),
                "model": chunk.text("model"),
                "requests": chunk.numbers("requests", whole=True),
                "input_tokens": chunk.numbers("input_tokens", whole=True),
                "cached_input_tokens": chunk.numbers("cached_input_tokens", whole=True),
                "output_tokens": chunk.numbers("output_tokens", whole=True),
                "person": chunk.text("user"),
                "team": chunk.text("team"),
                "project": chunk.text("project"),
                "api_key": chunk.text("api_key"),
                "zone": chunk.text("zone"),
                "cost": cost,
                "currency": np.char.upper(currency.astype(str)),
            }
        )
        yield finish(frame, KEY, attrs=counted(len(chunk)))


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole file as one conformed usage frame (chunks combined)."""
    return combine(iter_chunks(stream, filename))
