"""Parsed rows to the conformed usage frame, summed over its natural key; chunks of one file combined."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from apps.connectors.sources.skips import add_counts
from apps.footprint import usage_frame

# Group-by columns of the frame; currency joins them so two currencies are never summed together.
GROUP_COLUMNS = [*usage_frame.KEY_COLUMNS, "currency"]
SUM_COLUMNS = [c for c in usage_frame.NUMERIC_COLUMNS]


def finish(
    rows: pd.DataFrame | Iterable[dict],
    source_key: str,
    *,
    aggregate_rows: bool = True,
    attrs: dict | None = None,
) -> pd.DataFrame:
    """Turn parsed rows into a conformed usage frame for `source_key`, summing rows that share the
    frame's natural key (plus currency). `attrs` (e.g. rows_read, rows_skipped) is attached as
    ``frame.attrs`` for the ingestion's counts and progress."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        out = usage_frame.empty_frame()
    else:
        frame = frame.copy() if "source" in frame.columns else frame.assign(source=source_key)
        frame["source"] = source_key
        # Optional columns the source lacks, as constants: conform would build each from a Python list per row.
        for name, (dtype, default, _) in usage_frame.COLUMNS.items():
            if name not in frame.columns and default is not None:
                frame[name] = pd.Series(default, index=frame.index, dtype=dtype)
        out = usage_frame.conform(frame)
        if aggregate_rows:
            out = aggregate(out)
    out.attrs.update(attrs or {})
    return out


def aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum a conformed frame's amounts over its natural key (and currency); keeps canonical order."""
    if frame.empty:
        return frame
    grouped = frame.groupby(GROUP_COLUMNS, sort=False, dropna=False, observed=True)[SUM_COLUMNS].sum()
    out = grouped.reset_index()
    return usage_frame.conform(out[list(usage_frame.COLUMN_NAMES)])


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate conformed frames (e.g. the chunks of one file) and sum rows sharing a key. The
    attrs' counters (rows_read, rows_skipped, ...) and the skipped-by-reason counts are added up."""
    frames = list(frames)
    attrs: dict[str, Any] = {}
    for f in frames:
        for k, v in f.attrs.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                attrs[k] = attrs.get(k, 0) + v
            elif k == "skipped":
                attrs[k] = add_counts(dict(attrs.get(k, {})), v)
            else:
                attrs.setdefault(k, v)
    non_empty = [f for f in frames if not f.empty]
    out = aggregate(pd.concat(non_empty, ignore_index=True)) if non_empty else usage_frame.empty_frame()
    out.attrs.update(attrs)
    return out


def spread(total: int, days: int) -> list[int]:
    """`total` split over `days` as evenly as whole numbers allow, the larger shares first, adding up to `total`
    exactly (a seat report's count of a period spread over the user's days); fewer than one a day leaves the last
    days at 0."""
    if days <= 0:
        return []
    share, extra = divmod(int(total), days)
    return [share + (1 if i < extra else 0) for i in range(days)]
