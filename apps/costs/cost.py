"""API cost in EUR: the one rule every page, API answer and export that shows it goes through.

A record's cost is the figure its source reported, converted to EUR at the factor set's exchange rates; a
token record without a reported cost is priced from its tokens at the model's price valid that day
(ModelPrice); any other record has none. Money stays Decimal from the vendor's figure to the page: rates
and prices as stored, products exact, a conversion's quotient at 28 significant digits (MONEY); amounts
are rounded half-even to the cent only when shown (templatetags/money.py)."""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from apps.core.distinct import map_distinct
from apps.footprint import selectors
from apps.footprint.models import MonthlyRollup, UsageRecord
from apps.footprint.services import current_factor_set_version, load_factor_set

from . import calc
from .models import ModelPrice

ZERO = Decimal(0)
# Decimal arithmetic of every cost: 28 significant digits (more than any vendor's figure), ties to even.
MONEY = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
# SQLite stores a decimal column as a double: Django reads it back at 15 significant digits, and so do we.
_SQLITE_DIGITS = decimal.Context(prec=15)
_PLACES = Decimal(10) ** -10  # UsageRecord.cost's decimal places

REPORTED = "reported"
PRICED = "tokens x price"
NO_PRICE = "no price"
NO_COST = ""

RULE = _(
    "Reported costs are converted to EUR at the factor set's exchange rates; token records without a reported "
    "cost are priced from their tokens at the model's price valid that day. Amounts are exact until shown, "
    "rounded half to even to the cent."
)
PRICE_COLUMNS = ("input_eur_per_mtok", "output_eur_per_mtok", "cached_eur_per_mtok")


def as_decimal(value) -> Decimal:
    """A cost as the database cursor gives it (Decimal on PostgreSQL, a double or integer on SQLite), exact."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return _SQLITE_DIGITS.create_decimal_from_float(value).quantize(_PLACES, context=MONEY)
    return Decimal(0 if value is None else value)


def usd_per_unit(organisation) -> dict[str, Decimal]:
    """The current factor set's exchange rates (USD per unit of each currency), as Decimals."""
    fs = load_factor_set(current_factor_set_version(organisation))
    return {r["currency"]: Decimal(str(r["usd_per_unit"])) for r in fs.tables["currency_rates"].records()}


def usd_per_unit_float(organisation) -> dict[str, float]:
    """The same rates as floats, for the float estimates (licences, the demo's prices)."""
    return {currency: float(rate) for currency, rate in usd_per_unit(organisation).items()}


def model_prices(organisation) -> pd.DataFrame:
    """The organisation's API prices (Decimal EUR per million tokens) by model family and start date."""
    columns = ["provider", "model", "valid_from", *PRICE_COLUMNS]
    frame = pd.DataFrame(list(ModelPrice.objects.for_org(organisation).values(*columns)), columns=columns)
    for col in PRICE_COLUMNS:
        frame[col] = frame[col].astype(object)
    frame["model_key"] = [calc.model_key(m) for m in frame["model"]]
    return frame


def _eur_per_unit(currency: str, rates: dict[str, Decimal]) -> Decimal | None:
    if currency in ("", "EUR"):
        return Decimal(1)
    if currency not in rates:
        return None  # no rate: the cost counts as none (the "as reported" line still shows it)
    return MONEY.divide(rates[currency], rates["EUR"])


def record_costs_eur(usage: pd.DataFrame, *, prices: pd.DataFrame, rates: dict[str, Decimal]) -> pd.DataFrame:
    """`cost_eur` (Decimal) and `cost_basis` of each row of `usage`, by the module's rule.

    usage: day, model_key, usage_kind, cost (Decimal), currency, input_tokens, cached_input_tokens,
    output_tokens, and optionally `reported` (rows that sum several records say whether theirs were reported;
    else a row is reported when its cost is not zero). prices: model_prices(); rates: usd_per_unit()."""
    cost_eur = pd.Series(ZERO, index=usage.index, dtype=object)
    basis = pd.Series(NO_COST, index=usage.index, dtype=object)
    if usage.empty:
        return pd.DataFrame({"cost_eur": cost_eur, "cost_basis": basis})
    reported = usage["reported"].astype(bool) if "reported" in usage else usage["cost"] != 0
    factor = map_distinct(usage["currency"].fillna("").str.upper(), lambda c: _eur_per_unit(c, rates), "object")
    converted = reported & factor.notna()
    with decimal.localcontext(MONEY):
        cost_eur[converted] = usage.loc[converted, "cost"] * factor[converted]
        basis[reported] = REPORTED
        tokens = (usage["usage_kind"] == "tokens") & ~reported
        if tokens.any():
            columns = ["day", "model_key", "input_tokens", "cached_input_tokens", "output_tokens"]
            priced = calc.api_cost_eur(usage.loc[tokens, columns], prices)
            found = priced.notna()
            cost_eur[priced[found].index] = priced[found]
            basis[tokens] = np.where(found, PRICED, NO_PRICE)
    return pd.DataFrame({"cost_eur": cost_eur, "cost_basis": basis})


@dataclass(frozen=True)
class CostTotal:
    """API cost of a set of records in EUR, with the part of each basis, the reported amounts per currency as
    the sources gave them (before conversion) and the models that had no price."""

    total_eur: Decimal
    by_basis_eur: dict[str, Decimal] = field(default_factory=dict)
    reported_by_currency: dict[str, Decimal] = field(default_factory=dict)
    models_without_price: list[str] = field(default_factory=list)
    rule: str = RULE

    @property
    def reported_eur(self) -> Decimal:
        return self.by_basis_eur.get(REPORTED, ZERO)

    @property
    def priced_eur(self) -> Decimal:
        return self.by_basis_eur.get(PRICED, ZERO)


def cost_total(usage: pd.DataFrame, costs: pd.DataFrame, rates: dict[str, Decimal]) -> CostTotal:
    """The CostTotal of rows of `usage` (model_key, cost, currency) costed by record_costs_eur into `costs`.

    Reported costs are summed per currency and converted once per currency, so the total is the same whether
    the rows are records (the cost pages) or sums of records (the dashboard's query)."""
    if costs.empty:
        return CostTotal(ZERO)
    basis = costs["cost_basis"]
    with decimal.localcontext(MONEY):
        reported = usage.loc[basis == REPORTED, ["currency", "cost"]]
        currencies = reported["currency"].fillna("").str.upper().replace("", "EUR")
        by_currency = {c: sum(group, ZERO) for c, group in reported["cost"].groupby(currencies)}
        by_basis = {
            REPORTED: sum((amount * (_eur_per_unit(c, rates) or ZERO) for c, amount in by_currency.items()), ZERO),
            PRICED: sum(costs.loc[basis == PRICED, "cost_eur"], ZERO),
        }
        total = by_basis[REPORTED] + by_basis[PRICED]
    missing = sorted(set(usage.loc[basis == NO_PRICE, "model_key"]))
    return CostTotal(total, by_basis, by_currency, missing)


def price_change_days(organisation) -> set:
    """The days an API price of the organisation starts on: a month holding one is read day by day, so each
    token is priced at its own day's price (rollups.plan)."""
    return set(ModelPrice.objects.for_org(organisation).values_list("valid_from", flat=True))


def filtered_cost_eur(organisation, filters) -> CostTotal:
    """The API cost in EUR of what the dashboard's filters select, read from the rollups."""
    parts = selectors.filtered_rollups(organisation, filters, split_days=price_change_days(organisation))
    return cost_total_eur(organisation, parts)


def _cost_sums(part) -> list[dict]:
    """A records or rollup queryset's reported costs per currency, and the tokens of its token rows without a
    reported cost per day (or month, for a monthly rollup: no price changes inside it) and model."""
    if part.model is UsageRecord:
        reported_rows, token_rows, day = part.exclude(cost=0), part.filter(cost=0), F("day")
    else:
        reported_rows, token_rows = part.filter(cost_reported=True), part.filter(cost_reported=False)
        day = F("month") if part.model is MonthlyRollup else F("day")
    reported = reported_rows.order_by().values("currency").annotate(cost_sum=Sum("cost"))
    tokens = (
        token_rows.filter(usage_kind="tokens")
        .order_by()
        .annotate(price_day=day)
        .values("price_day", "model")
        .annotate(
            input_tokens=Sum("input_tokens"),
            cached_input_tokens=Sum("cached_input_tokens"),
            output_tokens=Sum("output_tokens"),
        )
    )
    no_tokens = {"day": None, "model": "", "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0}
    sums = [{**no_tokens, **row, "reported": True, "usage_kind": ""} for row in reported]
    for row in tokens:
        row["day"] = row.pop("price_day")
        sums.append({**row, "reported": False, "usage_kind": "tokens", "currency": "", "cost_sum": 0})
    return sums


def cost_total_eur(organisation, usage) -> CostTotal:
    """API cost in EUR of a queryset of the organisation's UsageRecords (a period...), or of rollup querysets
    (selectors.filtered_rollups split at price_change_days; filtered_cost_eur builds them).

    Summed in the database: reported costs per currency, and the tokens of token records without one per day
    and model (the price that applies is the day's), then costed as cost_total() costs records."""
    sums = [row for part in (usage if isinstance(usage, (list, tuple)) else [usage]) for row in _cost_sums(part)]
    if not sums:
        return CostTotal(ZERO)
    usage = pd.DataFrame(sums)
    prices = model_prices(organisation)
    known = set(prices["model_key"])
    usage["model_key"] = map_distinct(usage["model"], lambda m: calc.model_key(m, known), "str")
    usage["cost"] = usage.pop("cost_sum").map(as_decimal)
    for name in ("input_tokens", "cached_input_tokens", "output_tokens"):
        usage[name] = usage[name].astype(np.int64)
    rates = usd_per_unit(organisation)
    return cost_total(usage, record_costs_eur(usage, prices=prices, rates=rates), rates)
