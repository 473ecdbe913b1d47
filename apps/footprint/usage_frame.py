"""The normalised usage frame: the one shape every connector produces and the calculator consumes.

One row is an amount of AI usage on one day, from one source, for one provider and model, attributed
to one person/team/project/API key, in one zone. Identity columns are strings ("" when the source does
not say); amounts are non-negative numbers with their unit in the name.

This module imports no Django, so parsers and the calculator can be used and tested alone.
"""

from __future__ import annotations

import pandas as pd

from apps.core.errors import DomainError
from apps.core.messages import Message

# What kind of evidence a row is, which decides how the calculator turns it into energy.
USAGE_KIND_TOKENS = "tokens"  # API calls with token counts
USAGE_KIND_SEAT_ACTIVITY = "seat_activity"  # seat tools: active user-days, no tokens
USAGE_KIND_MEASURED_ENERGY = "measured_energy"  # self-hosted jobs measured by CodeCarbon
# A vendor's bill line (OpenAI Costs API, Anthropic cost report): a cost only, never tokens nor energy, so the
# token records of the same usage keep the footprint and the bill is not counted twice (apps/costs/cost.py).
USAGE_KIND_BILLED_COST = "billed_cost"
USAGE_KINDS = (USAGE_KIND_TOKENS, USAGE_KIND_SEAT_ACTIVITY, USAGE_KIND_MEASURED_ENERGY, USAGE_KIND_BILLED_COST)

# column -> (dtype, default, description). Order is the canonical column order.
COLUMNS: dict[str, tuple[str, object, str]] = {
    "day": ("datetime64[ns]", None, "UTC calendar day of use (midnight, no time zone)"),
    "source": ("str", None, "connector key that produced the row, e.g. openai_usage"),
    "provider": ("str", "", "AI provider: openai, anthropic, azure_openai, google, mistral, self_hosted, ..."),
    "model": ("str", "", "model name as the provider reports it (seat tools: the product)"),
    "usage_kind": ("str", USAGE_KIND_TOKENS, "one of " + ", ".join(USAGE_KINDS)),
    "requests": ("int64", 0, "number of model requests"),
    "input_tokens": ("int64", 0, "prompt tokens billed at the normal rate (excluding cached)"),
    "cached_input_tokens": ("int64", 0, "prompt tokens served from the provider's cache"),
    "output_tokens": ("int64", 0, "generated tokens"),
    "active_user_days": ("int64", 0, "seat tools: active seats x days (one person active one day = 1)"),
    "measured_energy_kwh": ("float64", 0.0, "energy measured at the machine (CodeCarbon), kWh"),
    "self_hosted": ("bool", False, "True when the hardware is the company's own (E1-5 energy, Scope 2)"),
    "person": ("str", "", "e-mail or login of the user, as the source names them"),
    "team": ("str", "", "team as the source names it"),
    "project": ("str", "", "project, workspace, subscription or resource group"),
    "api_key": ("str", "", "API key id (never the secret)"),
    "zone": ("str", "", "where the electricity was used: ISO 3166 alpha-2/alpha-3 country or provider:region"),
    "cost": ("float64", 0.0, "amount the source reports for the row, in `currency`"),
    "currency": ("str", "", "ISO 4217 code of `cost`"),
}

COLUMN_NAMES = tuple(COLUMNS)
REQUIRED_COLUMNS = tuple(name for name, (_, default, _) in COLUMNS.items() if default is None)
NUMERIC_COLUMNS = tuple(n for n, (dtype, _, _) in COLUMNS.items() if dtype in ("int64", "float64"))
STRING_COLUMNS = tuple(n for n, (dtype, _, _) in COLUMNS.items() if dtype == "str")
# Rows that agree on these describe the same usage; the ingestion uses them as the natural key.
KEY_COLUMNS = (
    "day",
    "source",
    "provider",
    "model",
    "usage_kind",
    "person",
    "team",
    "project",
    "api_key",
    "zone",
    "self_hosted",
)


# The largest cost one record may carry (in its currency): its 1e-10 units stay well inside int64.
MAX_ABS_COST = 100_000_000


# Where a frame's problem is: the msgids of their French entries (locale/fr).
AT_COLUMN = "column '{column}'"
AT_COLUMN_ROW = "column '{column}', row {row}"


class UsageFrameError(DomainError, ValueError):
    """A frame does not have the normalised shape; names the column and, where known, the row."""

    def __init__(self, column: str, message: str, row: int | None = None):
        self.column = column
        self.row = row
        where = Message(AT_COLUMN, column=column) if row is None else Message(AT_COLUMN_ROW, column=column, row=row)
        # A Message (a str): the run page writes it again in the reader's language.
        super().__init__(Message("{location}: {message}", location=where, message=message))


def empty_frame() -> pd.DataFrame:
    """A frame with every column and no rows."""
    return conform(pd.DataFrame({"day": pd.Series([], dtype="datetime64[ns]"), "source": pd.Series([], dtype="str")}))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Add missing optional columns with their defaults, cast to the canonical dtypes and order,
    and check the result. Raises UsageFrameError naming the first offending column."""
    for name in REQUIRED_COLUMNS:
        if name not in frame.columns:
            raise UsageFrameError(name, Message("required column is missing"))
    out = {}
    n = len(frame)
    for name, (dtype, default, _) in COLUMNS.items():
        if name not in frame.columns:
            out[name] = pd.Series([default] * n, dtype=dtype, index=frame.index) if n else pd.Series([], dtype=dtype)
            continue
        col = frame[name]
        try:
            if dtype == "datetime64[ns]":
                col = pd.to_datetime(col).astype("datetime64[ns]")
                if getattr(col.dt, "tz", None) is not None:
                    col = col.dt.tz_convert("UTC").dt.tz_localize(None)
                col = col.dt.normalize()
            elif dtype == "str":
                col = col.fillna("").astype("str")
            elif dtype == "bool":
                col = col.fillna(False).astype("bool")
            else:
                col = pd.to_numeric(col.fillna(default), errors="raise").astype(dtype)
        except (ValueError, TypeError, OverflowError) as exc:
            raise UsageFrameError(name, Message("cannot be read as {dtype}: {error}", dtype=dtype, error=exc)) from exc
        out[name] = col
    result = pd.DataFrame(out, index=frame.index)
    validate(result)
    return result.reset_index(drop=True)


def validate(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a frame against the schema without changing it; return it unchanged.

    Raises UsageFrameError for a missing column, a wrong dtype, an empty day, a negative amount or
    an unknown usage kind, naming the column and the first offending row (0-based position)."""
    for name, (dtype, _, _) in COLUMNS.items():
        if name not in frame.columns:
            raise UsageFrameError(name, Message("column is missing"))
        col = frame[name]
        if dtype == "str":
            ok = pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col)
        elif dtype == "bool":
            ok = pd.api.types.is_bool_dtype(col)
        elif dtype == "datetime64[ns]":
            ok = pd.api.types.is_datetime64_dtype(col)
        elif dtype == "int64":
            ok = pd.api.types.is_integer_dtype(col)
        else:
            ok = pd.api.types.is_float_dtype(col)
        if not ok:
            raise UsageFrameError(name, Message("expected dtype {dtype}, got {got}", dtype=dtype, got=col.dtype))
    _first_bad(frame, "day", frame["day"].isna(), Message("day is empty"))
    _first_bad(frame, "source", frame["source"].eq(""), Message("source is empty"))
    for name in NUMERIC_COLUMNS:
        if name == "cost":  # credits and refunds are negative costs; a record's cost is stored in 1e-10 units
            too_large = frame[name].isna() | ~(frame[name].abs() < MAX_ABS_COST)
            bound = f"{MAX_ABS_COST:,}"
            _first_bad(frame, name, too_large, Message("must be a number between -{bound} and {bound}", bound=bound))
            continue
        _first_bad(frame, name, frame[name].isna() | (frame[name] < 0), Message("must be a number >= 0"))
    kinds = Message("must be one of {kinds}", kinds=", ".join(USAGE_KINDS))
    _first_bad(frame, "usage_kind", ~frame["usage_kind"].isin(USAGE_KINDS), kinds)
    return frame


def _first_bad(frame: pd.DataFrame, column: str, mask: pd.Series, message: Message) -> None:
    if mask.any():
        row = int(mask.to_numpy().nonzero()[0][0])
        found = repr(frame[column].iloc[row])
        raise UsageFrameError(column, Message("{message} (found {found})", message=message, found=found), row=row)


def describe() -> str:
    """The schema as a Markdown table, for the docs and the generic template's help page."""
    lines = ["| column | dtype | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{n}` | {d} | {text} |" for n, (d, _, text) in COLUMNS.items()]
    return "\n".join(lines)
