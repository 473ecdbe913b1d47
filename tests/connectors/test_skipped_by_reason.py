"""What was read, what was left out and why (issue 15): each source that drops rows counts them by a typed reason,
summed per run, shown on the run page, in the runs API and in `ingest --json`. The files are built here; the
expected counts are what the test wrote.

Formats followed: Azure cost details
(https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-ea), the Google
Cloud billing export (https://docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage),
LiteLLM's spend logs and StandardLoggingPayload status (https://docs.litellm.ai/docs/proxy/logging_spec),
OpenAI's usage pages (https://platform.openai.com/docs/api-reference/usage), CodeCarbon's emissions.csv
(https://mlco2.github.io/codecarbon/output.html) and the Microsoft 365 Copilot usage user detail report
(https://learn.microsoft.com/en-us/graph/api/reportroot-getmicrosoft365copilotusageuserdetail).
"""

import csv
import io
import json
import random

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.sources import combine, get_source
from apps.connectors.sources.skips import SkipReason, label
from apps.connectors.storage import store_upload
from tests.connectors.helpers import fixture_bytes, parse_bytes

AZURE_HEADER = [
    "Date",
    "SubscriptionName",
    "ResourceGroup",
    "ResourceLocation",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "Quantity",
    "UnitOfMeasure",
    "CostInBillingCurrency",
    "BillingCurrency",
    "Tags",
]


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def azure_bill(seed: int = 3) -> tuple[bytes, dict[str, int]]:
    """A cost-details export mixing token meters, other services and AI meters that bill no tokens."""
    rng = random.Random(seed)
    rows, expected = [], {"not_ai": 0, "not_inference": 0}
    for i in range(300):
        day = f"08/{1 + i % 28:02d}/2025"
        pick = rng.random()
        if pick < 0.3:
            row = ["Virtual Machines", "Dv3/DSv3 Series", "D2s v3", "24", "1 Hour"]
            expected["not_ai"] += 1
        elif pick < 0.4:
            row = ["Storage", "General Block Blob v2", "Hot LRS Data Stored", "12.5", "1 GB/Month"]
            expected["not_ai"] += 1
        elif pick < 0.5:
            row = ["Cognitive Services", "Azure OpenAI", "Dalle3 Standard Images", "3", "1 Unit"]
            expected["not_inference"] += 1
        elif pick < 0.55:
            row = ["Cognitive Services", "Azure OpenAI", "gpt-4o-mini Hosting", "24", "1 Hour"]
            expected["not_inference"] += 1
        else:
            row = [
                "Cognitive Services",
                "Azure OpenAI",
                "gpt-4o-0513 Inp glbl Tokens",
                str(rng.randrange(1, 900)),
                "1K",
            ]
        rows.append([day, "Contoso-Prod", "rg-ai", "francecentral", *row, "0.5", "EUR", ""])
    return _csv(AZURE_HEADER, rows), expected


def test_azure_counts_other_services_and_ai_meters_without_tokens_apart():
    data, expected = azure_bill()
    frame = parse_bytes("azure_openai_cost", data, "bill.csv")
    assert frame.attrs["skipped"] == expected
    assert frame.attrs["rows_skipped"] == sum(expected.values()) and frame.attrs["rows_read"] == 300


def test_azure_chunks_add_up_to_the_same_counts():
    data, expected = azure_bill(seed=9)
    chunks = list(get_source("azure_openai_cost").iter_chunks(io.BytesIO(data), "bill.csv", chunk_rows=7))
    assert combine(chunks).attrs["skipped"] == expected


def test_gcp_counts_other_services_and_ai_skus_without_tokens_apart():
    header = ["service.description", "sku.description", "usage_start_time", "usage.amount", "usage.unit", "cost"]
    header += ["currency", "location.region", "project.id"]
    rows, expected = [], {"not_ai": 0, "not_inference": 0}
    for i in range(120):
        stamp = f"2025-03-{1 + i % 28:02d} 08:00:00 UTC"
        if i % 4 == 0:
            rows.append(["Compute Engine", "N2 Instance Core running in Belgium", stamp, "3600", "seconds"])
            expected["not_ai"] += 1
        elif i % 4 == 1:
            rows.append(["Vertex AI", "Gemini 2.5 Flash Context Cache Storage", stamp, "2", "gibibyte hour"])
            expected["not_inference"] += 1
        else:
            rows.append(["Vertex AI", "Gemini 2.5 Flash Input Text Tokens", stamp, "1000", "count"])
        rows[-1] += ["0.1", "EUR", "europe-west4", "contoso-ml"]
    frame = parse_bytes("gcp_billing_export", _csv(header, rows), "gcp.csv")
    assert frame.attrs["skipped"] == expected
    assert int(frame["input_tokens"].sum()) == 1000 * (120 - sum(expected.values()))


def test_litellm_counts_failed_requests_and_cache_hits_apart():
    header = ["request_id", "startTime", "model", "prompt_tokens", "completion_tokens", "spend", "status"]
    header += ["cache_hit", "custom_llm_provider"]
    rows, expected = [], {"failed_request": 0, "cache_hit": 0}
    for i in range(200):
        status, hit, prompt, completion = "success", "False", "100", "20"
        if i % 5 == 0:
            status, prompt, completion = "failure", "0", "0"  # a 429: no answer
            expected["failed_request"] += 1
        elif i % 7 == 0:
            hit = "True"
            expected["cache_hit"] += 1
        rows.append(
            [f"req-{i}", "2025-02-01T09:00:00Z", "gpt-4o-mini", prompt, completion, "0.001", status, hit, "openai"]
        )
    frame = parse_bytes("litellm_spend_logs", _csv(header, rows), "spend.csv")
    assert frame.attrs["skipped"] == expected
    assert int(frame["requests"].sum()) == 200 - sum(expected.values())


def test_openai_counts_vector_store_results_as_not_inference():
    pages = json.loads(fixture_bytes("openai_usage", "completions_and_embeddings_pages.json"))
    results = pages[0]["data"][0]["results"]
    results += [{"object": "organization.usage.vector_stores.result", "usage_bytes": 1024, "project_id": None}] * 3
    frame = parse_bytes("openai_usage", json.dumps(pages).encode(), "usage.json")
    assert frame.attrs["skipped"] == {"not_inference": 3}


def test_codecarbon_counts_earlier_flushes_of_a_run_as_repeated_measurements():
    header = ["timestamp", "project_name", "run_id", "duration", "energy_consumed", "country_iso_code", "on_cloud"]
    rows = [
        ["2025-01-31T10:00:00", "train", f"run-{r}", str(60 * (k + 1)), f"{0.1 * (k + 1):.1f}", "FRA", "N"]
        for r in range(4)
        for k in range(r + 1)  # run r flushed r + 1 times: r earlier, cumulative rows
    ]
    frame = parse_bytes("codecarbon_emissions", _csv(header, rows), "emissions.csv")
    assert frame.attrs["skipped"] == {"repeated_measurement": 0 + 1 + 2 + 3}
    assert round(float(frame["measured_energy_kwh"].sum()), 6) == round(0.1 + 0.2 + 0.3 + 0.4, 6)


def test_every_reason_has_a_label_and_unknown_codes_show_as_they_are():
    assert all(reason.label and reason.label != reason.value for reason in SkipReason)
    assert label("not_ai") == SkipReason.NOT_AI.label and label("some_future_reason") == "some_future_reason"


@pytest.mark.django_db
def test_a_run_sums_the_reasons_and_shows_them_on_its_page_and_in_the_api(org_a, client_for):
    org = org_a["org"]
    data, expected = azure_bill(seed=5)
    run = execute_run(create_run(org, "azure_openai_cost", store_upload(org, io.BytesIO(data), "bill.csv")).pk)
    assert run.status == "succeeded", run.errors
    assert run.skipped == expected and run.rows_skipped == sum(expected.values()) and run.rows_read == 300
    browser = client_for(org_a["users"][Role.AUDITOR])
    page = browser.get(reverse("connectors:run", args=["org-a", run.pk])).content.decode()
    status = browser.get(reverse("connectors:run_status", args=["org-a", run.pk])).json()
    assert status["skipped"] == expected and status["rows_skipped"] == sum(expected.values())
    assert 'id="run-skipped"' in page
    for code, count in expected.items():
        assert f"<td>{count}</td><td>left out: {SkipReason(code).label}</td><td><code>{code}</code></td>" in page
    api = APIClient()
    _token, raw = ApiToken.issue(org_a["users"][Role.AUDITOR], "tests")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    detail = api.get(f"/api/v1/o/org-a/runs/{run.pk}/").json()
    assert detail["skipped"] == expected and detail["rows_skipped"] == sum(expected.values())


@pytest.mark.django_db
def test_ingest_prints_what_was_left_out_and_why(org_a, tmp_path, capsys):
    data, expected = azure_bill(seed=11)
    path = tmp_path / "bill.csv"
    path.write_bytes(data)
    call_command("ingest", "--org", "org-a", "--source", "azure_openai_cost", str(path))
    out = capsys.readouterr().out
    assert "300 rows read" in out
    for code, count in expected.items():
        assert f"  {count} rows left out: {SkipReason(code).label}" in out


def test_m365_tells_users_never_active_from_users_active_before_the_period():
    # The fixture's report (refreshed 2025-08-20, 7-day period): Cameron White has no last-activity date at all,
    # Diego Siciliani's last activity (2025-07-01) is before the period; the other two were active in it.
    frame = parse_bytes("m365_copilot_usage", fixture_bytes("m365_copilot_usage", "copilot_usage_user_detail.csv"))
    assert frame.attrs["skipped"] == {"no_activity": 1, "out_of_period": 1}
    assert set(frame["person"]) == {"adele.vance@contoso.com", "bianca.pisani@contoso.com"}


@pytest.mark.django_db
def test_a_failed_run_shows_no_table_of_what_was_read(org_a, client_for):
    org = org_a["org"]
    data, _ = azure_bill(seed=2)
    bad = data.replace(b",1K,", b",1 Barrel,", 1)  # the first token meter's unit: refused
    run = execute_run(create_run(org, "azure_openai_cost", store_upload(org, io.BytesIO(bad), "bad.csv")).pk)
    assert run.status == "failed"
    page = client_for(org_a["users"][Role.AUDITOR]).get(reverse("connectors:run", args=["org-a", run.pk]))
    assert (
        'id="run-skipped"' not in page.content.decode()
        and "Nothing from this file was stored." in page.content.decode()
    )
