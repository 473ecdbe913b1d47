"""GCP billing export: Gemini token SKUs, characters converted, CSV and JSON lines agree."""

import csv
import io
import json

import pytest

from apps.connectors.sources.gcp_billing_export import parse_sku
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "gcp_billing_export"
FIXTURE = "billing_export.csv"


def test_totals_match_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    t = totals(frame)
    # input: 1,000,000 tokens + 40,000 characters / 4 = 10,000 tokens -> 1,010,000
    assert t["input_tokens"] == 1_010_000
    assert t["output_tokens"] == 320_000
    assert t["cached_input_tokens"] == 50_000
    # cost of AI rows: 0.30 + 0.80 + 0.05 + 0.01 = 1.16 (Compute Engine row skipped)
    assert t["cost"] == pytest.approx(1.16)
    assert frame.attrs["rows_skipped"] == 1
    assert set(frame["zone"]) == {"gcp:europe-west4", "gcp:us-central1"}
    assert set(frame[frame["team"] != ""]["model"]) == {"gemini-2.5-flash", "gemini-2.0-flash"}


def _as_json_lines() -> bytes:
    rows = list(csv.DictReader(io.StringIO(fixture_bytes(KEY, FIXTURE).decode())))
    out = []
    for row in rows:
        nested: dict = {}
        for name, value in row.items():
            parts = name.split(".")
            target = nested
            for p in parts[:-1]:
                target = target.setdefault(p, {})
            target[parts[-1]] = json.loads(value) if name == "labels" else value
        out.append(json.dumps(nested))
    return "\n".join(out).encode()


def test_json_lines_give_the_same_totals():
    data = _as_json_lines()
    assert totals(parse_bytes(KEY, data, "export.jsonl")) == totals(parse_bytes(KEY, fixture_bytes(KEY, FIXTURE)))


def test_json_error_names_the_record_path():
    lines = _as_json_lines().decode().splitlines()
    row = json.loads(lines[1])
    row["usage"]["amount"] = "lots"
    lines[1] = json.dumps(row)
    err = refused(KEY, "\n".join(lines).encode(), "export.jsonl")
    assert str(err) == "export.jsonl, at [1].usage.amount: expected a number >= 0, got 'lots'"


def test_sku_descriptions():
    assert parse_sku("Gemini 2.5 Flash Lite Input Text Tokens") == ("gemini-2.5-flash-lite", "input", False)
    assert parse_sku("Gemini 1.5 Pro Text Output - Predictions", "characters") == (
        "gemini-1.5-pro",
        "output",
        True,
    )
    assert parse_sku("N1 Predefined Instance Core running in Americas", "seconds") is None


def test_gemini_2_media_input_sku_descriptions():
    # Gemini 2.x bills image, video and audio input by the token (usage.unit "count"):
    # https://cloud.google.com/vertex-ai/generative-ai/pricing ; export fields:
    # https://docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage
    assert parse_sku("Gemini 2.5 Flash Audio Input - Predictions", "count") == ("gemini-2.5-flash", "input", False)
    assert parse_sku("Gemini 2.0 Flash Image Input - Predictions", "count") == ("gemini-2.0-flash", "input", False)
    assert parse_sku("Gemini 2.5 Pro Video Input - Predictions", "count") == ("gemini-2.5-pro", "input", False)
    # Gemini 1.x media SKUs are billed per image / per second, not per token
    assert parse_sku("Gemini 1.5 Flash Video Input - Predictions", "seconds") is None
    assert parse_sku("Gemini 1.5 Flash Image Input - Predictions", "count") is None


def test_input_text_caching_skus_are_cached_input():
    # context caching (cache reads) is priced apart from input: https://cloud.google.com/vertex-ai/generative-ai/pricing
    assert parse_sku("Gemini 2.5 Flash Input Text Caching", "count") == ("gemini-2.5-flash", "cached", False)
    assert parse_sku("Gemini 2.5 Pro Text Input Caching", "count") == ("gemini-2.5-pro", "cached", False)
    # cache storage is billed per token-hour; it is not tokens read
    assert parse_sku("Gemini 2.5 Pro Context Caching Storage", "count") is None


# --- Gemini 2.x media input, "Input Text Caching" cache reads, EmbedContent (issue 15) -----------------
# Built from Google's documentation:
# - export schema (sku.description, usage.amount, usage.unit, cost, currency, labels as key/value
#   records): https://docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage
# - Gemini 2.x bills text, image, video and audio input by the token, with cached input ("context
#   caching") priced apart: https://cloud.google.com/vertex-ai/generative-ai/pricing
# - embeddings: gemini-embedding-001 is the Gemini embedding model:
#   https://ai.google.dev/gemini-api/docs/models/gemini-embedding-001
HEADER = (
    "billing_account_id,service.id,service.description,sku.id,sku.description,usage_start_time,"
    "usage_end_time,project.id,project.name,labels,location.location,location.country,location.region,"
    "cost,currency,usage.amount,usage.unit,usage.amount_in_pricing_units,usage.pricing_unit,x_unknown"
)
# (sku.description, usage.unit, where the tokens go, the model expected)
MEDIA_SKUS = [
    ("Gemini 2.5 Flash Audio Input - Predictions", "count", "input", "gemini-2.5-flash"),
    ("Gemini 2.0 Flash Image Input - Predictions", "count", "input", "gemini-2.0-flash"),
    ("Gemini 2.5 Pro Video Input - Predictions", "count", "input", "gemini-2.5-pro"),
    ("Gemini 2.5 Flash Input Text Caching", "count", "cached", "gemini-2.5-flash"),
    ("Gemini 2.5 Pro Text Input Caching", "count", "cached", "gemini-2.5-pro"),
    ("Gemini 2.5 Flash Output Text Tokens", "count", "output", "gemini-2.5-flash"),
    ("Gemini Embedding 001 EmbedContent Input Tokens", "count", "input", "gemini-embedding-001"),
    ("text-embedding-005 EmbedContent Input", "count", "input", "text-embedding-005"),
    # names no model: gemini-embedding-001 is assumed (see DEFAULT_EMBEDDING_MODEL in the source)
    ("EmbedContent Input Tokens", "count", "input", "gemini-embedding-001"),
]
ROWS = 360  # 40 rows per SKU


def _media_export() -> tuple[bytes, dict]:
    lines = [HEADER]
    expected = {"input": 0, "cached": 0, "output": 0, "cost_cents": 0}
    for i in range(ROWS):
        sku, unit, where, _model = MEDIA_SKUS[i % len(MEDIA_SKUS)]
        amount = 1000 + i  # tokens, written without thousands separators as BigQuery exports them
        cents = 1 + i % 7
        expected[where] += amount
        expected["cost_cents"] += cents
        labels = '"[{""key"":""team"",""value"":""search, EU""}]"' if i % 2 else ""  # quoted comma; empty
        region = "europe-west4" if i % 3 else ""  # empty optional field: location.location is used
        lines.append(
            f"01A2B3-C4D5E6-F7G8H9,C7E2-9256-1C43,Vertex AI,SKU-{i % 9},{sku},"
            f"2025-03-{1 + i % 28:02d} 08:00:00 UTC,2025-03-{1 + i % 28:02d} 09:00:00 UTC,"
            f'contoso-ml,"Contoso ML, prod",{labels},europe-west4,NL,{region},'
            f"0.{cents:02d},EUR,{amount},{unit},{amount / 1e6},1M tokens,extra"
        )
    # a Compute Engine row and a Gemini 1.5 per-image SKU are not token usage and are skipped
    lines.append(
        "01A2B3-C4D5E6-F7G8H9,6F81-5844-456A,Compute Engine,2E27,N1 Predefined Instance Core running in"
        " Americas,2025-03-01 08:00:00 UTC,2025-03-01 09:00:00 UTC,web,web,,us-central1,US,us-central1,"
        "1.20,EUR,3600,seconds,1,hour,"
    )
    lines.append(
        "01A2B3-C4D5E6-F7G8H9,C7E2-9256-1C43,Vertex AI,9F1A,Gemini 1.5 Flash Image Input - Predictions,"
        "2025-03-01 08:00:00 UTC,2025-03-01 09:00:00 UTC,web,web,,us-central1,US,us-central1,"
        "0.50,EUR,12,count,12,image,"
    )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"), expected


def test_gemini_2_media_input_cache_reads_and_embeddings_are_counted():
    data, expected = _media_export()
    frame = parse_bytes(KEY, data, "billing_export.csv")
    t = totals(frame)
    # Written out: row i has 1000 + i tokens; SKU index k = i % 9; 40 rows per SKU.
    # Sum over rows with i % 9 == k of (1000 + i) = 40 * 1000 + sum_{j<40} (k + 9 j) = 40000 + 40 k + 7020.
    per_sku = [40_000 + 40 * k + 9 * (39 * 40 // 2) for k in range(9)]
    assert per_sku[0] == 47_020
    assert t["input_tokens"] == per_sku[0] + per_sku[1] + per_sku[2] + per_sku[6] + per_sku[7] + per_sku[8]
    assert t["cached_input_tokens"] == per_sku[3] + per_sku[4]
    assert t["output_tokens"] == per_sku[5]
    assert (t["input_tokens"], t["cached_input_tokens"], t["output_tokens"]) == (
        expected["input"],
        expected["cached"],
        expected["output"],
    )
    # cost: cents 1 + i % 7 over 360 rows = 51 full cycles (28 each) + i%7 in 0..2 (1+2+3) = 1434 cents
    assert expected["cost_cents"] == 51 * 28 + 6
    assert t["cost"] == pytest.approx(14.34)
    assert frame.attrs["rows_skipped"] == 2
    assert set(frame["model"]) == {m for _s, _u, _w, m in MEDIA_SKUS}
    assert "embedcontent" not in set(frame["model"])
    assert set(frame["zone"]) == {"gcp:europe-west4"}
    assert set(frame["team"]) == {"", "search, EU"}


def test_media_export_as_json_lines_with_numbers_as_strings():
    rows = list(csv.DictReader(io.StringIO(_media_export()[0].decode("utf-8-sig"))))
    out = []
    for row in rows:
        nested: dict = {}
        for name, value in row.items():
            target = nested
            for p in name.split(".")[:-1]:
                target = target.setdefault(p, {})
            target[name.split(".")[-1]] = (json.loads(value) if value else []) if name == "labels" else value
        out.append(json.dumps(nested))
    csv_totals = totals(parse_bytes(KEY, _media_export()[0], "billing_export.csv"))
    assert totals(parse_bytes(KEY, "\n".join(out).encode(), "export.jsonl")) == csv_totals


def test_embedcontent_skus_name_the_embedding_model():
    # gemini-embedding-001: https://ai.google.dev/gemini-api/docs/models/gemini-embedding-001
    assert parse_sku("Gemini Embedding 001 EmbedContent Input Tokens", "count") == (
        "gemini-embedding-001",
        "input",
        False,
    )
    assert parse_sku("text-embedding-005 EmbedContent Input", "count")[0] == "text-embedding-005"
    # ASSUMPTION: a SKU naming no model is gemini-embedding-001, the generally available Gemini embedding model
    assert parse_sku("EmbedContent Input Tokens", "count") == ("gemini-embedding-001", "input", False)
    assert parse_sku("Gemini Embedding EmbedContent", "count") == ("gemini-embedding-001", "input", False)
