"""Schema drift (issue 15): a field a source needs and cannot find is refused, naming the file, the JSON path or
row and the field, and nothing is stored; a field the vendor documents as optional may be absent.

OpenAI cases follow the completions usage object of the Usage API reference
(https://platform.openai.com/docs/api-reference/usage/completions_object: input_tokens, output_tokens and
num_model_requests required; input_cached_tokens, input_audio_tokens, output_audio_tokens optional), as the
generated clients show it (https://hexdocs.pm/ex_openai/2.0.0-beta2/ExOpenAI.Components.UsageCompletionsResult.html,
https://docs.rs/async-openai/latest/async_openai/types/admin/usage/struct.UsageCompletionsResult.html).
Anthropic cases follow the messages usage report
(https://platform.claude.com/docs/en/api/admin-api/usage-cost/get-messages-usage-report: uncached_input_tokens,
cache_creation.ephemeral_1h_input_tokens / ephemeral_5m_input_tokens, cache_read_input_tokens, output_tokens).
"""

import csv
import io
import json

import pytest

from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import RunStatus
from apps.connectors.storage import store_upload
from apps.footprint.models import UsageRecord
from tests.connectors.helpers import fixture_bytes, parse_bytes

OPENAI = ("openai_usage", "completions_and_embeddings_pages.json")
ANTHROPIC = ("anthropic_usage", "usage_report_messages.json")
# A completions result as it comes when OpenAI reports tokens per modality only (the totals missing).
PER_MODALITY = {
    "object": "organization.usage.completions.result",
    "input_text_tokens": 900,
    "input_cached_text_tokens": 100,
    "input_audio_tokens": 40,
    "output_text_tokens": 300,
    "output_audio_tokens": 10,
    "num_model_requests": 3,
    "model": "gpt-4o-2024-08-06",
}


def _load_refused(org, source: str, data: bytes, filename: str):
    """Ingest `data`; the run must fail and store nothing. Returns its one error."""
    run = execute_run(create_run(org, source, store_upload(org, io.BytesIO(data), filename)).pk)
    assert run.status == RunStatus.FAILED
    assert UsageRecord.objects.for_org(org).count() == 0 and run.records_stored == 0
    (error,) = run.errors
    assert error["message"].startswith(filename)
    return error


def _openai_with(edit) -> bytes:
    pages = json.loads(fixture_bytes(*OPENAI))
    edit(pages[0]["data"][0]["results"])
    return json.dumps(pages).encode()


def _anthropic_with(edit) -> bytes:
    page = json.loads(fixture_bytes(*ANTHROPIC))
    edit(page["data"][0]["results"][0])
    return json.dumps(page).encode()


@pytest.mark.django_db
def test_openai_result_with_per_modality_fields_only_is_refused_naming_input_tokens(org_a):
    error = _load_refused(
        org_a["org"], "openai_usage", _openai_with(lambda results: results.append(PER_MODALITY)), "modality.json"
    )
    assert error["row"] == "[0].data[0].results[2]" and error["column"] == "input_tokens"
    assert "the key is missing" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["input_tokens", "output_tokens", "num_model_requests"])
def test_openai_completions_result_missing_a_required_total_is_refused(org_a, key):
    error = _load_refused(
        org_a["org"], "openai_usage", _openai_with(lambda results: results[1].pop(key)), f"no-{key}.json"
    )
    assert (error["row"], error["column"]) == ("[0].data[0].results[1]", key)


@pytest.mark.django_db
def test_openai_result_of_an_unknown_object_is_refused_not_read_as_zeros(org_a):
    def edit(results):
        results[0]["object"] = "organization.usage.completions.result.v2"

    error = _load_refused(org_a["org"], "openai_usage", _openai_with(edit), "object.json")
    assert (error["row"], error["column"]) == ("[0].data[0].results[0]", "object")
    assert "organization.usage.completions.result.v2" in error["message"]


def test_openai_documented_optional_fields_may_be_absent():
    pages = json.loads(fixture_bytes(*OPENAI))[:1]
    results = [r for bucket in pages[0]["data"] for r in bucket["results"]]
    for optional in ("input_cached_tokens", "input_audio_tokens", "output_audio_tokens", "project_id", "model"):
        results[0].pop(optional)
    frame = parse_bytes("openai_usage", json.dumps(pages).encode(), "optional.json")
    # Computed from the page: the result without input_cached_tokens counts none cached.
    cached = sum(r.get("input_cached_tokens") or 0 for r in results)
    assert int(frame["cached_input_tokens"].sum()) == cached
    assert int(frame["input_tokens"].sum()) == sum(r["input_tokens"] for r in results) - cached
    assert int(frame["output_tokens"].sum()) == sum(r.get("output_tokens", 0) for r in results)


def test_openai_cached_tokens_are_derived_from_input_uncached_tokens_when_only_it_is_given():
    pages = json.loads(fixture_bytes(*OPENAI))
    first = pages[0]["data"][0]["results"][0]
    first.pop("input_cached_tokens")
    first["input_uncached_tokens"] = 900  # of 1200: 300 cached
    frame = parse_bytes("openai_usage", json.dumps(pages[:1]).encode(), "uncached.json")
    row = frame[(frame["model"] == first["model"]) & (frame["day"] == "2025-01-01")].iloc[0]
    assert (int(row["input_tokens"]), int(row["cached_input_tokens"])) == (900, 300)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("edit", "path", "key"),
    [
        # uncached_input_tokens renamed: it was read as 0 and the tokens lost.
        (
            lambda r: r.update(input_tokens=r.pop("uncached_input_tokens")),
            "data[0].results[0]",
            "uncached_input_tokens",
        ),
        (lambda r: r.pop("cache_read_input_tokens"), "data[0].results[0]", "cache_read_input_tokens"),
        (lambda r: r.pop("output_tokens"), "data[0].results[0]", "output_tokens"),
        (lambda r: r.pop("cache_creation"), "data[0].results[0]", "cache_creation"),
        (
            lambda r: r["cache_creation"].pop("ephemeral_5m_input_tokens"),
            "data[0].results[0].cache_creation",
            "ephemeral_5m_input_tokens",
        ),
    ],
    ids=["uncached-renamed", "no-cache-read", "no-output", "no-cache-creation", "no-5m-cache-write"],
)
def test_anthropic_result_missing_a_token_field_is_refused_naming_it(org_a, edit, path, key):
    error = _load_refused(org_a["org"], "anthropic_usage", _anthropic_with(edit), f"drift-{key}.json")
    assert (error["row"], error["column"]) == (path, key)
    assert "missing" in error["message"]


def _csv_with_blank(source: str, name: str, column: str, row: int = 2) -> bytes:
    """The fixture with one cell of data row `row` (header = 1) made blank."""
    lines = fixture_bytes(source, name).decode("utf-8").splitlines()
    table = list(csv.reader(lines))
    table[row - 1][table[0].index(column)] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue().encode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "name", "column"),
    [
        # https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-ea (Quantity)
        ("azure_openai_cost", "cost_details_ea.csv", "Quantity"),
        # https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-focus
        ("azure_openai_cost", "focus_export.csv", "ConsumedQuantity"),
        # https://docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage (usage.amount)
        ("gcp_billing_export", "billing_export.csv", "usage.amount"),
        # https://docs.litellm.ai/docs/proxy/logging_spec (prompt_tokens, completion_tokens)
        ("litellm_spend_logs", "spend_logs.csv", "prompt_tokens"),
        ("litellm_spend_logs", "spend_logs.csv", "completion_tokens"),
        # https://mlco2.github.io/codecarbon/output.html (energy_consumed, kWh)
        ("codecarbon_emissions", "emissions.csv", "energy_consumed"),
    ],
)
def test_a_blank_figure_a_source_needs_is_refused_never_read_as_zero(org_a, source, name, column):
    data = _csv_with_blank(source, name, column)
    error = _load_refused(org_a["org"], source, data, f"blank-{column}.csv")
    assert (error["row"], error["column"]) == (2, column)
    assert "got a blank" in error["message"]
