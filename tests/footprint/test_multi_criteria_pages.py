"""Water, ADPe, primary energy and the prefill energy where people read them: the API (records and summary), the
dashboard, the AFNOR frugality page and the disclosure's voluntary E3 / E5 datapoints, each equal to the sums of
the stored records."""

import datetime as dt
import io

import pytest
from django.db.models import Sum
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.costs.frugality import impacts_by_team, impacts_window
from apps.disclosures import services
from apps.disclosures.e1 import snapshot_sha256
from apps.disclosures.exports.pdf import render_pdf
from apps.disclosures.snapshots import build_snapshot
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-03-01,openai,gpt-4o,1000,500000,400000,dev@org-a.example,,FR,12.5,EUR\n"
    "2025-04-02,anthropic,claude-3-5-sonnet-20241022,200,80000,60000,other@org-a.example,ml-team,DE,7,EUR\n"
    "2025-04-03,openai,text-embedding-3-small,300,900000,0,dev@org-a.example,,US,,\n"
)
BASE = "/api/v1/o/org-a"
MEASURES = ("water_l", "adpe_kgsbeq", "pe_mj")


@pytest.fixture
def loaded(org_a):
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "usage.csv")).pk)
    assert run.status == "succeeded", run.errors
    return org


def _sums(org) -> dict:
    names = [f"{m}{e}" for m in MEASURES for e in ("", "_low", "_high")] + ["energy_prefill_kwh", "energy_kwh"]
    return UsageRecord.objects.filter(organisation=org).aggregate(**{n: Sum(n) for n in names})


def _api(user) -> APIClient:
    client = APIClient()
    _token, raw = ApiToken.issue(user, "tests")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_api_records_and_summary_carry_the_measures(org_a, loaded):
    client = _api(org_a["users"][Role.AUDITOR])
    span = {"start": "2025-01-01", "end": "2025-12-31"}
    rows = client.get(f"{BASE}/records/", span).json()["results"]
    embedding = next(r for r in rows if r["model"] == "text-embedding-3-small")
    # An embedding call has no output tokens: its whole energy is the prefill line, and it has water too.
    assert embedding["energy_prefill_kwh"] == pytest.approx(embedding["energy_kwh"]) and embedding["water_l"] > 0
    for r in rows:
        assert r["water_l_low"] <= r["water_l"] <= r["water_l_high"]
    totals = client.get(f"{BASE}/summary/", span).json()["totals"]
    sums = _sums(loaded)
    for name in (*MEASURES, "water_l_low", "pe_mj_high", "energy_prefill_kwh"):
        assert totals[name] == pytest.approx(sums[name], rel=1e-9), name
        assert totals[name] == pytest.approx(sum(r[name] for r in rows), rel=1e-9), name


def test_dashboard_and_frugality_page_show_them(org_a, loaded, client_for):
    client = client_for(org_a["users"][Role.AUDITOR])
    page = client.get(reverse("web:org_home", args=["org-a"]), {"start": "2025-01-01", "end": "2025-12-31"})
    text = page.content.decode()
    assert 'id="total-water"' in text and 'id="total-adpe"' in text and 'id="total-pe"' in text
    assert page.context["totals"]["water_l"] == pytest.approx(_sums(loaded)["water_l"], rel=1e-9)
    rows = impacts_by_team(loaded, impacts_window(loaded, today=dt.date(2025, 12, 31)))
    assert sum(r["water_l"] for r in rows) == pytest.approx(_sums(loaded)["water_l"], rel=1e-9)
    assert {r["team"] for r in rows} == {"", org_a["team"].name}
    frugal = client.get(reverse("costs:frugality", args=["org-a"]))
    assert frugal.status_code == 200 and 'id="impacts"' in frugal.content.decode()


def test_disclosure_has_voluntary_water_and_resource_datapoints(org_a, loaded):
    period = services.create_period(loaded, org_a["users"][Role.OFFICER], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    snapshot = build_snapshot(period, with_comparative=False)[0]
    points = {dp["id"]: dp for dp in snapshot["datapoints"]}
    sums = _sums(loaded)
    # m3 from litres, kgSbeq as stored, GJ from MJ; all records (Scope 3 here).
    assert points["E3-4_AI_water"]["value"] == pytest.approx(sums["water_l"] / 1000, rel=1e-9)
    assert points["E3-4_AI_water"]["unit"] == "m3" and points["E3-4_AI_water"]["section"] == "E3"
    assert points["E5-4_AI_adpe"]["value"] == pytest.approx(sums["adpe_kgsbeq"], rel=1e-9)
    assert points["E5-4_AI_pe"]["value"] == pytest.approx(sums["pe_mj"] / 1000, rel=1e-9)
    low, high = points["E3-4_AI_water"]["low"], points["E3-4_AI_water"]["high"]
    assert low < points["E3-4_AI_water"]["value"] < high
    assert "prefill" in snapshot["methodology"]["notes"] and "WUE" in snapshot["methodology"]["notes"]


def test_pdf_shows_the_voluntary_sections(org_a, loaded):
    period = services.create_period(loaded, org_a["users"][Role.OFFICER], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    snapshot, records, _version = build_snapshot(period, with_comparative=False)
    data = render_pdf(snapshot, records, snapshot_sha256=snapshot_sha256(snapshot))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert "E3 Water (voluntary)" in text and "E5 Resource use (voluntary)" in text
    assert "E3-4_AI_water" in text and "E5-4_AI_pe" in text
