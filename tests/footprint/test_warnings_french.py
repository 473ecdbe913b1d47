"""Row warnings in the reader's language (issue 20): the calculator writes each warning as a Message (English, as
records store it, with its template and values); a page shows the stored English text in French part by part,
old texts included; every template has its French entry in locale/fr.

The French expected here is written out from the catalogue's entries and the factor set's own values (the seat
tool's 0.34 Wh and 20 interactions a day, the size class 'small' of 1-15B active parameters), not read back from
the code under test."""

from __future__ import annotations

import ast
import io
import string
from pathlib import Path

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.core.messages import Message, render
from apps.footprint import warning_codes
from apps.footprint.calculator import estimate
from apps.footprint.factors import default_factor_set
from apps.footprint.usage_frame import conform
from apps.footprint.warning_codes import MESSAGES, RowWarning, parse_warning, render_warning

ROOT = Path(__file__).resolve().parents[2]

# The catalogue's French of each part the worked case below gives.
SEAT_NOTE_FR = (
    "outil par licence « github_copilot » : 0.34 Wh par interaction ; 20 interactions par jour actif supposées "
    "(hypothèse) là où la source ne compte aucune requête"
)
SEAT_ZONE_FR = "pas de zone : zone par défaut de l'outil par licence, USA"
VINTAGE_FR = (
    "facteur de réseau ou de mix résiduel d'une autre année que l'année d'utilisation (le dernier antérieur, sinon "
    "le plus ancien ; grid_year)"
)
SEAT_ASSUMED_FR = (
    "interactions par licence supposées (la source ne compte aucune requête pour le jour de la ligne) : "
    "jours-utilisateurs actifs x interactions de l'outil par jour actif"
)
PUE_FR = "PUE de l'installation non saisi pour le site : moyenne du secteur supposée"
NO_RESIDUAL_FR = (
    "pas de mix résiduel pour la zone et l'année (aucun publié, ou NA en divulgation complète) : méthode marché à "
    "la moyenne du réseau pour la part qu'aucun instrument ne couvre (hiérarchie Scope 2 du GHG Protocol)"
)
UNKNOWN_MODEL_FR = (
    "modèle inconnu openai/mystery-model-7b : classe de taille « small » (1-15 Md de paramètres actifs), "
    "fourchette large"
)


def _frame():
    """A Copilot seat row with no request count and no zone; 1,000 kWh measured on own hardware in Austria in 2024
    (AIB 2024: NA under full disclosure, no residual mix); a token row of a model the repository does not know."""
    return conform(
        pd.DataFrame(
            {
                "day": ["2025-06-15", "2024-03-01", "2025-06-15"],
                "source": ["test"] * 3,
                "provider": ["github", "self_hosted", "openai"],
                "model": ["GitHub Copilot", "", "mystery-model-7b"],
                "usage_kind": ["seat_activity", "measured_energy", "tokens"],
                "self_hosted": [False, True, False],
                "active_user_days": [10, 0, 0],
                "measured_energy_kwh": [0.0, 1000.0, 0.0],
                "output_tokens": [0, 0, 5000],
                "requests": [0, 0, 10],
                "zone": ["", "AT", ""],
            }
        )
    )


def test_the_real_calculators_warnings_read_in_french_part_by_part():
    fs = default_factor_set()
    assert fs.seat_tool("GitHub Copilot", "github")["wh_per_interaction"] == 0.34  # the values the French names
    result = estimate(_frame(), fs)
    warnings = list(result["warning"])
    french = [SEAT_NOTE_FR, SEAT_ZONE_FR, VINTAGE_FR, SEAT_ASSUMED_FR], [PUE_FR, NO_RESIDUAL_FR]
    french += ([UNKNOWN_MODEL_FR, VINTAGE_FR],)
    with translation.override("fr"):
        # The stored English text, read back (a page) and the calculator's own Message (a run's warnings).
        assert [render_warning(w, translation.gettext) for w in warnings] == ["; ".join(p) for p in french]
        messages = result.attrs["warning_messages"]
        assert [render(messages[w].to_dict(), translation.gettext) for w in warnings] == ["; ".join(p) for p in french]
    # English unchanged: the column is the English of each part, in the order of the notes then the codes.
    assert warnings[1] == "; ".join((MESSAGES[RowWarning.FACILITY_PUE_ASSUMED], MESSAGES[RowWarning.NO_RESIDUAL_MIX]))
    assert warnings[2] == (
        "unknown model openai/mystery-model-7b: size class 'small' (1-15B active), wide range; "
        + MESSAGES[RowWarning.GRID_VINTAGE_GAP]
    )
    with translation.override("en"):
        assert [render_warning(w, translation.gettext) for w in warnings] == warnings


def test_a_stored_text_parses_back_to_its_parts_and_an_unknown_part_stays_as_it_is():
    old = "some warning of an older method; unknown zone 'Atlantis; Deep': world average used"
    parts = parse_warning(old)
    assert parts == ["some warning of an older method", "unknown zone 'Atlantis; Deep': world average used"]
    assert isinstance(parts[1], Message) and parts[1].params == {"zone": "'Atlantis; Deep'"}
    with translation.override("fr"):
        assert render_warning(old, translation.gettext) == (
            "some warning of an older method; zone inconnue 'Atlantis; Deep' : moyenne mondiale utilisée"
        )


def _templates_in(path: Path) -> set[str]:
    """The warning templates a module writes: each literal, or warning_codes constant, that it passes to Message()."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            elif isinstance(first, ast.Name) and first.id.isupper():  # a template constant, not a value
                found.add(getattr(warning_codes, first.id))
    return found


def test_every_warning_template_has_a_french_entry():
    modules = [
        ROOT / "apps/footprint/warning_codes.py",
        ROOT / "apps/footprint/zones.py",
        ROOT / "apps/footprint/calculator.py",
        *sorted((ROOT / "apps/footprint/estimators").glob("*.py")),
    ]
    templates = set().union(*(_templates_in(p) for p in modules))
    assert set(warning_codes.TEMPLATES) <= templates and warning_codes.ESTIMATE_ARCH_NOT_RELEASED in templates
    assert len(templates) == len(MESSAGES) + len(warning_codes.NOTES) + 1
    with translation.override("fr"):
        assert sorted(t for t in templates if translation.gettext(t) == t) == []
        # The French keeps the English's fields, so a value is never lost.
        for t in templates:
            assert _fields(translation.gettext(t)) == _fields(t), t


def _fields(template: str) -> list:
    return sorted(f for _, f, _, _ in string.Formatter().parse(template) if f is not None)


@pytest.mark.django_db
def test_the_records_page_in_french_shows_the_french_warning(org_a, client_for):
    csv = (
        b"date,provider,model,requests,input_tokens,output_tokens,user,zone,cost,currency\n"
        b"2025-03-03,openai,gpt-4o,0,1000,500,dev@org-a.example,Atlantis,1.5,EUR\n"
    )
    run = execute_run(create_run(org_a["org"], "generic_csv", store_upload(org_a["org"], io.BytesIO(csv), "u.csv")).pk)
    assert run.status == "succeeded", run.errors
    # gpt-4o's architecture is not published (EcoLogits' model repository), its zone unknown, its requests 0.
    english = (
        "gpt-4o: architecture not released, parameter range from ecologits; unknown zone 'Atlantis': world average "
        "used; request count missing: time-to-first-token share omitted"
    )
    assert run.records.get().warning == english  # the record keeps its English
    client = client_for(org_a["users"][Role.AUDITOR])
    url = reverse("web:records", args=["org-a"])
    page = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"}, HTTP_ACCEPT_LANGUAGE="fr")
    french = (
        "gpt-4o : architecture non publiée, fourchette de paramètres issue d'EcoLogits; zone inconnue 'Atlantis' : "
        "moyenne mondiale utilisée; nombre de requêtes manquant : part du temps jusqu'au premier jeton omise"
    )
    html = page.content.decode()
    assert f'<small class="muted warning">{_escaped(french)}</small>' in html
    english_page = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"}, HTTP_ACCEPT_LANGUAGE="en")
    assert f'<small class="muted warning">{_escaped(english)}</small>' in english_page.content.decode()
    # The run stores its warnings as Message dicts; the API answers them in the request's language.
    assert run.warnings == [
        {
            "template": "{w0}; {w1}; {w2}",
            "params": {
                "w0": {"template": warning_codes.ARCH_NOT_RELEASED, "params": {"model": "gpt-4o"}},
                "w1": {"template": warning_codes.UNKNOWN_ZONE, "params": {"zone": "'Atlantis'"}},
                "w2": {"template": MESSAGES[RowWarning.REQUEST_COUNT_MISSING], "params": {}},
            },
        }
    ]
    answer = client.get(reverse("api:run", args=["org-a", run.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.data["warnings"] == [french]


def _escaped(text: str) -> str:
    return text.replace("'", "&#x27;")
