"""Evidence pack: recompute every disclosed figure from the zip alone (pandas, no app code), check the hashes."""

import copy
import hashlib
import io
import json
import zipfile

import pandas as pd
import pytest

from apps.disclosures.exports.evidence import render_evidence_pack

from .sample_snapshot import build_factor_tables, sample, vsme_sample

REL = 1e-9


def _plus(part: dict, other: dict) -> dict[str, float]:
    """Two ranged figures as independent groups (the README's range method): centrals summed, deviations in
    quadrature."""
    central = part["value"] + other["value"]
    below = ((part["value"] - part["low"]) ** 2 + (other["value"] - other["low"]) ** 2) ** 0.5
    above = ((part["high"] - part["value"]) ** 2 + (other["high"] - other["value"]) ** 2) ** 0.5
    return {"value": central, "low": central - below, "high": central + above}


def category3(s2: pd.DataFrame, upstream: dict | None) -> dict[str, float]:
    """Scope 3 category 3 in tCO2e: Scope 2's kWh per grid zone and year of use, summed here from records.csv, times
    each zone's upstream gCO2e/kWh as the snapshot's rows state it (the factors themselves: tests/footprint)."""
    rows = (upstream or {}).get("rows") or []
    if not rows or s2.empty:
        return {"value": 0.0, "low": 0.0, "high": 0.0}
    year = pd.to_datetime(s2["day"]).dt.year
    sums = s2.assign(year=year).groupby(["grid_zone", "year"])[["energy_kwh", "energy_kwh_low", "energy_kwh_high"]]
    sums = sums.sum()
    kg = {"value": 0.0, "low": 0.0, "high": 0.0}
    for row in rows:
        kwh = sums.loc[(row["grid_zone"], row["year"])]
        assert kwh["energy_kwh"] == pytest.approx(row["energy_kwh"], rel=REL)
        per_kwh = row["upstream_gco2e_per_kwh"] / 1000
        for key, column in (("value", "energy_kwh"), ("low", "energy_kwh_low"), ("high", "energy_kwh_high")):
            kg[key] += kwh[column] * per_kwh
    return {k: v / 1000 for k, v in kg.items()}


def recompute(records: pd.DataFrame, inputs: dict, upstream: dict | None = None) -> dict[str, dict[str, float]]:
    """Every datapoint from records.csv and the snapshot's inputs, by the README's formulas.

    Written against the pack's files only, so it can be pointed at any evidence pack (e.g. the seeded demo's).
    Returns {datapoint id: {"value": ..., "low": ..., "high": ...}} (low/high where the README gives a range).
    """
    s2 = records[records["scope"] == "scope2"]
    s3 = records[records["scope"] == "scope3_cat1"]

    def t(frame, column):
        return frame[column].sum() / 1000

    def ranged(frame, column):
        # The README's range method: deviations summed per group, groups combined in quadrature.
        kind = frame["usage_kind"].astype(str)
        group = kind.where(
            kind != "tokens", kind + "|" + frame["provider"].astype(str) + "|" + frame["model"].astype(str)
        )
        group = group.where(frame["data_quality"] != "spend_based", "spend_based")
        value = frame[column].fillna(0)
        below = (value - frame[f"{column}_low"].fillna(0)).groupby(group).sum()
        above = (frame[f"{column}_high"].fillna(0) - value).groupby(group).sum()
        central = value.sum()
        return {
            "value": central / 1000,
            "low": (central - (below**2).sum() ** 0.5) / 1000,
            "high": (central + (above**2).sum() ** 0.5) / 1000,
        }

    out: dict[str, dict[str, float]] = {}
    energy = ranged(s2, "energy_kwh")
    fossil, nuclear, renewable = t(s2, "fossil_kwh"), t(s2, "nuclear_kwh"), t(s2, "instrument_covered_kwh")
    # renewable only with contractual instruments: the per-row split agrees with what instruments cover
    assert renewable == pytest.approx(t(s2, "renewable_kwh"), rel=REL)
    renewable = t(s2, "renewable_kwh")
    out["E1-5_01"] = energy
    out["E1-5_02"] = {"value": fossil}
    out["E1-5_03"] = {"value": nuclear}
    out["E1-5_04"] = {"value": 100 * nuclear / energy["value"]}
    out["E1-5_05"] = out["E1-5_07"] = {"value": renewable}
    out["E1-5_09"] = {"value": 100 * renewable / energy["value"]}
    out["E1-5_15"] = {"value": 100 * fossil / energy["value"]}
    loc2, mkt2 = ranged(s2, "co2e_location_kg"), ranged(s2, "co2e_market_kg")
    loc3 = ranged(s3, "co2e_location_kg")
    out["E1-6_09"], out["E1-6_10"] = loc2, mkt2
    cat3 = category3(s2, upstream)  # GHG Protocol: part of Scope 3, and so of the totals
    out["E1-6_11/cat1"] = out["E1-6_11/cloud"] = loc3
    out["E1-6_11/cat3"] = cat3
    out["E1-6_11"] = _plus(loc3, cat3)
    both = pd.concat([s2, s3])
    out["E1-6_12"] = _plus(ranged(both, "co2e_location_kg"), cat3)
    # Scope 3's market-based figure is its location-based one (the README's E1-6_13 = E1-6_10 + E1-6_11).
    market = ranged(
        pd.concat([s2, s3.assign(**{f"co2e_market_kg{x}": s3[f"co2e_location_kg{x}"] for x in ("", "_low", "_high")})]),
        "co2e_market_kg",
    )
    out["E1-6_13"] = _plus(market, cat3)
    primary = s3[s3["data_quality"].isin(["measured", "measured_it"])]
    out["E1-6_25"] = {"value": 100 * primary["co2e_location_kg"].sum() / s3["co2e_location_kg"].sum()}
    revenue, price = inputs.get("net_revenue_eur"), inputs.get("internal_carbon_price_eur_per_t")
    if revenue:
        out["E1-6_30"] = {k: v / revenue for k, v in out["E1-6_12"].items()}
        out["E1-6_31"] = {k: v / revenue for k, v in out["E1-6_13"].items()}
        out["E1-6_34"] = {"value": revenue}
    if price is not None:
        out["E1-8_04"] = {"value": price}
        out["E1-8_07"] = out["E1-8_08"] = {"value": 100.0}  # the AI Scope 2 and 3 wholly priced
    # Voluntary E3 / E5 datapoints: water in m3, ADPe in kgSbeq, primary energy in GJ, over every record.
    if "water_l" in records.columns:
        out["E3-4_AI_water"] = ranged(both, "water_l")
        out["E5-4_AI_adpe"] = {k: v * 1000 for k, v in ranged(both, "adpe_kgsbeq").items()}
        out["E5-4_AI_pe"] = ranged(both, "pe_mj")
    # VSME B3 variant: the same sums under VSME ids
    out["B3_energy_total_MWh"], out["B3_scope2_location_tCO2e"] = out["E1-5_01"], out["E1-6_09"]
    out["B3_scope2_market_tCO2e"], out["B3_scope3_tCO2e"] = out["E1-6_10"], out["E1-6_11"]
    if revenue:
        out["B3_intensity"] = {k: v / revenue for k, v in out["E1-6_09"].items()}  # Scope 1 + 2, no Scope 3
    return out


def check_pack(data: bytes) -> int:
    """Recompute every numeric datapoint of an evidence pack from its files; returns how many were checked."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    snapshot = json.loads(archive.read("snapshot.json"))
    records = pd.read_csv(io.BytesIO(archive.read("records.csv")))
    expected = recompute(records, snapshot["inputs"], snapshot.get("upstream_electricity"))
    checked = 0
    for dp in snapshot["datapoints"]:
        if dp["value"] is None:
            continue
        assert dp["id"] in expected, f"no formula for {dp['id']}"
        for key, value in expected[dp["id"]].items():
            assert dp[key] == pytest.approx(value, rel=REL), (dp["id"], key)
            checked += 1
    return checked


@pytest.fixture(scope="module")
def pack():
    snapshot, records = sample()
    # the snapshot hash as e1.snapshot_sha256 computes it (written out here: no app code in this check)
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    sha = hashlib.sha256(canonical).hexdigest()
    data = render_evidence_pack(snapshot, sha, records, build_factor_tables())
    return {
        "snapshot": snapshot,
        "records": records,
        "sha": sha,
        "data": data,
        "zip": zipfile.ZipFile(io.BytesIO(data)),
    }


def test_pack_lists_the_expected_files(pack):
    names = pack["zip"].namelist()
    assert names[:5] == ["README.md", "SHA256SUMS", "snapshot.json", "datapoints.csv", "records.csv"]
    assert sorted(n for n in names if n.startswith("factors/")) == [
        "factors/grid.csv",
        "factors/pue.csv",
        "factors/residual_mix.csv",
    ]
    assert {info.date_time for info in pack["zip"].infolist()} == {(2026, 2, 14, 16, 30, 0)}


def test_every_disclosed_figure_recomputes_from_the_pack_alone(pack):
    archive = pack["zip"]
    snapshot = json.loads(archive.read("snapshot.json"))
    assert all(d["value"] is not None for d in snapshot["datapoints"]) and len(snapshot["datapoints"]) == 22
    # 22 values, plus low and high for E1-5_01, E1-6_09..13 (with cat1, AR 51) and E1-6_30/31
    assert check_pack(pack["data"]) == 22 + 2 * 10
    # and datapoints.csv says the same as snapshot.json
    table = pd.read_csv(io.BytesIO(archive.read("datapoints.csv")))
    assert table["value"].tolist() == [d["value"] for d in snapshot["datapoints"]]


def test_hashes_check_out(pack):
    archive = pack["zip"]
    assert hashlib.sha256(archive.read("snapshot.json")).hexdigest() == pack["sha"]
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    records = pd.read_csv(io.BytesIO(archive.read("records.csv")))
    snapshot = json.loads(archive.read("snapshot.json"))
    runs = {r["id"]: r["sha256"] for r in snapshot["runs"]}
    for run_id, file_sha in records[["run_id", "source_sha256"]].drop_duplicates().itertuples(index=False):
        assert runs[run_id] == file_sha
    assert set(records["factor_set_sha256"]) <= {fs["sha256"] for fs in snapshot["factor_sets"]}


def test_readme_gives_each_formula_and_the_snapshot_hash(pack):
    readme = pack["zip"].read("README.md").decode()
    assert pack["sha"] in readme
    for dp in pack["snapshot"]["datapoints"]:
        assert f"| {dp['id']} |" in readme
    assert 'sum(energy_kwh where scope == "scope2") / 1000' in readme
    assert "sha256sum -c SHA256SUMS" in readme


def test_pack_is_reproducible(pack):
    snapshot = copy.deepcopy(pack["snapshot"])
    again = render_evidence_pack(snapshot, pack["sha"], pack["records"].copy(), build_factor_tables())
    assert again == pack["data"]


def test_vsme_variant_recomputes_too():
    snapshot, records = vsme_sample()
    sha = hashlib.sha256(
        json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    data = render_evidence_pack(snapshot, sha, records, {})
    assert check_pack(data) == 5 + 2 * 5
    readme = zipfile.ZipFile(io.BytesIO(data)).read("README.md").decode()
    assert "| B3_intensity |" in readme and "B3_scope2_location_tCO2e / inputs.net_revenue_eur" in readme
