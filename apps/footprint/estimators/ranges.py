"""`RangeValue`: a figure per row with its low/high range, as EcoLogits' RangeValue but over arrays."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np


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
