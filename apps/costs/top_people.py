"""Who can be among the top people by API spend, found in the database: a year of a large company has
hundreds of thousands of person-month rows, too many to bring to Python and cost one by one.

Each person's spend is estimated in SQL as a double (reported costs times each currency's EUR rate, tokens
times the model's price of their day, as CASE expressions built from the few models, prices and currencies of
the window), summed per person; the best `top` by that estimate, and as many again for numbers the doubles
could order differently, are the candidates, and the cost owner's exact Decimal rule then ranks those alone."""

from __future__ import annotations

import pandas as pd
from django.db.models import Case, F, FloatField, Sum, Value, When
from django.db.models.functions import Cast

from . import cost


def _reported(currencies, rates) -> list[When]:
    whens = []
    for currency in currencies:
        factor = cost._eur_per_unit((currency or "").upper(), rates)
        if factor is not None:
            amount = Cast("cost", FloatField()) * Value(float(factor))
            whens.append(When(cost_reported=True, currency=currency, then=amount))
    return whens


def _priced(models: dict, prices: pd.DataFrame, period: str) -> list[When]:
    """Per model, its prices latest first: the first whose start the row's period has reached applies."""
    whens = []
    by_key = {key: rows.sort_values("valid_from", ascending=False) for key, rows in prices.groupby("model_key")}
    for model, key in models.items():
        for price in by_key[key].itertuples() if key in by_key else ():
            per_token = {name: float(getattr(price, name)) / 1_000_000 for name in cost.PRICE_COLUMNS}
            amount = (
                (F("input_tokens") - F("cached_input_tokens")) * Value(per_token["input_eur_per_mtok"])
                + F("cached_input_tokens") * Value(per_token["cached_eur_per_mtok"])
                + F("output_tokens") * Value(per_token["output_eur_per_mtok"])
            )
            condition = {
                "cost_reported": False,
                "usage_kind": "tokens",
                "model": model,
                f"{period}__gte": price.valid_from,
            }
            whens.append(When(**condition, then=amount))
    return whens


def candidates(parts: list[tuple], usage: pd.DataFrame, prices: pd.DataFrame, rates: dict, top: int) -> list:
    """The ids of the people who can be among the `top` by API spend over `parts` ((queryset of person rows,
    its period field)), from the window's summed usage (its models, model keys and currencies)."""
    if usage.empty:
        return []
    currencies = sorted(set(usage.loc[usage["reported"], "currency"]))
    tokens = usage[(usage["usage_kind"] == "tokens") & ~usage["reported"]]
    models = dict(zip(tokens["model"], tokens["model_key"], strict=True))
    spend: dict = {}
    for queryset, period in parts:
        whens = _reported(currencies, rates) + _priced(models, prices, period)
        estimate = Case(*whens, default=Value(0.0), output_field=FloatField()) if whens else Value(0.0)
        per_person = (
            queryset.order_by()
            .values("person_id")
            .annotate(spend=Sum(estimate, output_field=FloatField()), co2e=Sum("co2e_location_kg"))
        )
        for person_id, amount, co2e in per_person.values_list("person_id", "spend", "co2e"):
            before = spend.get(person_id, (0.0, 0.0))
            spend[person_id] = (before[0] + (amount or 0.0), before[1] + (co2e or 0.0))
    ranked = sorted(spend, key=lambda p: spend[p], reverse=True)
    return ranked[: 2 * top]
