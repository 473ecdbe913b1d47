"""A realistic sample disclosure snapshot, its usage-records frame and factor tables, for the export tests.

The records are generated deterministically (fixed seed); the datapoints are then computed from them with plain
Python loops (not pandas), so that the evidence-pack test, which recomputes them from records.csv with pandas,
checks the pack against an independent computation. Their labels, units, concepts and references are the
production catalogue's (apps.disclosures.e1), not a copy that could drift. The sample also carries hostile text (HTML, script,
spreadsheet formulas) in names, comments and notes, to exercise the renderers' escaping.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import date

import numpy as np
import pandas as pd

from apps.core.labels import NO_TEAM
from apps.disclosures.e1 import DIMENSIONS, E1_DATAPOINTS, VSME_DATAPOINTS

HOSTILE_TEAM = "<b>R&D</b> <script>alert(1)</script>"
HOSTILE_PERSON = '=HYPERLINK("http://evil.example","click")'
HOSTILE_PROJECT = "+cmd|' /C calc'!A0"
HOSTILE_ASSUMPTION = "=SUM(A1:A9) <i>not markup</i> & friends"

SNAPSHOT_SHA256 = "0" * 64  # replaced by the real hash in tests that need it

# (source, provider, model, usage_kind, self_hosted, zone, team, scope, data_quality, kWh per row (mean))
_STREAMS = [
    (
        "litellm_spend_logs",
        "openai",
        "gpt-4o",
        "tokens",
        False,
        "US-VA",
        "Engineering",
        "scope3_cat1",
        "activity_based",
        38.0,
    ),
    (
        "litellm_spend_logs",
        "anthropic",
        "claude-sonnet-4",
        "tokens",
        False,
        "US-OR",
        "Data Science",
        "scope3_cat1",
        "activity_based",
        25.0,
    ),
    (
        "openai_usage",
        "openai",
        "gpt-4o-mini",
        "tokens",
        False,
        "US-VA",
        "Customer Care",
        "scope3_cat1",
        "activity_based",
        6.5,
    ),
    (
        "mistral_usage",
        "mistral",
        "mistral-large-2",
        "tokens",
        False,
        "FR",
        "Marketing",
        "scope3_cat1",
        "activity_based",
        4.2,
    ),
    ("m365_copilot", "microsoft", "m365-copilot", "seats", False, "IE", "", "scope3_cat1", "spend_based", 12.0),
    (
        "github_copilot",
        "github",
        "copilot-business",
        "seats",
        False,
        "US-VA",
        HOSTILE_TEAM,
        "scope3_cat1",
        "spend_based",
        3.1,
    ),
    ("aws_cur", "aws", "p4d.24xlarge", "gpu_hours", False, "IE", "Data Science", "scope3_cat1", "measured", 55.0),
    ("codecarbon", "self-hosted", "llama-3.1-70b", "job", True, "FR", "Data Science", "scope2", "measured", 140.0),
    ("codecarbon", "self-hosted", "mistral-7b", "job", True, "DE", "Engineering", "scope2", "measured", 60.0),
]

# Location-based grid factors (gCO2e/kWh) and, for own-operations zones, the fossil share of non-renewable supply.
GRID = {"US-VA": 340.0, "US-OR": 280.0, "FR": 56.0, "IE": 290.0, "DE": 381.0}
FOSSIL_SHARE = {"FR": 0.11, "DE": 0.78}  # of the non-instrument-covered electricity; the rest is nuclear
RESIDUAL_MIX = {"FR": 78.0, "DE": 610.0}  # gCO2e/kWh for market-based, on what instruments do not cover
GO_COVERED_SHARE = {"FR": 0.6, "DE": 0.0}  # share of own FR consumption covered by guarantees of origin
RANGE = {"measured": 0.05, "activity_based": 0.4, "spend_based": 0.6}
NET_REVENUE_EUR = 182_500_000.0
CARBON_PRICE = 85.0


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def build_records() -> pd.DataFrame:
    """The period's usage records: 12 months x 9 streams x 2 days, with every column the renderers expect."""
    rng = np.random.default_rng(20250101)
    rows = []
    record_id = 1000
    run_ids = {src: 10 + i for i, src in enumerate(dict.fromkeys(s[0] for s in _STREAMS))}
    for month in range(1, 13):
        for day_of_month in (3, 17):
            for source, provider, model, kind, self_hosted, zone, team, scope, quality, mean_kwh in _STREAMS:
                record_id += 1
                energy = round(float(25 * mean_kwh * rng.uniform(0.6, 1.4)), 6)  # a row is ~2 weeks of use
                spread = RANGE[quality]
                grid = GRID[zone]
                requests = int(rng.integers(500, 20000)) if kind == "tokens" else 0
                loc = energy * grid / 1000.0
                covered = renewable = fossil = nuclear = 0.0
                market = loc
                if scope == "scope2":
                    covered = renewable = energy * GO_COVERED_SHARE[zone]
                    rest = energy - covered
                    fossil = rest * FOSSIL_SHARE[zone]
                    nuclear = rest - fossil
                    market = rest * RESIDUAL_MIX[zone] / 1000.0
                rows.append(
                    {
                        "id": record_id,
                        "day": date(2025, month, day_of_month),
                        "source": source,
                        "provider": provider,
                        "model": model,
                        "usage_kind": kind,
                        "self_hosted": self_hosted,
                        "person_ref": HOSTILE_PERSON
                        if (source == "github_copilot" and month == 3)
                        else f"p-{record_id % 7}",
                        "team": team,
                        "project": HOSTILE_PROJECT if source == "mistral_usage" else "assistant",
                        "api_key": f"key-{provider}-1" if kind == "tokens" else "",
                        "zone": zone,
                        "requests": requests,
                        "input_tokens": requests * 900,
                        "cached_input_tokens": requests * 100,
                        "output_tokens": requests * 350,
                        "active_user_days": int(rng.integers(50, 400)) if kind == "seats" else 0,
                        "measured_energy_kwh": energy if quality == "measured" else None,
                        "cost": round(float(energy * rng.uniform(8, 20)), 2),
                        "currency": "EUR",
                        "energy_kwh": energy,
                        "energy_kwh_low": energy * (1 - spread),
                        "energy_kwh_high": energy * (1 + spread),
                        "co2e_location_kg": loc,
                        "co2e_location_kg_low": loc * (1 - spread),
                        "co2e_location_kg_high": loc * (1 + spread),
                        "co2e_market_kg": market,
                        "co2e_market_kg_low": market * (1 - spread),
                        "co2e_market_kg_high": market * (1 + spread),
                        "co2e_embodied_kg": energy * 0.012,
                        "instrument_covered_kwh": covered,
                        "fossil_kwh": fossil,
                        "nuclear_kwh": nuclear,
                        "renewable_kwh": renewable,
                        "grid_zone": zone,
                        "grid_gco2e_per_kwh": grid,
                        "scope": scope,
                        "data_quality": quality,
                        "method_version": "ledger-calc 1 / ecologits 0.11.3",
                        "factor_set_sha256": _sha("ledger-default@2026.1"),
                        "run_id": run_ids[source],
                        "source_sha256": _sha(f"file-{source}"),
                    }
                )
    return pd.DataFrame(rows)


def _sum(rows, column, scope=None, qualities=None):
    total = 0.0
    for row in rows:
        if scope is not None and row["scope"] != scope:
            continue
        if qualities is not None and row["data_quality"] not in qualities:
            continue
        total += row[column]
    return total


def _ranged(rows, column, scopes):
    """(value, low, high) in t or MWh by the stated range method, with plain loops: deviations summed per group
    (tokens by provider and model, spend-based rows together, other kinds by kind), groups in quadrature."""
    central, below, above = 0.0, {}, {}
    for row in rows:
        if row["scope"] not in scopes:
            continue
        if row["data_quality"] == "spend_based":
            group = "spend_based"
        elif row["usage_kind"] == "tokens":
            group = (row["usage_kind"], row["provider"], row["model"])
        else:
            group = row["usage_kind"]
        central += row[column]
        below[group] = below.get(group, 0.0) + row[column] - row[f"{column}_low"]
        above[group] = above.get(group, 0.0) + row[f"{column}_high"] - row[column]
    low = central - sum(d * d for d in below.values()) ** 0.5
    high = central + sum(d * d for d in above.values()) ** 0.5
    return [central / 1000, low / 1000, high / 1000]


def _datapoint(dp_id, value, low=None, high=None, comparative_factor=0.82):
    section, label, unit, concept, ref = E1_DATAPOINTS[dp_id]  # the production catalogue, not a copy
    comparative = None if value is None else value * comparative_factor
    change = None if not comparative else (value - comparative) / comparative * 100.0
    return {
        "id": dp_id,
        "figure": dp_id,
        "section": section,
        "label": label,
        "unit": unit,
        "value": value,
        "low": low,
        "high": high,
        "comparative": comparative,
        "change_pct": change,
        "xbrl_concept": concept,
        "xbrl_dimension": _dimension(dp_id),
        "esrs_ref": ref,
    }


def _dimension(dp_id):
    axis_member = DIMENSIONS.get(dp_id)
    return {"axis": axis_member[0], "member": axis_member[1]} if axis_member else None


def compute_datapoints(records: pd.DataFrame, net_revenue=NET_REVENUE_EUR, price=CARBON_PRICE) -> list[dict]:
    """The E1 datapoints from the records, by plain loops over the rows (the formulas of the brief)."""
    rows = records.to_dict("records")
    energy, energy_low, energy_high = _ranged(rows, "energy_kwh", {"scope2"})
    fossil = _sum(rows, "fossil_kwh", "scope2") / 1000
    nuclear = _sum(rows, "nuclear_kwh", "scope2") / 1000
    renewable = _sum(rows, "instrument_covered_kwh", "scope2") / 1000
    s2l = _ranged(rows, "co2e_location_kg", {"scope2"})
    s2m = _ranged(rows, "co2e_market_kg", {"scope2"})
    s3 = _ranged(rows, "co2e_location_kg", {"scope3_cat1"})
    # Primary data: Scope 3 energy measured on the hardware that served it (here the rented GPUs).
    primary = _sum(rows, "co2e_location_kg", "scope3_cat1", ("measured", "measured_it")) / 1000
    total_l = _ranged(rows, "co2e_location_kg", {"scope2", "scope3_cat1"})
    # Scope 3's market-based columns equal its location-based ones (checked where the records are built).
    total_m = _ranged(rows, "co2e_market_kg", {"scope2", "scope3_cat1"})
    dps = [
        _datapoint("E1-5_01", energy, energy_low, energy_high),
        _datapoint("E1-5_02", fossil),
        _datapoint("E1-5_03", nuclear),
        _datapoint("E1-5_04", 100 * nuclear / energy),
        _datapoint("E1-5_05", renewable),
        _datapoint("E1-5_07", renewable),
        _datapoint("E1-5_09", 100 * renewable / energy),
        _datapoint("E1-5_15", 100 * fossil / energy),
        _datapoint("E1-6_09", *s2l),
        _datapoint("E1-6_10", *s2m),
        _datapoint("E1-6_11", *s3),
        _datapoint("E1-6_11/cat1", *s3),
        _datapoint("E1-6_11/cloud", *s3),
        _datapoint("E1-6_12", *total_l),
        _datapoint("E1-6_13", *total_m),
        _datapoint("E1-6_25", 100 * primary / s3[0], comparative_factor=0.9),
        _datapoint("E1-6_30", *[x / net_revenue for x in total_l]),
        _datapoint("E1-6_31", *[x / net_revenue for x in total_m]),
        _datapoint("E1-6_34", net_revenue, comparative_factor=0.93),
    ]
    if price is not None:
        # All of the AI Scope 2 and Scope 3 is priced: 100 % of each (both are non-zero in the sample).
        dps += [
            _datapoint("E1-8_04", price, comparative_factor=1.0),
            _datapoint("E1-8_07", 100.0, comparative_factor=1.0),
            _datapoint("E1-8_08", 100.0, comparative_factor=1.0),
        ]
    return dps


def _breakdown(records: pd.DataFrame, column: str) -> list[dict]:
    frame = records.assign(_key=records[column].astype(str))
    out = []
    for key, group in sorted(frame.groupby("_key"), key=lambda kv: kv[0]):
        out.append(
            {
                "key": key or NO_TEAM,
                "energy_kwh": float(group["energy_kwh"].sum()),
                "co2e_location_kg": float(group["co2e_location_kg"].sum()),
                "co2e_market_kg": float(group["co2e_market_kg"].sum()),
                "records": len(group),
                "requests": int(group["requests"].sum()),
            }
        )
    return out


def build_snapshot(records: pd.DataFrame | None = None, *, status: str = "signed_off", lei: str = "") -> dict:
    """A snapshot shaped exactly like the lead's e1.py output, for the sample organisation and year 2025."""
    records = build_records() if records is None else records
    months = records.assign(month=records["day"].map(lambda d: d.strftime("%Y-%m")))
    runs = []
    for source, group in records.groupby("source", sort=True):
        run_id = int(group["run_id"].iloc[0])
        runs.append(
            {
                "id": run_id,
                "source_key": source,
                "filename": f"{source}-2025.csv",
                "sha256": group["source_sha256"].iloc[0],
                "rows_read": len(group) + 3,
                "records": len(group),
                "uploaded_by": "officer@demo.example",
                "uploaded_at": "2026-01-10T09:15:00+00:00",
            }
        )
    coverage = [
        {"source_key": src, "first_day": str(g["day"].min()), "last_day": str(g["day"].max()), "records": len(g)}
        for src, g in records.groupby("source", sort=True)
    ]
    signed = status == "signed_off"
    return {
        "schema": 1,
        "organisation": {"slug": "demo", "name": "Demo Industries SA", "lei": lei},
        "period": {
            "id": 3,
            "start": "2025-01-01",
            "end": "2025-12-31",
            "version": 1,
            "status": status,
            "signed_off_by": "officer@demo.example" if signed else None,
            "signed_off_at": "2026-02-14T16:30:00+00:00" if signed else None,
            "comment": "-2+3 reviewed with <b>finance</b>; =cmd",
            "restatement_of": None,
            "restatement_reason": "",
        },
        "variant": "esrs_e1",
        "currency": "EUR",
        "datapoints": compute_datapoints(records),
        "breakdowns": {
            "by_month": _breakdown(months, "month"),
            "by_source": _breakdown(records, "source"),
            "by_provider": _breakdown(records, "provider"),
            "by_model": _breakdown(records, "model"),
            "by_team": _breakdown(records, "team"),
            "by_scope": _breakdown(records, "scope"),
        },
        "runs": runs,
        "factor_sets": [
            {
                "label": "ledger-default@2026.1",
                "sha256": _sha("ledger-default@2026.1"),
                "method_version": "ledger-calc 1 / ecologits 0.11.3",
                "provenance": [
                    {
                        "table": "grid",
                        "source": "Ember yearly electricity data; EEA for EU zones",
                        "vintage": "2024",
                        "licence": "CC-BY-4.0",
                        "rows": 5,
                    },
                    {
                        "table": "residual_mix",
                        "source": "AIB European Residual Mixes",
                        "vintage": "2024",
                        "licence": "AIB terms of use (attribution)",
                        "rows": 2,
                    },
                    {
                        "table": "models",
                        "source": "EcoLogits model repository",
                        "vintage": "0.11.3",
                        "licence": "MPL-2.0 (ecologits)",
                        "rows": 7,
                    },
                    {
                        "table": "pue",
                        "source": "Provider sustainability reports",
                        "vintage": "2024",
                        "licence": "facts",
                        "rows": 4,
                    },
                ],
            }
        ],
        "methodology": {
            "method_version": "ledger-calc 1 / ecologits 0.11.3",
            "notes": (
                "Token usage is converted to energy with the EcoLogits methodology (GPU energy x server "
                "overhead x data-centre PUE), with a low/high range where model parameters are unknown.\n\n"
                "Seat tools without token data are estimated from active user-days (activity-based), with a "
                "spend-based fallback flagged as lower data quality.\n\n"
                "Self-hosted jobs use the energy CodeCarbon measured; they are own operations (E1-5, Scope 2). "
                "Purchased AI services are Scope 3 category 1 and shown as the AR 51 cloud subset."
            ),
            "assumptions": [
                "All purchased AI services are cloud computing and data centre services (AR 51).",
                "Guarantees of origin cover 60 % of the FR self-hosted cluster's electricity.",
                HOSTILE_ASSUMPTION,
            ],
            "exclusions": [
                "Model training by providers (not in the customer's inventory).",
                "Embodied emissions of purchased GPUs (Scope 3 category 2) are reported separately.",
            ],
            "coverage": coverage,
        },
        "inputs": {
            "net_revenue_eur": NET_REVENUE_EUR,
            "internal_carbon_price_eur_per_t": CARBON_PRICE,
            "instruments": [
                {
                    "kind": "GO",
                    "mwh": float(
                        records.loc[
                            records["zone"].eq("FR") & records["scope"].eq("scope2"), "instrument_covered_kwh"
                        ].sum()
                        / 1000
                    ),
                    "zone": "FR",
                    "period_start": "2025-01-01",
                    "period_end": "2025-12-31",
                    "gco2e_per_kwh": 0.0,
                    "energy_source": "renewable",
                }
            ],
        },
        "code_version": "3f2a9c1d0e7b",
        "generated_at": "2026-02-14T16:30:00+00:00" if signed else "2026-03-01T08:00:00+00:00",
    }


def build_factor_tables() -> dict[str, pd.DataFrame]:
    """The factor tables used, as the evidence pack ships them."""
    return {
        "grid": pd.DataFrame(
            [{"zone": z, "year": 2024, "gco2e_per_kwh": v, "source": "Ember / EEA"} for z, v in sorted(GRID.items())]
        ),
        "residual_mix": pd.DataFrame(
            [{"zone": z, "year": 2024, "gco2e_per_kwh": v, "source": "AIB"} for z, v in sorted(RESIDUAL_MIX.items())]
        ),
        "pue": pd.DataFrame(
            [
                {"provider": "openai", "pue": 1.2},
                {"provider": "anthropic", "pue": 1.14},
                {"provider": "mistral", "pue": 1.16},
                {"provider": "self-hosted", "pue": 1.4},
            ]
        ),
    }


def sample() -> tuple[dict, pd.DataFrame]:
    """(snapshot, records) for the sample organisation; a fresh deep copy each call."""
    records = build_records()
    snapshot = build_snapshot(records)
    return copy.deepcopy(snapshot), records


# Which E1 sum each VSME B3 datapoint reports (the values check); labels and references come from production.
VSME_FROM_E1 = {
    "B3_energy_total_MWh": "E1-5_01",
    "B3_scope2_location_tCO2e": "E1-6_09",
    "B3_scope2_market_tCO2e": "E1-6_10",
    "B3_scope3_tCO2e": "E1-6_11",
    "B3_intensity": "E1-6_09",  # divided by net revenue below: VSME B3 is Scope 1 + 2 per turnover, no Scope 3
}


def vsme_sample() -> tuple[dict, pd.DataFrame]:
    """The same organisation reporting under the VSME B3 variant (same sums, VSME datapoint ids, no concepts)."""
    snapshot, records = sample()
    by_id = {d["id"]: d for d in snapshot["datapoints"]}
    snapshot["variant"] = "vsme_b3"
    snapshot["datapoints"] = [
        dict(by_id[e1_id], id=b3_id, section=section, label=label, unit=unit, esrs_ref=ref, xbrl_concept=concept)
        for b3_id, e1_id in VSME_FROM_E1.items()
        for section, label, unit, concept, ref in [VSME_DATAPOINTS[b3_id]]
    ]
    for dp in snapshot["datapoints"]:
        dp["figure"] = dp["id"]  # VSME figures are keyed by their own ids
    intensity = snapshot["datapoints"][-1]
    for key in ("value", "low", "high", "comparative"):
        intensity[key] = intensity[key] / NET_REVENUE_EUR
    return snapshot, records
