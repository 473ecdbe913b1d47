"""ESRS E1 figures of a seeded organisation, worked out by hand from the factors."""

import datetime as dt
import html
import io
import json

import pytest
from django.urls import reverse

from apps.accounts.models import Membership, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import services
from apps.disclosures.models import PeriodStatus
from apps.footprint.locks import PeriodLocked
from apps.footprint.models import ContractualInstrument, UsageRecord
from apps.footprint.services import default_factor_set_version, load_factor_set

pytestmark = pytest.mark.django_db

CODECARBON_HEADER = (
    "timestamp,project_name,run_id,experiment_id,duration,emissions,energy_consumed,"
    "country_name,country_iso_code,region,cloud_provider,cloud_region,on_cloud,pue\n"
)
# Two self-hosted jobs: 1,000 kWh in France, 500 kWh in Germany (one run each, last row kept), of IT energy;
# no site PUE entered, so each site's energy is IT energy x the assumed industry average 1.56 (Uptime Institute
# Global Data Center Survey 2024): 1,560 and 780 kWh.
PUE = 1.56
CODECARBON = CODECARBON_HEADER + (
    "2025-03-01T10:00:00,train,run-fr,exp,3600,1.0,1000.0,France,FRA,,,,N,1.0\n"
    "2025-06-01T10:00:00,train,run-de,exp,3600,1.0,500.0,Germany,DEU,,,,N,1.0\n"
)
GENERIC = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-04-01,openai,gpt-4o,1000,500000,400000,,,US,100,USD\n"
)


def load(org, content, name, source):
    return execute_run(create_run(org, source, store_upload(org, io.BytesIO(content.encode()), name)).pk)


@pytest.fixture
def seeded(org_a):
    org = org_a["org"]
    assert load(org, CODECARBON, "emissions.csv", "codecarbon_emissions").status == "succeeded"
    assert load(org, GENERIC, "api.csv", "generic_csv").status == "succeeded"
    # A guarantee of origin for 0.6 MWh of French consumption in 2025.
    ContractualInstrument.objects.create(
        organisation=org,
        kind="GO",
        mwh=0.6,
        zone="FR",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    period = services.create_period(
        org,
        None,
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        net_revenue_eur=50_000_000,
        internal_carbon_price_eur_per_t=80,
    )
    return org_a, period


def values(snapshot):
    return {dp["id"]: dp["value"] for dp in snapshot["datapoints"]}


def test_e1_figures_by_hand(seeded):
    _, period = seeded
    snapshot, records, _ = services.build_snapshot(period)
    v = values(snapshot)
    fs = load_factor_set(default_factor_set_version())
    # Scope 2 asks the generation boundary: EEA's 2024 factor of each country (2025 use, the latest year). The
    # energy mix splits by the grid's generation shares, which the life-cycle (Ember) row carries.
    fr, de = fs.grid_factor("FRA", 2025, "generation"), fs.grid_factor("DEU", 2025, "generation")
    assert (fr.gco2e_per_kwh, de.gco2e_per_kwh, fr.year) == (36.0, 291.0, 2024)
    fr_mix, de_mix = fs.grid_factor("FRA", 2025), fs.grid_factor("DEU", 2025)
    fr_residual, de_residual = fs.residual_factor("FRA", 2025)[1], fs.residual_factor("DEU", 2025)[1]

    # E1-5: own energy = 1,560 + 780 kWh = 2.34 MWh. Renewable = the GO's 0.6 MWh only.
    assert v["E1-5_01"] == pytest.approx(1.5 * PUE)
    assert v["E1-5_05"] == pytest.approx(0.6) and v["E1-5_07"] == pytest.approx(0.6)
    # The uncovered 0.96 MWh (FR) and 0.78 MWh (DE) split fossil:nuclear in each grid's proportion.
    fr_nuc = fr_mix.nuclear_share / (fr_mix.fossil_share + fr_mix.nuclear_share)
    de_nuc = de_mix.nuclear_share / (de_mix.fossil_share + de_mix.nuclear_share)
    assert v["E1-5_03"] == pytest.approx(0.96 * fr_nuc + 0.78 * de_nuc)
    assert v["E1-5_02"] == pytest.approx(0.96 * (1 - fr_nuc) + 0.78 * (1 - de_nuc))
    assert v["E1-5_02"] + v["E1-5_03"] + v["E1-5_05"] == pytest.approx(2.34)
    assert v["E1-5_09"] == pytest.approx(100 * 0.6 / 2.34)

    # E1-6 Scope 2, location-based: kWh x grid gCO2e/kWh; tCO2e = g / 1e6.
    assert v["E1-6_09"] == pytest.approx((1560 * fr.gco2e_per_kwh + 780 * de.gco2e_per_kwh) / 1e6)
    # Market-based: 600 kWh at the GO's 0 g, 960 kWh at France's residual mix, 780 kWh at Germany's.
    assert v["E1-6_10"] == pytest.approx((600 * 0 + 960 * fr_residual + 780 * de_residual) / 1e6)

    # Scope 3 category 3, upstream of Scope 2's electricity: kWh x (life-cycle - generation factor) per zone. The
    # life-cycle factors (Ember/OWID 2023 via codecarbon): France 56.039, Germany 380.95 gCO2e/kWh.
    #   1,560 x (56.039 - 36) + 780 x (380.95 - 291) = 31,260.84 + 70,161 = 101,421.84 g = 0.10142184 t
    fr_lc, de_lc = fs.grid_factor("FRA", 2025, "life_cycle"), fs.grid_factor("DEU", 2025, "life_cycle")
    assert (fr_lc.gco2e_per_kwh, de_lc.gco2e_per_kwh, fr_lc.year) == (56.039, 380.95, 2023)
    assert v["E1-6_11/cat3"] == pytest.approx(0.10142184)
    rows = {r["grid_zone"]: r for r in snapshot["upstream_electricity"]["rows"]}
    assert rows["FRA"]["upstream_kg"] == pytest.approx(31.26084) and rows["FRA"]["life_cycle_year"] == 2023
    assert rows["DEU"]["energy_kwh"] == pytest.approx(780) and rows["DEU"]["flag"] == ""

    # Scope 3: the API row (category 1) plus category 3; location = market; total = Scope 2 + Scope 3.
    api = records[records["source"] == "generic_csv"].iloc[0]
    assert api["scope"] == "scope3_cat1"
    assert v["E1-6_11/cat1"] == v["E1-6_11/cloud"] == pytest.approx(api["co2e_location_kg"] / 1000)
    assert v["E1-6_11"] == pytest.approx(api["co2e_location_kg"] / 1000 + 0.10142184)
    assert v["E1-6_12"] == pytest.approx(v["E1-6_09"] + v["E1-6_11"])
    assert v["E1-6_13"] == pytest.approx(v["E1-6_10"] + v["E1-6_11"])
    # Token counts are the vendor's activity data, but the energy is modelled: no Scope 3 primary data.
    assert v["E1-6_25"] == pytest.approx(0.0)
    assert v["E1-6_30"] == pytest.approx(v["E1-6_12"] / 50_000_000)
    assert v["E1-6_31"] == pytest.approx(v["E1-6_13"] / 50_000_000)
    # the whole AI Scope 2 and Scope 3 is priced: 100 % of each (E1-8_07, E1-8_08)
    assert v["E1-8_04"] == 80 and v["E1-8_07"] == v["E1-8_08"] == 100.0
    # Low/high bracket the central value.
    dp = {d["id"]: d for d in snapshot["datapoints"]}
    assert dp["E1-6_11"]["low"] < dp["E1-6_11"]["value"] < dp["E1-6_11"]["high"]
    assert {r["sha256"] for r in snapshot["runs"]} == set(records["source_sha256"])


def test_vsme_variant(seeded):
    _, period = seeded
    period = services.update_inputs(period, None, variant="vsme_b3")
    snapshot = services.build_snapshot(period)[0]
    v = values(snapshot)
    assert set(v) == {
        "B3_energy_total_MWh",
        "B3_scope2_location_tCO2e",
        "B3_scope2_market_tCO2e",
        "B3_scope3_tCO2e",
        "B3_intensity",
    }
    assert v["B3_energy_total_MWh"] == pytest.approx(1.5 * PUE)


def test_sign_off_freezes_and_locks_every_write_path(seeded, tmp_path):
    org_a, period = seeded
    org = org_a["org"]
    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    auditor = Membership.objects.get(user=org_a["users"][Role.AUDITOR])
    it = Membership.objects.get(user=org_a["users"][Role.IT_DIRECTOR])
    with pytest.raises(services.DisclosureError, match="Only a sustainability officer or an admin"):
        services.sign_off(period, it)
    with pytest.raises(services.DisclosureError):
        services.sign_off(period, auditor)
    # The sample uses the FRA and DEU residual mixes, still to_verify: signed off as an explicit exception.
    signed = services.sign_off(period, officer, "Reviewed with the CFO", accept_unverified=True)
    assert signed.status == PeriodStatus.SIGNED_OFF and len(signed.snapshot_sha256) == 64
    frozen = values(signed.snapshot)

    # New records for a day of the period: refused with the period named, nothing stored.
    run = load(org, GENERIC.replace("2025-04-01", "2025-05-01"), "late.csv", "generic_csv")
    assert run.status == "failed"
    assert (
        "late.csv" in run.errors[0]["message"] and "2025-01-01 – 2025-12-31 is signed off" in run.errors[0]["message"]
    )
    record = UsageRecord.objects.for_org(org).first()
    record.output_tokens += 1
    with pytest.raises(PeriodLocked):
        record.save()
    with pytest.raises(PeriodLocked):
        record.delete()
    with pytest.raises(PeriodLocked):
        UsageRecord.objects.for_org(org).update(output_tokens=0)
    with pytest.raises(PeriodLocked):
        UsageRecord.objects.for_org(org).delete()
    from django.core.exceptions import ValidationError

    signed.net_revenue_eur = 1
    with pytest.raises(ValidationError, match="signed off"):
        signed.save()
    with pytest.raises(services.DisclosureError):
        services.update_inputs(signed, None, net_revenue_eur=1)
    # Records of another year still load.
    assert load(org, GENERIC.replace("2025-04-01", "2026-01-05"), "next.csv", "generic_csv").status == "succeeded"
    signed.refresh_from_db()
    assert values(services.snapshot_of(signed)[0]) == frozen


def test_restatement_keeps_the_old_snapshot_and_shows_the_difference(seeded):
    org_a, period = seeded
    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    v1 = services.sign_off(period, officer, "residual mix to verify", accept_unverified=True)
    with pytest.raises(services.DisclosureError, match="Say why"):
        services.reopen(v1, officer, "  ")
    v2 = services.reopen(v1, officer, "Late Azure export for April")
    assert v2.version == 2 and v2.restatement_of == v1 and v2.status == PeriodStatus.DRAFT
    # The period is open again: the late file loads into version 2.
    run = load(org_a["org"], GENERIC.replace("2025-04-01", "2025-05-01"), "late.csv", "generic_csv")
    assert run.status == "succeeded"
    v2_snapshot = services.build_snapshot(v2)[0]
    diff = {row["id"]: row for row in services.differences(v1.snapshot, v2_snapshot)}
    added = run.co2e_kg / 1000
    assert diff["E1-6_11"]["change"] == pytest.approx(added, rel=1e-6)
    assert diff["E1-6_09"]["change"] == pytest.approx(0)
    v1.refresh_from_db()
    assert v1.status == PeriodStatus.SIGNED_OFF and values(v1.snapshot) != values(v2_snapshot)
    with pytest.raises(services.DisclosureError, match="already reopened"):
        services.reopen(v1, officer, "again")
    v2_signed = services.sign_off(v2, officer, "residual mix to verify", accept_unverified=True)
    assert v2_signed.snapshot["period"]["restatement_of"] == {"version": 1, "snapshot_sha256": v1.snapshot_sha256}


def test_comparative_period_and_change(seeded):
    org_a, period = seeded
    org = org_a["org"]
    load(org, GENERIC.replace("2025-04-01", "2024-04-01").replace("400000", "200000"), "2024.csv", "generic_csv")
    services.create_period(org, None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    snapshot = services.build_snapshot(period)[0]
    dp = {d["id"]: d for d in snapshot["datapoints"]}["E1-6_11"]
    assert dp["comparative"] is not None and dp["comparative"] < dp["value"]
    assert dp["change_pct"] == pytest.approx(100 * (dp["value"] - dp["comparative"]) / dp["comparative"])


def test_category_3_is_its_own_line_on_the_page_and_in_every_export(seeded, client_for):
    """E1-6_11/cat3 (1,560 kWh in France x 20.039 g + 780 kWh in Germany x 89.95 g = 0.10142184 t, worked in
    test_e1_figures_by_hand): on the page with its per-zone table and method (in French too), in the CSV and
    JSON exports and the PDF; untagged in the iXBRL (the taxonomy list has no category 3 member)."""
    org_a, period = seeded
    client = client_for(org_a["users"][Role.AUDITOR])
    url = reverse("disclosures:period", args=["org-a", period.pk])
    page = client.get(url).content.decode()
    assert 'id="dp-E1-6_11/cat3"' in page and 'id="upstream-electricity"' in page and 'id="def-cat3"' in page
    assert "<td>FRA</td><td>2025</td>" in page and "e+" not in page.split('id="upstream-electricity"')[1][:4000]
    french = html.unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "Amont de l'électricité achetée (Scope 3 catégorie 3)" in french
    assert "Scope 3 catégorie 3 : activités liées aux combustibles et à l'énergie" in french
    assert "l'amont national (États-Unis)" not in french and "par zone de réseau et année d'utilisation" in french
    csv = services.render(period, "csv").decode()
    assert any(line.startswith("E1-6_11/cat3,") and ",0.101" in line for line in csv.splitlines())
    exported = json.loads(services.render(period, "json"))
    found = exported["E1-6_11/cat3"] if "E1-6_11/cat3" in exported else exported["datapoints"]["E1-6_11/cat3"]
    assert found["value"] == pytest.approx(0.10142184)
    xhtml = services.render(period, "xhtml").decode()
    assert "E1-6_11/cat3" in xhtml or "Scope 3 category 3" in xhtml  # shown in the report
    assert "FuelAndEnergy" not in xhtml  # no invented concept or member
