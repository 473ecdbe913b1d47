"""The records a factor set is made of: tables with their provenance, grid factors, model parameters.

Plain data, no Django; `FactorLookupError` is what every lookup raises for a name it does not know."""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import pandas as pd

from apps.core.errors import DomainError


class FactorLookupError(DomainError, LookupError, ValueError):
    """An unknown provider, model, zone or table; the message lists close matches."""

    def __init__(self, kind: str, value: str, candidates: Iterable[str] = ()):
        self.kind = kind
        self.value = value
        by_lower = {str(c).lower(): str(c) for c in candidates}
        found = difflib.get_close_matches(str(value).lower(), sorted(by_lower), n=5, cutoff=0.5)
        self.close_matches = [by_lower[c] for c in found]
        hint = f"; close matches: {', '.join(self.close_matches)}" if self.close_matches else ""
        super().__init__(f"unknown {kind} {value!r}{hint}")


def clean(value: Any) -> Any:
    """JSON-safe scalar: NaN -> None, numpy scalars -> Python."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclasses.dataclass(frozen=True)
class FactorTable:
    """One table of factors with its provenance. Rows are tuples in `columns` order."""

    source: str
    vintage: str
    licence: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def __post_init__(self):
        # Freeze whatever was passed (lists from JSON) so the set really is immutable.
        object.__setattr__(self, "columns", tuple(self.columns))
        rows = tuple(tuple(clean(v) for v in r) for r in self.rows)
        for i, r in enumerate(rows):
            if len(r) != len(self.columns):
                raise ValueError(f"row {i} has {len(r)} values, expected {len(self.columns)}")
        object.__setattr__(self, "rows", rows)

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (a new one each call)."""
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def records(self) -> list[dict]:
        """The rows as a list of dicts."""
        return [dict(zip(self.columns, r, strict=False)) for r in self.rows]

    def to_dict(self) -> dict:
        """JSON-serialisable form."""
        return {
            "source": self.source,
            "vintage": self.vintage,
            "licence": self.licence,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> FactorTable:
        """Inverse of `to_dict`."""
        return cls(
            source=data["source"],
            vintage=data["vintage"],
            licence=data["licence"],
            columns=tuple(data["columns"]),
            rows=tuple(tuple(r) for r in data["rows"]),
        )


BOUNDARY_GENERATION = "generation"  # direct emissions at the power plants (Scope 2 location-based)
BOUNDARY_LIFE_CYCLE = "life_cycle"  # generation plus upstream fuel supply and plant construction


class GridFactor(NamedTuple):
    """Location-based grid factor of a zone for a year, with the vintage actually used and its boundary."""

    zone: str
    gco2e_per_kwh: float
    year: int | None  # vintage of the data used; None for undated data
    source: str
    fossil_share: float | None
    nuclear_share: float | None
    renewable_share: float | None
    boundary: str = BOUNDARY_LIFE_CYCLE


class ModelParams(NamedTuple):
    """Parameters of one model, billions of parameters; tps/ttft may be None."""

    provider: str
    model: str
    active_min_b: float
    active_max_b: float
    total_min_b: float
    total_max_b: float
    tps: float | None
    ttft_s: float | None
    warnings: str
    ecologits_version: str = ""  # the EcoLogits release the entry came from ("" for a size class)

    @property
    def resolved(self) -> str:
        """The repository entry used, as `provider/model (ecologits X)`; a size class says so."""
        origin = f"ecologits {self.ecologits_version}" if self.ecologits_version else "size class"
        return f"{self.provider}/{self.model} ({origin})"
