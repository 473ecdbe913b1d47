"""How the CSV exports write numbers: rounded to a stated precision for people, exact for the evidence pack.

The disclosure CSV, the GHG contribution CSV and the records CSV are read by people and spreadsheets: a float
there is written to SIGNIFICANT_DIGITS significant digits (the factor tables behind every figure carry 2 to 4,
so more would be false precision), or to a fixed number of decimals for the units in UNIT_DECIMALS (euros to the
cent, percentages). The evidence pack's CSVs stay exact (recompute.py compares them to 1e-9 of the snapshot):
the shortest text that reads back as the same float. Either way positional, never an exponent ("0.0000001",
not "1e-07"), with a decimal point on every float so a reader keeps the column a float. Integers and money held
as Decimal are written as they are. Pure: numpy and Arrow, no Django.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SIGNIFICANT_DIGITS = 6
# Datapoint units written to fixed decimals instead: money to the cent, shares and changes to 0.01 %.
UNIT_DECIMALS = {"EUR": 2, "%": 2}
CHANGE_PCT_DECIMALS = 2
# Below 10^-MAX_DECIMALS a rounded value is written as 0.0 (no AI footprint figure is that small).
MAX_DECIMALS = 20


def precision_of(unit: str) -> str:
    """The precision a rounded CSV states for a figure in `unit` (the datapoint CSV's `precision` column)."""
    decimals = UNIT_DECIMALS.get(unit)
    if decimals is not None:
        return f"{decimals} decimals"
    return f"{SIGNIFICANT_DIGITS} significant digits"


def _decimals(values: np.ndarray, digits: int) -> np.ndarray:
    """Decimals that keep `digits` significant digits of each value (0 for values of `digits` figures or more)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
    magnitude = np.where(np.isfinite(magnitude), magnitude, 0)  # zero (log -inf) and non-finite values
    return np.clip(digits - 1 - magnitude, 0, MAX_DECIMALS).astype(np.int64)


def _fixed_group(values: np.ndarray, decimals: int) -> pa.Array:
    """Finite values with `decimals` decimals, trailing zeros dropped, at least one decimal kept."""
    if decimals == 0:  # values of `digits` figures or more: few, and may pass int64 once scaled
        return pa.array([f"{v:.0f}.0" for v in values.tolist()], type=pa.string())
    scaled = np.rint(np.abs(values) * 10.0**decimals).astype(np.int64)
    padded = pc.utf8_lpad(pc.cast(pa.array(scaled), pa.string()), width=decimals + 1, padding="0")
    whole = pc.utf8_slice_codeunits(padded, 0, -decimals)
    fraction = pc.replace_substring_regex(pc.utf8_slice_codeunits(padded, -decimals), "0+$", "")
    fraction = pc.if_else(pc.equal(pc.utf8_length(fraction), 0), "0", fraction)
    sign = pa.array(np.where(np.signbit(values) & (scaled != 0), "-", ""))
    return pc.binary_join_element_wise(sign, whole, ".", fraction, "")


def rounded_texts(values, digits: int | None = SIGNIFICANT_DIGITS, decimals: int | None = None) -> pa.Array:
    """Floats as positional text to `digits` significant digits (or a fixed number of `decimals`), null where
    not finite: a column at a time, each group of values with the same number of decimals in one Arrow pass."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    places = np.full(len(values), decimals, dtype=np.int64) if decimals is not None else _decimals(values, digits)
    places = np.where(finite, places, -1)
    order = np.argsort(places, kind="stable")
    sorted_places = places[order]
    parts = []
    for group in np.unique(sorted_places):
        chosen = order[sorted_places == group]
        if group < 0:
            parts.append(pa.nulls(len(chosen), type=pa.string()))
        else:
            parts.append(_fixed_group(values[chosen], int(group)))
    if not parts:
        return pa.array([], type=pa.string())
    joined = pa.concat_arrays(parts)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return pc.take(joined, pa.array(inverse))


def exact_texts(values) -> pa.Array:
    """Floats as the shortest positional text that reads back as the same float, null where not finite."""
    values = np.asarray(values, dtype=float)
    texts = pc.cast(pa.array(values, mask=~np.isfinite(values)), pa.string())
    texts = pc.replace_substring_regex(texts, r"^(-?[0-9]+)$", r"\1.0")
    exponent = pc.fill_null(pc.match_substring(texts, "e"), False)
    if not pc.any(exponent).as_py():
        return texts
    # Arrow's shortest text has an exponent below 1e-4 and from 1e16 ("2.5e-09"): its digits moved into place.
    chosen = np.flatnonzero(exponent.to_numpy(zero_copy_only=False))
    parts = pc.extract_regex(
        pc.take(texts, pa.array(chosen)), r"^(?P<sign>-?)(?P<w>[0-9])\.?(?P<f>[0-9]*)e\+?(?P<e>-?[0-9]+)$"
    )
    sign, digits = parts.field("sign"), pc.binary_join_element_wise(parts.field("w"), parts.field("f"), "")
    powers = pc.cast(parts.field("e"), pa.int64()).to_numpy()
    pieces, positions = [texts], [np.arange(len(texts))]
    for power in np.unique(powers):
        at = np.flatnonzero(powers == power)
        group_digits, group_sign = pc.take(digits, pa.array(at)), pc.take(sign, pa.array(at))
        if power < 0:
            text = pc.binary_join_element_wise(group_sign, "0." + "0" * int(-power - 1), group_digits, "")
        else:
            padded = pc.utf8_rpad(group_digits, width=int(power) + 1, padding="0")
            fraction = pc.utf8_slice_codeunits(padded, int(power) + 1)
            fraction = pc.if_else(pc.equal(pc.utf8_length(fraction), 0), "0", fraction)
            whole = pc.utf8_slice_codeunits(padded, 0, int(power) + 1)
            text = pc.binary_join_element_wise(group_sign, whole, ".", fraction, "")
        pieces.append(text)
        positions.append(chosen[at])
    # Each value's text: its own, or the moved one (taken from after the column in the joined array).
    index = np.arange(len(texts))
    offset = len(texts)
    for at in positions[1:]:
        index[at] = np.arange(offset, offset + len(at))
        offset += len(at)
    return pc.take(pa.concat_arrays(pieces), pa.array(index))


def rounded(value: float, digits: int | None = SIGNIFICANT_DIGITS, decimals: int | None = None) -> str:
    """One float as rounded_texts writes it ('' when not finite)."""
    text = rounded_texts([value], digits, decimals)[0].as_py()
    return "" if text is None else text


def exact(value: float) -> str:
    """One float as exact_texts writes it ('' when not finite)."""
    if not math.isfinite(value):
        return ""
    return exact_texts([value])[0].as_py()
