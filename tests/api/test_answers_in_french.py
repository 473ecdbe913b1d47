"""The API's sentences in the request's language (issue 20): with `Accept-Language: fr` the `not_defined` reasons
and the estimate's warnings are the French entries of locale/fr, written out here; without the header, English
(the other suites assert the English answers exactly)."""

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from tests.costs.test_reconciliation import ANTHROPIC_USAGE, _load

pytestmark = pytest.mark.django_db
YEAR = {"start": "2025-01-01", "end": "2025-12-31"}


def test_not_defined_reasons_follow_accept_language(client_for, org_a):
    # Anthropic usage in March 2025 and no bill: the billed amount, the gap and its % have no value.
    _load(org_a["org"], ANTHROPIC_USAGE, "anthropic.json", "anthropic_usage")
    client = client_for(org_a["users"][Role.AUDITOR])
    url = reverse("costs_api:reconciliation", args=["org-a"])
    french = client.get(url, YEAR, HTTP_ACCEPT_LANGUAGE="fr").data["months"]
    english = client.get(url, YEAR).data["months"]
    assert [m["not_defined"] for m in french] == [
        {
            "billed_eur": "Non défini : aucune facture n'est chargée pour le mois.",
            "gap_eur": "Non défini : aucune facture n'est chargée pour le mois.",
            "gap_pct": "Non défini : aucune facture n'est chargée pour le mois, ou elle est nulle (une division par "
            "zéro).",
        }
    ]
    assert [m["not_defined"] for m in english] == [
        {
            "billed_eur": "Not defined: no bill is loaded for the month.",
            "gap_eur": "Not defined: no bill is loaded for the month.",
            "gap_pct": "Not defined: no bill is loaded for the month, or it is zero (a division by zero).",
        }
    ]


def test_the_estimates_warning_follows_accept_language(client_for, org_a):
    # gpt-4o's architecture is not published: EcoLogits' parameter range (its model repository's warning).
    client = client_for(org_a["users"][Role.AUDITOR])
    body = {"provider": "openai", "model": "gpt-4o", "output_tokens": 500}
    url = reverse("api:estimate")
    french = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr").json()
    english = client.post(url, body, content_type="application/json").json()
    assert french["warnings"] == ["architecture non publiée : fourchette de paramètres issue d'EcoLogits"]
    assert english["warnings"] == ["architecture not released: parameter range from ecologits"]
    assert {k: v for k, v in french.items() if k != "warnings"} == {k: v for k, v in english.items() if k != "warnings"}


def test_a_frugality_reason_follows_accept_language(client_for, org_a):
    # Every answer yes but rebound no: one reason, "Not: <the rebound question>", its verdict and question each
    # translated, as the frugality page's tr_reason does.
    client = client_for(org_a["users"][Role.IT_DIRECTOR])
    yes = dict.fromkeys(("need_for_ai", "model_size", "good_practices", "measurement", "usage_caps"), "yes")
    body = {"use_case": "Search", **yes, "rebound": "no"}
    url = reverse("costs_api:frugality", args=["org-a"])
    made = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert made.status_code == 201
    assert made.json()["reasons"] == [
        "Non: L'effet rebond est suivi : la croissance du volume est comparée aux gains d'efficacité."
    ]
    listed = client.get(url).json()["assessments"]
    assert listed[0]["reasons"] == ["Not: Rebound is watched: growth in volume is compared with gains in efficiency."]
