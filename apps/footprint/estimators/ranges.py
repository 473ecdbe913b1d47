"""`RangeValue`: a figure per row with its low/high range, as EcoLogits' RangeValue but over arrays."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ..usage_frame import USAGE_KIND_TOKENS


@dataclasses.dataclass(frozen=True)
class RangeValue:
    """Low and high per row, and the central figure.

    `central` is None when the central figure is the mean of low and high (as EcoLogits'
    RangeValue.mean); seat tools and spend-based rows have central factors of their own."""

    low: np.ndarray
    high: np.ndarray
    central: np.ndarray | None = None

    @property
    def value(self) -> np.ndarray:
        """The central figure per row."""
        return (self.low + self.high) / 2 if self.central is None else self.central


def select(conditions: Sequence[np.ndarray], choices: Sequence[RangeValue]) -> RangeValue:
    """Per row, the range of the first condition that holds; 0 where none does."""
    return RangeValue(
        low=np.select(conditions, [c.low for c in choices], 0.0),
        high=np.select(conditions, [c.high for c in choices], 0.0),
        central=np.select(conditions, [c.value for c in choices], 0.0),
    )


def choose(mask: np.ndarray, if_true: RangeValue, if_false: RangeValue) -> RangeValue:
    """`if_true` on the rows of `mask`, `if_false` on the others."""
    return RangeValue(
        low=np.where(mask, if_true.low, if_false.low),
        high=np.where(mask, if_true.high, if_false.high),
        central=np.where(mask, if_true.value, if_false.value),
    )


# How rows' ranges combine into a period's (disclosures): the rows of one group share the uncertain parameters
# their range comes from, so their errors move together (summed); groups do not share them (quadrature).
RANGE_METHOD = (
    "Period low/high: the rows' deviations from their central figure are added within a group of rows that "
    "share the uncertain parameters (token rows: one provider and model, whose parameter count and PUE range "
    "they share; seat rows: all of them, one energy-per-interaction source; spend-based rows: all of them, one "
    "EEIO factor), and groups are combined in quadrature (independent errors): low = central - sqrt(sum of "
    "the groups' squared low deviations), high = central + sqrt(sum of their squared high deviations). Measured "
    "energy has no range."
)
SPEND_GROUP = "spend_based"


def range_groups(kind: np.ndarray, provider: np.ndarray, model: np.ndarray, spend_based: np.ndarray) -> np.ndarray:
    """The RANGE_METHOD group of every row, as a label: tokens by provider and model, other kinds by kind,
    spend-based rows in one group."""
    kind = np.asarray(kind, dtype=object).astype(str)
    per_model = np.char.add(
        np.char.add(kind, "|"),
        np.char.add(np.char.add(np.asarray(provider, dtype=str), "|"), np.asarray(model, dtype=str)),
    )
    grouped = np.where(kind == USAGE_KIND_TOKENS, per_model, kind)
    return np.where(np.asarray(spend_based, dtype=bool), SPEND_GROUP, grouped)


def period_range(
    central: np.ndarray, low: np.ndarray, high: np.ndarray, groups: np.ndarray
) -> tuple[float, float, float]:
    """(central, low, high) of a period from its rows' figures and RANGE_METHOD groups (NaN rows count 0)."""
    central, low, high = (np.nan_to_num(np.asarray(a, dtype=np.float64)) for a in (central, low, high))
    if not len(central):
        return 0.0, 0.0, 0.0
    _, group_id = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    below = np.bincount(group_id, weights=central - low)
    above = np.bincount(group_id, weights=high - central)
    total = float(central.sum())
    return total, total - float(np.sqrt((below**2).sum())), total + float(np.sqrt((above**2).sum()))
