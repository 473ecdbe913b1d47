"""OpenAI completions usage: several hundred hourly buckets, paginated pages back to back, totals == ingest --json.

Follows OpenAI's pages:
  https://platform.openai.com/docs/api-reference/usage/completions (the bucket, the result object and its fields:
  input_tokens includes cached tokens; has_more / next_page pagination)
  https://cookbook.openai.com/examples/completions_usage_api (pages fetched one after another with next_page)
The pages are generated here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from tests.connectors.doc_totals import amounts, as_text, ingest_json

KEY = "openai_usage"
START = datetime(2025, 3, 1, tzinfo=UTC)
MODELS = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "o3-mini-2025-01-31"]
PROJECTS = ["proj_alpha", "proj_beta", None]  # null: not grouped / default project
USERS = ["user-a1", "user-b2", None]
KEYS = ["key_01", None]


def result(rng: random.Random, model, project, user, key) -> dict:
    """One organization.usage.completions.result as the reference shows it, some counts as strings."""
    total_in = rng.randint(0, 40_000)
    cached = rng.randint(0, total_in)
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": as_text(rng, total_in),
        "input_cached_tokens": None if cached == 0 and rng.random() < 0.5 else as_text(rng, cached),
        "output_tokens": as_text(rng, rng.randint(0, 9_000)),
        "input_audio_tokens": rng.randint(0, 50),  # already inside input_tokens
        "output_audio_tokens": 0,
        "num_model_requests": as_text(rng, rng.randint(1, 120)),
        "project_id": project,
        "user_id": user,
        "api_key_id": key,
        "model": model,
        "batch": rng.choice([None, False, True]),
        "service_tier": "default",  # a field the reader does not know
    }


def generate(seed: int = 15, hours: int = 24 * 9):
    """Hourly buckets over nine days split into pages of 24, plus the expected totals and record keys."""
    rng = random.Random(seed)
    combos = [(m, p, u, k) for m in MODELS for p in PROJECTS for u in USERS for k in KEYS]
    buckets, expected, keys = (
        [],
        {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0},
        set(),
    )
    for h in range(hours):
        start = START + timedelta(hours=h)
        results = [result(rng, *combo) for combo in rng.sample(combos, rng.randint(0, 4))]
        if rng.random() < 0.1:  # vector stores are not model usage
            results.append({"object": "organization.usage.vector_stores.result", "usage_bytes": 1024})
        buckets.append(
            {
                "object": "bucket",
                "start_time": int(start.timestamp()),
                "end_time": int((start + timedelta(hours=1)).timestamp()),
                "results": results,
            }
        )
        for r in results:
            if r["object"] != "organization.usage.completions.result":
                continue
            cached = int(r["input_cached_tokens"] or 0)
            expected["requests"] += int(r["num_model_requests"])
            expected["input_tokens"] += int(r["input_tokens"]) - cached  # the frame's input excludes cached
            expected["cached_input_tokens"] += cached
            expected["output_tokens"] += int(r["output_tokens"])
            keys.add((start.date(), r["model"], r["project_id"], r["user_id"], r["api_key_id"]))
    pages = []
    for i in range(0, len(buckets), 24):
        more = i + 24 < len(buckets)
        pages.append(
            {
                "object": "page",
                "data": buckets[i : i + 24],
                "has_more": more,
                "next_page": f"page_{i}" if more else None,
            }
        )
    return pages, expected | {"active_user_days": 0}, keys


def test_paginated_hourly_buckets_total_exactly_in_ingest_json(org_a, tmp_path, capsys):
    pages, expected, keys = generate()
    results = sum(len(b["results"]) for p in pages for b in p["data"])
    assert results > 300 and len(pages) == 9
    # Pages written one after another (what a paginating script appends), with a BOM in front.
    data = b"\xef\xbb\xbf" + "\n".join(json.dumps(p) for p in pages).encode() + b"\n"
    out = ingest_json(tmp_path, capsys, KEY, "completions-usage.jsonl", data)
    assert amounts(out) == expected
    assert out["rows"] == results
    assert out["records"] == len(keys)
    assert out["cost_by_currency"] == {}  # the usage pages carry no money


def test_the_same_pages_as_one_json_list_give_the_same_totals(org_a, tmp_path, capsys):
    pages, expected, keys = generate(seed=16, hours=24 * 8)
    out = ingest_json(tmp_path, capsys, KEY, "completions-usage.json", json.dumps(pages, indent=1).encode())
    assert amounts(out) == expected and out["records"] == len(keys)
