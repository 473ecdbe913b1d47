"""The ledger's figures against the per-prompt figures vendors published (factor-set table
`published_measurements`): for each published case, the ledger's estimate of a comparable case beside the
vendor's figure, their ratio and the boundary difference in words. The factor-set page and the PDF
methodology show it. No Django.

The comparable case is one request of the row's output tokens to the row's model, no input tokens, at the
provider's data-centre zone (`calculator.estimate_request`): the EcoLogits method, location-based CO2e on the
life-cycle grid boundary, water on site and off site. Published figures are not adjusted to our boundary:
the table states both and leaves the gap visible."""

from __future__ import annotations

from typing import Any

from .calculator import estimate_request
from .factor_set import FactorSet
from .factor_table import FactorLookupError

TABLE = "published_measurements"

# The published figures (table column = key of `ledger_case`) and their unit. CO2e is compared with the usage
# share plus the embodied share: the published life-cycle figures include the hardware.
FIGURES = (("energy_wh", "Wh"), ("co2e_g", "gCO2e"), ("water_ml", "mL"), ("adpe_mgsbeq", "mgSbeq"))


def ledger_case(fs: FactorSet, provider: str, model: str, output_tokens: int) -> dict[str, Any]:
    """The ledger's figures for one request of `output_tokens` to `model` (no input), in the published units:
    energy_wh (with _low/_high), co2e_g (location-based usage + embodied), co2e_usage_g, co2e_embodied_g,
    water_ml, adpe_mgsbeq, and the case's zone, grid factor, its year and boundary, the entry used."""
    r = estimate_request(provider, model, int(output_tokens), factor_set=fs)
    usage_g, embodied_g = r["co2e_kg"] * 1000, r["co2e_embodied_kg"] * 1000
    return {
        "energy_wh": r["energy_kwh"] * 1000,
        "energy_wh_low": r["energy_kwh_low"] * 1000,
        "energy_wh_high": r["energy_kwh_high"] * 1000,
        "co2e_g": usage_g + embodied_g,
        "co2e_usage_g": usage_g,
        "co2e_embodied_g": embodied_g,
        "water_ml": r["water_l"] * 1000,
        "adpe_mgsbeq": r["adpe_kgsbeq"] * 1e6,
        "zone": r["zone"],
        "grid_gco2e_per_kwh": r["grid_gco2e_per_kwh"],
        "grid_year": r["grid_year"],
        "grid_boundary": r["grid_boundary"],
        "model_resolved": r["model_resolved"],
    }


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    """ours / theirs, None when either is missing or the published figure is 0."""
    if ours is None or theirs is None or not theirs:
        return None
    return float(ours) / float(theirs)


def boundary_note(row: dict, case: dict) -> str:
    """The two boundaries in one sentence: the vendor's, then the ledger's for the case."""
    grid = f"{case['grid_gco2e_per_kwh']:.0f} gCO2e/kWh ({case['zone']}"
    grid += f" {case['grid_year']}" if case.get("grid_year") else ""
    grid += f", {case['grid_boundary'].replace('_', '-')} boundary)"
    co2e = f"; the vendor's CO2e is {row['co2e_basis']}" if row.get("co2e_basis") else ""
    return (
        f"Published: {row['boundary']}{co2e}. Ledger: EcoLogits method for {case['model_resolved']}, "
        f"{int(row['output_tokens'])} output tokens and no input, at the provider's PUE; location-based CO2e at "
        f"{grid} plus the hardware's embodied share; water on site (provider WUE) and off site (electricity "
        f"generation). Case: {row['case_basis']}"
    )


def comparison(fs: FactorSet) -> list[dict[str, Any]]:
    """One entry per published case: the row as published, `ledger` (the comparable case's figures, or None
    when this set cannot estimate it, with `error` saying why), `figures` ([{figure, unit, published,
    ledger, ratio}] for every figure the vendor published) and `boundary_note`. Empty for a set stored
    before the table."""
    table = fs.tables.get(TABLE)
    if table is None:
        return []
    out = []
    for row in table.records():
        entry: dict[str, Any] = {**row, "ledger": None, "error": "", "figures": [], "boundary_note": ""}
        try:
            case = ledger_case(fs, row["provider"], row["model"], row["output_tokens"])
        except (FactorLookupError, ValueError) as exc:
            entry["error"] = str(exc)
            out.append(entry)
            continue
        entry["ledger"] = case
        entry["boundary_note"] = boundary_note(row, case)
        for column, unit in FIGURES:
            published = row.get(column)
            if published is None:
                continue
            entry["figures"].append(
                {
                    "figure": column,
                    "unit": unit,
                    "published": float(published),
                    "ledger": case[column],
                    "ratio": _ratio(case[column], published),
                }
            )
        out.append(entry)
    return out


def snapshot_rows(fs: FactorSet) -> list[dict[str, Any]]:
    """`comparison` as a disclosure snapshot keeps it (the PDF methodology prints it): the case, each figure
    published and the ledger's with their ratio, the boundary note, or the reason the set could not estimate
    the case."""
    keep = ("case", "publisher", "published", "subject", "model", "output_tokens", "case_status", "boundary_note")
    return [{**{k: e.get(k) for k in keep}, "figures": e["figures"], "error": e["error"]} for e in comparison(fs)]
