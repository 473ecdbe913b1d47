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
