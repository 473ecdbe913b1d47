"""Apply a Python function once per distinct value of a column rather than once per record, or number the
distinct combinations of a few columns (`distinct_keys`) so factors are looked up once per key.

Providers, models, flags and identities repeat over millions of records: a Python call per distinct value
(a few dozen) instead of per record is most of the speed of the parsers, the writer and the cost pages."""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def per_distinct(fn: Callable[..., Sequence[Any]], *columns: pa.ChunkedArray) -> pa.Array:
    """``fn`` applied to every record of the Arrow columns, as an Arrow array, but called on the distinct values
    only (combinations of values, for several columns): ``fn`` gets one NumPy array per column, of the distinct
    values, and returns one result for each."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    distinct = []
    for col in columns:
        values = pc.unique(col)
        codes = codes * len(values) + pc.index_in(col, value_set=values).to_numpy()
        distinct.append(values)
    if len(columns) == 1:
        args = [distinct[0].to_numpy(zero_copy_only=False)]
    else:
        combos, codes = np.unique(codes, return_inverse=True)  # the combinations that occur
        args = []
        for values in reversed(distinct):
            args.insert(0, values.take(pa.array(combos % len(values))).to_numpy(zero_copy_only=False))
            combos = combos // len(values)
    return pa.array(fn(*args)).take(pa.array(codes))


def map_distinct(column: pd.Series, fn: Callable[[Any], Any], dtype: str) -> pd.Series:
    """``fn`` of each value of a pandas column, called once per distinct value, as a Series of ``dtype``."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)  # no code -1: take() would read it as "last"
    return pd.Series(pd.array([fn(v) for v in uniques], dtype=dtype).take(codes), index=column.index)


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
