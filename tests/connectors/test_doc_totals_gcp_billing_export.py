"""GCP Cloud Billing export (standard usage cost rows) as JSON lines and as CSV: several hundred rows, only
Vertex AI / Gemini token SKUs counted, tokens and cost per currency == ingest --json.

Follows Google's pages:
  https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage (the fields:
  service.description, sku.description, usage_start_time, usage.amount, usage.unit, location.region /
  location.location, project.id, labels, cost, currency, credits)
  https://cloud.google.com/vertex-ai/generative-ai/pricing (Gemini SKUs billed per token; Gemini 1.x per
  character, about 4 characters a token)
The rows are generated here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from tests.connectors.doc_totals import amounts, costs, ingest_json

KEY = "gcp_billing_export"
START = datetime(2025, 1, 10, tzinfo=UTC)
# (SKU description, unit, model, kind, billed in characters)
SKUS = [
    ("Gemini 2.5 Flash Input Text Tokens", "count", "gemini-2.5-flash", "input", False),
    ("Gemini 2.5 Flash Output Text Tokens", "count", "gemini-2.5-flash", "output", False),
    ("Gemini 2.5 Flash Input Text Caching", "count", "gemini-2.5-flash", "cached", False),
    ("Gemini 2.5 Pro Output Text Tokens", "count", "gemini-2.5-pro", "output", False),
    ("Gemini 1.5 Pro Text Input - Predictions", "characters", "gemini-1.5-pro", "input", True),
    ("Gemini Embedding 001 EmbedContent Input Tokens", "count", "gemini-embedding-001", "input", False),
]
OTHER = [
    ("Compute Engine", "N2 Instance Core running in Americas", "seconds"),
    ("Cloud Storage", "Standard Storage Europe Multi-region", "byte-seconds"),
    ("Vertex AI", "Gemini 2.5 Flash Context Cache Storage", "token-hours"),  # storage, not tokens read
]
FIELDS = {"input": "input_tokens", "cached": "cached_input_tokens", "output": "output_tokens"}


def start_text(rng: random.Random, moment: datetime) -> str:
    """usage_start_time as BigQuery's CSV writes it, or ISO 8601 with Z or an offset (same instant)."""
    form = rng.choice(["bq", "z", "offset"])
    if form == "bq":
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    if form == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(timezone(timedelta(hours=rng.choice([-8, 1, 9])))).isoformat()


def generate(seed: int, rows: int = 450):
    """Nested export rows and the expected totals, record keys and cost (AI token SKUs only)."""
    rng = random.Random(seed)
    out, keys, cost = [], set(), Decimal(0)
    expected = {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "active_user_days": 0}
    for _ in range(rows):
        moment = START + timedelta(hours=rng.randrange(24 * 12))
        region = rng.choice(["us-central1", "europe-west4", None])
        team = rng.choice(["search", "assist", None])
        amount_cost = Decimal(rng.randint(0, 500_000)) / 10_000
        if rng.random() < 0.8:
            sku, unit, model, kind, chars = rng.choice(SKUS)
            service = rng.choice(["Vertex AI", "Gemini API"])
            amount = rng.randint(0, 2_000_000)
            tokens = round(amount / 4) if chars else amount  # Google: about 4 characters per token
            expected[FIELDS[kind]] += tokens
            cost += amount_cost
            zone = f"gcp:{region or 'us'}"
            keys.add((moment.date(), model, f"proj-{team or 'shared'}", team or "", zone))
        else:
            service, sku, unit = rng.choice(OTHER)
            amount = rng.randint(1, 10_000)
        labels = [{"key": "env", "value": "prod"}] + ([{"key": "team", "value": team}] if team else [])
        out.append(
            {
                "billing_account_id": "01A2B3-C4D5E6-F7G8H9",
                "service": {"id": "C7E2-9256-1C43", "description": service},
                "sku": {"id": f"{rng.getrandbits(32):08X}", "description": sku},
                "usage_start_time": start_text(rng, moment),
                "usage_end_time": start_text(rng, moment + timedelta(hours=1)),
                "project": {"id": f"proj-{team or 'shared'}", "name": "Project, with a comma"},
                "labels": labels,
                "location": {"location": region or "us", "country": "US", "region": region, "zone": None},
                "cost": float(amount_cost),
                "currency": "EUR",
                "usage": {"amount": amount, "unit": unit, "amount_in_pricing_units": amount / 1e6},
                "credits": [{"name": "Free tier", "amount": -0.01, "type": "FREE_TIER"}],  # not subtracted
                "invoice": {"month": "202501"},
                "cost_type": "regular",
            }
        )
    return out, expected, keys, cost


def flat(row: dict, prefix: str = "") -> dict:
    """A nested row as the CSV download names its columns (dotted), lists as JSON text."""
    out = {}
    for name, value in row.items():
        if isinstance(value, dict):
            out.update(flat(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = json.dumps(value) if isinstance(value, list) else ("" if value is None else value)
    return out


def test_json_lines_export_totals_and_cost_in_ingest_json(org_a, tmp_path, capsys):
    rows, expected, keys, cost = generate(15)
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    out = ingest_json(tmp_path, capsys, KEY, "billing-export.jsonl", data)
    assert amounts(out) == expected and expected["cached_input_tokens"] > 0
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    assert costs(out) == {"EUR": cost}  # gross cost of the AI rows; credits and other services left out


def test_csv_export_with_bom_and_quoted_commas_gives_the_same_totals(org_a, tmp_path, capsys):
    rows, expected, keys, cost = generate(16)
    flats = [flat(r) for r in rows]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(flats[0]))
    writer.writeheader()
    writer.writerows({k: str(v) for k, v in f.items()} for f in flats)  # every number as text
    out = ingest_json(tmp_path, capsys, KEY, "billing-export.csv", ("\ufeff" + buffer.getvalue()).encode())
    assert amounts(out) == expected
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    assert costs(out) == {"EUR": cost}
