"""The disclosure snapshot and its PDF methodology carry the vendors' published per-prompt figures beside the
period's factor set's figures for comparable cases (footprint.published; the figures' sources are named in
tests/footprint/test_published.py)."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import services
from apps.disclosures.e1 import snapshot_sha256
from apps.disclosures.exports.pdf import render_pdf
from apps.disclosures.exports.pdf_annex import significant
from apps.disclosures.snapshots import build_snapshot
from apps.footprint.published import ledger_case, snapshot_rows
from apps.footprint.services import load_factor_set

pytestmark = pytest.mark.django_db
CSV = "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n" + (
    "2025-03-01,openai,gpt-4o,10,5000,4000,dev@org-a.example,,FR,1.5,EUR\n"
)


def test_snapshot_and_pdf_show_published_measurements_beside_the_ledger(org_a):
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "usage.csv")).pk)
    assert run.status == "succeeded", run.errors
    period = services.create_period(org, org_a["users"][Role.OFFICER], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    snapshot, records, version = build_snapshot(period, with_comparative=False)
    fs = load_factor_set(version)
    cases = snapshot["methodology"]["published_measurements"]
    assert cases == snapshot_rows(fs)
    mistral = next(c for c in cases if c["case"] == "le_chat_400_token_response")
    assert [f["published"] for f in mistral["figures"]] == [1.14, 45.0, 0.16]  # gCO2e, mL, mgSbeq
    openai = next(c for c in cases if c["case"] == "chatgpt_average_query")
    energy = next(f for f in openai["figures"] if f["figure"] == "energy_wh")
    ours = ledger_case(fs, "openai", "gpt-4o", 400)["energy_wh"]
    assert energy["ledger"] == pytest.approx(ours) and energy["ratio"] == pytest.approx(ours / 0.34)

    data = render_pdf(snapshot, records, snapshot_sha256=snapshot_sha256(snapshot))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert "Against published measurements" in text
    assert "Mistral AI, 2025-07-22" in text and "OpenAI, 2025-06-10" in text
    # The row: unit, published, ledger, ratio (three significant digits).
    assert f"Wh 0.34 {significant(ours)} x{significant(ours / 0.34)}" in text
    assert "market-based" in text  # Google's CO2e basis, stated beside ours


def test_significant_keeps_small_figures_readable():
    assert (significant(0.0018200789), significant(45.0), significant(2.2686), significant(None)) == (
        "0.00182",
        "45",
        "2.27",
        "\u2014",
    )
