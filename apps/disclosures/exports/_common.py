"""Helpers shared by the export renderers: fixed timestamps, deterministic zips, safe cells, number formats.

Everything here is pure (no Django, no database, no clock): the same snapshot gives the same bytes.
"""

from __future__ import annotations

import io
import math
import zipfile
from datetime import UTC, date, datetime

from .. import catalogues
from ..e1 import REVISED, SET1, VSME, not_defined_reasons
from ..periods import comparative_dates

# Text that a spreadsheet would evaluate as a formula (OWASP "CSV injection"): neutralised with a leading quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The earliest date a zip entry can carry (DOS time); used when a snapshot has no usable generated_at.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def generated_at(snapshot: dict) -> datetime:
    """The snapshot's generation time as an aware UTC datetime (the sign-off time for a signed-off period).

    Every timestamp an export carries is taken from here, never from the clock, so exports are reproducible.
    """
    raw = snapshot.get("generated_at") or ""
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        value = datetime(1980, 1, 1, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def zip_date_time(snapshot: dict) -> tuple[int, int, int, int, int, int]:
    """generated_at as a zip entry date_time tuple (DOS times start in 1980 and have 2-second resolution)."""
    moment = generated_at(snapshot)
    if moment.year < 1980:
        return _ZIP_EPOCH
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second - moment.second % 2)


def zip_entry_info(
    name: str, date_time: tuple[int, int, int, int, int, int], level: int | None = None
) -> zipfile.ZipInfo:
    """A deflated zip entry with the given timestamp and fixed permissions: the same bytes on any machine.

    `level` sets the deflate level of an entry streamed through ZipFile.open (which ignores the archive's)."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    if level is not None:
        # public from Python 3.13 (compress_level); before it, only the private slot exists
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)
    info.external_attr = 0o644 << 16  # same mode whatever the umask of the machine
    info.create_system = 3  # "Unix", whatever the platform writing it
    return info


def deterministic_zip(entries: list[tuple[str, bytes]], date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """A zip of `entries` in the given order, every entry with the same timestamp and fixed permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zip_entry_info(name, date_time), data, compresslevel=6)
    return buffer.getvalue()


def safe_cell(value):
    """Neutralise spreadsheet formula injection: text starting with = + - @ tab or CR gets a leading apostrophe.

    Only text is touched; numbers (including negative ones) stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def is_number(value) -> bool:
    """True for a finite int/float (not bool, not None, not NaN)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


# Decimal places shown per unit: enough to read small AI footprints (a few kg) without false precision.
UNIT_DECIMALS = {"MWh": 3, "tCO2e": 3, "%": 1, "EUR": 0, "EUR/tCO2e": 2, "tCO2e/EUR": 6}


def format_number(value, unit: str = "", decimals: int | None = None) -> str:
    """A number with thousands separators and the unit's usual decimals; an em dash for a missing value."""
    if not is_number(value):
        return "\u2014"
    places = UNIT_DECIMALS.get(unit, 3) if decimals is None else decimals
    return f"{value:,.{places}f}"


def format_change(value) -> str:
    """A signed percentage change, or an em dash when there is no comparative."""
    if not is_number(value):
        return "\u2014"
    return f"{value:+,.1f} %"


def comparative_period(snapshot: dict) -> tuple[date, date] | None:
    """The comparative (previous) period: snapshot["comparative_period"] when given, else the year before the start.

    The snapshot schema carries comparative values but not their dates; they are worked out by the rule that chose
    the comparative values (apps.disclosures.periods.comparative_dates), so the labels match the figures.
    """
    given = snapshot.get("comparative_period") or {}
    if given.get("start") and given.get("end"):
        return date.fromisoformat(given["start"]), date.fromisoformat(given["end"])
    period = snapshot.get("period") or {}
    try:
        start, _end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])  # both must be dates
    except (KeyError, TypeError, ValueError):
        return None
    return comparative_dates(start)


def period_label(snapshot: dict) -> str:
    """'2025-01-01 to 2025-12-31'."""
    period = snapshot.get("period") or {}
    return f"{period.get('start', '?')} to {period.get('end', '?')}"


# The standard an export names: the snapshot's catalogue (snapshots before it was recorded are Set 1 or VSME).
STANDARD_LABELS = {
    SET1: "ESRS E1 (Set 1)",
    REVISED: "ESRS E1 (revised ESRS, Delegated Regulation C(2026) 5010)",
    VSME: "VSME B3",
}


def standard_of(snapshot: dict) -> str:
    """The catalogue the snapshot reports under: esrs_set1_2023, esrs_2026 or vsme_2025."""
    return snapshot.get("standard") or (VSME if snapshot.get("variant") == "vsme_b3" else SET1)


def section_heading(snapshot: dict, section: str, titles: dict[str, str]) -> str:
    """A section's heading: the renderer's own titles for Set 1 and VSME, the catalogue's for the revised ESRS
    (where E1-8 is the GHG emissions, not internal carbon pricing)."""
    if standard_of(snapshot) == REVISED:
        return catalogues.section_title(REVISED, section)
    return titles.get(section, section)


# The fields of a datapoint that can be "not defined", in the order a reader meets them.
NOT_DEFINED_FIELDS = ("value", "comparative", "change_pct")


def not_defined(snapshot: dict) -> list[dict[str, str]]:
    """Per datapoint (snapshot order): field -> why it has no value. A snapshot frozen before the reasons were
    stored (issue 19) gets its values' reasons worked out from its own datapoints (net revenue is E1-6_34)."""
    datapoints = snapshot.get("datapoints") or []
    if all("not_defined" in dp for dp in datapoints):
        return [dp["not_defined"] or {} for dp in datapoints]
    values = {dp.get("figure") or dp.get("id"): (dp.get("value"), None, None) for dp in datapoints}
    revenue = values.get("E1-6_34", (None,))[0]
    derived = not_defined_reasons(values, revenue)
    return [
        dp.get("not_defined")
        if "not_defined" in dp
        else ({"value": derived[dp.get("figure") or dp.get("id")]} if dp.get("value") is None else {})
        for dp in datapoints
    ]


def not_defined_text(reasons: dict[str, str]) -> str:
    """The reasons of one datapoint as one line of text (what the CSV and XLSX cells and the PDF print)."""
    return " ".join(reasons[f] for f in NOT_DEFINED_FIELDS if f in reasons)
