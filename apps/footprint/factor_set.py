"""`FactorSet`: the immutable, versioned set of factors, its identity (content hash), its JSON form and
the lookups the calculator makes in it (providers, models, zones, grid and residual factors, seat tools,
spend factors, currency rates). `diff_tables` shows what changed between two versions.

A set loaded with `FactorSet.from_dict` needs no ecologits or codecarbon: it is plain data. No Django."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .factor_table import BOUNDARY_LIFE_CYCLE, FactorLookupError, FactorTable, GridFactor, ModelParams, clean
from .model_names import lookup_candidates, published_params_b

WORLD_ZONE = "WOR"
SCHEMA_VERSION = 1

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
            "method": {k: clean(v) for k, v in self.method.items()},
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
        # The installed release's repository first; the lineage table adds the entries it dropped, each with
        # the last release that had them (a name in both keeps the installed entry).
        out: dict[tuple[str, str], ModelParams] = {}
        tables = [(self.tables["models"], self.ecologits_version)]
        if "model_lineage" in self.tables:
            tables.append((self.tables["model_lineage"], None))
        for table, version in tables:
            for r in table.records():
                out.setdefault(
                    (r["provider"], r["model"]),
                    ModelParams(
                        r["provider"],
                        r["model"],
                        float(r["active_params_min_b"]),
                        float(r["active_params_max_b"]),
                        float(r["total_params_min_b"]),
                        float(r["total_params_max_b"]),
                        r["tps"],
                        r["ttft_s"],
                        r["warnings"] or "",
                        version or str(r["ecologits_version"]),
                    ),
                )
        return out

    @functools.cached_property
    def _models_lower(self) -> dict[tuple[str, str], ModelParams]:
        return {(p, m.lower()): v for (p, m), v in self._models.items()}

    @functools.cached_property
    def _variant_parts(self) -> frozenset[str]:
        """Name parts that tell two repository models apart (`mini`: gpt-4o / gpt-4o-mini; `plus`: command-r /
        command-r-plus), read from the repository, not a word list: a trailing part stripped from an unknown
        name must not be one, or `gpt-4o-audio-mini` would take gpt-4o's entry. A number (a date, a version of
        the same model) may go."""
        names = {m for (_, m) in self._models_lower}
        return frozenset(
            last
            for head, _, last in (n.rpartition("-") for n in names)
            if head in names and not last.replace(".", "").isdigit()
        )

    @functools.cached_property
    def _model_aliases(self) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        """(provider, alias) -> [(valid_from, valid_to, model)], ISO dates, "" for open ends."""
        out: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        table = self.tables.get("model_aliases")
        for r in table.records() if table is not None else ():
            key = (r["provider"], r["alias"].lower())
            out.setdefault(key, []).append((r["valid_from"] or "", r["valid_to"] or "", r["model"]))
        return out

    @functools.cached_property
    def dated_aliases(self) -> frozenset[str]:
        """Alias names whose target depends on the date of use (`mistral-large-latest`)."""
        return frozenset(a for (_, a), rows in self._model_aliases.items() if any(f or t for f, t, _ in rows))

    def alias_change_days(self, models=None) -> frozenset[dt.date]:
        """The days a dated alias (of `models`, any case; all when None) starts standing for another model (a
        validity's first day, the day after its last): usage on either side of one is estimated with different
        models."""
        names = None if models is None else {str(m).strip().lower() for m in models}
        days = set()
        for (_, alias), rows in self._model_aliases.items():
            if names is not None and alias not in names:
                continue
            for valid_from, valid_to, _ in rows:
                days |= {dt.date.fromisoformat(valid_from)} if valid_from else set()
                days |= {dt.date.fromisoformat(valid_to) + dt.timedelta(days=1)} if valid_to else set()
        return frozenset(days)

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
                    r.get("boundary") or BOUNDARY_LIFE_CYCLE,  # sets stored before the column were life-cycle
                )
            )
        for rows in out.values():
            rows.sort(key=lambda g: -1 if g.year is None else g.year)
        return out

    @functools.cached_property
    def _residual(self) -> dict[str, list[tuple[int, float | None, str]]]:
        out: dict[str, list[tuple[int, float | None, str]]] = {}
        for r in self.tables["residual_mix"].records():
            grams = r["gco2e_per_kwh"]
            grams = None if grams is None or grams != grams else float(grams)  # NA: the edition publishes none
            out.setdefault(r["zone"], []).append((int(r["year"]), grams, r["status"]))
        for rows in out.values():
            rows.sort()
        return out

    def ecologits_provider(self, provider: str) -> str | None:
        """Map a connector's provider name (azure_openai, google, mistral, ...) to the EcoLogits key."""
        return self._provider_alias.get(str(provider).strip().lower())

    def known_providers(self) -> list[str]:
        """Every provider name the set understands."""
        return sorted(self._provider_alias)

    def model(self, provider: str, model: str, day: dt.date | None = None) -> ModelParams | None:
        """The repository entry of a model name, or None when neither the repository nor the lineage has it.

        Tries each spelling of `model_names.lookup_candidates` (as given, without a gateway prefix, a Bedrock
        id's model, a Vertex tag as a date), each directly then through the alias table (an alias valid on
        `day`, the date of use; without a day, the alias's latest target), then without trailing name parts
        (`gpt-4o-mini-deploy` -> `gpt-4o-mini`, an Azure deployment name), never past a part that tells two
        models apart (`gpt-4o-audio-mini` is not gpt-4o: `_variant_parts`). Self-hosted Hugging Face names
        (`meta-llama/Llama-3.1-8B-Instruct`) are looked up among the Hugging Face models."""
        eprov = self.ecologits_provider(provider) or str(provider)
        candidates = lookup_candidates(model)
        for name in candidates:
            found = self._entry(eprov, name, day)
            if found is None and eprov not in self._datacenters:
                found = self._models_lower.get(("huggingface_hub", name))
            if found is not None:
                return found
        parts = candidates[-1].split("-") if candidates else []
        while len(parts) > 1 and parts[-1] not in self._variant_parts:
            parts.pop()
            found = self._entry(eprov, "-".join(parts), day)
            if found is not None:
                return found
        # A cloud serving another vendor's model (Claude on Vertex AI, a gateway's `vertex_ai/...` under its own
        # provider name): the entry of the one vendor whose repository has the name.
        for name in candidates:
            owners = {p for (p, m) in self._models_lower if m == name and p != "huggingface_hub"}
            owners |= {p for (p, a) in self._model_aliases if a == name}
            if len(owners) == 1:
                return self._entry(owners.pop(), name, day)
        return None

    def _entry(self, eprov: str, name: str, day: dt.date | None) -> ModelParams | None:
        aliases = self._model_aliases.get((eprov, name))
        if aliases:
            target = _alias_target(aliases, day)
            if target is not None:
                return self._models_lower.get((eprov, target.lower()))
        return self._models_lower.get((eprov, name))

    def model_at(self, provider: str, model: str, day: dt.date) -> str:
        """The name a dated alias stood for on `day` (`mistral-large-latest` in 2025 -> `mistral-large-2411`);
        any other name unchanged."""
        eprov = self.ecologits_provider(provider) or str(provider)
        aliases = self._model_aliases.get((eprov, str(model).strip().lower()))
        target = _alias_target(aliases, day) if aliases else None
        return target or model

    def model_names(self, provider: str | None = None) -> list[str]:
        """Model names of one provider (or all), for error messages and pickers."""
        eprov = self.ecologits_provider(provider) if provider else None
        return sorted(m for (p, m) in self._models if eprov is None or p == eprov)

    def size_class(self, model: str) -> dict:
        """Size class for a model the repository does not know: by the parameter count its name publishes
        (`llama-3.1-70b`, `qwen2.5-7b-instruct`: billions), never by a word in its name; a name without a
        count takes the open class (the widest range). Sets stored before the parameter-count column took
        their class by name hints: those hints are no longer read (`gemini` contains `mini`), so such a set
        gives the open class too."""
        rows = self.tables["size_classes"].records()
        open_class = next(r for r in rows if r.get("max_params_b") is None)
        if "max_params_b" not in self.tables["size_classes"].columns:
            return next((r for r in rows if not r.get("name_hints")), open_class)
        count = published_params_b(model)
        if count is None:
            return open_class
        sized = sorted((r for r in rows if r["max_params_b"] is not None), key=lambda r: r["max_params_b"])
        return next((r for r in sized if count <= r["max_params_b"]), open_class)

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

    def grid_factor(self, zone: str, year: int | None = None, boundary: str = BOUNDARY_LIFE_CYCLE) -> GridFactor:
        """Location-based factor for a resolved zone and usage year, on `boundary` when the zone has a factor on
        it (else on the other; the result's `boundary` says which): the year itself when the data has it, else
        the latest earlier year, else the earliest later one, else undated data."""
        rows = self._grid.get(zone)
        if not rows:
            raise FactorLookupError("zone", zone, self._grid)
        rows = [g for g in rows if g.boundary == boundary] or rows
        dated = [g for g in rows if g.year is not None]
        if year is not None and dated:
            earlier = [g for g in dated if g.year <= year]
            return earlier[-1] if earlier else dated[0]
        return dated[-1] if dated else rows[0]

    def residual_factor(self, zone: str, year: int | None = None) -> tuple[int, float, str] | None:
        """(edition year, gCO2e/kWh, status) of the residual mix for the year of use: the edition of that year,
        else the latest earlier one (a later year of use), else the earliest. None when the table has no row for
        the zone or that edition prints none (NA: full disclosure), so the grid average applies."""
        rows = self._residual.get(zone)
        if not rows:
            return None
        earlier = rows if year is None else [r for r in rows if r[0] <= year]
        row = earlier[-1] if earlier else rows[0]
        return None if row[1] is None else row

    @functools.cached_property
    def _facility_pue(self) -> dict[str, tuple[float, str]]:
        table = self.tables.get("facility_pue")
        if table is None:
            return {}
        out = {}
        for r in table.records():
            zone = r["zone"] if r["zone"] == "*" else self.resolve_zone(r["zone"]) or r["zone"]
            out[zone] = (float(r["pue"]), str(r["status"]))
        return out

    def facility_pue(self, grid_zone: str) -> tuple[float, str] | None:
        """(PUE, status) of the site in a resolved zone, else the '*' default; None when the set has no
        facility-PUE table (sets stored before it: measured energy counted as it was measured)."""
        table = self._facility_pue
        return table.get(grid_zone) or table.get("*")

    def input_token_ratios(self) -> dict[str, tuple[float, float, str]]:
        """term ('prefill', 'cached_input') -> (ratio low, ratio high, status): an input token's energy as a
        fraction of the model's energy per output token. Empty for sets stored before the table (their method
        counted output tokens only, as EcoLogits does)."""
        table = self.tables.get("input_token_energy")
        if table is None:
            return {}
        return {r["term"]: (float(r["ratio_low"]), float(r["ratio_high"]), str(r["status"])) for r in table.records()}

    @functools.cached_property
    def _embedding_models(self) -> dict[str, dict]:
        table = self.tables.get("embedding_models")
        return {} if table is None else {r["model"].lower(): r for r in table.records()}

    def embedding_model(self, model: str) -> dict | None:
        """The embedding-model row of a model name (a `provider/` prefix ignored), or None."""
        name = str(model).strip().lower()
        return self._embedding_models.get(name) or self._embedding_models.get(name.rsplit("/", 1)[-1])

    @functools.cached_property
    def _electricity_impacts(self) -> dict[str, dict]:
        table = self.tables.get("electricity_impacts")
        return {} if table is None else {r["zone"]: r for r in table.records()}

    def electricity_impacts(self, grid_zone: str) -> dict | None:
        """ADPe, primary energy and water of 1 kWh of a zone's mix (ecologits' mixes): the zone's own row, else
        its country's (US-VA -> USA), else the world's; None for sets stored before the table."""
        table = self._electricity_impacts
        if not table:
            return None
        country = self.resolve_zone(str(grid_zone).split("-", 1)[0]) if "-" in str(grid_zone) else None
        return table.get(grid_zone) or table.get(country or "") or table.get(WORLD_ZONE)

    def seat_tool(self, tool: str, provider: str = "") -> dict:
        """Seat-tool activity factors for a product name: `provider/tool` (or with a space or `_`), then the tool,
        then the provider, then the '*' row."""
        return self._seat_lookup(str(tool).strip().lower(), str(provider).strip().lower())

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - the set is immutable and lives as long as its users
    def _seat_lookup(self, tool: str, provider: str) -> dict:
        rows = self.tables["seat_tools"].records()
        # The provider and product together first: GitHub's connectors say provider "github", model "copilot".
        joined = [f"{provider}{sep}{tool}" for sep in ("/", " ", "_")] if provider and tool else []
        for key in (*joined, tool, provider):
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


def _alias_target(aliases: list[tuple[str, str, str]], day: dt.date | None) -> str | None:
    """The model an alias stood for on `day` (validity dates inclusive); without a day, the latest one."""
    if day is None:
        return max(aliases, key=lambda a: a[0])[2]
    iso = day.isoformat()[:10]
    for valid_from, valid_to, model in aliases:
        if (not valid_from or valid_from <= iso) and (not valid_to or iso <= valid_to):
            return model
    return None


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
