"""API cost in EUR: the one rule every page, API answer and export that shows it goes through.

Where the organisation has loaded the vendor's bill (usage kind ``billed_cost``: the OpenAI Costs API, the
Anthropic cost report) for a provider and month, the bill is that provider-month's figure: its lines are
converted to EUR, and the token records of the same provider and month are not costed again (basis "covered
by the bill"; apps/costs/reconciliation.py compares them with it). Elsewhere a record's cost is the figure its
source reported, converted to EUR at the factor set's exchange rates; a token record without a reported cost
is priced from its tokens at the model's price valid that day (ModelPrice); any other record has none. Money
stays Decimal from the vendor's figure to the page: rates and prices as stored, products exact, a conversion's
quotient at 28 significant digits (MONEY); amounts are rounded half-even to the cent only when shown
(templatetags/money.py)."""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from apps.core.distinct import map_distinct
from apps.footprint import selectors
from apps.footprint.models import MonthlyRollup, UsageRecord
from apps.footprint.services import current_factor_set_version, load_factor_set
from apps.footprint.usage_frame import USAGE_KIND_BILLED_COST

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
BILLED = "billed"
COVERED = "covered by the bill"
NO_COST = ""

RULE = _(
    "Where the vendor's bill (OpenAI Costs API, Anthropic cost report) is loaded for a provider and month, the "
    "billed amount is that month's cost and its token records are compared with it, not added. Elsewhere, "
    "reported costs are converted to EUR at the factor set's exchange rates; token records without a reported "
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


def month_of(day) -> str:
    """'YYYY-MM' of a date, a Timestamp or an ISO date string."""
    return str(day)[:7]


def billed_months(organisation) -> frozenset[tuple[str, str]]:
    """(provider, 'YYYY-MM') of every month the organisation has loaded a vendor's bill for, over all its records
    (read off the monthly rollups): a page filtered to a team or a window still knows which token records the
    bill covers."""
    rows = (
        MonthlyRollup.objects.filter(organisation=organisation, usage_kind=USAGE_KIND_BILLED_COST)
        .order_by()
        .values_list("provider", "month")
        .distinct()
    )
    return frozenset((provider, month_of(month)) for provider, month in rows)


def _covered(usage: pd.DataFrame, billed: frozenset[tuple[str, str]]) -> pd.Series:
    """Rows other than bill lines whose provider and month have a bill."""
    if not billed or "provider" not in usage:
        return pd.Series(False, index=usage.index)
    # As text "provider|YYYY-MM", column-wise: a tuple per row would cost seconds on a year of records.
    months = map_distinct(usage["day"], month_of, "str").astype(str)
    keys = usage["provider"].astype(str) + "|" + months
    return keys.isin({f"{provider}|{month}" for provider, month in billed}) & (
        usage["usage_kind"] != USAGE_KIND_BILLED_COST
    )


def record_costs_eur(
    usage: pd.DataFrame,
    *,
    prices: pd.DataFrame,
    rates: dict[str, Decimal],
    billed: frozenset[tuple[str, str]] = frozenset(),
) -> pd.DataFrame:
    """`cost_eur` (Decimal) and `cost_basis` of each row of `usage`, by the module's rule.

    usage: day, model_key, usage_kind, cost (Decimal), currency, input_tokens, cached_input_tokens,
    output_tokens, optionally provider (with `billed`) and `reported` (rows that sum several records say whether
    theirs were reported; else a row is reported when its cost is not zero). prices: model_prices(); rates:
    usd_per_unit(); billed: billed_months()."""
    cost_eur = pd.Series(ZERO, index=usage.index, dtype=object)
    basis = pd.Series(NO_COST, index=usage.index, dtype=object)
    if usage.empty:
        return pd.DataFrame({"cost_eur": cost_eur, "cost_basis": basis})
    covered = _covered(usage, billed)
    bill = usage["usage_kind"] == USAGE_KIND_BILLED_COST
    reported = usage["reported"].astype(bool) if "reported" in usage else usage["cost"] != 0
    reported = (reported | bill) & ~covered
    factor = map_distinct(usage["currency"].fillna("").str.upper(), lambda c: _eur_per_unit(c, rates), "object")
    converted = reported & factor.notna()
    with decimal.localcontext(MONEY):
        cost_eur[converted] = usage.loc[converted, "cost"] * factor[converted]
        basis[reported] = REPORTED
        basis[reported & bill] = BILLED
        basis[covered] = COVERED
        tokens = (usage["usage_kind"] == "tokens") & ~reported & ~covered
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

    @property
    def billed_eur(self) -> Decimal:
        return self.by_basis_eur.get(BILLED, ZERO)


def cost_total(usage: pd.DataFrame, costs: pd.DataFrame, rates: dict[str, Decimal]) -> CostTotal:
    """The CostTotal of rows of `usage` (model_key, cost, currency) costed by record_costs_eur into `costs`.

    Reported costs are summed per currency and converted once per currency, so the total is the same whether
    the rows are records (the cost pages) or sums of records (the dashboard's query)."""
    if costs.empty:
        return CostTotal(ZERO)
    basis = costs["cost_basis"]
    by_currency: dict[str, Decimal] = {}
    with decimal.localcontext(MONEY):
        by_basis = {PRICED: sum(costs.loc[basis == PRICED, "cost_eur"], ZERO)}
        for name in (REPORTED, BILLED):
            sums = _sums_by_currency(usage.loc[basis == name, ["currency", "cost"]])
            by_basis[name] = sum((amount * (_eur_per_unit(c, rates) or ZERO) for c, amount in sums.items()), ZERO)
            for currency, amount in sums.items():
                by_currency[currency] = by_currency.get(currency, ZERO) + amount
        total = by_basis[REPORTED] + by_basis[BILLED] + by_basis[PRICED]
    missing = sorted(set(usage.loc[basis == NO_PRICE, "model_key"]))
    return CostTotal(total, by_basis, by_currency, missing)


def _sums_by_currency(rows: pd.DataFrame) -> dict[str, Decimal]:
    """Costs summed per currency ('' counts as EUR), exactly."""
    currencies = rows["currency"].fillna("").str.upper().replace("", "EUR")
    return {c: sum(group, ZERO) for c, group in rows["cost"].groupby(currencies)}


def price_change_days(organisation) -> set:
    """The days an API price of the organisation starts on: a month holding one is read day by day, so each
    token is priced at its own day's price (rollups.plan)."""
    return set(ModelPrice.objects.for_org(organisation).values_list("valid_from", flat=True))


def filtered_cost_eur(organisation, filters) -> CostTotal:
    """The API cost in EUR of what the dashboard's filters select, read from the rollups."""
    parts = selectors.filtered_rollups(organisation, filters, split_days=price_change_days(organisation))
    return cost_total_eur(organisation, parts)


def _cost_sums(part) -> list[dict]:
    """A records or rollup queryset's reported costs per currency, provider, usage kind and month (where a bill
    covers a provider-month, the rule leaves its token records out), and the tokens of its token rows without a
    reported cost per day (or month, for a monthly rollup: no price changes inside it), provider and model."""
    if part.model is UsageRecord:
        reported_rows, token_rows, day, month = part.exclude(cost=0), part.filter(cost=0), F("day"), TruncMonth("day")
    elif part.model is MonthlyRollup:
        reported_rows, token_rows = part.filter(cost_reported=True), part.filter(cost_reported=False)
        day = month = F("month")
    else:
        reported_rows, token_rows = part.filter(cost_reported=True), part.filter(cost_reported=False)
        day, month = F("day"), TruncMonth("day")
    reported = (
        reported_rows.annotate(price_month=month)
        .order_by()
        .values("currency", "provider", "usage_kind", "price_month")
        .annotate(cost_sum=Sum("cost"))
    )
    tokens = (
        token_rows.filter(usage_kind="tokens")
        .annotate(price_day=day)
        .order_by()
        .values("price_day", "provider", "model")
        .annotate(
            input_tokens=Sum("input_tokens"),
            cached_input_tokens=Sum("cached_input_tokens"),
            output_tokens=Sum("output_tokens"),
        )
    )
    no_tokens = {"model": "", "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0}
    sums = [{**no_tokens, **row, "day": row.pop("price_month"), "reported": True} for row in reported]
    sums += [
        {**row, "day": row.pop("price_day"), "reported": False, "usage_kind": "tokens", "currency": "", "cost_sum": 0}
        for row in tokens
    ]
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
    costs = record_costs_eur(usage, prices=prices, rates=rates, billed=billed_months(organisation))
    return cost_total(usage, costs, rates)
