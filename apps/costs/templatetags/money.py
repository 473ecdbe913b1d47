"""Money on the page: a Decimal amount rounded half to even to the cent, only here (cost.py keeps it exact)."""

from decimal import ROUND_HALF_EVEN, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()
CENT = Decimal("0.01")


@register.filter
def money(amount):
    """An amount (EUR or as reported) to the cent with grouped digits ('1,251.17'), '—' when unknown."""
    if amount is None or amount == "":
        return "—"
    cents = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return number_format(cents, decimal_pos=2, force_grouping=True)
