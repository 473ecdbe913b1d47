"""Template filters for figures: significant digits that suit the magnitude, localised separators."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value, digits: int = 3):
    """A number with about `digits` significant digits (at least 0 decimals), '—' when unknown."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value == 0:
        return "0"
    magnitude = len(str(int(abs(value)))) if abs(value) >= 1 else 0
    decimals = max(0, int(digits) - magnitude)
    if abs(value) < 1:
        # Small numbers (intensities per euro) keep their significant digits.
        text = f"{value:.{int(digits)}g}"
        return text if "e" in text else number_format(float(text), decimal_pos=len(text.split(".")[-1]))
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


@register.filter
def signed_pct(value):
    if value is None:
        return "—"
    return f"{value:+.1f} %"


@register.filter
def tonnes(kg):
    """Kilograms shown as tonnes (the unit of the disclosure), with `figure`'s rounding."""
    if kg is None or kg == "":
        return "—"
    tonnes = float(kg) / 1000
    if 0 < abs(tonnes) < 0.001:
        # An AI slice is often a few kilograms: six decimals read better than an exponent.
        return number_format(round(tonnes, 6), decimal_pos=6)
    return figure(tonnes)
