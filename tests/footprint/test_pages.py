"""Factor-set and instrument pages: provenance, a new residual-mix version and its effect, roles and tenants."""

import io

import pytest
from django.urls import reverse

from apps.accounts.models import AuditEvent, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.footprint.models import ContractualInstrument, FactorSetVersion
from apps.footprint.services import current_factor_set_version, load_factor_set

pytestmark = pytest.mark.django_db
CODECARBON = (
    "timestamp,project_name,run_id,experiment_id,duration,emissions,energy_consumed,country_name,"
    "country_iso_code,region,cloud_provider,cloud_region,on_cloud,pue\n"
    "2025-03-01T10:00:00,train,run-de,exp,3600,1.0,1000.0,Germany,DEU,,,,N,1.0\n"
)
INSTRUMENT = {
    "kind": "GO",
    "mwh": "0.5",
    "zone": "DE",
    "period_start": "2025-01-01",
    "period_end": "2025-12-31",
    "gco2e_per_kwh": "0",
    "energy_source": "renewable",
    "supplier": "Stadtwerke",
    "reference": "GO-1",
}


def test_factor_page_shows_provenance_and_the_effect_of_a_new_residual_mix(client_for, org_a):
    org = org_a["org"]
    execute_run(create_run(org, "codecarbon_emissions", store_upload(org, io.BytesIO(CODECARBON.encode()), "e.csv")).pk)
    client = client_for(org_a["users"][Role.OFFICER])
    page = client.get(reverse("footprint:factor_sets", args=["org-a"])).content.decode()
    assert "ecologits" in page and "residual_mix" in page and "Save as a new version" in page
    # Seat tools' interactions per day with their status (ledger_factors.json: github_copilot 20, 5-80, an
    # assumption) and the lineage tables' provenance.
    assert (
        'id="seat-tools"' in page and '<td>github_copilot</td><td class="num">20 (5–80)</td><td>assumption</td>' in page
    )
    assert "model_lineage" in page and "model_aliases" in page
    base = current_factor_set_version(org)
    response = client.post(
        reverse("footprint:residual_mix", args=["org-a"]),
        {
            "rows": "DEU,2024,500,entered\nFRA,2024,20",
            "source": "AIB 2025 (entered by hand)",
            "vintage": "2024",
            "licence": "AIB terms",
            "note": "checked against the workbook",
        },
    )
    assert response.status_code == 302
    new = current_factor_set_version(org)
    assert new != base and new.organisation == org and base.organisation is None
    assert load_factor_set(new).residual_factor("DEU", 2025)[1] == 500
    assert AuditEvent.objects.for_org(org).filter(action="factor_set.new").exists()
    # The page shows what the new version changes: Germany's residual mix 701.47 -> 500 g/kWh moves the
    # market-based figure of the job (1,000 IT kWh x the assumed facility PUE 1.56 = 1,560 kWh) by
    # (500 - 701.47) g x 1,560 = -314.29 kg.
    page = client.get(reverse("footprint:factor_sets", args=["org-a"])).content.decode()
    assert "co2e_market_kg" in page and "-314" in page.replace("\u2212", "-")


def test_an_officer_enters_a_site_pue_as_a_new_version(client_for, org_a):
    org = org_a["org"]
    execute_run(create_run(org, "codecarbon_emissions", store_upload(org, io.BytesIO(CODECARBON.encode()), "e.csv")).pk)
    client = client_for(org_a["users"][Role.OFFICER])
    page = client.get(reverse("footprint:factor_sets", args=["org-a"])).content.decode()
    assert "Facility PUE of your own sites" in page and "*,1.56,assumed" in page
    response = client.post(
        reverse("footprint:facility_pue", args=["org-a"]),
        {"rows": "DE,1.3,measured", "source": "Hamburg site meters, 2025 annual PUE", "note": "metered"},
    )
    assert response.status_code == 302
    fs = load_factor_set(current_factor_set_version(org))
    # Germany's site at its own 1.3; every other site keeps the assumed 1.56 default.
    assert fs.facility_pue("DEU") == (1.3, "measured") and fs.facility_pue("FRA") == (1.56, "assumed")
    # The job's 1,000 IT kWh: 1,560 kWh at the assumed PUE, 1,300 at the site's, a change of -260 kWh.
    page = client.get(reverse("footprint:factor_sets", args=["org-a"])).content.decode()
    assert "energy_kwh" in page and "-260" in page.replace("\u2212", "-")


def test_a_pue_below_one_is_refused_with_the_line(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.post(
        reverse("footprint:facility_pue", args=["org-a"]),
        {"rows": "FR,1.2\nDE,0.9", "source": "x"},
        follow=True,
    )
    assert "line 2: a PUE is total facility energy / IT energy, so at least 1" in response.content.decode()
    assert FactorSetVersion.objects.filter(organisation=org_a["org"]).count() == 0
    auditor = client_for(org_a["users"][Role.AUDITOR])
    assert (
        auditor.post(reverse("footprint:facility_pue", args=["org-a"]), {"rows": "FR,1.2", "source": "x"}).status_code
        == 403
    )


def test_bad_residual_rows_are_refused_with_the_line(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.post(
        reverse("footprint:residual_mix", args=["org-a"]),
        {"rows": "DEU,2024,500\nFRA,twenty,20", "source": "x", "vintage": "2024", "licence": "x"},
        follow=True,
    )
    assert "line 2: year must be a whole number" in response.content.decode()
    assert FactorSetVersion.objects.filter(organisation=org_a["org"]).count() == 0


def test_instruments_page_roles_and_tenants(client_for, org_a, org_b):
    officer = client_for(org_a["users"][Role.OFFICER])
    assert officer.post(reverse("footprint:instruments", args=["org-a"]), INSTRUMENT).status_code == 302
    instrument = ContractualInstrument.objects.for_org(org_a["org"]).get()
    assert instrument.supplier == "Stadtwerke"
    bad = officer.post(reverse("footprint:instruments", args=["org-a"]), {**INSTRUMENT, "zone": "Germny"})
    assert "unknown zone &#x27;Germny&#x27;" in bad.content.decode()
    auditor = client_for(org_a["users"][Role.AUDITOR])
    assert "Stadtwerke" in auditor.get(reverse("footprint:instruments", args=["org-a"])).content.decode()
    assert auditor.post(reverse("footprint:instruments", args=["org-a"]), INSTRUMENT).status_code == 403
    assert auditor.post(reverse("footprint:instrument_delete", args=["org-a", instrument.pk])).status_code == 403
    other = client_for(org_b["users"][Role.ADMIN])
    assert other.post(reverse("footprint:instrument_delete", args=["org-b", instrument.pk])).status_code == 404
    assert ContractualInstrument.objects.count() == 1


def test_factor_page_sets_published_measurements_beside_the_ledger(client_for, org_a):
    from apps.footprint.published import ledger_case
    from apps.web.templatetags.ledger import figure

    client = client_for(org_a["users"][Role.AUDITOR])
    page = client.get(reverse("footprint:factor_sets", args=["org-a"])).content.decode()
    assert 'id="published-measurements"' in page
    # Each vendor's figure (Google 0.24 Wh, OpenAI 0.34 Wh, Mistral 1.14 gCO2e and 45 mL) ...
    for published in (0.24, 0.34, 1.14, 45):
        assert f'<td class="num">{figure(published)}</td>' in page
    # ... beside the set's own figure for the case: 400 output tokens of gpt-4o at OpenAI's zone.
    fs = load_factor_set(current_factor_set_version(org_a["org"]))
    ours = ledger_case(fs, "openai", "gpt-4o", 400)["energy_wh"]
    assert (
        f'<td class="num">0.34</td><td class="num">{figure(ours)}</td><td class="num">×{figure(ours / 0.34)}</td>'
        in (page)
    )
    assert "market-based" in page and "Mistral names the model" in page
