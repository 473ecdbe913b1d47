"""Group B sources (issue 20): a refused file's message keeps its template and values, so a French page shows it in
French. Each bad file below is one of the source's own fixtures, broken as its tests break it; the French is the
sentence written in locale/fr, spelled out here rather than read back from the catalogue. Needs the compiled .mo."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from apps.connectors.pull import github_copilot
from apps.connectors.pull._http import Access, PullError
from apps.connectors.sources import openai_costs
from apps.core.messages import Message, render
from tests.connectors.helpers import fixture_bytes, refused

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    ROOT / "apps" / "connectors" / "sources" / f"{name}.py"
    for name in (
        "generic_csv",
        "github_copilot_metrics",
        "github_copilot_seats",
        "github_copilot_usage_reports",
        "litellm_spend_logs",
        "m365_copilot_usage",
        "openai_costs",
        "openai_usage",
        "otel_common",
        "otel_genai",
        "otel_metrics",
    )
] + [ROOT / "apps" / "connectors" / "pull" / f"{name}.py" for name in ("github_copilot", "openai", "openai_costs")]


def french(message: Message) -> str:
    """The message as a French page renders it: stored as JSON, then through gettext."""
    stored = json.loads(json.dumps(message.to_dict()))
    with translation.override("fr"):
        return render(stored, translation.gettext)


def _refused_message(key: str, data: bytes, filename: str, english: str) -> Message:
    """The Message of the SourceError `data` raises, its English checked word for word."""
    err = refused(key, data, filename)
    assert isinstance(err.message, Message)
    assert err.message == english
    return err.message


def _text(key: str, name: str) -> str:
    return fixture_bytes(key, name).decode("utf-8-sig")


def test_generic_csv_cost_without_currency():
    data = _text("generic_csv", "usage.csv").replace("0.025,EUR", "0.025,", 1).encode()
    message = _refused_message("generic_csv", data, "usage.csv", "expected an ISO 4217 code (e.g. EUR) for the cost")
    assert french(message) == "code ISO 4217 (par ex. EUR) attendu pour le coût"


def test_copilot_metrics_day_repeated():
    days = json.loads(fixture_bytes("github_copilot_metrics", "metrics.json"))
    data = json.dumps([*days, days[0]]).encode()
    english = (
        "the day 2025-01-10 already appears at [0]; the file repeats a day (overlapping pulls?): "
        "keep one and upload again"
    )
    message = _refused_message("github_copilot_metrics", data, "metrics.json", english)
    assert french(message) == (
        "le jour 2025-01-10 figure déjà à l'emplacement [0] ; le fichier répète un jour (récupérations qui se "
        "chevauchent ?) : n'en gardez qu'un et téléversez le fichier à nouveau"
    )


def test_copilot_seats_bad_timestamp():
    page = json.loads(fixture_bytes("github_copilot_seats", "seats_page.json"))
    page["seats"][0]["created_at"] = "3 August 2024"
    english = "expected an ISO 8601 timestamp like 2025-01-31T10:00:00Z, got '3 August 2024'"
    message = _refused_message("github_copilot_seats", json.dumps(page).encode(), "seats.json", english)
    assert french(message) == "horodatage ISO 8601 tel que 2025-01-31T10:00:00Z attendu, reçu '3 August 2024'"


def test_copilot_seats_page_without_a_seats_list():
    page = json.loads(fixture_bytes("github_copilot_seats", "seats_page.json"))
    page["seats"] = {"octocat": 1}
    message = _refused_message(
        "github_copilot_seats", json.dumps(page).encode(), "s.json", "expected a list of seat objects"
    )
    assert french(message) == "liste d'objets de siège attendue"


def test_copilot_usage_report_record_without_its_day():
    lines = _text("github_copilot_usage_reports", "users_1_day.ndjson").splitlines()
    record = json.loads(lines[0])
    del record["day"]
    data = "\n".join([json.dumps(record), *lines[1:]]).encode()
    english = "the key 'day' is missing; a per-user record needs it (has the report's format changed?)"
    message = _refused_message("github_copilot_usage_reports", data, "r.ndjson", english)
    assert french(message) == (
        "la clé 'day' est absente ; un enregistrement par utilisateur en a besoin (le format du rapport a-t-il "
        "changé ?)"
    )


def test_copilot_usage_report_user_day_repeated():
    lines = [line for line in _text("github_copilot_usage_reports", "users_1_day.ndjson").splitlines() if line]
    first = json.loads(lines[0])
    data = "\n".join([*lines, lines[0]]).encode()
    english = (
        f"the day {first['day']} of user '{first['user_login']}' already appears at [0]; the file repeats a report "
        "(overlapping downloads?): keep one and upload again"
    )
    message = _refused_message("github_copilot_usage_reports", data, "r.ndjson", english)
    assert french(message) == (
        f"le jour {first['day']} de l'utilisateur '{first['user_login']}' figure déjà en [0] ; le fichier répète "
        "un rapport (téléchargements qui se chevauchent ?) : n'en gardez qu'un et téléversez le fichier à nouveau"
    )


def test_litellm_unknown_status():
    data = _text("litellm_spend_logs", "spend_logs.csv").replace(",success\n", ",pending\n", 1).encode()
    english = "expected 'success' or 'failure' (or blank), got 'pending'"
    message = _refused_message("litellm_spend_logs", data, "spend.csv", english)
    assert french(message) == "'success' ou 'failure' attendu (ou vide), reçu 'pending'"


def test_litellm_json_without_rows():
    message = _refused_message("litellm_spend_logs", b"[]", "spend.json", "the file holds no spend log rows")
    assert french(message) == "le fichier ne contient aucune ligne de journal de dépenses"


def test_m365_user_listed_twice_for_two_periods():
    lines = _text("m365_copilot_usage", "copilot_usage_user_detail.csv").splitlines()
    again = lines[1].replace(",7", ",28")  # the same user, another report period
    data = "\n".join([*lines, again]).encode()
    english = (
        "the user is listed twice; the report holds several periods (exported with period 'ALL'?); their counts "
        "overlap and would add up: export one period (D7, D28, D90 or D180) and upload that"
    )
    message = _refused_message("m365_copilot_usage", data, "m365.csv", english)
    assert french(message) == (
        "l'utilisateur figure deux fois ; le rapport contient plusieurs périodes (exporté avec la période 'ALL' ?) ; "
        "leurs nombres se chevauchent et s'additionneraient : exportez une seule période (D7, D28, D90 ou D180) et "
        "téléversez-la"
    )


def test_openai_usage_refuses_a_costs_result():
    pages = json.loads(fixture_bytes("openai_usage", "completions_and_embeddings_pages.json"))
    pages[0]["data"][0]["results"][0] = json.loads(_text("openai_costs", "costs_pages.json").splitlines()[0])["data"][
        0
    ]["results"][0]
    data = json.dumps(pages).encode()
    english = (
        "this is an OpenAI costs page (/v1/organization/costs), not usage; choose the 'openai_costs' source for it, "
        "or load the usage pages (/v1/organization/usage/completions)"
    )
    message = _refused_message("openai_usage", data, "usage.json", english)
    assert french(message) == (
        "ceci est une page de coûts OpenAI (/v1/organization/costs), pas d'usage ; choisissez la source "
        "'openai_costs' pour ce fichier, ou chargez les pages d'usage (/v1/organization/usage/completions)"
    )


def test_openai_usage_unknown_result_object():
    pages = json.loads(fixture_bytes("openai_usage", "completions_and_embeddings_pages.json"))
    pages[0]["data"][0]["results"][0]["object"] = "organization.usage.videos.result"
    err = refused("openai_usage", json.dumps(pages).encode(), "usage.json")
    known = err.message.params["known"]
    assert err.message == f"expected a usage result object ({known}), got 'organization.usage.videos.result'"
    assert (
        french(err.message) == f"objet de résultat d'usage attendu ({known}), reçu 'organization.usage.videos.result'"
    )


def test_openai_usage_cached_beyond_input_through_the_validator():
    pages = json.loads(fixture_bytes("openai_usage", "completions_and_embeddings_pages.json"))
    result = pages[0]["data"][0]["results"][0]
    total = result["input_tokens"]
    result["input_cached_tokens"] = total + 1
    english = f"expected at most input_tokens ({total}), got {total + 1}"
    message = _refused_message("openai_usage", json.dumps(pages).encode(), "usage.json", english)
    assert french(message) == f"au plus input_tokens ({total}) attendu, reçu {total + 1}"


def test_openai_costs_row_names_are_messages():
    """openai_costs refuses through the shared readers (billed, json_models); what it names in them is its own."""
    data = json.loads(_text("openai_costs", "costs_pages.json").splitlines()[0])
    data["data"][0]["results"][0]["amount"] = 3
    err = refused("openai_costs", json.dumps(data).encode(), "costs.json")
    assert str(err) == "costs.json, at data[0].results[0].amount: expected an amount object {value, currency}, got 3"
    assert french(openai_costs.Result.WHAT) == "un objet de résultat de coûts"
    assert french(openai_costs.Amount.WHAT) == "un objet montant {value, currency}"


def test_otel_span_without_output_tokens():
    lines = _text("otel_genai", "traces.jsonl").splitlines()
    request = json.loads(lines[0])
    span = request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["attributes"] = [a for a in span["attributes"] if a["key"] != "gen_ai.usage.output_tokens"]
    data = "\n".join([json.dumps(request), *lines[1:]]).encode()
    message = _refused_message("otel_genai", data, "t.jsonl", "expected a whole number >= 0, the attribute is missing")
    assert french(message) == "nombre entier >= 0 attendu, l'attribut est absent"


def test_otel_metrics_cumulative_temporality():
    data = _text("otel_genai", "metrics.jsonl").replace('"aggregationTemporality": 1', '"aggregationTemporality": 2')
    english = (
        "expected delta temporality (1), got cumulative (2): each point would repeat the tokens since the app "
        "started, not the tokens of its interval; export deltas: set "
        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta in the app's SDK, or add the Collector's "
        "cumulativetodelta processor to the metrics pipeline before the file exporter"
    )
    message = _refused_message("otel_genai", data.encode(), "m.jsonl", english)
    assert french(message) == (
        "temporalité delta (1) attendue, reçu cumulative (2) : chaque point répéterait les jetons depuis le "
        "démarrage de l'application, et non les jetons de son intervalle ; exportez des deltas : définissez "
        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta dans le SDK de l'application, ou ajoutez le "
        "processeur cumulativetodelta du Collector au pipeline de métriques avant l'exportateur de fichiers"
    )


def test_github_pull_without_an_organisation():
    with pytest.raises(PullError) as info:
        github_copilot.fetch(Access(secret="ghp_test", github_org=" "), date(2025, 1, 1), date(2025, 1, 2))
    message = info.value.args[0]
    assert isinstance(message, Message) and str(info.value) == "GitHub: the credential names no organisation"
    assert french(message) == "GitHub : l'identifiant ne nomme aucune organisation"


def _literal_templates() -> list[tuple[str, str]]:
    found = []
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message":
                assert node.args and isinstance(node.args[0], ast.Constant), f"{path.name}: a template not literal"
                found.append((path.name, node.args[0].value))
    return found


def test_every_template_of_group_b_has_a_french_entry():
    templates = _literal_templates()
    assert len(templates) > 70  # the scan found the converted messages
    with translation.override("fr"):
        missing = [f"{name}: {t}" for name, t in templates if translation.gettext(t) == t]
    assert missing == []
