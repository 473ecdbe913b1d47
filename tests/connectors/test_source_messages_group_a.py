"""Group A's source errors (issue 20, complete French): each source's bad file is refused with a `Message` whose
English is the text the source always wrote and whose template renders, through the French catalogue, as the
French sentence written for it. Bad files are the sources' fixtures (tests/fixtures/<key>/) with one value broken.
Needs the compiled .mo, as every French page does."""

from __future__ import annotations

import ast
import csv
import io
import json
import string
from pathlib import Path

import pytest
from django.utils import translation

from apps.connectors.pull import aws_bedrock_logs, cursor
from apps.connectors.pull._http import PullError
from apps.core.messages import Message, render
from tests.connectors.helpers import fixture_bytes, refused

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "apps" / "connectors" / "sources"
PULL = ROOT / "apps" / "connectors" / "pull"
FILES = [
    *(
        SOURCES / f"{name}.py"
        for name in (
            "anthropic_claude_code",
            "anthropic_cost_report",
            "anthropic_usage",
            "aws_bedrock_invocations",
            "aws_cur_bedrock",
            "azure_focus_cost",
            "azure_openai_cost",
            "billed",
            "chatgpt_enterprise_analytics",
            "codecarbon_emissions",
            "cursor_admin",
            "cursor_daily_usage",
            "gcp_billing_export",
        )
    ),
    *(
        PULL / f"{name}.py"
        for name in (
            "anthropic",
            "anthropic_claude_code",
            "anthropic_costs",
            "aws_bedrock_logs",
            "cursor",
            "cursor_daily",
        )
    ),
]


def french(message: Message) -> str:
    """The message as a French page renders it: stored as JSON, read back, formatted through gettext."""
    stored = json.loads(json.dumps(message.to_dict()))
    with translation.override("fr"):
        return render(stored, translation.gettext)


def assert_message(message: object, english: str, french_text: str) -> None:
    assert isinstance(message, Message)
    assert str(message) == english
    assert french(message) == french_text


def jsonl(key: str, name: str) -> list[dict]:
    return [json.loads(line) for line in fixture_bytes(key, name).decode().splitlines() if line.strip()]


def dump_lines(values: list[dict]) -> bytes:
    return "".join(json.dumps(v) + "\n" for v in values).encode()


def csv_rows(key: str, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(fixture_bytes(key, name).decode("utf-8-sig"))))


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def set_cell(rows: list[list[str]], column: str, value: str, row: int = 1) -> list[list[str]]:
    rows[row][rows[0].index(column)] = value
    return rows


# --- Anthropic ----------------------------------------------------------------------------------------------------


def test_claude_code_a_currency_without_cents():
    pages = jsonl("anthropic_claude_code", "claude_code_pages.jsonl")
    pages[0]["data"][0]["model_breakdown"][0]["estimated_cost"]["currency"] = "JPY"
    err = refused("anthropic_claude_code", dump_lines(pages), "cc.jsonl")
    assert err.column == "currency"
    assert_message(
        err.message,
        "expected a currency whose minor unit is a cent (AUD, CAD, CHF, EUR, GBP, USD), got 'JPY'",
        "devise attendue dont l'unité divisionnaire est le centième (AUD, CAD, CHF, EUR, GBP, USD), reçu 'JPY'",
    )


def test_claude_code_a_record_without_its_model_breakdown():
    pages = jsonl("anthropic_claude_code", "claude_code_pages.jsonl")
    del pages[0]["data"][0]["model_breakdown"]
    err = refused("anthropic_claude_code", dump_lines(pages), "cc.jsonl")
    assert err.column == "model_breakdown"
    assert_message(
        err.message,
        "expected the record's model_breakdown, the key is missing",
        "clé model_breakdown de l'enregistrement attendue, elle est absente",
    )


def test_claude_code_a_page_loaded_twice():
    pages = jsonl("anthropic_claude_code", "claude_code_pages.jsonl")
    err = refused("anthropic_claude_code", dump_lines([pages[0], pages[0]]), "cc.jsonl")
    first = err.message.params["where"]
    assert first.endswith("data[0].model_breakdown[0]")
    assert_message(
        err.message,
        f"the same actor, day and model already appears at {first}; the file repeats a page "
        "(overlapping pulls?): keep one and upload again",
        f"le même acteur, jour et modèle figure déjà en {first} ; le fichier répète une page "
        "(récupérations qui se chevauchent ?) : n'en gardez qu'une et téléversez-le à nouveau",
    )


def test_usage_report_a_result_without_cache_creation():
    page = json.loads(fixture_bytes("anthropic_usage", "usage_report_messages.json"))
    del page["data"][0]["results"][0]["cache_creation"]
    err = refused("anthropic_usage", json.dumps(page).encode(), "usage.json")
    assert (err.row, err.column) == ("data[0].results[0]", "cache_creation")
    assert_message(
        err.message,
        "expected an object of cache-creation tokens, the key is missing",
        "objet de jetons d'écriture en cache attendu, la clé est absente",
    )


def test_usage_report_given_a_cost_report_result():
    page = json.loads(fixture_bytes("anthropic_usage", "usage_report_messages.json"))
    page["data"][0]["results"][0] = {"amount": "123.45", "currency": "USD", "model": "claude-sonnet-4-20250514"}
    err = refused("anthropic_usage", json.dumps(page).encode(), "usage.json")
    assert err.row == "data[0].results[0]"
    assert_message(
        err.message,
        "this is an Anthropic cost report (/v1/organizations/cost_report), not the usage report; choose the "
        "'anthropic_cost_report' source for it, or load /v1/organizations/usage_report/messages pages",
        "ceci est un rapport de coûts Anthropic (/v1/organizations/cost_report), pas le rapport d'usage ; choisissez "
        "la source 'anthropic_cost_report' pour ce fichier, ou chargez des pages "
        "/v1/organizations/usage_report/messages",
    )


def test_cost_report_an_amount_that_is_not_a_number():
    page = json.loads(fixture_bytes("anthropic_cost_report", "cost_report.json"))
    page["data"][0]["results"][0]["amount"] = "abc"
    err = refused("anthropic_cost_report", json.dumps(page).encode(), "costs.json")
    assert (err.row, err.column) == ("data[0].results[0]", "amount")
    assert_message(
        err.message,
        "expected an amount (a number or a decimal string), got 'abc'",
        "montant attendu (un nombre ou une chaîne décimale), reçu 'abc'",
    )


def test_cost_report_an_amount_beyond_the_bound():
    page = json.loads(fixture_bytes("anthropic_cost_report", "cost_report.json"))
    page["data"][0]["results"][0]["amount"] = "5e12"
    err = refused("anthropic_cost_report", json.dumps(page).encode(), "costs.json")
    assert_message(
        err.message,
        "expected an amount between -1,000,000,000,000 and 1,000,000,000,000, got '5e12'",
        "montant compris entre -1,000,000,000,000 et 1,000,000,000,000 attendu, reçu '5e12'",
    )


def test_cost_report_a_result_without_currency():
    page = json.loads(fixture_bytes("anthropic_cost_report", "cost_report.json"))
    del page["data"][0]["results"][0]["currency"]
    err = refused("anthropic_cost_report", json.dumps(page).encode(), "costs.json")
    assert err.column == "currency"
    assert_message(
        err.message,
        "expected an ISO 4217 currency code like 'USD', the key is missing or empty",
        "code de devise ISO 4217 tel que 'USD' attendu, la clé est absente ou vide",
    )


# --- AWS ----------------------------------------------------------------------------------------------------------


def test_bedrock_invocations_a_record_without_output():
    records = jsonl("aws_bedrock_invocations", "invocations.jsonl")
    del records[1]["output"]
    err = refused("aws_bedrock_invocations", dump_lines(records), "bedrock.jsonl")
    assert err.column == "output"
    assert_message(
        err.message,
        "expected the record's output object, the key is missing",
        "objet output de l'enregistrement attendu, la clé est absente",
    )


def test_bedrock_invocations_a_blank_model_id():
    records = jsonl("aws_bedrock_invocations", "invocations.jsonl")
    records[1]["modelId"] = " "
    err = refused("aws_bedrock_invocations", dump_lines(records), "bedrock.jsonl")
    assert_message(err.message, "expected a model id, got ' '", "identifiant de modèle attendu, reçu ' '")


def test_bedrock_cur_an_unknown_pricing_unit():
    rows = set_cell(csv_rows("aws_cur_bedrock", "cur2_bedrock.csv"), "pricing_unit", "hours")
    err = refused("aws_cur_bedrock", csv_bytes(rows), "cur.csv")
    assert (err.row, err.column) == (2, "pricing_unit")
    assert_message(
        err.message,
        "expected a token unit (1k tokens, 1m tokens, count, token, tokens, unit, units), got 'hours'",
        "unité de jetons attendue (1k tokens, 1m tokens, count, token, tokens, unit, units), reçu 'hours'",
    )


def test_bedrock_cur_without_bedrock_token_lines():
    rows = csv_rows("aws_cur_bedrock", "cur2_bedrock.csv")
    at = rows[0].index("line_item_usage_type")
    rows = [rows[0], *(set_cell(rows, "line_item_usage_type", "USE1-ProvisionedModelUnits", i)[i] for i in (1, 2))]
    err = refused("aws_cur_bedrock", csv_bytes(rows), "cur.csv")
    assert rows[1][at] == "USE1-ProvisionedModelUnits"
    assert_message(
        err.message,
        "found no Amazon Bedrock token lines (usage types ending in -input-tokens, -output-tokens or "
        "-cache-read/-cache-write-input-token-count)",
        "aucune ligne de jetons Amazon Bedrock trouvée (types d'usage se terminant par -input-tokens, "
        "-output-tokens ou -cache-read/-cache-write-input-token-count)",
    )


def test_bedrock_logs_pull_a_stored_secret_that_is_not_the_keys():
    with pytest.raises(PullError) as info:
        aws_bedrock_logs.unpack_secret("not json")
    assert_message(
        info.value.args[0],
        "AWS: the stored credential is not an access key id and secret; enter it again",
        "AWS : l'identifiant enregistré n'est pas un identifiant de clé d'accès et un secret ; saisissez-le à nouveau",
    )


def test_bedrock_logs_pull_a_log_group_that_does_not_exist():
    error = aws_bedrock_logs._refusal("ResourceNotFoundException", "gone", 400, "/bedrock/x", "eu-west-1")
    assert error.status == 400
    assert_message(
        error.args[0],
        "AWS has no log group /bedrock/x in eu-west-1: check the log group Bedrock logs to "
        "(ResourceNotFoundException: gone)",
        "AWS n'a pas de groupe de journaux /bedrock/x dans eu-west-1 : vérifiez le groupe de journaux où Bedrock "
        "écrit ses journaux (ResourceNotFoundException: gone)",
    )


# --- Azure --------------------------------------------------------------------------------------------------------


def test_azure_classic_a_unit_that_is_no_token_unit():
    rows = set_cell(csv_rows("azure_openai_cost", "cost_details_ea.csv"), "UnitOfMeasure", "10 Packs")
    err = refused("azure_openai_cost", csv_bytes(rows), "ea.csv")
    assert (err.row, err.column) == (2, "UnitOfMeasure")
    assert_message(
        err.message,
        "expected a token unit such as '1K' or '1M', got '10 Packs'",
        "unité de jetons telle que '1K' ou '1M' attendue, reçu '10 Packs'",
    )


def test_azure_classic_too_many_tokens():
    rows = set_cell(csv_rows("azure_openai_cost", "cost_details_ea.csv"), "Quantity", "2000000000")
    err = refused("azure_openai_cost", csv_bytes(rows), "ea.csv")
    assert_message(
        err.message,
        "expected at most 1,000,000,000,000 tokens, got 2000000000 x 1K = 2,000,000,000,000 tokens",
        "au plus 1,000,000,000,000 jetons attendus, reçu 2000000000 x 1K = 2,000,000,000,000 jetons",
    )


def test_azure_focus_without_token_meters():
    rows = csv_rows("azure_openai_cost", "focus_export.csv")
    at = rows[0].index("x_SkuMeterCategory")
    err = refused("azure_openai_cost", csv_bytes([rows[0], *(r for r in rows[1:] if r[at] == "Virtual Machines")]))
    assert err.column == "x_SkuMeterName"
    assert_message(
        err.message,
        "found no Azure OpenAI / Foundry token meters among the usage charges (meter categories in the file: "
        "Virtual Machines); export the FOCUS cost details of the subscription that holds the AI resources",
        "aucun compteur de jetons Azure OpenAI / Foundry trouvé parmi les frais d'usage (catégories de compteurs "
        "dans le fichier : Virtual Machines) ; exportez le détail des coûts FOCUS de l'abonnement qui contient les "
        "ressources d'IA",
    )


# --- ChatGPT Enterprise, CodeCarbon -------------------------------------------------------------------------------


def test_chatgpt_a_period_that_ends_before_it_starts():
    rows = set_cell(csv_rows("chatgpt_enterprise_analytics", "user_engagement_weekly.csv"), "period_end", "2026-03-01")
    err = refused("chatgpt_enterprise_analytics", csv_bytes(rows), "users.csv")
    assert (err.row, err.column) == (2, "period_end")
    assert_message(err.message, "the period ends before it starts", "la période se termine avant de commencer")


def test_chatgpt_the_gpt_report_names_itself_in_french_too():
    err = refused("chatgpt_enterprise_analytics", b"gpt_name,messages_workspace\nResearch helper,12\n", "gpts.csv")
    assert_message(
        err.message,
        "this is the GPT engagement report (one row per GPT) of ChatGPT workspace analytics, not the user "
        "engagement report: export the users report (one row per user) and upload that",
        "ceci est le rapport d'engagement des GPT (une ligne par GPT) des analyses de l'espace de travail ChatGPT, "
        "pas le rapport d'engagement des utilisateurs : exportez le rapport des utilisateurs (une ligne par "
        "utilisateur) et téléversez-le",
    )


def test_codecarbon_a_pue_below_one():
    rows = set_cell(csv_rows("codecarbon_emissions", "emissions.csv"), "pue", "0.5")
    err = refused("codecarbon_emissions", csv_bytes(rows), "emissions.csv")
    assert (err.row, err.column) == (2, "pue")
    assert_message(
        err.message,
        "expected a PUE >= 1 (total / IT energy)",
        "PUE >= 1 attendu (énergie totale / énergie informatique)",
    )


# --- Cursor -------------------------------------------------------------------------------------------------------


def test_cursor_events_a_timestamp_that_is_not_epoch_milliseconds():
    pages = json.loads(fixture_bytes("cursor_admin", "usage_events_pages.json"))
    first = pages[0] if isinstance(pages, list) else pages
    first["usageEvents"][0]["timestamp"] = "yesterday"
    err = refused("cursor_admin", json.dumps(pages).encode(), "events.json")
    assert err.column == "timestamp"
    assert_message(
        err.message,
        "expected epoch milliseconds like '1750979225854', got 'yesterday'",
        "millisecondes depuis l'epoch telles que '1750979225854' attendues, reçu 'yesterday'",
    )


def test_cursor_events_a_token_based_call_without_token_usage():
    pages = json.loads(fixture_bytes("cursor_admin", "usage_events_pages.json"))
    first = pages[0] if isinstance(pages, list) else pages
    event = next(e for e in first["usageEvents"] if e.get("isTokenBasedCall"))
    event["tokenUsage"] = None
    err = refused("cursor_admin", json.dumps(pages).encode(), "events.json")
    assert_message(
        err.message,
        "expected the token counts of a token-based call, the key is missing",
        "nombres de jetons d'un appel facturé aux jetons attendus, la clé est absente",
    )


def test_cursor_daily_a_user_day_repeated():
    pages = json.loads(fixture_bytes("cursor_daily_usage", "daily_usage_pages.json"))
    pages[1]["data"].append(dict(pages[0]["data"][0]))
    record = pages[0]["data"][0]
    err = refused("cursor_daily_usage", json.dumps(pages).encode(), "daily.json")
    assert err.row == "[1].data[2]"
    person, day = record["email"], record["day"]
    assert_message(
        err.message,
        f"the day {day} of '{person}' already appears at [0].data[0]; the file repeats a page "
        "(overlapping pulls?): keep one and upload again",
        f"le jour {day} de '{person}' figure déjà en [0].data[0] ; le fichier répète une page "
        "(récupérations qui se chevauchent ?) : n'en gardez qu'une et téléversez-le à nouveau",
    )


def test_cursor_daily_a_record_without_a_day():
    pages = json.loads(fixture_bytes("cursor_daily_usage", "daily_usage_pages.json"))
    record = pages[0]["data"][0]
    record.pop("day", None)
    record.pop("date", None)
    err = refused("cursor_daily_usage", json.dumps(pages).encode(), "daily.json")
    assert_message(
        err.message,
        "expected epoch milliseconds like '1710720000000', the key is missing",
        "millisecondes depuis l'epoch telles que '1710720000000' attendues, la clé est absente",
    )


class _Answers:
    """A Cursor client stand-in that answers every POST with the same body (no network)."""

    vendor = "Cursor"

    def __init__(self, body):
        self.body = body

    def post_json(self, path, body):
        return self.body


def test_cursor_pull_an_answer_without_its_list():
    with pytest.raises(PullError) as info:
        cursor.numbered_pages(_Answers({"data": 1}), cursor.PATH, {}, "usageEvents", cursor.has_next_page)
    assert_message(
        info.value.args[0],
        "Cursor answered /teams/filtered-usage-events with an unexpected shape (no 'usageEvents' list)",
        "Cursor a répondu à /teams/filtered-usage-events sous une forme inattendue (pas de liste 'usageEvents')",
    )


# --- Google Cloud -------------------------------------------------------------------------------------------------


def test_gcp_an_export_without_gemini_skus():
    rows = csv_rows("gcp_billing_export", "billing_export.csv")
    at = rows[0].index("service.description")
    err = refused("gcp_billing_export", csv_bytes([rows[0], *(r for r in rows[1:] if r[at] == "Compute Engine")]))
    assert err.column == "sku.description"
    assert_message(
        err.message,
        "found no Vertex AI / Gemini token SKUs (services in the file: Compute Engine)",
        "aucun SKU de jetons Vertex AI / Gemini trouvé (services dans le fichier : Compute Engine)",
    )


def test_gcp_a_json_row_that_is_not_an_object():
    err = refused("gcp_billing_export", b'[["Vertex AI", "Gemini 2.5 Flash Input Text Tokens"]]', "export.json")
    assert_message(
        err.message, "expected a billing export row object", "objet de ligne d'export de facturation attendu"
    )


# --- Every template of these files has its French -----------------------------------------------------------------


def _templates(path: Path) -> list[str]:
    """The literal first argument of every ``Message(...)`` call in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Message"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_reads_the_templates():
    templates = [t for path in FILES for t in _templates(path)]
    assert len(templates) > 60
    assert "expected a PUE >= 1 (total / IT energy)" in templates


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_message_template_has_a_french_entry_keeping_its_fields(path):
    with translation.override("fr"):
        translated = {t: translation.gettext(t) for t in _templates(path)}
    assert [t for t, fr in translated.items() if fr == t] == []
    assert [t for t, fr in translated.items() if _fields(fr) != _fields(t)] == []
