"""Azure Cost Management FOCUS export (the "cost and usage details (FOCUS)" CSV Microsoft recommends), the Azure
OpenAI / Foundry token meters in it. Not a source of its own: ``azure_openai_cost`` reads a file whose header is
FOCUS's (:func:`is_focus`) through this module, so one Azure source reads both exports.

Columns are matched by name whatever their case; others are ignored (the export has some sixty):
``ChargePeriodStart``, ``ChargeCategory``, ``x_SkuMeterCategory``, ``x_SkuMeterSubcategory``, ``x_SkuMeterName``,
``ConsumedQuantity``, ``ConsumedUnit``, ``RegionId`` (else ``RegionName``), ``SubAccountName``/``SubAccountId``
(the subscription), ``x_ResourceGroupName``, ``BilledCost``, ``BillingCurrency``, ``Tags``.

The meters are the classic export's (the ``x_SkuMeter*`` columns hold Cost Management's meter category,
subcategory and name), read by the same rules as ``azure_openai_cost``: direction words, embedding meters as
input tokens, cached-input meters, the model named by the words before the direction word, ``gpt-`` before a bare
GPT-5 version, the ``team`` tag, zone ``azure:<RegionId>``.

* Only ``ChargeCategory`` = ``Usage`` rows are usage: purchases, taxes, credits and adjustments are left out and
  counted under ``not_usage_charge`` (a file without the column is read as all usage). ``ChargeClass`` =
  ``Correction`` rows correct a charge invoiced in an earlier billing period (their quantities may be negative):
  they are not this period's use and count under ``correction``; load the corrected period's export again to
  restate it. Rows of other services
  count under ``not_ai``, AI meters that bill no tokens under ``not_inference`` (see ``skips``).
* tokens = ``ConsumedQuantity`` x the multiplier of ``ConsumedUnit``: FOCUS gives the quantity in the consumed
  unit ("Tokens"), not in the pricing blocks of the classic export ("1K"); a unit such as "1K Tokens" is still
  multiplied out. A blank ``ConsumedQuantity`` on a token meter is refused, naming the row: never read as 0.
* day = the UTC day of ``ChargePeriodStart`` (ISO 8601, "2025-08-01T00:00:00Z" or FOCUS 1.0's "…T00:00Z", offsets
  read); cost = ``BilledCost`` in ``BillingCurrency``; requests = 0 (bills do not count requests).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd

from apps.connectors.sources.azure_openai_cost import kept_and_skipped, token_frame, token_meters
from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS, iter_csv
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish
from apps.connectors.sources.names import norm
from apps.connectors.sources.skips import SkipReason
from apps.core.messages import Message

KEY = "azure_openai_cost"  # read by the Azure source, which hands a FOCUS file to this module
# The classic export's field names, so its token_frame reads these chunks as it reads its own.
FIELDS = (
    Field("date", ("ChargePeriodStart",)),
    Field("charge_category", ("ChargeCategory",), required=False),
    Field("charge_class", ("ChargeClass",), required=False),
    Field("meter_category", ("x_SkuMeterCategory",)),
    Field("meter_subcategory", ("x_SkuMeterSubcategory",), required=False),
    Field("meter_name", ("x_SkuMeterName",)),
    Field("quantity", ("ConsumedQuantity",)),
    Field("unit", ("ConsumedUnit",)),
    Field("resource_location", ("RegionId", "RegionName"), required=False),
    Field("resource_group", ("x_ResourceGroupName",), required=False),
    Field("subscription", ("SubAccountName", "SubAccountId"), required=False),
    Field("cost", ("BilledCost",), required=False),
    Field("currency", ("BillingCurrency",), required=False),
    Field("tags", ("Tags",), required=False),
)
USAGE, CORRECTION = "usage", "correction"
# Columns only FOCUS has; one is enough, so a FOCUS file missing another is refused naming it as a FOCUS column.
_FOCUS_ONLY = {norm(c) for c in ("ChargePeriodStart", "BilledCost", "ConsumedQuantity", "x_SkuMeterName")}


def is_focus(header: list[str]) -> bool:
    """True when a header is the FOCUS export's (a FOCUS-only column, no classic ``MeterName``)."""
    names = {norm(h) for h in header}
    return bool(names & _FOCUS_ONLY) and norm("MeterName") not in names


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Yield conformed frames, one per chunk of a FOCUS export (see the module docstring)."""
    found_any = False
    categories: set[str] = set()
    for chunk in iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows):
        rows_read = len(chunk)
        usage = np.char.lower(chunk.text("charge_category", USAGE).astype(str)) == USAGE
        correction = usage & (np.char.lower(chunk.text("charge_class").astype(str)) == CORRECTION)
        not_usage, corrections = int(rows_read - usage.sum()), int(correction.sum())
        if not_usage or corrections:
            chunk = chunk.take(np.flatnonzero(usage & ~correction))
        categories.update(np.unique(chunk.text("meter_category"))[:20].tolist())
        columns = (chunk.text(name) for name in ("meter_category", "meter_subcategory", "meter_name", "unit"))
        parsed = token_meters(*columns)
        skipped_before = {SkipReason.NOT_USAGE_CHARGE: not_usage, SkipReason.CORRECTION: corrections}
        idx, attrs = kept_and_skipped(parsed, rows_read, **skipped_before)
        if not len(idx):
            yield finish([], KEY, attrs=attrs)
            continue
        found_any = True
        meters = [parsed[i] for i in idx]
        frame = token_frame(chunk.take(idx), meters, formats=(), example="2025-08-01T00:00:00Z")
        yield finish(frame, KEY, attrs=attrs)
    if not found_any:
        shown = ", ".join(sorted(c for c in categories if c)[:10]) or "none"
        raise SourceError(
            filename,
            None,
            "x_SkuMeterName",
            Message(
                "found no Azure OpenAI / Foundry token meters among the usage charges (meter categories in the file: "
                "{categories}); export the FOCUS cost details of the subscription that holds the AI resources",
                categories=shown,
            ),
        )
