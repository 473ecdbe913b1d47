"""The default catalogue: the factor set built from data shipped by maintained packages.

* ecologits (pinned 0.11.3): model repository (active/total parameters, tokens per second, time to
  first token), the LLM inference constants of `ecologits.impacts.llm`, data-centre PUE per provider
  (`ecologits.tracers.utils.PROVIDER_CONFIG_MAP`) and its per-country electricity mixes.
* codecarbon (pinned 3.3.2): per-country carbon intensity and fossil / nuclear / renewable shares
  (`codecarbon/data/private_infra/global_energy_mix.json`, Ember / Our World in Data, latest year per
  country; life cycle), EPA eGRID2023 state and US rates (`private_infra/2023/usa_emissions.json`; the
  generation boundary) and Google Cloud region -> country (`codecarbon/data/cloud/impact.csv`). The files are read
  from the installed package WITHOUT importing codecarbon (its import pulls in its tracker, psutil,
  requests, ...); only the data is used.
* pycountry (a codecarbon dependency): ISO 3166 alpha-2 -> alpha-3 for zone codes.
* apps/footprint/data/ledger_factors.json: tables we author (provider aliases, the model lineage: entries
  earlier ecologits releases had and the pinned one dropped, each with its release; model aliases with the
  dates of use they hold for; unknown-model size classes by published parameter count, AWS/Azure regions
  and the US regions of all three clouds, EEA generation-boundary grid factors of the EU member states, AIB
  residual mixes, facility PUE, seat-tool activity factors,
  spend-based factors, currency rates), each with its source.

Building the default set needs those packages (imported when it is built, so a stored set loads
without them); a set loaded with `FactorSet.from_dict` needs none. No Django.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import importlib.util
import json
from pathlib import Path
from typing import Any

from .factor_set import WORLD_ZONE, FactorSet
from .factor_table import BOUNDARY_GENERATION, BOUNDARY_LIFE_CYCLE, FactorTable

ECOLOGITS_PIN = "0.11.3"
CODECARBON_PIN = "3.3.2"
DATA_DIR = Path(__file__).resolve().parent / "data"
LEDGER_FACTORS_FILE = DATA_DIR / "ledger_factors.json"


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
    # Imported here, not at the top: only building the default set needs ecologits (a stored set does not).
    from ecologits.electricity_mix_repository import electricity_mixes
    from ecologits.impacts import llm
    from ecologits.model_repository import ParametersMoE, models
    from ecologits.tracers.utils import PROVIDER_CONFIG_MAP

    version = importlib.metadata.version("ecologits")
    method = {
        # 2: the prefill term (input tokens) and water, ADPe, PE; 3: seat ranges in log quadrature (seat_range)
        "ledger_calc_version": 3,
        "seat_range": "log_quadrature",
        "ecologits_version": version,
        "gpu_energy_alpha": llm.GPU_ENERGY_ALPHA,
        "gpu_energy_beta": llm.GPU_ENERGY_BETA,
        "gpu_energy_gamma": llm.GPU_ENERGY_GAMMA,
        "latency_alpha": llm.LATENCY_ALPHA,
        "latency_beta": llm.LATENCY_BETA,
        "latency_gamma": llm.LATENCY_GAMMA,
        "gpu_memory_gb": llm.GPU_MEMORY,
        "gpu_embodied_gwp_kg": llm.GPU_EMBODIED_IMPACT_GWP,
        "gpu_embodied_adpe_kgsbeq": llm.GPU_EMBODIED_IMPACT_ADPE,
        "gpu_embodied_pe_mj": llm.GPU_EMBODIED_IMPACT_PE,
        "server_gpus": llm.SERVER_GPUS,
        "server_power_kw": llm.SERVER_POWER,
        "server_embodied_gwp_kg": llm.SERVER_EMBODIED_IMPACT_GWP,
        "server_embodied_adpe_kgsbeq": llm.SERVER_EMBODIED_IMPACT_ADPE,
        "server_embodied_pe_mj": llm.SERVER_EMBODIED_IMPACT_PE,
        "hardware_lifespan_s": llm.HARDWARE_LIFESPAN,
        "batch_size": llm.BATCH_SIZE,
        "quantization_bits": llm.MODEL_QUANTIZATION_BITS,
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
    all_mixes = electricity_mixes.list_electricity_mixes()
    tables["electricity_impacts"] = FactorTable(
        source=f"{src}: data/electricity_mixes.json, the impacts of 1 kWh of each zone's mix other than GWP "
        "(ADPe kgSbeq, primary energy MJ, water consumption L: what ecologits multiplies request energy by)",
        vintage=version,
        licence="MPL-2.0 (ecologits)",
        columns=("zone", "adpe_kgsbeq_per_kwh", "pe_mj_per_kwh", "wue_l_per_kwh"),
        rows=tuple(sorted((e.zone, float(e.adpe), float(e.pe), float(e.wue)) for e in all_mixes)),
    )
    mixes = {e.zone: e.gwp * 1000.0 for e in all_mixes}
    return method, {**tables, "_ecologits_mixes": mixes}


LB_PER_MWH_TO_G_PER_KWH = 0.45359237  # 1 lb = 453.59237 g; per MWh -> per kWh divides by 1,000


def _egrid_rows(base: Path, cc_version: str) -> list[tuple]:
    """US state (ISO 3166-2, US-VA) and national grid rows on the generation boundary: EPA eGRID's annual CO2e
    total output emission rate (field STC2ERTA, lb/MWh) as codecarbon ships it in usa_emissions.json."""
    path = base / "private_infra" / "2023" / "usa_emissions.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    year = int(data["_source"]["year"])
    source = f"EPA eGRID{year} {data['_source']['field']} via codecarbon {cc_version}"
    rows = []
    for name, row in data.items():
        if name.startswith("_"):
            continue
        code = row["regionCode"]
        zone = "USA" if code == "usa" else f"US-{code}"
        grams = round(float(row["emissions"]) * LB_PER_MWH_TO_G_PER_KWH, 3)
        rows.append((zone, year, grams, None, None, None, source, BOUNDARY_GENERATION))
    return rows


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
    import pycountry  # only the default set needs it (see _ecologits_tables)

    return sorted((c.alpha_2, c.alpha_3) for c in pycountry.countries)


# The built-in set's name and version: its label (name@version) is what records and the API's examples name.
DEFAULT_SET_NAME = "ledger-default"
DEFAULT_SET_VERSION = "2026.2"
DEFAULT_SET_LABEL = f"{DEFAULT_SET_NAME}@{DEFAULT_SET_VERSION}"


def build_default_factor_set(
    name: str = DEFAULT_SET_NAME,
    version: str = DEFAULT_SET_VERSION,
    grid_preference: tuple[str, ...] = ("codecarbon", "ecologits"),
) -> FactorSet:
    """Build the default factor set from the installed ecologits/codecarbon/pycountry data and our JSON.

    `grid_preference` orders the grid sources per zone: the default takes codecarbon's dated
    country data (Ember / OWID, with fossil/nuclear/renewable shares) and falls back to ecologits'
    undated mixes for zones codecarbon lacks (and for the world average `WOR`), all on the life-cycle boundary;
    with codecarbon, its eGRID US state and national rates add generation-boundary rows. `("ecologits",)`
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
                    (
                        zone,
                        int(d["year"]),
                        float(d["carbon_intensity"]),
                        *shares,
                        f"codecarbon {cc_version}",
                        BOUNDARY_LIFE_CYCLE,
                    )
                )
                break
            if src == "ecologits" and zone in mixes:
                grid_rows.append(
                    (
                        zone,
                        None,
                        mixes[zone],
                        None,
                        None,
                        None,
                        f"ecologits {method['ecologits_version']}",
                        BOUNDARY_LIFE_CYCLE,
                    )
                )
                break
    if "codecarbon" in grid_preference:
        grid_rows += _egrid_rows(_package_dir("codecarbon") / "data", cc_version)
        # EU member states on the generation boundary (EEA); `("ecologits",)` stays EcoLogits' own factors.
        grid_rows += [
            (zone, year, float(grams), None, None, None, source, BOUNDARY_GENERATION)
            for zone, year, grams, source in authored["grid_generation"]["rows"]
        ]
    tables = dict(eco)
    tables["grid"] = FactorTable(
        source=(
            "location-based grid intensity gCO2e/kWh per zone and year, on two boundaries (column boundary). "
            "Generation (direct emissions at the plants, what location-based Scope 2 uses): US states and the US "
            "national rate from EPA eGRID2023 (STC2ERTA, CO2e total output emission rate, lb/MWh x 0.45359237), "
            "as codecarbon ships it in data/private_infra/2023/usa_emissions.json; EU member states from "
            f"ledger_factors.json grid_generation: {authored['grid_generation']['source']} "
            "Life cycle (Scope 3 rows, as EcoLogits; and Scope 2 rows of zones with no generation factor, "
            "flagged): preference "
            f"{list(grid_preference)}: codecarbon {cc_version} data/private_infra/global_energy_mix.json "
            "(Ember / Our World in Data, "
            f"latest year per country, with fossil/nuclear/renewable shares of generation); ecologits "
            f"{method['ecologits_version']} data/electricity_mixes.json (undated, no shares) where "
            "codecarbon "
            "has no row. Read from the installed packages' data files."
        ),
        vintage="2022-2023 (codecarbon rows); 2023 (eGRID rows); 2023-2024 (EEA rows); undated (ecologits rows)",
        licence="codecarbon MIT, underlying Ember/OWID data CC-BY-4.0, eGRID US Government work (public domain); "
        "EEA CC BY 4.0; ecologits MPL-2.0",
        columns=(
            "zone",
            "year",
            "gco2e_per_kwh",
            "fossil_share",
            "nuclear_share",
            "renewable_share",
            "source",
            "boundary",
        ),
        rows=tuple(grid_rows),
    )
    zone_rows = [(a2, a3, "ISO 3166-1 via pycountry") for a2, a3 in _alpha2_to_alpha3()]
    # Authored regions first: the first row of an alias wins, and ours place US regions in their state.
    zone_rows += [
        (alias, zone, "ledger_factors.json cloud_regions") for alias, zone in authored["cloud_regions"]["rows"]
    ]
    zone_rows += [(alias, zone, f"codecarbon {cc_version} data/cloud/impact.csv") for alias, zone in gcp_regions]
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
    authored_tables = (
        "provider_aliases",
        "model_lineage",
        "model_aliases",
        "size_classes",
        "residual_mix",
        "facility_pue",
        "seat_tools",
        "spend_factors",
        "currency_rates",
        "input_token_energy",
        "embedding_models",
        "published_measurements",
    )
    for key in authored_tables:
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
