"""Reconciliation: per provider and month, the token records priced (tokens x price) against the vendor's bill.

The bill (records of usage kind ``billed_cost``, from the OpenAI Costs API or the Anthropic cost report) is the
month's € figure by cost.py's rule; here the same month's token records are priced from their tokens at the
model's price valid that day, as cost.py prices them, and their own reported costs are converted, so a gap
between what the tokens should cost and what was billed shows: gap = tokens x price - billed, in % of billed,
flagged over GAP_THRESHOLD_PCT. Decimal throughout; the percentage is rounded half-even to 0.01 %."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string

from apps.core.distinct import map_distinct
from apps.footprint import rollups
from apps.footprint.models import DailyRollup, MonthlyRollup
from apps.footprint.usage_frame import USAGE_KIND_BILLED_COST, USAGE_KIND_TOKENS

from . import calc, cost

GAP_THRESHOLD_PCT = Decimal(2)  # a gap over 2 % of the bill is flagged
_PCT_PLACES = Decimal("0.01")
_TOKEN_SUMS = ("input_tokens", "cached_input_tokens", "output_tokens")


@dataclass
class MonthLine:
    """One provider x month: what its tokens cost at list price, what its token records reported, what was billed."""

    provider: str
    month: str  # YYYY-MM
    tokens_x_price_eur: Decimal = cost.ZERO
    reported_on_tokens_eur: Decimal = cost.ZERO
    billed_eur: Decimal | None = None  # None: no bill loaded for the month
    billed_by_currency: dict[str, Decimal] = field(default_factory=dict)
    models_without_price: list[str] = field(default_factory=list)

    @property
    def gap_eur(self) -> Decimal | None:
        return None if self.billed_eur is None else self.tokens_x_price_eur - self.billed_eur

    @property
    def gap_pct(self) -> Decimal | None:
        if self.billed_eur is None or self.billed_eur == 0:
            return None
        with decimal.localcontext(cost.MONEY):
            pct = self.gap_eur / self.billed_eur * 100
        return pct.quantize(_PCT_PLACES, rounding=ROUND_HALF_EVEN)

    @property
    def flagged(self) -> bool:
        """A bill the tokens do not explain within GAP_THRESHOLD_PCT (a zero bill: any priced token)."""
        if self.billed_eur is None:
            return False
        if self.billed_eur == 0:
            return self.tokens_x_price_eur != 0
        with decimal.localcontext(cost.MONEY):
            return abs(self.gap_eur / self.billed_eur * 100) > GAP_THRESHOLD_PCT

    def as_dict(self) -> dict:
        return {
            "provider": self.provider,
            "month": self.month,
            "tokens_x_price_eur": self.tokens_x_price_eur,
            "reported_on_tokens_eur": self.reported_on_tokens_eur,
            "billed_eur": self.billed_eur,
            "billed_by_currency": [{"currency": c, "amount": a} for c, a in sorted(self.billed_by_currency.items())],
            "gap_eur": self.gap_eur,
            "gap_pct": self.gap_pct,
            "flagged": self.flagged,
            "models_without_price": self.models_without_price,
        }


def reconcile(organisation, start: dt.date, end: dt.date, providers: set[str] | None = None) -> list[MonthLine]:
    """Each provider x month with token records or bill lines between start and end, sorted by provider, month.
    Read off the rollups (the same sums per day or month, provider and model as the records, far fewer rows):
    the monthly rows of whole months in which no price starts, the daily rows of the other days."""
    parts = rollups.parts(organisation, start, end, cost.price_change_days(organisation))
    if providers is not None:
        parts = [part.filter(provider__in=providers) for part in parts]
    lines: dict[tuple[str, str], MonthLine] = {}

    def line(provider: str, month) -> MonthLine:
        key = (provider, cost.month_of(month))
        return lines.setdefault(key, MonthLine(*key))

    rates = cost.usd_per_unit(organisation)
    with decimal.localcontext(cost.MONEY):
        for part in parts:
            _price_tokens(organisation, part, line)
            monthly = part.model is MonthlyRollup
            by_month = part.annotate(period=F("month") if monthly else TruncMonth("day")).order_by()
            tokens_reported = by_month.filter(usage_kind=USAGE_KIND_TOKENS).exclude(cost=0)
            bills = by_month.filter(usage_kind=USAGE_KIND_BILLED_COST)
            for row in tokens_reported.values("provider", "period", "currency").annotate(amount=Sum("cost")):
                m = line(row["provider"], row["period"])
                m.reported_on_tokens_eur += _eur(cost.as_decimal(row["amount"]), row["currency"], rates)
            for row in bills.values("provider", "period", "currency").annotate(amount=Sum("cost")):
                m = line(row["provider"], row["period"])
                amount, currency = cost.as_decimal(row["amount"]), (row["currency"] or "EUR").upper()
                m.billed_by_currency[currency] = m.billed_by_currency.get(currency, cost.ZERO) + amount
                m.billed_eur = (m.billed_eur or cost.ZERO) + _eur(amount, currency, rates)
    return [lines[key] for key in sorted(lines)]


def _eur(amount: Decimal, currency: str, rates: dict[str, Decimal]) -> Decimal:
    return amount * (cost._eur_per_unit((currency or "").upper(), rates) or cost.ZERO)


def _price_tokens(organisation, records, line) -> None:
    """Add each token record's tokens x price (the day's price, as cost.py prices) to its provider x month; a
    monthly rollup row is priced at its month's first day (no price starts inside it: rollups.plan)."""
    sums = {name: Sum(name) for name in _TOKEN_SUMS}
    day = F("month") if records.model is MonthlyRollup else F("day")
    tokens = records.filter(usage_kind=USAGE_KIND_TOKENS).order_by().annotate(period=day)
    rows = [{"day": row.pop("period"), **row} for row in tokens.values("provider", "period", "model").annotate(**sums)]
    if not rows:
        return
    usage = pd.DataFrame(rows)
    for name in _TOKEN_SUMS:
        usage[name] = usage[name].astype(np.int64)
    prices = cost.model_prices(organisation)
    known = set(prices["model_key"])
    usage["model_key"] = map_distinct(usage["model"], lambda m: calc.model_key(m, known), "str")
    priced = calc.api_cost_eur(usage[["day", "model_key", *_TOKEN_SUMS]], prices)
    with decimal.localcontext(cost.MONEY):
        for provider, day, model_key, amount in zip(
            usage["provider"], usage["day"], usage["model_key"], priced, strict=True
        ):
            m = line(provider, day)
            if pd.isna(amount):
                if model_key not in m.models_without_price:
                    m.models_without_price.append(model_key)
                continue
            m.tokens_x_price_eur += amount


def months_of_run(run) -> tuple[set[str], dt.date, dt.date] | None:
    """The providers and the whole months a run's records fall in (None when it stored none)."""
    days = DailyRollup.objects.filter(organisation_id=run.organisation_id, run=run)
    days = days.order_by().values_list("provider", "day").distinct()
    pairs = list(days)
    if not pairs:
        return None
    first, last = min(d for _, d in pairs), max(d for _, d in pairs)
    return {p for p, _ in pairs}, rollups.month_start(first), rollups.month_end(last)


def run_panel(run) -> str:
    """The run page's reconciliation: the billed months the run's records fall in ('' when none has a bill)."""
    span = months_of_run(run)
    if span is None:
        return ""
    providers, start, end = span
    lines = [m for m in reconcile(run.organisation, start, end, providers) if m.billed_eur is not None]
    if not lines:
        return ""
    context = {"lines": lines, "threshold_pct": GAP_THRESHOLD_PCT}
    return render_to_string("costs/_reconciliation.html", context)
