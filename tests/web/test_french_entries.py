"""The English sentences the code and the data write (source descriptions, ESRS catalogue labels and notes) each
have a French entry in locale/fr, so a branch that adds one without it fails here, not only in the browser suite
(tests/browser/test_every_page.py). Needs the compiled .mo, as every French page does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from apps.connectors.models import IngestionRun
from apps.connectors.sources import SOURCES
from apps.connectors.sources.about import about
from apps.connectors.sources.skips import SkipReason

CATALOGUES = sorted((Path(__file__).parents[2] / "apps" / "disclosures" / "catalogues").glob("*.json"))


def _catalogue_sentences(path: Path) -> list[str]:
    """Every datapoint label, not-carried reason and not-computed item of one catalogue."""
    data = json.loads(path.read_text())
    texts = [dp["label"] for dp in data.get("datapoints", [])]
    texts += [row["why"] for row in data.get("not_carried", [])]
    texts += [t for row in data.get("not_computed", []) for t in (row["what"], row["why"])]
    return texts


def _untranslated(texts: list[str]) -> list[str]:
    with translation.override("fr"):
        return [t for t in texts if translation.gettext(t) == t]


def test_every_source_description_has_a_french_entry():
    assert _untranslated([about(source).description for source in SOURCES.values()]) == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_every_catalogue_label_and_note_has_a_french_entry(path):
    texts = _catalogue_sentences(path)
    assert texts  # the catalogue was read
    assert _untranslated(texts) == []


def test_every_skip_reason_label_has_a_french_entry():
    assert _untranslated([reason.label for reason in SkipReason]) == []


def test_the_run_page_gives_the_skip_reasons_in_the_active_language():
    run = IngestionRun(skipped={"cache_hit": 3, "failed_request": 5})
    with translation.override("fr"):
        assert run.skipped_by_reason == [
            ("failed_request", "une requête en échec (pas de réponse, rien de compté)", 5),
            ("cache_hit", "servie par le cache de la passerelle (aucun modèle appelé)", 3),
        ]


def test_every_reason_a_figure_is_not_defined_has_a_french_entry():
    """The sentences the snapshot stores beside an undefined figure (issue 19); the period page shows them."""
    from apps.disclosures import e1

    reasons = [value for name, value in vars(e1).items() if name.isupper() and isinstance(value, str)]
    reasons = [r for r in reasons if "not defined" in r.lower()]
    assert len(reasons) == 11
    assert _untranslated(reasons) == []
