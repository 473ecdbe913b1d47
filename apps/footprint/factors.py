"""Factor sets: the versioned, sourced data that turns AI usage into kWh and kgCO2e.

A `FactorSet` is immutable data: a name, a version, the constants of the per-request LLM inference
method, and named `FactorTable`s, each carrying its source, vintage and licence. Changing a value
means building a new set (`FactorSet.with_table`), which gets a new content hash; a set that a
signed-off period used is never edited. `to_dict()` / `FactorSet.from_dict()` round-trip through
plain JSON, so the Django side can store a set as a versioned row and show differences between
versions (`diff_tables`, and `calculator.diff_effect` for the effect on figures).

The pieces live in their own modules; this one names them in one place for callers outside footprint:

* `factor_table`: `FactorTable`, `GridFactor`, `ModelParams` and `FactorLookupError`.
* `factor_set`: `FactorSet` (identity, JSON form, lookups), `REQUIRED_TABLES`, `diff_tables`.
* `catalogue`: the default set built from the ecologits / codecarbon / pycountry package data and
  apps/footprint/data/ledger_factors.json (`build_default_factor_set`, `default_factor_set`).

No Django.
"""

from .catalogue import (
    CODECARBON_PIN,
    ECOLOGITS_PIN,
    LEDGER_FACTORS_FILE,
    build_default_factor_set,
    default_factor_set,
)
from .factor_set import REQUIRED_TABLES, SCHEMA_VERSION, WORLD_ZONE, FactorSet, diff_tables
from .factor_table import FactorLookupError, FactorTable, GridFactor, ModelParams

__all__ = [
    "CODECARBON_PIN",
    "ECOLOGITS_PIN",
    "LEDGER_FACTORS_FILE",
    "REQUIRED_TABLES",
    "SCHEMA_VERSION",
    "WORLD_ZONE",
    "FactorLookupError",
    "FactorSet",
    "FactorTable",
    "GridFactor",
    "ModelParams",
    "build_default_factor_set",
    "default_factor_set",
    "diff_tables",
]
