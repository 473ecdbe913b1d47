"""One id per row for the distinct combinations of a few columns, so factors are looked up once per key.

Providers, models, zones and years repeat over millions of rows: the calculator looks its factors up once
per distinct key (a few dozen) and takes the results back to the rows with the ids."""

from __future__ import annotations

import numpy as np
import pandas as pd


def distinct_keys(*arrays) -> tuple[np.ndarray, list[tuple]]:
    """Combine several columns into one key id per row, with the distinct key tuples (in id order)."""
    codes, uniques = [], []
    for a in arrays:
        c, u = pd.factorize(a, use_na_sentinel=False)
        codes.append(c.astype(np.int64))
        uniques.append(np.asarray(u, dtype=object))
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for c, u in zip(codes, uniques, strict=False):
        combined = combined * max(len(u), 1) + c
    keys, inverse = np.unique(combined, return_inverse=True)
    tuples = []
    for k in keys:
        parts = []
        for u in reversed(uniques):
            size = max(len(u), 1)
            parts.append(u[k % size])
            k //= size
        tuples.append(tuple(reversed(parts)))
    return inverse.reshape(-1), tuples
