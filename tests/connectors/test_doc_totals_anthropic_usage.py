"""Anthropic messages usage report: several hundred results in paginated pages, totals == ingest --json.

Follows Anthropic's page:
  https://platform.claude.com/docs/en/api/admin-api/usage-cost/get-messages-usage-report (buckets with
  starting_at / ending_at in RFC 3339, results with uncached_input_tokens, cache_creation.ephemeral_1h/5m,
  cache_read_input_tokens, output_tokens, server_tool_use; has_more / next_page pagination)
The pages are generated here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone

from tests.connectors.doc_totals import amounts, as_text, ingest_json

KEY = "anthropic_usage"
START = datetime(2025, 8, 1, tzinfo=UTC)
MODELS = ["claude-sonnet-4-20250514", "claude-opus-4-20250514", "claude-3-5-haiku-20241022"]
WORKSPACES = ["wrkspc_01A", "wrkspc_01B", None]  # null: the default workspace
API_KEYS = ["apikey_01X", "apikey_01Y", None]
TIERS = ["standard", "batch"]


def stamp(moment: datetime, rng: random.Random) -> str:
    """RFC 3339 as the report writes it (Z), or now and then the same instant written with an offset: the
    day is still the UTC day (23:00Z written as 01:00+02:00 the next day stays on its UTC day)."""
    offset = rng.choice([None, None, 0, 2, -5])
    if offset is None:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(timezone(timedelta(hours=offset))).isoformat()


def result(rng: random.Random, model, workspace, key, tier) -> dict:
    """One usage result in the documented shape; some counts as strings, the cache object always present (the reference lists it as required)."""
    cache = {
        "ephemeral_1h_input_tokens": as_text(rng, rng.randint(0, 3_000)),
        "ephemeral_5m_input_tokens": as_text(rng, rng.randint(0, 3_000)),
    }
    return {
        "uncached_input_tokens": as_text(rng, rng.randint(0, 50_000)),
        "cache_creation": cache,
        "cache_read_input_tokens": as_text(rng, rng.randint(0, 20_000)),
        "output_tokens": as_text(rng, rng.randint(0, 8_000)),
        "server_tool_use": {"web_search_requests": rng.randint(0, 5)},  # not model inference
        "api_key_id": key,
        "workspace_id": workspace,
        "model": model,
        "service_tier": tier,
        "context_window": rng.choice(["0-200k", "200k-1M"]),
    }


def generate(seed: int = 15, hours: int = 24 * 10):
    """Hourly buckets over ten days in pages of 24 hours; the expected totals and record keys."""
    rng = random.Random(seed)
    combos = [(m, w, k, t) for m in MODELS for w in WORKSPACES for k in API_KEYS for t in TIERS]
    buckets, keys = [], set()
    expected = {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "active_user_days": 0}
    for h in range(hours):
        start = START + timedelta(hours=h)
        results = [result(rng, *combo) for combo in rng.sample(combos, rng.randint(0, 3))]
        buckets.append(
            {"starting_at": stamp(start, rng), "ending_at": stamp(start + timedelta(hours=1), rng), "results": results}
        )
        for r in results:
            cache = r["cache_creation"] or {}
            writes = sum(int(cache.get(name, 0)) for name in ("ephemeral_1h_input_tokens", "ephemeral_5m_input_tokens"))
            # Writing the cache is prompt processing: input; reading it is cached input.
            expected["input_tokens"] += int(r["uncached_input_tokens"]) + writes
            expected["cached_input_tokens"] += int(r["cache_read_input_tokens"])
            expected["output_tokens"] += int(r["output_tokens"])
            keys.add((start.date(), r["model"], r["workspace_id"], r["api_key_id"]))
    pages = []
    for i in range(0, len(buckets), 24):
        more = i + 24 < len(buckets)
        pages.append({"data": buckets[i : i + 24], "has_more": more, "next_page": f"page_{i}" if more else None})
    return pages, expected, keys


def test_paginated_report_totals_exactly_in_ingest_json(org_a, tmp_path, capsys):
    pages, expected, keys = generate()
    results = sum(len(b["results"]) for p in pages for b in p["data"])
    assert results > 300 and len(pages) == 10
    data = b"\xef\xbb\xbf" + "".join(json.dumps(p) + "\n" for p in pages).encode()
    out = ingest_json(tmp_path, capsys, KEY, "messages-usage.jsonl", data)
    # The report has no request count: requests stay 0 rather than being invented.
    assert amounts(out) == expected
    assert (out["rows"], out["records"], out["cost_by_currency"]) == (results, len(keys), {})


def test_the_same_report_as_one_json_list_gives_the_same_totals(org_a, tmp_path, capsys):
    pages, expected, keys = generate(seed=16, hours=24 * 9)
    out = ingest_json(tmp_path, capsys, KEY, "messages-usage.json", json.dumps(pages).encode())
    assert amounts(out) == expected and out["records"] == len(keys)
