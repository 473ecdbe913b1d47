"""Factor sets: the versioned, sourced data that turns AI usage into kWh and kgCO2e.

A `FactorSet` is immutable data: a name, a version, the constants of the per-request LLM inference
method, and named `FactorTable`s, each carrying its source, vintage and licence. Changing a value
means building a new set (`FactorSet.with_table`), which gets a new content hash; a set that a
signed-off period used is never edited. `to_dict()` / `FactorSet.from_dict()` round-trip through
plain JSON, so the Django side can store a set as a versioned row and show differences between
versions (`diff_tables` here, `calculator.diff_effect` for the effect on figures).

The default set is built from data shipped by maintained packages:

* ecologits (pinned 0.11.3): model repository (active/total parameters, tokens per second, time to
  first token), the LLM inference constants of `ecologits.impacts.llm`, data-centre PUE per provider
  (`ecologits.tracers.utils.PROVIDER_CONFIG_MAP`) and its per-country electricity mixes.
* codecarbon (pinned 3.3.2): per-country carbon intensity and fossil / nuclear / renewable shares
  (`codecarbon/data/private_infra/global_energy_mix.json`, Ember / Our World in Data, latest year per
  country) and Google Cloud region -> country (`codecarbon/data/cloud/impact.csv`). The files are read
  from the installed package WITHOUT importing codecarbon (its import pulls in its tracker, psutil,
  requests, ...); only the data is used.
* pycountry (a codecarbon dependency): ISO 3166 alpha-2 -> alpha-3 for zone codes.
* apps/footprint/data/ledger_factors.json: tables we author (provider aliases, unknown-model size
  classes, AWS/Azure regions, AIB residual mixes, seat-tool activity factors, spend-based factors,
  currency rates), each with its source.

Building the default set needs those packages; a set loaded with `from_dict` needs none of them.
This module imports no Django.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import pandas as pd

ECOLOGITS_PIN = "0.11.3"
CODECARBON_PIN = "3.3.2"
WORLD_ZONE = "WOR"
DATA_DIR = Path(__file__).resolve().parent / "data"
LEDGER_FACTORS_FILE = DATA_DIR / "ledger_factors.json"
SCHEMA_VERSION = 1


class FactorLookupError(LookupError, ValueError):
    """An unknown provider, model, zone or table; the message lists close matches."""

    def __init__(self, kind: str, value: str, candidates: Iterable[str] = ()):
        self.kind = kind
        self.value = value
        by_lower = {str(c).lower(): str(c) for c in candidates}
        found = difflib.get_close_matches(str(value).lower(), sorted(by_lower), n=5, cutoff=0.5)
        self.close_matches = [by_lower[c] for c in found]
        hint = f"; close matches: {', '.join(self.close_matches)}" if self.close_matches else ""
        super().__init__(f"unknown {kind} {value!r}{hint}")


def _clean(value: Any) -> Any:
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
        rows = tuple(tuple(_clean(v) for v in r) for r in self.rows)
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


class GridFactor(NamedTuple):
    """Location-based grid factor of a zone for a year, with the vintage actually used."""

    zone: str
    gco2e_per_kwh: float
    year: int | None  # vintage of the data used; None for undated data
    source: str
    fossil_share: float | None
    nuclear_share: float | None
    renewable_share: float | None


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


REQUIRED_TABLES = (
    "models",
    "provider_datacenters",
    "provider_aliases",
    "size_classes",
    "grid",
    "zone_aliases",
    "residual_mix",
    "seat_tools",
    "spend_factors",
    "currency_rates",
)


@dataclasses.dataclass(frozen=True, eq=False)
class FactorSet:
    """An immutable, versioned set of factors. Compare sets by `content_hash`."""

    name: str
    version: str
    method: Mapping[str, Any]
    tables: Mapping[str, FactorTable]
    notes: str = ""

    def __post_init__(self):
        object.__setattr__(self, "method", MappingProxyType(dict(self.method)))
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        missing = [t for t in REQUIRED_TABLES if t not in self.tables]
        if missing:
            raise ValueError(f"factor set {self.name!r} lacks tables: {', '.join(missing)}")

    # ---- identity -----------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, FactorSet) and other.content_hash == self.content_hash

    def __hash__(self) -> int:
        return hash(self.content_hash)

    def __repr__(self) -> str:
        return f"FactorSet({self.name!r}, {self.version!r}, {self.content_hash[:12]})"

    @property
    def label(self) -> str:
        """Short human label: name@version."""
        return f"{self.name}@{self.version}"

    @property
    def ecologits_version(self) -> str:
        """The EcoLogits version the model data and method constants came from."""
        return str(self.method.get("ecologits_version", ""))

    @property
    def method_version(self) -> str:
        """Recorded on every result row; a change here is a methodology change (ESRS E1 AR 46f)."""
        return f"ledger-calc {self.method.get('ledger_calc_version', 1)} / ecologits {self.ecologits_version}"

    def to_dict(self) -> dict:
        """JSON-serialisable form (no content hash inside: the hash is computed over this)."""
        return {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "version": self.version,
            "notes": self.notes,
            "method": {k: _clean(v) for k, v in self.method.items()},
            "tables": {k: t.to_dict() for k, t in sorted(self.tables.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> FactorSet:
        """Inverse of `to_dict`. Needs no ecologits/codecarbon: the set is plain data."""
        if data.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise ValueError(f"unsupported factor-set schema {data.get('schema')!r}")
        return cls(
            name=data["name"],
            version=data["version"],
            notes=data.get("notes", ""),
            method=dict(data["method"]),
            tables={k: FactorTable.from_dict(v) for k, v in data["tables"].items()},
        )

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no whitespace, no NaN. Hashing input."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: equal data gives equal hashes, whatever the build order."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def with_table(self, name: str, table: FactorTable, *, version: str, set_name: str | None = None) -> FactorSet:
        """A new set (new version) with one table replaced or added; this set is unchanged."""
        tables = dict(self.tables)
        tables[name] = table
        return FactorSet(
            name=set_name or self.name, version=version, method=dict(self.method), tables=tables, notes=self.notes
        )

    def with_method(self, *, version: str, **changes: Any) -> FactorSet:
        """A new set (new version) with some method constants changed."""
        method = dict(self.method)
        method.update(changes)
        return FactorSet(name=self.name, version=version, method=method, tables=dict(self.tables), notes=self.notes)

    def provenance(self) -> list[dict]:
        """Source, vintage, licence and row count per table, for method notes and the audit PDF."""
        return [
            {"table": k, "source": t.source, "vintage": t.vintage, "licence": t.licence, "rows": len(t.rows)}
            for k, t in sorted(self.tables.items())
        ]

    # ---- lookups (built once per set, cached) -----------------------------------------------------
    @functools.cached_property
    def _provider_alias(self) -> dict[str, str]:
        out = {r["alias"].lower(): r["ecologits_provider"] for r in self.tables["provider_aliases"].records()}
        for r in self.tables["provider_datacenters"].records():
            out.setdefault(r["provider"], r["provider"])
        return out

    @functools.cached_property
    def _models(self) -> dict[tuple[str, str], ModelParams]:
        return {
            (r["provider"], r["model"]): ModelParams(
                r["provider"],
                r["model"],
                float(r["active_params_min_b"]),
                float(r["active_params_max_b"]),
                float(r["total_params_min_b"]),
                float(r["total_params_max_b"]),
                r["tps"],
                r["ttft_s"],
                r["warnings"] or "",
            )
            for r in self.tables["models"].records()
        }

    @functools.cached_property
    def _models_lower(self) -> dict[tuple[str, str], ModelParams]:
        return {(p, m.lower()): v for (p, m), v in self._models.items()}

    @functools.cached_property
    def _datacenters(self) -> dict[str, dict]:
        return {r["provider"]: r for r in self.tables["provider_datacenters"].records()}

    @functools.cached_property
    def _zone_alias(self) -> dict[str, str]:
        out = {r["alias"].lower(): r["zone"] for r in self.tables["zone_aliases"].records()}
        for zone in self._grid:
            out.setdefault(zone.lower(), zone)
        return out

    @functools.cached_property
    def _grid(self) -> dict[str, list[GridFactor]]:
        out: dict[str, list[GridFactor]] = {}
        for r in self.tables["grid"].records():
            out.setdefault(r["zone"], []).append(
                GridFactor(
                    r["zone"],
                    float(r["gco2e_per_kwh"]),
                    None if r["year"] is None else int(r["year"]),
                    r["source"],
                    r["fossil_share"],
                    r["nuclear_share"],
                    r["renewable_share"],
                )
            )
        for rows in out.values():
            rows.sort(key=lambda g: -1 if g.year is None else g.year)
        return out

    @functools.cached_property
    def _residual(self) -> dict[str, list[tuple[int, float, str]]]:
        out: dict[str, list[tuple[int, float, str]]] = {}
        for r in self.tables["residual_mix"].records():
            out.setdefault(r["zone"], []).append((int(r["year"]), float(r["gco2e_per_kwh"]), r["status"]))
        for rows in out.values():
            rows.sort()
        return out

    def ecologits_provider(self, provider: str) -> str | None:
        """Map a connector's provider name (azure_openai, google, mistral, ...) to the EcoLogits key."""
        return self._provider_alias.get(str(provider).strip().lower())

    def known_providers(self) -> list[str]:
        """Every provider name the set understands."""
        return sorted(self._provider_alias)

    def model(self, provider: str, model: str) -> ModelParams | None:
        """Model parameters, or None when the repository does not know it.

        Tries the exact name, then case-insensitively, then without a date suffix or a
        `provider/` prefix (gateways such as LiteLLM report `openai/gpt-4o`)."""
        eprov = self.ecologits_provider(provider) or str(provider)
        name = str(model).strip()
        found = self._models.get((eprov, name)) or self._models_lower.get((eprov, name.lower()))
        if found is None and eprov not in self._datacenters:
            # self-hosted open models: Hugging Face names such as meta-llama/Llama-3.1-8B-Instruct
            found = self._models_lower.get(("huggingface_hub", name.lower()))
        if found is None and "/" in name:
            name = name.split("/", 1)[1]
            found = self._models.get((eprov, name)) or self._models_lower.get((eprov, name.lower()))
        if found is None:
            # e.g. gpt-4o-2024-08-06 -> gpt-4o when only the family is listed
            parts = name.lower().split("-")
            while len(parts) > 1 and found is None:
                parts.pop()
                found = self._models_lower.get((eprov, "-".join(parts)))
        return found

    def model_names(self, provider: str | None = None) -> list[str]:
        """Model names of one provider (or all), for error messages and pickers."""
        eprov = self.ecologits_provider(provider) if provider else None
        return sorted(m for (p, m) in self._models if eprov is None or p == eprov)

    def size_class(self, model: str) -> dict:
        """Size class for a model the repository does not know, chosen from name hints."""
        rows = self.tables["size_classes"].records()
        name = str(model).lower()
        for r in rows:
            hints = [h for h in (r["name_hints"] or "").split("|") if h]
            if any(h in name for h in hints):
                return r
        return next(r for r in rows if not r["name_hints"])

    def datacenter(self, provider: str) -> dict | None:
        """Default data-centre zone, PUE range and WUE range of an EcoLogits provider."""
        return self._datacenters.get(self.ecologits_provider(provider) or str(provider))

    def resolve_zone(self, zone: str) -> str | None:
        """Zone string (ISO alpha-2/alpha-3, `aws:eu-west-3`, `azure:westeurope`, `gcp:europe-west1`)
        -> the grid zone (alpha-3 or WOR), or None when unknown."""
        key = str(zone).strip().lower()
        if not key:
            return None
        return self._zone_alias.get(key)

    def known_zones(self) -> list[str]:
        """Every zone string the set resolves."""
        return sorted(self._zone_alias)

    def grid_factor(self, zone: str, year: int | None = None) -> GridFactor:
        """Location-based factor for a resolved zone and usage year: the year itself when the data has
        it, else the latest earlier year, else the earliest later one, else undated data."""
        rows = self._grid.get(zone)
        if not rows:
            raise FactorLookupError("zone", zone, self._grid)
        dated = [g for g in rows if g.year is not None]
        if year is not None and dated:
            earlier = [g for g in dated if g.year <= year]
            return earlier[-1] if earlier else dated[0]
        return dated[-1] if dated else rows[0]

    def residual_factor(self, zone: str, year: int | None = None) -> tuple[float, int, str] | None:
        """(vintage year, gCO2e/kWh, status) of the residual mix, or None when the table has no row."""
        rows = self._residual.get(zone)
        if not rows:
            return None
        if year is None:
            return rows[-1]
        earlier = [r for r in rows if r[0] <= year]
        return earlier[-1] if earlier else rows[0]

    def seat_tool(self, tool: str, provider: str = "") -> dict:
        """Seat-tool activity factors for a product name (falls back to provider, then the '*' row)."""
        return self._seat_lookup(str(tool).strip().lower(), str(provider).strip().lower())

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - the set is immutable and lives as long as its users
    def _seat_lookup(self, tool: str, provider: str) -> dict:
        rows = self.tables["seat_tools"].records()
        for key in (tool, provider):
            if not key:
                continue
            for r in rows:
                names = {r["tool"].lower(), *[a for a in (r["aliases"] or "").split("|") if a]}
                if key in names:
                    return r
        return next(r for r in rows if r["tool"] == "*")

    def spend_factor(self, category: str) -> dict:
        """Spend-based factor row (kgCO2e per USD) for 'seat' or 'api'."""
        for r in self.tables["spend_factors"].records():
            if r["category"] == category:
                return r
        raise FactorLookupError(
            "spend category", category, [r["category"] for r in self.tables["spend_factors"].records()]
        )

    def usd_per_unit(self, currency: str) -> float | None:
        """Exchange rate to the USD base of the spend factors, or None if the table lacks it."""
        for r in self.tables["currency_rates"].records():
            if r["currency"] == str(currency).upper():
                return float(r["usd_per_unit"])
        return None


# ---- building the default set from the packages ---------------------------------------------------


def _package_dir(name: str) -> Path:
    """Directory of an installed package, found WITHOUT importing it (no side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name!r} is needed to build the default factor set")
    return Path(next(iter(spec.submodule_search_locations)))


def _range(value: Any) -> tuple[float, float]:
    """EcoLogits ValueOrRange -> (min, max)."""
    if hasattr(value, "min") and hasattr(value, "max"):
        return float(value.min), float(value.max)
    return float(value), float(value)


def _ecologits_tables() -> tuple[dict, dict[str, FactorTable]]:
    from ecologits.electricity_mix_repository import electricity_mixes
    from ecologits.impacts import llm
    from ecologits.model_repository import ParametersMoE, models
    from ecologits.tracers.utils import PROVIDER_CONFIG_MAP

    version = importlib.metadata.version("ecologits")
    method = {
        "ledger_calc_version": 1,
        "ecologits_version": version,
        "gpu_energy_alpha": llm.GPU_ENERGY_ALPHA,
        "gpu_energy_beta": llm.GPU_ENERGY_BETA,
        "gpu_energy_gamma": llm.GPU_ENERGY_GAMMA,
        "latency_alpha": llm.LATENCY_ALPHA,
        "latency_beta": llm.LATENCY_BETA,
        "latency_gamma": llm.LATENCY_GAMMA,
        "gpu_memory_gb": llm.GPU_MEMORY,
        "gpu_embodied_gwp_kg": llm.GPU_EMBODIED_IMPACT_GWP,
        "server_gpus": llm.SERVER_GPUS,
        "server_power_kw": llm.SERVER_POWER,
        "server_embodied_gwp_kg": llm.SERVER_EMBODIED_IMPACT_GWP,
        "hardware_lifespan_s": llm.HARDWARE_LIFESPAN,
        "batch_size": llm.BATCH_SIZE,
        "quantization_bits": llm.MODEL_QUANTIZATION_BITS,
        # CodeCarbon's energy_consumed already includes the PUE the user configured; no uplift by default.
        "measured_energy_pue": 1.0,
        # Spend-based figures are uncertain by a factor of ~2 either way (EEIO data).
        "spend_low_factor": 0.5,
        "spend_high_factor": 2.0,
        "world_zone": WORLD_ZONE,
    }
    rows = []
    for m in models.list_models():
        params = m.architecture.parameters
        if isinstance(params, ParametersMoE):
            act, tot = _range(params.active), _range(params.total)
        else:
            act = tot = _range(params)
        dep = m.deployment
        rows.append(
            (
                m.provider.value,
                m.name,
                m.architecture.type.value,
                act[0],
                act[1],
                tot[0],
                tot[1],
                dep.tps if dep else None,
                dep.ttft if dep else None,
                "|".join(w.code for w in m.warnings),
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    src = f"ecologits {version} (PyPI, genai-impact/ecologits)"
    tables = {
        "models": FactorTable(
            source=f"{src}: data/models.json model repository incl. aliases",
            vintage=version,
            licence="MPL-2.0 (ecologits)",
            columns=(
                "provider",
                "model",
                "architecture",
                "active_params_min_b",
                "active_params_max_b",
                "total_params_min_b",
                "total_params_max_b",
                "tps",
                "ttft_s",
                "warnings",
            ),
            rows=tuple(rows),
        ),
        "provider_datacenters": FactorTable(
            source=f"{src}: ecologits.tracers.utils.PROVIDER_CONFIG_MAP (data-centre location, PUE, WUE)",
            vintage=version,
            licence="MPL-2.0 (ecologits)",
            columns=("provider", "zone", "pue_min", "pue_max", "wue_min", "wue_max"),
            rows=tuple(
                sorted(
                    (p, c.datacenter_location, *_range(c.datacenter_pue), *_range(c.datacenter_wue))
                    for p, c in PROVIDER_CONFIG_MAP.items()
                )
            ),
        ),
    }
    mixes = {e.zone: e.gwp * 1000.0 for e in electricity_mixes.list_electricity_mixes()}
    return method, {**tables, "_ecologits_mixes": mixes}


def _codecarbon_data() -> tuple[dict, list[tuple[str, str]], str]:
    base = _package_dir("codecarbon") / "data"
    try:
        version = importlib.metadata.version("codecarbon")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - find_spec found it
        version = "unknown"
    with open(base / "private_infra" / "global_energy_mix.json", encoding="utf-8") as fh:
        mix = json.load(fh)
    regions = []
    with open(base / "cloud" / "impact.csv", encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            if r.get("provider") and r.get("region") and r.get("countryIsoCode"):
                regions.append(
                    (
                        f"{r['provider'].strip().lower()}:{r['region'].strip().lower()}",
                        r["countryIsoCode"].strip().upper(),
                    )
                )
    return mix, regions, version


def _alpha2_to_alpha3() -> list[tuple[str, str]]:
    import pycountry

    return sorted((c.alpha_2, c.alpha_3) for c in pycountry.countries)


def build_default_factor_set(
    name: str = "ledger-default",
    version: str = "2026.1",
    grid_preference: tuple[str, ...] = ("codecarbon", "ecologits"),
) -> FactorSet:
    """Build the default factor set from the installed ecologits/codecarbon/pycountry data and our JSON.

    `grid_preference` orders the grid sources per zone: the default takes codecarbon's dated
    country data (Ember / OWID, with fossil/nuclear/renewable shares) and falls back to ecologits'
    undated mixes for zones codecarbon lacks (and for the world average `WOR`). `("ecologits",)`
    reproduces EcoLogits' own electricity factors exactly (used to check agreement with it)."""
    method, eco = _ecologits_tables()
    mixes = eco.pop("_ecologits_mixes")
    cc_mix, gcp_regions, cc_version = _codecarbon_data()
    authored = json.loads(LEDGER_FACTORS_FILE.read_text(encoding="utf-8"))

    grid_rows = []
    zones = sorted(set(mixes) | set(cc_mix))
    for zone in zones:
        for src in grid_preference:
            if src == "codecarbon" and zone in cc_mix and cc_mix[zone].get("carbon_intensity"):
                d = cc_mix[zone]
                total = d.get("total_TWh") or 0.0
                shares = (
                    (
                        d.get("fossil_TWh", 0.0) / total,
                        d.get("nuclear_TWh", 0.0) / total,
                        d.get("renewables_TWh", 0.0) / total,
                    )
                    if total > 0
                    else (None, None, None)
                )
                grid_rows.append(
                    (zone, int(d["year"]), float(d["carbon_intensity"]), *shares, f"codecarbon {cc_version}")
                )
                break
            if src == "ecologits" and zone in mixes:
                grid_rows.append(
                    (zone, None, mixes[zone], None, None, None, f"ecologits {method['ecologits_version']}")
                )
                break
    tables = dict(eco)
    tables["grid"] = FactorTable(
        source=(
            f"location-based grid intensity, life-cycle gCO2e/kWh, per zone, preference "
            f"{list(grid_preference)}: codecarbon {cc_version} data/private_infra/global_energy_mix.json "
            "(Ember / Our World in Data, "
            f"latest year per country, with fossil/nuclear/renewable shares of generation); ecologits "
            f"{method['ecologits_version']} data/electricity_mixes.json (undated, no shares) where "
            "codecarbon "
            "has no row. Read from the installed packages' data files."
        ),
        vintage="2022-2023 (codecarbon rows); undated (ecologits rows)",
        licence="codecarbon MIT, underlying Ember/OWID data CC-BY-4.0; ecologits MPL-2.0",
        columns=("zone", "year", "gco2e_per_kwh", "fossil_share", "nuclear_share", "renewable_share", "source"),
        rows=tuple(grid_rows),
    )
    zone_rows = [(a2, a3, "ISO 3166-1 via pycountry") for a2, a3 in _alpha2_to_alpha3()]
    zone_rows += [(alias, zone, f"codecarbon {cc_version} data/cloud/impact.csv") for alias, zone in gcp_regions]
    zone_rows += [
        (alias, zone, "ledger_factors.json cloud_regions") for alias, zone in authored["cloud_regions"]["rows"]
    ]
    zone_rows.append(("world", WORLD_ZONE, "ecologits world average"))
    seen: dict[str, tuple] = {}
    for row in zone_rows:
        seen.setdefault(row[0].lower(), (row[0].lower(), row[1], row[2]))
    tables["zone_aliases"] = FactorTable(
        source=(
            "zone strings -> grid zone: ISO alpha-2 via pycountry; GCP regions from codecarbon "
            f"{cc_version} data/cloud/impact.csv; AWS and Azure regions: "
            f"{authored['cloud_regions']['source']}"
        ),
        vintage="2026",
        licence="facts; pycountry LGPL-2.1, codecarbon MIT",
        columns=("alias", "zone", "source"),
        rows=tuple(sorted(seen.values())),
    )
    for key in ("provider_aliases", "size_classes", "residual_mix", "seat_tools", "spend_factors", "currency_rates"):
        t = authored[key]
        tables[key] = FactorTable(
            source=t["source"],
            vintage=t["vintage"],
            licence=t["licence"],
            columns=tuple(t["columns"]),
            rows=tuple(tuple(r) for r in t["rows"]),
        )
    method["codecarbon_version"] = cc_version
    notes = (
        f"Built from ecologits {method['ecologits_version']} and codecarbon {cc_version} package data "
        f"and apps/footprint/data/ledger_factors.json. Pins: ecologits=={ECOLOGITS_PIN}, "
        f"codecarbon=={CODECARBON_PIN}."
    )
    return FactorSet(name=name, version=version, method=method, tables=tables, notes=notes)


@functools.lru_cache(maxsize=4)
def default_factor_set(grid_preference: tuple[str, ...] = ("codecarbon", "ecologits")) -> FactorSet:
    """The default set, built once per process (see `build_default_factor_set`)."""
    return build_default_factor_set(grid_preference=grid_preference)


def diff_tables(old: FactorSet, new: FactorSet) -> dict[str, dict]:
    """Per table: rows added / removed (by full row), plus provenance and method changes.

    Returns {table: {"added": [...], "removed": [...], "source_changed": bool}} for tables that
    differ, and "method" -> {key: (old, new)} when method constants differ."""
    out: dict[str, dict] = {}
    for name in sorted(set(old.tables) | set(new.tables)):
        a, b = old.tables.get(name), new.tables.get(name)
        if a == b:
            continue
        rows_a = set(a.rows) if a else set()
        rows_b = set(b.rows) if b else set()
        cols = (b or a).columns
        out[name] = {
            "added": [dict(zip(cols, r, strict=False)) for r in sorted(rows_b - rows_a, key=repr)],
            "removed": [dict(zip(cols, r, strict=False)) for r in sorted(rows_a - rows_b, key=repr)],
            "source_changed": (a.source, a.vintage, a.licence) != (b.source, b.vintage, b.licence) if a and b else True,
        }
    method = {
        k: (old.method.get(k), new.method.get(k))
        for k in set(old.method) | set(new.method)
        if old.method.get(k) != new.method.get(k)
    }
    if method:
        out["method"] = method
    return out
