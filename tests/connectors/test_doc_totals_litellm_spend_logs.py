"""LiteLLM spend logs: several hundred request rows as a table CSV export and as /spend/logs JSON pages,
totals and spend == ingest --json.

Follows LiteLLM's pages:
  https://docs.litellm.ai/docs/proxy/cost_tracking (spend per request, by key / user / team; the spend logs)
  https://docs.litellm.ai/docs/proxy/ui_logs (success and error logs are both stored: a failure row is no answer)
The columns are those of the LiteLLM_SpendLogs table (request_id, call_type, api_key, spend, prompt_tokens,
completion_tokens, startTime, model, custom_llm_provider, user, metadata, cache_hit, team_id, status, ...).
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

KEY = "litellm_spend_logs"
START = datetime(2025, 1, 20, tzinfo=UTC)
# (custom_llm_provider, model as logged, provider as the ledger names it, model without the provider prefix)
MODELS = [
    ("openai", "gpt-4o", "openai", "gpt-4o"),
    ("azure", "azure/gpt-4o-mini", "azure_openai", "gpt-4o-mini"),
    ("vertex_ai", "vertex_ai/gemini-2.0-flash", "google", "gemini-2.0-flash"),
    ("anthropic", "claude-3-5-sonnet-20241022", "anthropic", "claude-3-5-sonnet-20241022"),
]
COLUMNS = ["request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens"]
COLUMNS += ["startTime", "endTime", "model", "model_group", "custom_llm_provider", "user", "metadata"]
COLUMNS += ["cache_hit", "cache_key", "request_tags", "team_id", "end_user", "messages", "response", "status"]


def start_text(rng: random.Random, moment: datetime) -> str:
    """startTime as exports write it: ISO with Z, with an offset (same instant), or Postgres' naive UTC."""
    form = rng.choice(["z", "offset", "naive"])
    if form == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if form == "offset":
        return moment.astimezone(timezone(timedelta(hours=rng.choice([2, -7])))).isoformat()
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(seed: int, rows: int = 500):
    """Spend log rows (as the table holds them) and the expected totals, record keys and spend."""
    rng = random.Random(seed)
    out, keys, spend_usd = [], set(), Decimal(0)
    expected = {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "active_user_days": 0}
    for i in range(rows):
        moment = START + timedelta(minutes=rng.randrange(60 * 24 * 10))
        provider, logged_model, ledger_provider, model = rng.choice(MODELS)
        prompt, completion = rng.randint(0, 20_000), rng.randint(0, 4_000)
        cached = rng.randint(0, prompt) if rng.random() < 0.4 else None
        user = rng.choice(["alice@example.com", "", None])
        meta_user = rng.choice(["u-17", ""])
        team_alias, team_id = rng.choice(["research", ""]), rng.choice(["team-9f", ""])
        key_alias, key_hash = rng.choice(["ci-key", ""]), f"88dc28{rng.randrange(4):02d}"
        metadata = {
            "user_api_key_alias": key_alias or None,
            "user_api_key_user_id": meta_user,
            "user_api_key_team_alias": team_alias or None,
            "requester_ip_address": "10.0.0.7",
        }
        if cached is not None:
            metadata["additional_usage_values"] = {"prompt_tokens_details": {"cached_tokens": cached}}
        hit = rng.random() < 0.05
        status = "failure" if rng.random() < 0.05 else rng.choice(["success", "success", ""])
        spend = Decimal(rng.randint(0, 5_000_000)) / 10**8
        out.append(
            {
                "request_id": f"chatcmpl-{i:05d}",
                "call_type": "acompletion",
                "api_key": key_hash,
                "spend": str(spend),
                "total_tokens": prompt + completion,
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "startTime": start_text(rng, moment),
                "endTime": start_text(rng, moment + timedelta(seconds=3)),
                "model": logged_model,
                "model_group": model,
                "custom_llm_provider": provider,
                "user": user,
                "metadata": json.dumps(metadata),
                "cache_hit": "True" if hit else rng.choice(["False", ""]),
                "cache_key": "",
                "request_tags": json.dumps(["jobID:214590", "task:classify, summarise"]),
                "team_id": team_id,
                "end_user": "",
                "messages": json.dumps([{"role": "user", "content": 'Say "hi", then stop'}]),
                "response": "{}",
                "status": status,
            }
        )
        if hit or status == "failure":
            continue  # answered from LiteLLM's cache, or not answered at all: no inference
        expected["requests"] += 1
        expected["input_tokens"] += prompt - (cached or 0)  # prompt_tokens include the cached ones
        expected["cached_input_tokens"] += cached or 0
        expected["output_tokens"] += completion
        spend_usd += spend
        person = user or meta_user
        keys.add((moment.date(), ledger_provider, model, person, team_alias or team_id, key_alias or key_hash))
    return out, expected, keys, spend_usd


def test_table_csv_export_totals_and_spend_in_ingest_json(org_a, tmp_path, capsys):
    rows, expected, keys, spend = generate(15)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, "proxy_server_request"])
    writer.writeheader()
    writer.writerows({**r, "user": r["user"] or "", "proxy_server_request": "{}"} for r in rows)
    out = ingest_json(tmp_path, capsys, KEY, "spend-logs.csv", ("\ufeff" + buffer.getvalue()).encode())
    assert amounts(out) == expected and expected["cached_input_tokens"] > 0
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    assert costs(out) == {"USD": spend}


def test_spend_logs_json_pages_back_to_back_give_the_same_totals(org_a, tmp_path, capsys):
    rows, expected, keys, spend = generate(16)
    for r in rows:  # the API answers with numbers and a metadata object, not text
        r["spend"] = float(r["spend"])
        r["metadata"] = json.loads(r["metadata"])
        r["cache_hit"] = r["cache_hit"] or None
    pages = [{"data": rows[i : i + 100], "total": len(rows), "page": i // 100 + 1} for i in range(0, len(rows), 100)]
    data = "\n".join(json.dumps(p) for p in pages).encode()
    out = ingest_json(tmp_path, capsys, KEY, "spend-logs.json", data)
    assert amounts(out) == expected
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    assert costs(out) == {"USD": spend}
