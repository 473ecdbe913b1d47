"""`manage.py estimate --json` and POST /api/v1/estimate: the same answer, checked by hand."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.accounts.models import Role
from apps.footprint.estimators.llm import llm_coefficients
from apps.footprint.estimators.tokens import datacenter_pue
from apps.footprint.factors import default_factor_set

KEYS = {
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "co2e_kg",
    "co2e_kg_low",
    "co2e_kg_high",
    "zone",
    "grid_gco2e_per_kwh",
    "method_version",
    "factor_set",
    "model_resolved",
}


def _by_hand(model, output_tokens, requests, zone):
    """Energy = tokens x kWh/token + requests x kWh/request, from the model's coefficients; CO2e = energy x grid."""
    fs = default_factor_set()
    params = fs.model("openai", model)
    pue_low, pue_high, _ = datacenter_pue(fs, "openai")
    c = llm_coefficients(params, pue_low, pue_high, fs.method)
    low = output_tokens * c["kwh_per_token_low"] + requests * c["kwh_per_request_low"]
    high = output_tokens * c["kwh_per_token_high"] + requests * c["kwh_per_request_high"]
    grid = fs.grid_factor(fs.resolve_zone(zone), None).gco2e_per_kwh
    return low, high, grid


@pytest.mark.django_db
def test_command_prints_one_json_object_with_the_documented_keys():
    out = StringIO()
    call_command(
        "estimate",
        "--provider",
        "openai",
        "--model",
        "gpt-4o",
        "--output-tokens",
        "1000",
        "--zone",
        "FR",
        "--requests",
        "2",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert set(result) >= KEYS
    low, high, grid = _by_hand("gpt-4o", 1000, 2, "FR")
    assert result["energy_kwh_low"] == pytest.approx(low, rel=1e-9)
    assert result["energy_kwh_high"] == pytest.approx(high, rel=1e-9)
    assert result["energy_kwh"] == pytest.approx((low + high) / 2, rel=1e-9)
    assert result["zone"] == "FRA" and result["grid_gco2e_per_kwh"] == pytest.approx(grid)
    # CO2e = kWh x gCO2e/kWh / 1000
    assert result["co2e_kg"] == pytest.approx(result["energy_kwh"] * grid / 1000, rel=1e-9)
    assert result["co2e_kg_low"] < result["co2e_kg"] < result["co2e_kg_high"]
    assert result["method_version"].endswith("ecologits 0.11.3")
    # gpt-4o, 1,000 output tokens: EcoLogits 0.11.3 gives 1.27-2.40 Wh (methodology notes).
    assert 0.0012 < result["energy_kwh"] < 0.0025
    assert result["model_resolved"] == "openai/gpt-4o (ecologits 0.11.3)"


@pytest.mark.django_db
def test_command_json_names_the_lineage_entry_of_a_model_ecologits_dropped():
    out = StringIO()
    args = ("--provider", "anthropic", "--model", "claude-sonnet-4", "--output-tokens", "1000", "--json")
    call_command("estimate", *args, stdout=out)
    result = json.loads(out.getvalue())
    # claude-sonnet-4 is gone from ecologits 0.11.3; its entry is ecologits 0.10.2's claude-sonnet-4-20250514.
    assert result["model_resolved"] == "anthropic/claude-sonnet-4-20250514 (ecologits 0.10.2)"
    assert result["energy_kwh"] > 0


@pytest.mark.django_db
def test_command_names_close_matches_for_unknown_names():
    with pytest.raises(CommandError, match=r"unknown model .*'gpt-4x'.*close matches: .*gpt-4o"):
        call_command("estimate", "--provider", "openai", "--model", "gpt-4x", "--output-tokens", "10")
    with pytest.raises(CommandError, match=r"unknown zone 'Frnce'"):
        call_command(
            "estimate", "--provider", "openai", "--model", "gpt-4o", "--output-tokens", "10", "--zone", "Frnce"
        )
    with pytest.raises(CommandError, match=r"unknown provider 'opnai'.*close matches: .*openai"):
        call_command("estimate", "--provider", "opnai", "--model", "gpt-4o", "--output-tokens", "10")


@pytest.mark.django_db
def test_api_answers_the_same_as_the_command(client_for, org_a):
    client = client_for(org_a["users"][Role.AUDITOR])
    body = {"provider": "openai", "model": "gpt-4o-mini", "output_tokens": 500, "requests": 3, "zone": "DE"}
    response = client.post(reverse("api:estimate"), body, content_type="application/json")
    assert response.status_code == 200
    out = StringIO()
    call_command(
        "estimate",
        "--provider",
        "openai",
        "--model",
        "gpt-4o-mini",
        "--output-tokens",
        "500",
        "--requests",
        "3",
        "--zone",
        "DE",
        "--json",
        stdout=out,
    )
    assert response.json() == json.loads(out.getvalue())
    fr = client.post(reverse("api:estimate"), {**body, "zone": "FR"}, content_type="application/json").json()
    assert fr["co2e_kg"] < response.json()["co2e_kg"]  # France's grid is cleaner than Germany's


@pytest.mark.django_db
def test_api_refuses_unknown_model_with_close_matches_and_anonymous(client, client_for, org_a):
    assert client.post(reverse("api:estimate"), {}, content_type="application/json").status_code in (401, 403)
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.post(
        reverse("api:estimate"),
        {"provider": "openai", "model": "gpt-4x", "output_tokens": 5},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "model" and "gpt-4o" in response.json()["close_matches"]
    bad = client.post(
        reverse("api:estimate"),
        {"provider": "openai", "model": "gpt-4o", "output_tokens": -1},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "output_tokens" in bad.json()
