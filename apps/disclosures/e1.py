"""The ESRS E1 (and VSME B3) figures for AI usage, from an estimated records frame. No Django here.

Input: the period's usage records re-estimated with one factor set and the period's contractual
instruments (apps.footprint.calculator.estimate), plus the E1-5 energy-mix split per row. Output: the
snapshot dict that pages, exports and the evidence pack all read. Units: frames carry kWh and kg; the
disclosure states MWh and tCO2e (both /1000).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from apps.core.distinct import map_distinct
from apps.core.labels import NO_TEAM
from apps.disclosures import catalogues
from apps.footprint.estimators.ranges import RANGE_METHOD, period_range, range_groups
from apps.footprint.model_names import model_family
from apps.footprint.upstream import UPSTREAM_METHOD
from apps.footprint.warning_codes import MESSAGES, RowWarning

SCHEMA_VERSION = 1
SCOPE2 = "scope2"
SCOPE3_CAT1 = "scope3_cat1"
# Primary data (E1-6_25): Scope 3 figures whose energy was measured on the supplier's hardware (rented GPUs
# CodeCarbon measured; the facility part may be a modelled PUE). Token counts and seat activity are the company's
# own activity data with the energy modelled from published parameters (EcoLogits, averages): secondary.
PRIMARY_DATA_QUALITY = ("measured", "measured_it")
PRIMARY_DATA_DEFINITION = (
    "E1-6_25 share of Scope 3 calculated from primary data: Scope 3 tCO2e of records whose energy was measured "
    "on the hardware that served them (data quality measured or measured_it: CodeCarbon on rented GPUs), over "
    "all Scope 3 tCO2e. Records whose activity the vendor reports (tokens, requests, active user-days) but whose "
    "energy is modelled (EcoLogits parameters, published per-interaction averages) and spend-based records are "
    "secondary data."
)
DEFINITIONS = {"primary_data": PRIMARY_DATA_DEFINITION, "ranges": RANGE_METHOD, "upstream_electricity": UPSTREAM_METHOD}
BREAKDOWNS = {
    "by_month": "month",
    "by_source": "source",
    "by_provider": "provider",
    "by_model": "model",
    "by_team": "team",
    "by_scope": "scope",
}

# The datapoint catalogues are data (apps/disclosures/catalogues/*.json, one file per standard version).
SET1 = "esrs_set1_2023"
REVISED = "esrs_2026"  # the revised ("simplified") ESRS, Annex I to C(2026) 5010
VSME = "vsme_2025"
# id -> (section, label, unit, XBRL concept or None, reference), in disclosure order.
E1_DATAPOINTS = catalogues.table(SET1)
# Datapoint id -> (axis, member) of the taxonomy dimension its fact carries. Names from EFRAG's ESRS Set 1
# taxonomy as listed in tests/fixtures/esrs_taxonomy/concepts.json (see its "source").
DIMENSIONS = catalogues.dimensions(SET1)
# The voluntary datapoints, present when the records carry the multi-criteria columns.
VOLUNTARY_DATAPOINTS = catalogues.voluntary(SET1)
VSME_DATAPOINTS = catalogues.table(VSME)

ASSUMPTIONS = [
    "AI services bought as a service (APIs, seats, rented cloud GPUs) are Scope 3 category 1 for the buyer and "
    "shown as the AR 51 'cloud computing and data centre services' subset; their energy is not E1-5 energy.",
    "Self-hosted compute measured by CodeCarbon is own energy consumption (E1-5) and Scope 2.",
    "Scope 3 has no location/market split: the market-based total adds the same Scope 3 figure.",
    RANGE_METHOD,
    "Renewable energy is counted only where contractual instruments (GOs, PPAs, green tariffs) cover it "
    "(ESRS E1 AR 32(j)); the uncovered rest is split between fossil and nuclear in the grid's proportion.",
    PRIMARY_DATA_DEFINITION,
]
EXCLUSIONS = [
    "Training of providers' models (outside EcoLogits' scope and not the customer's inventory).",
    "Embodied emissions of self-hosted hardware (Scope 3 category 2, counted in the year of purchase).",
    "Embodied (manufacturing) emissions of providers' servers are shown separately and not added to the Scope 3 total.",
    "End-user devices and networks.",
]


def _sum(frame: pd.DataFrame, column: str, mask: np.ndarray | None = None) -> float:
    values = frame[column].to_numpy(dtype=np.float64)
    if mask is not None:
        values = values[mask]
    return float(np.nansum(values))


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A text column, or "" on every row when the frame lacks it."""
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[name].astype(str).to_numpy(dtype=object)


class _Ranged:
    """Sums of a figure with its period range (RANGE_METHOD) over a mask of the records, in tonnes or MWh."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.groups = range_groups(
            _column(frame, "usage_kind"),
            _column(frame, "provider"),
            _column(frame, "model"),
            _column(frame, "data_quality") == "spend_based",
        )

    def __call__(self, column: str, mask: np.ndarray) -> tuple[float, float, float]:
        f = self.frame
        arrays = (f[f"{column}{s}"].to_numpy(dtype=np.float64)[mask] for s in ("", "_low", "_high"))
        return tuple(x / 1000 for x in period_range(*arrays, self.groups[mask]))


def _pct(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


# Why a figure has no value (issue 19: a division by zero is "not defined" with its reason, never NaN or a zero).
# Fixed English sentences: the snapshot stores them, the exports print them, pages translate them (`tr`).
ENERGY_IS_ZERO = "Not defined: the total energy consumption is zero, so it has no shares."
SCOPE3_IS_ZERO = "Not defined: the Scope 3 GHG emissions are zero, so they have no shares."
REVENUE_IS_ZERO = "Not defined: the net revenue is zero (a division by zero)."
REVENUE_NOT_GIVEN = "Not defined: no net revenue was entered for the period."
NO_SCOPE2_TO_PRICE = "Not defined: there are no Scope 2 market-based emissions to price."
NO_SCOPE3_TO_PRICE = "Not defined: there are no Scope 3 emissions to price."
DENOMINATOR_IS_ZERO = "Not defined: its denominator is zero."
CHANGE_FROM_ZERO = "Change not defined: the comparative value is zero."
CHANGE_OF_UNDEFINED = "Change not defined: the value of the period is not defined."
COMPARATIVE_UNDEFINED = "Not defined in the comparative period."
CHANGE_OF_UNDEFINED_COMPARATIVE = "Change not defined: the comparative value is not defined."
# The figure whose zero leaves each share or intensity undefined.
_WHY_UNDEFINED = {
    "E1-5_04": ENERGY_IS_ZERO,
    "E1-5_09": ENERGY_IS_ZERO,
    "E1-5_15": ENERGY_IS_ZERO,
    "E1-6_25": SCOPE3_IS_ZERO,
    "E1-8_07": NO_SCOPE2_TO_PRICE,
    "E1-8_08": NO_SCOPE3_TO_PRICE,
}
_PER_REVENUE = ("E1-6_30", "E1-6_31", "E1-6_34", "B3_intensity")


def not_defined_reasons(values: dict, net_revenue_eur: float | None) -> dict[str, str]:
    """Figure -> why it has no value, for every figure of `figures()` whose value is None."""
    reasons = {}
    for figure, (value, _low, _high) in values.items():
        if value is not None:
            continue
        if figure in _PER_REVENUE:
            reasons[figure] = REVENUE_NOT_GIVEN if net_revenue_eur is None else REVENUE_IS_ZERO
        else:
            reasons[figure] = _WHY_UNDEFINED.get(figure, DENOMINATOR_IS_ZERO)
    return reasons


def _plus(part: tuple, other: tuple) -> tuple[float, float, float]:
    """Two ranged figures added as independent RANGE_METHOD groups: centrals summed, deviations in quadrature."""
    central = part[0] + other[0]
    below = float(np.hypot(part[0] - part[1], other[0] - other[1]))
    above = float(np.hypot(part[2] - part[0], other[2] - other[0]))
    return central, central - below, central + above


def figures(
    records: pd.DataFrame,
    net_revenue_eur: float | None,
    carbon_price_eur_per_t: float | None,
    variant: str = "esrs_e1",
    upstream_t: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> dict[str, tuple[float | None, float | None, float | None]]:
    """Datapoint id -> (value, low, high) from an estimated records frame that has the per-row
    fossil_kwh / nuclear_kwh / renewable_kwh columns, and Scope 3 category 3 (`upstream_t`, tCO2e with its range:
    apps.footprint.upstream), which Scope 3 and the totals add. These are the formulas the evidence pack states."""
    scope = records["scope"].astype(str).to_numpy(dtype=object)
    own = np.asarray(scope == SCOPE2, dtype=bool).reshape(-1)
    bought = np.asarray(scope == SCOPE3_CAT1, dtype=bool).reshape(-1)
    ranged = _Ranged(records)
    energy, energy_low, energy_high = ranged("energy_kwh", own)
    fossil = _sum(records, "fossil_kwh", own) / 1000
    nuclear = _sum(records, "nuclear_kwh", own) / 1000
    renewable = _sum(records, "renewable_kwh", own) / 1000
    s2_loc = ranged("co2e_location_kg", own)
    s2_mkt = ranged("co2e_market_kg", own)
    s3_cat1 = ranged("co2e_location_kg", bought)
    s3 = _plus(s3_cat1, upstream_t)  # GHG Protocol: category 3 is part of Scope 3
    primary = bought & np.isin(records["data_quality"].astype(str).to_numpy(dtype=object), PRIMARY_DATA_QUALITY)
    s3_primary = _sum(records, "co2e_location_kg", primary) / 1000
    # Totals ranged over Scope 2 and 3 rows together: the groups hold across scopes. Scope 3's market-based
    # figure is its location-based one (the calculator writes both columns equal on those rows).
    total_loc = _plus(ranged("co2e_location_kg", own | bought), upstream_t)
    total_mkt = _plus(ranged("co2e_market_kg", own | bought), upstream_t)

    def per_revenue(t):
        return tuple(x / net_revenue_eur for x in t) if net_revenue_eur else (None, None, None)

    if variant == "vsme_b3":
        return {
            "B3_energy_total_MWh": (energy, energy_low, energy_high),
            "B3_scope2_location_tCO2e": s2_loc,
            "B3_scope2_market_tCO2e": s2_mkt,
            "B3_scope3_tCO2e": s3,
            # VSME B3: the intensity divides the Scope 1 and 2 emissions of §30 by turnover, without Scope 3
            # (Recommendation (EU) 2025/1710, Annex, B3). Scope 1 of AI usage is nil here.
            "B3_intensity": per_revenue(s2_loc),
        }
    out = {
        "E1-5_01": (energy, energy_low, energy_high),
        "E1-5_02": (fossil, None, None),
        "E1-5_03": (nuclear, None, None),
        "E1-5_04": (_pct(nuclear, energy), None, None),
        "E1-5_05": (renewable, None, None),
        "E1-5_07": (renewable, None, None),
        "E1-5_09": (_pct(renewable, energy), None, None),
        "E1-5_15": (_pct(fossil, energy), None, None),
        "E1-6_09": s2_loc,
        "E1-6_10": s2_mkt,
        "E1-6_11": s3,
        "E1-6_11/cat1": s3_cat1,
        "E1-6_11/cloud": s3_cat1,
        "E1-6_11/cat3": tuple(upstream_t),
        "E1-6_12": total_loc,
        "E1-6_13": total_mkt,
        "E1-6_25": (_pct(s3_primary, s3[0]), None, None),
        "E1-6_30": per_revenue(total_loc),
        "E1-6_31": per_revenue(total_mkt),
        "E1-6_34": (net_revenue_eur, None, None),
    }
    everything = own | bought
    if "water_l" in records.columns:
        # ranged() divides by 1,000: litres -> m3, MJ -> GJ; ADPe stays in kg.
        out["E3-4_AI_water"] = ranged("water_l", everything)
        out["E5-4_AI_adpe"] = tuple(x * 1000 for x in ranged("adpe_kgsbeq", everything))
        out["E5-4_AI_pe"] = ranged("pe_mj", everything)
    if carbon_price_eur_per_t is not None:
        out["E1-8_04"] = (carbon_price_eur_per_t, None, None)
        # The whole AI footprint is priced: every Scope 2 and Scope 3 tonne of it (None without such emissions).
        out["E1-8_07"] = (_pct(s2_mkt[0], s2_mkt[0]), None, None)
        out["E1-8_08"] = (_pct(s3[0], s3[0]), None, None)
    return out


def range_drivers(records: pd.DataFrame, limit: int = 10) -> list[dict]:
    """What makes the Scope 3 range as wide as it is: per RANGE_METHOD group, its central tCO2e, its summed
    deviations below and above, and its share of the period's variance above (largest first)."""
    bought = np.asarray(records["scope"].astype(str).to_numpy(dtype=object) == SCOPE3_CAT1, dtype=bool)
    if not bought.any():
        return []
    groups = _Ranged(records).groups[bought]
    frame = pd.DataFrame(
        {
            "group": groups,
            "central": np.nan_to_num(records["co2e_location_kg"].to_numpy(dtype=np.float64)[bought]),
            "low": np.nan_to_num(records["co2e_location_kg_low"].to_numpy(dtype=np.float64)[bought]),
            "high": np.nan_to_num(records["co2e_location_kg_high"].to_numpy(dtype=np.float64)[bought]),
        }
    )
    per = frame.groupby("group").sum()
    below, above = per["central"] - per["low"], per["high"] - per["central"]
    variance = float((above**2).sum())
    rows = [
        {
            "group": str(group).replace("|", " · "),
            "co2e_t": float(per.at[group, "central"]) / 1000,
            "below_t": float(below[group]) / 1000,
            "above_t": float(above[group]) / 1000,
            "share_of_variance_above": float(above[group] ** 2 / variance) if variance else None,
        }
        for group in per.index
    ]
    rows.sort(key=lambda r: (-r["above_t"], r["group"]))
    return rows[:limit]


def breakdowns(records: pd.DataFrame) -> dict[str, list[dict]]:
    """Energy and CO2e by month, source, provider, model family, team and scope (largest first, months in
    order)."""
    frame = records.assign(
        month=pd.to_datetime(records["day"]).dt.strftime("%Y-%m"),
        # Dated versions, deployment names and prefixed spellings under their family, as on every page.
        model=map_distinct(records["model"].astype(str), model_family, "str"),
        team=records["team"].replace("", NO_TEAM),
        records=records.get("records", 1),  # rollup rows count the records they sum
    )
    out = {}
    for name, column in BREAKDOWNS.items():
        grouped = (
            frame.groupby(column, observed=True)
            .agg(
                energy_kwh=("energy_kwh", "sum"),
                co2e_location_kg=("co2e_location_kg", "sum"),
                co2e_market_kg=("co2e_market_kg", "sum"),
                records=("records", "sum"),
                requests=("requests", "sum"),
            )
            .reset_index()
            .rename(columns={column: "key"})
        )
        grouped = grouped.sort_values(
            "key" if name == "by_month" else "co2e_location_kg", ascending=name == "by_month", kind="stable"
        )
        out[name] = [
            {
                "key": str(r.key),
                "energy_kwh": float(r.energy_kwh),
                "co2e_location_kg": float(r.co2e_location_kg),
                "co2e_market_kg": float(r.co2e_market_kg),
                "records": int(r.records),
                "requests": int(r.requests),
            }
            for r in grouped.itertuples(index=False)
        ]
    return out


BY_RUN = ["run_id", "scope", "data_quality"]


def records_by_run(records) -> pd.DataFrame | None:
    """Records, energy kWh and location-based kg CO2e by run, scope and data quality (the PDF annex's table).

    `records` is a frame or an iterable of frames (summed a chunk at a time), of records or of rollup rows (which
    count the records they sum in `records`); None, or frames without those columns, give None."""
    if records is None:
        return None
    parts = []
    for chunk in [records] if isinstance(records, pd.DataFrame) else records:
        if not {*BY_RUN, "energy_kwh", "co2e_location_kg"} <= set(chunk.columns):
            return None
        counted = chunk.assign(_n=chunk["records"] if "records" in chunk.columns else 1)
        parts.append(
            counted.groupby(BY_RUN, sort=True, dropna=False).agg(
                n=("_n", "sum"), kwh=("energy_kwh", "sum"), co2=("co2e_location_kg", "sum")
            )
        )
    if not parts or not sum(len(p) for p in parts):
        return None
    return pd.concat(parts).groupby(level=[0, 1, 2], sort=True, dropna=False).sum()


def coverage(records: pd.DataFrame) -> list[dict]:
    """First and last day and record count per source: what the figures are made of."""
    if records.empty:
        return []
    days = pd.to_datetime(records["day"])
    counts = records.get("records", 1)  # rollup rows count the records they sum
    grouped = records.assign(_day=days, _n=counts).groupby("source", observed=True)
    spans = grouped["_day"].agg(["min", "max"]).join(grouped["_n"].sum())
    return [
        {
            "source_key": str(key),
            "first_day": f"{row['min']:%Y-%m-%d}",
            "last_day": f"{row['max']:%Y-%m-%d}",
            "records": int(row["_n"]),
        }
        for key, row in spans.iterrows()
    ]


def unverified_factors(records: pd.DataFrame) -> dict:
    """The records whose figures use a factor still marked to_verify (today: residual-mix rows), and where:
    {"records": n, "what": "residual mix of DEU, FRA"}. Sign-off refuses them without an explicit exception."""
    if records.empty or "warning" not in records.columns:
        return {"records": 0, "what": ""}
    mask = records["warning"].astype(str).str.contains(MESSAGES[RowWarning.RESIDUAL_MIX_UNVERIFIED], regex=False)
    counts = records.get("records", pd.Series(1, index=records.index))  # rollup rows count their records
    zones = sorted({str(z) for z in records.loc[mask, "grid_zone"]}) if "grid_zone" in records.columns else []
    return {"records": int(counts[mask].sum()), "what": f"residual mix of {', '.join(zones)}" if zones else ""}


def catalogue_name(variant: str, standard: str = SET1) -> str:
    """The catalogue a period reports under: VSME for the VSME variant, else its ESRS version."""
    return VSME if variant == "vsme_b3" else standard


def datapoints(
    values: dict, comparative: dict | None, variant: str, standard: str = SET1, reasons: dict | None = None
) -> list[dict]:
    """The ordered datapoint list of a snapshot, with comparative values and % change. Each carries `figure`,
    the key of `values` it shows (the catalogue's), so a reader matches on dp.get("figure") or dp["id"];
    `comparative` is keyed by figure too, so a year under Set 1 compares with one under the revised ESRS.
    `not_defined` maps each field left None by a division by zero ("value", "change_pct") to why: `reasons`
    (from not_defined_reasons) for the value, the comparative's zero or the undefined value for the change."""
    out, reasons = [], reasons or {}
    for dp in catalogues.load(catalogue_name(variant, standard))["datapoints"]:
        dp_id, figure = dp["id"], dp["figure"]
        if figure not in values:
            continue
        value, low, high = values[figure]
        previous = (comparative or {}).get(figure)
        change = 100.0 * (value - previous) / previous if previous and value is not None else None
        why = {"value": reasons.get(figure, DENOMINATOR_IS_ZERO)} if value is None else {}
        if previous is None and figure in (comparative or {}):  # the comparative period has the figure, undefined
            why["comparative"] = COMPARATIVE_UNDEFINED
            why["change_pct"] = CHANGE_OF_UNDEFINED_COMPARATIVE
        elif change is None and previous is not None:  # no comparative at all: nothing to compare, not undefined
            why["change_pct"] = CHANGE_OF_UNDEFINED if value is None else CHANGE_FROM_ZERO
        out.append(
            {
                "id": dp_id,
                "figure": figure,
                "section": dp["section"],
                "label": dp["label"],
                "unit": dp["unit"],
                "value": value,
                "low": low,
                "high": high,
                "comparative": previous,
                "change_pct": change,
                "xbrl_concept": dp["concept"],
                "xbrl_dimension": dict(dp["dimension"]) if dp.get("dimension") else None,
                "esrs_ref": dp["ref"],
                "not_defined": why,
            }
        )
    return out


def standard_assumptions(variant: str, standard: str) -> list[str]:
    """What reporting under the revised ESRS adds to the assumptions: its boundary, as its catalogue states it."""
    if catalogue_name(variant, standard) != REVISED:
        return []
    return [
        catalogues.load(REVISED)["boundary"] + " Assumed here: the self-hosted compute is under the company's "
        "financial control (own operations, Scope 2) and AI services bought are not (Scope 3 category 1)."
    ]


def not_carried(values: dict, variant: str, standard: str) -> list[dict]:
    """The Set 1 figures a revised-standard period computes but does not disclose, each with why (the
    catalogue's reason): listed beside the disclosure so a reader sees what the revision dropped."""
    if catalogue_name(variant, standard) != REVISED:
        return []
    why = catalogues.not_carried(REVISED)
    return [
        {
            "figure": dp["id"],
            "label": dp["label"],
            "unit": dp["unit"],
            "value": values[dp["id"]][0],
            "why": why[dp["id"]],
        }
        for dp in catalogues.load(SET1)["datapoints"]
        if dp["id"] in why and dp["id"] in values
    ]


def standard_changes(snapshot: dict) -> list[dict]:
    """What changes between ESRS Set 1 and the revised ESRS for this snapshot's figures: per Set 1 datapoint, its
    value, the revised datapoint that shows it (or None, with why it is not carried). Empty for VSME."""
    if snapshot.get("variant") == "vsme_b3":
        return []
    values = {dp.get("figure") or dp["id"]: dp["value"] for dp in snapshot.get("datapoints") or []}
    values |= {row["figure"]: row["value"] for row in snapshot.get("not_carried") or []}
    return [
        {
            "figure": row["figure"],
            "label": (row["before"] or row["after"])["label"],
            "unit": (row["before"] or row["after"])["unit"],
            "value": values[row["figure"]],
            "set1": row["before"],
            "revised": row["after"],
            "why": row["why"],
        }
        for row in catalogues.changes(SET1, REVISED)
        if row["figure"] in values
    ]


def snapshot_sha256(snapshot: dict[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces): the figure an auditor checks."""
    return hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()


def canonical_json(snapshot: dict[str, Any]) -> str:
    """The one canonical JSON form (sorted keys, no spaces, UTF-8 text, no NaN): the evidence pack ships it,
    encoded, as snapshot.json, so `sha256sum snapshot.json` prints the snapshot hash."""
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
