"""Issue 17: the evidence pack of a signed-off period, and its recompute.py run as an outsider would (a subprocess,
`python -I`, a temporary directory, no project code on the path), re-derive every disclosed figure; a figure changed
by one unit in the pack makes it fail naming that figure. On the demo year (5 % sample): tokens, seats, gateway
rows, measured GPU jobs, spend-based rows and a contractual instrument."""

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal

import pytest

from apps.accounts.models import Membership, Role
from apps.disclosures import services
from apps.footprint.models import ContractualInstrument
from tests.demo_year import demo_year_loaded

pytestmark = pytest.mark.django_db
YEAR = 2025


def _signed_off(org):
    """The demo year with a GO for half of it, signed off by the admin after the officer submitted it."""
    ContractualInstrument.objects.create(
        organisation=org,
        kind="GO",
        mwh=Decimal("0.4"),
        zone="FR",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 6, 30),
    )
    period = services.create_period(
        org,
        None,
        dt.date(YEAR, 1, 1),
        dt.date(YEAR, 12, 31),
        net_revenue_eur=125_000_000,
        internal_carbon_price_eur_per_t=80,
    )
    members = {m.role: m for m in Membership.objects.filter(organisation=org).select_related("user")}
    services.submit_for_review(period, members[Role.OFFICER])
    return services.sign_off(period, members[Role.ADMIN], "Filed", accept_unverified=True)


@pytest.fixture(scope="module")
def pack(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("uploads")
    with demo_year_loaded(django_db_blocker, media, scale=0.05, year=YEAR) as org, django_db_blocker.unblock():
        period = _signed_off(org)
        yield period, services.render(period, "evidence")


def _unpack(data: bytes, where):
    zipfile.ZipFile(io.BytesIO(data)).extractall(where)
    return where


def _run(directory, cwd):
    """recompute.py as an outsider runs it: isolated mode (no site-packages, no PYTHONPATH, no cwd on the path)."""
    done = subprocess.run(
        [sys.executable, "-I", str(directory / "recompute.py")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_pack_holds_constants_resolution_and_the_script(pack):
    period, data = pack
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"method.json", "recompute.py", "resolution/models.csv", "resolution/grid.csv"} <= set(names)
    method = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("method.json"))
    alpha = method["constants"]["gpu_energy_alpha"]
    assert "GPU_ENERGY_ALPHA" in alpha["source"] and isinstance(alpha["value"], float)
    assert method["constants"]["spend_low_factor"]["assumption"] is True
    assert method["factor_set"]["sha256"] == period.snapshot["factor_sets"][0]["sha256"]
    # the factors the records used, with their tables' sources: seat interactions, grid factors, facility PUE
    seats = method["factors_used"]["seat_tools"]
    assert {r["tool"] for r in seats["rows"]} >= {"github_copilot", "m365_copilot"}
    assert all(r["wh_per_interaction"] > 0 and r["interactions_status"] for r in seats["rows"])
    assert "Gentle Singularity" in seats["from"][0]["source"]
    grid = method["factors_used"]["grid"]
    assert [t["table"] for t in grid["from"]][:3] == ["grid", "residual_mix", "facility_pue"]
    assert {(r["grid_zone"], r["year"]) for r in grid["rows"]} >= {("FRA", 2025)}


def test_recompute_py_alone_gets_every_figure_ok(pack, tmp_path):
    period, data = pack
    code, out = _run(_unpack(data, tmp_path / "pack"), tmp_path)
    assert code == 0, "\n".join(line for line in out.splitlines() if not line.startswith("OK"))[-3000:]
    for dp in period.snapshot["datapoints"]:
        if dp["value"] is not None:
            assert f"OK   datapoint {dp['id']} value" in out
    for name in ("E1-6_11", "E1-6_12", "E1-6_13", "E1-6_30", "E1-6_31", "E1-8_07", "E1-8_08"):
        assert f"OK   datapoint {name} value" in out
    # each record re-derived from its activity data, not only summed
    for column in ("energy_kwh", "co2e_location_kg", "co2e_market_kg", "instrument_covered_kwh", "renewable_kwh"):
        assert f"OK   records.{column}:" in out
    kinds = {line for line in out.splitlines() if "records recomputed" in line}
    assert kinds


def test_a_datapoint_changed_by_one_unit_fails_naming_it(pack, tmp_path):
    _period, data = pack
    where = _unpack(data, tmp_path / "pack")
    snapshot = json.loads((where / "snapshot.json").read_text())
    dp = next(d for d in snapshot["datapoints"] if d["id"] == "E1-6_11")
    dp["value"] += 1
    (where / "snapshot.json").write_text(json.dumps(snapshot))
    code, out = _run(where, tmp_path)
    assert code == 1
    assert "DIFF datapoint E1-6_11 value" in out
    assert "DIFF file snapshot.json" in out  # and the hash says the file was changed


def test_a_record_changed_by_one_unit_fails_naming_it(pack, tmp_path):
    _period, data = pack
    where = _unpack(data, tmp_path / "pack")
    lines = (where / "records.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    col = header.index("co2e_location_kg")
    row = next(i for i, line in enumerate(lines[1:], 1) if '"' not in line and "scope3_cat1" in line)
    cells = lines[row].rstrip("\r\n").split(",")
    cells[col] = repr(float(cells[col]) + 1)
    lines[row] = ",".join(cells) + "\r\n"
    (where / "records.csv").write_text("".join(lines), encoding="utf-8")
    code, out = _run(where, tmp_path)
    assert code == 1
    assert "DIFF records.co2e_location_kg: 1 of" in out
    assert "DIFF datapoint E1-6_11 value" in out


@pytest.mark.parametrize("variant", ["esrs_e1", "vsme_b3"])
def test_a_pack_without_resolution_tables_still_checks_every_datapoint(tmp_path, variant):
    """The sample snapshot's figures were computed by plain loops (sample_snapshot.py), not by the app: recompute.py
    agrees with them from records.csv alone (ESRS E1 and VSME B3 ids), and says the per-record layer was not run."""
    from apps.disclosures.exports.evidence import render_evidence_pack

    from .sample_snapshot import build_factor_tables, sample, vsme_sample

    snapshot, records = sample() if variant == "esrs_e1" else vsme_sample()
    assert snapshot["datapoints"][0]["id"].startswith("E1" if variant == "esrs_e1" else "B3")
    where = _unpack(render_evidence_pack(snapshot, "0" * 64, records, build_factor_tables()), tmp_path / "pack")
    code, out = _run(where, tmp_path)
    assert code == 0, out[-2000:]
    assert "NOTE no method.json / resolution/" in out
    for dp in snapshot["datapoints"]:
        assert f"OK   datapoint {dp['id']} value" in out


# Rows the demo year lacks: a spend-only row in EUR (no activity: EEIO factor), an embedding model (prefill only),
# a model the repository does not know (size class), a dated alias on both sides of its change (two repository
# entries), cached input tokens; own GPU jobs in France and Germany with a GO and a nuclear supplier rate that
# together over-cover France and a German GO whose months hold no job (unused).
EDGE_CSV = (
    "date,provider,model,requests,input_tokens,cached_input_tokens,output_tokens,zone,cost,currency\n"
    "2025-04-01,openai,gpt-4o,1000,500000,200000,400000,US,100,USD\n"
    "2025-04-02,openai,gpt-4o,0,0,0,0,,50,EUR\n"
    "2025-04-03,openai,text-embedding-3-small,300,900000,0,0,,,\n"
    "2025-04-04,openai,mystery-model-70b,10,1000,0,2000,FR,,\n"
    "2025-11-30,mistral,mistral-large-latest,20,4000,0,8000,,,\n"
    "2025-12-05,mistral,mistral-large-latest,20,4000,0,8000,,,\n"
)


def edge_period(org_a):
    """A signed-off 2025 of org-a with the edge rows, two GPU jobs and three instruments."""
    from apps.connectors.ingestion import create_run, execute_run
    from apps.connectors.storage import store_upload

    from .test_e1_figures import CODECARBON

    org = org_a["org"]
    for content, name, source in (
        (CODECARBON, "jobs.csv", "codecarbon_emissions"),
        (EDGE_CSV, "api.csv", "generic_csv"),
    ):
        run = execute_run(create_run(org, source, store_upload(org, io.BytesIO(content.encode()), name)).pk)
        assert run.status == "succeeded", run.errors
    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    for kind, mwh, zone, start, end, rate, source in (
        ("GO", "0.6", "FR", *year, 0, "renewable"),
        ("supplier_rate", "2.0", "FR", *year, 12, "nuclear"),
        ("GO", "0.5", "DE", dt.date(2025, 1, 1), dt.date(2025, 3, 31), 0, "renewable"),
    ):
        ContractualInstrument.objects.create(
            organisation=org, kind=kind, mwh=Decimal(mwh), zone=zone, period_start=start, period_end=end,
            gco2e_per_kwh=rate, energy_source=source,
        )  # fmt: skip
    period = services.create_period(org, None, *year, net_revenue_eur=50_000_000, internal_carbon_price_eur_per_t=80)
    services.submit_for_review(period, Membership.objects.get(user=org_a["users"][Role.OFFICER]))
    admin = Membership.objects.get(user=org_a["users"][Role.ADMIN])
    return services.sign_off(period, admin, "Residual mix to verify", accept_unverified=True)


@pytest.fixture
def edge_pack(org_a):
    period = edge_period(org_a)
    return period, services.render(period, "evidence")


def test_spend_embedding_size_class_aliases_and_instruments_recompute(edge_pack, tmp_path):
    period, data = edge_pack
    archive = zipfile.ZipFile(io.BytesIO(data))
    models = archive.read("resolution/models.csv").decode()
    assert "size class" in models and ",1," in models  # the unknown model, the embedding model
    assert models.count("mistral-large-latest") == 2  # one repository entry before the change, one after
    records = archive.read("records.csv").decode()
    assert "spend_based" in records
    instruments = archive.read("resolution/instruments.csv").decode().splitlines()
    assert len(instruments) == 4  # header + 3, in the calculator's allocation order
    code, out = _run(_unpack(data, tmp_path / "pack"), tmp_path)
    assert code == 0, out[-3000:]
    for column in ("co2e_location_kg", "co2e_market_kg", "renewable_kwh", "nuclear_kwh", "energy_prefill_kwh"):
        assert f"OK   records.{column}: 8 records recomputed" in out  # 2 GPU jobs + 6 API rows
    assert all(f"OK   datapoint {dp['id']} value" in out for dp in period.snapshot["datapoints"] if dp["value"])
    # Scope 3 category 3 from Scope 2's kWh per zone, its factors against resolution/grid.csv (the French and
    # German jobs: EEA generation, Ember life cycle), and the line itself.
    for zone in ("FRA", "DEU"):
        assert f"OK   upstream_electricity {zone} 2025 upstream_gco2e_per_kwh" in out
        assert f"OK   upstream_electricity {zone} 2025 upstream_kg_high" in out
    assert "OK   datapoint E1-6_11/cat3 value" in out and "recompute_parts.py" in archive.namelist()


def test_recompute_finds_a_changed_category_3(edge_pack, tmp_path):
    """An upstream factor edited in snapshot.json (hashes aside): recompute.py says which zone differs."""
    _period, data = edge_pack
    where = _unpack(data, tmp_path / "pack")
    snapshot = json.loads((where / "snapshot.json").read_text())
    snapshot["upstream_electricity"]["rows"][0]["upstream_gco2e_per_kwh"] += 1.0
    (where / "snapshot.json").write_text(json.dumps(snapshot))
    code, out = _run(where, tmp_path)
    zone = snapshot["upstream_electricity"]["rows"][0]["grid_zone"]
    assert code == 1 and f"DIFF upstream_electricity {zone} 2025 upstream_gco2e_per_kwh" in out


def test_a_datapoint_names_the_figure_it_shows(tmp_path):
    """A catalogue whose datapoint ids differ from the figures' (the revised ESRS: energy becomes E1-7) says which
    figure each shows in `figure`; recompute.py matches `dp.get("figure") or dp["id"]`."""
    from apps.disclosures.exports.evidence import render_evidence_pack

    from .sample_snapshot import build_factor_tables, sample

    snapshot, records = sample()
    energy = next(dp for dp in snapshot["datapoints"] if dp["id"] == "E1-5_01")
    energy.update(id="E1-7_01", figure="E1-5_01")
    pack = render_evidence_pack(snapshot, "0" * 64, records, build_factor_tables())
    code, out = _run(_unpack(pack, tmp_path / "pack"), tmp_path)
    assert code == 0, out[-2000:]
    assert f"OK   datapoint E1-7_01 value = {energy['value']!r}" in out
    energy["value"] += 1  # the same datapoint, one unit off: named by its own id
    pack = render_evidence_pack(snapshot, "0" * 64, records, build_factor_tables())
    code, out = _run(_unpack(pack, tmp_path / "again"), tmp_path)
    assert code == 1 and "DIFF datapoint E1-7_01 value" in out


def test_the_resolution_tables_state_rows_of_the_factor_tables_the_pack_ships(edge_pack):
    """recompute.py checks the arithmetic; what each name resolved to is stated in resolution/, and every factor
    stated there is a row of the pack's own factors/ tables (read here with csv alone, as a reader would)."""
    import csv

    _period, data = edge_pack
    archive = zipfile.ZipFile(io.BytesIO(data))

    def rows(name):
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))

    def year(text):  # the table's years read as floats where some rows are undated
        return int(float(text)) if text not in ("", "-1") else None

    grid = {(r["zone"], year(r["year"]), float(r["gco2e_per_kwh"]), r["boundary"]) for r in rows("factors/grid.csv")}
    for g in rows("resolution/grid.csv"):
        assert (g["grid_zone"], year(g["grid_year"]), float(g["gco2e_per_kwh"]), g["boundary"]) in grid, g
    # the repository, and the entries of earlier EcoLogits releases the set keeps (model_lineage)
    entries = rows("factors/models.csv") + rows("factors/model_lineage.csv")
    models = {(r["model"], float(r["active_params_min_b"]), float(r["total_params_max_b"])) for r in entries}
    for m in rows("resolution/models.csv"):
        m.update((k, float(m[k])) for k in ("active_params_min_b", "total_params_max_b"))
        if "(ecologits" in m["repository_entry"]:  # a repository entry, not a size class or an embedding's range
            assert (m["model_on_first_day"], m["active_params_min_b"], m["total_params_max_b"]) in models, m
    seats = {r["tool"]: r for r in rows("factors/seat_tools.csv")}
    for s in rows("resolution/seat_tools.csv"):
        assert {k: seats[s["tool"]][k] for k in seats[s["tool"]]} == {k: s[k] for k in seats[s["tool"]]}
    spend = {(r["category"], float(r["kgco2e_per_usd"])) for r in rows("factors/spend_factors.csv")}
    assert {(r["category"], float(r["kgco2e_per_usd"])) for r in rows("resolution/spend_factors.csv")} <= spend
