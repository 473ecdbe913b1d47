"""Template filters for figures: significant digits that suit the magnitude, localised separators, units
chosen for the magnitude, and never an exponent (`2.3e-08` is not a number a reader takes in)."""

import datetime as dt
import math
import re

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

from apps.connectors.sources import SOURCES
from apps.core.labels import display_name
from apps.footprint.record_pages import record_warning

register = template.Library()
# The frugality line of a disclosure's assumptions (apps.disclosures), written in English with the use case in it.
FRUGALITY_NOTE = re.compile(
    r"Frugality \(AFNOR Spec 2314\) of '(?P<use_case>.*)' assessed (?P<day>\S+): (?P<score>\d+)/100"
)

# Unit ladders, largest first: (unit, factor from the base unit). A value takes the first unit it is >= 1 in.
ENERGY_FROM_KWH = (("GWh", 1e-6), ("MWh", 1e-3), ("kWh", 1.0), ("Wh", 1e3))
MASS_FROM_KG = (("t", 1e-3), ("kg", 1.0), ("g", 1e3), ("mg", 1e6), ("µg", 1e9))
VOLUME_FROM_L = (("m³", 1e-3), ("L", 1.0), ("mL", 1e3), ("µL", 1e6))
ENERGY_FROM_MJ = (("GJ", 1e-3), ("MJ", 1.0), ("kJ", 1e3), ("J", 1e6))


def decimals_for(value: float, digits: int = 3) -> int:
    """Decimals that keep about `digits` significant digits of `value` (none for large values)."""
    if value == 0:
        return 0
    exponent = math.floor(math.log10(abs(value)))
    return max(0, int(digits) - 1 - exponent)


@register.filter
def figure(value, digits: int = 3):
    """A number with about `digits` significant digits (at least 0 decimals), '—' when unknown; written out in
    decimals, never with an exponent."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "—"
    decimals = decimals_for(value, digits)
    rounded = round(value, decimals)
    if rounded != 0 and decimals_for(rounded, digits) < decimals:  # 0.000999 rounded up to 0.001
        decimals = decimals_for(rounded, digits)
    if abs(value) < 1:
        # Small numbers (intensities per euro) keep their significant digits without trailing zeros.
        text = f"{rounded:.{decimals}f}".rstrip("0").rstrip(".")
        decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


def scaled(value, ladder) -> tuple[str, str]:
    """(figure, unit) of `value` (in the ladder's base unit) in the first unit it reads as >= 1."""
    if value is None or value == "":
        return "—", ladder[-1][0]
    value = float(value)
    for unit, factor in ladder:
        if abs(value) * factor >= 1:
            return figure(value * factor), unit
    unit, factor = ladder[-1]
    return figure(value * factor), unit


def _text(value, ladder) -> str:
    number, unit = scaled(value, ladder)
    return number if number == "—" else f"{number}\u00a0{unit}"


@register.filter
def energy(kwh):
    """Energy in kWh shown in the unit that suits it: '0.312 Wh' for a request, '41.2 MWh' for a year."""
    return _text(kwh, ENERGY_FROM_KWH)


@register.filter
def mass(kg):
    """A mass in kg (CO2e, Sb eq.) in the unit that suits it: '1.21 g', '3.40 t'."""
    return _text(kg, MASS_FROM_KG)


@register.filter
def volume(litres):
    """A volume of water in litres in the unit that suits it: '2.10 mL', '41.0 m³'."""
    return _text(litres, VOLUME_FROM_L)


@register.filter
def primary_energy(mj):
    """Primary energy in MJ in the unit that suits it."""
    return _text(mj, ENERGY_FROM_MJ)


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


@register.filter
def display(key):
    """A provider, scope, standard or source key by its display name in the page's language ('azure_openai' ->
    'Azure OpenAI', 'litellm_spend_logs' -> 'LiteLLM spend logs'); an unknown key as it is."""
    if key is None or key == "":
        return "—"
    name = display_name(key)
    if name == str(key) and key in SOURCES:
        name = SOURCES[key].LABEL
        name = name[:1].upper() + name[1:]
    return gettext(name) if name != str(key) else name


@register.filter
def multiple(value, cap=None):
    """A value-to-cost multiple as '×1.6'; above `cap`, '> ×10' (the inputs do not carry more precision)."""
    if value is None or value == "":
        return "—"
    if cap not in (None, "") and float(value) > float(cap):
        return f"> ×{figure(float(cap), 2)}"
    return f"×{figure(float(value), 2)}"


@register.filter
def tr(text):
    """A sentence the code writes in English (an ESRS label, a frugality question, a method note), in the page's
    language when the catalogue has it; as it is otherwise."""
    if not text:
        return text
    assessed = FRUGALITY_NOTE.fullmatch(str(text))
    if assessed:  # a sentence with the assessment's own words in it
        return gettext("Frugality (AFNOR Spec 2314) of “%(use_case)s” assessed %(day)s: %(score)s/100") % {
            "use_case": assessed["use_case"],
            "day": assessed["day"],
            "score": assessed["score"],
        }
    return gettext(str(text))


@register.filter
def warning_text(text):
    """A record's stored warning (English, its parts joined by "; ") in the page's language, part by part; a part
    of no known template (an older method's) as it is."""
    return record_warning(str(text)) if text else ""


@register.filter
def tr_reason(text):
    """A frugality reason ("Only partly: <question>") with both its verdict and its question translated."""
    verdict, sep, question = str(text).partition(": ")
    return f"{gettext(verdict)}{sep}{gettext(question)}" if sep else gettext(str(text))


@register.filter
def day(value):
    """A day, given as a date or as the ISO text a snapshot holds, in the project's short format (day first)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"
