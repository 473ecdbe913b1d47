"""Claude Code usage report: several hundred records over paginated days, totals == ingest --json.

Follows https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_claude_code (one request per UTC
day, records per actor, model_breakdown[] with tokens and estimated_cost in cents; has_more / next_page).
The pages are generated here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal

from tests.connectors.doc_totals import ZERO, amounts, as_text, costs, ingest_json

KEY = "anthropic_claude_code"
MODELS = ["claude-sonnet-4-20250514", "claude-opus-4-1-20250805", "claude-3-5-haiku-20241022"]
USERS = [f"dev{i}@example.com" for i in range(30)]


def record(rng: random.Random, day: date, actor: dict, expected: dict, cents: list) -> dict:
    breakdown = []
    for model in rng.sample(MODELS, rng.randint(0, 3)):
        tokens = {k: rng.randint(0, 200_000) for k in ("input", "output", "cache_read", "cache_creation")}
        amount = rng.randint(0, 5000) + rng.choice([0, 0.5])
        expected["input_tokens"] += tokens["input"] + tokens["cache_creation"]
        expected["cached_input_tokens"] += tokens["cache_read"]
        expected["output_tokens"] += tokens["output"]
        cents.append(Decimal(str(amount)))
        breakdown.append(
            {
                "model": model,
                "tokens": {k: as_text(rng, v) for k, v in tokens.items()},
                "estimated_cost": {"currency": "USD", "amount": amount},
            }
        )
    return {
        "date": day.isoformat() if rng.random() < 0.5 else f"{day.isoformat()}T00:00:00Z",
        "actor": actor,
        "organization_id": "org-uuid-1",
        "customer_type": rng.choice(["api", "subscription"]),
        "terminal_type": rng.choice(["vscode", "iTerm.app", "tmux"]),
        "core_metrics": {"num_sessions": rng.randint(1, 9), "lines_of_code": {"added": 10, "removed": 2}},
        "tool_actions": {"edit_tool": {"accepted": 3, "rejected": 1}},
        "model_breakdown": breakdown,
    }


def generate(seed: int = 18, days: int = 14, page_size: int = 20):
    rng = random.Random(seed)
    expected, cents, pages, records = dict(ZERO), [], [], 0
    for d in range(days):
        day = date(2025, 9, 1) + timedelta(days=d)
        actors = [{"type": "user_actor", "email_address": u} for u in rng.sample(USERS, 25)]
        actors.append({"type": "api_actor", "api_key_name": "ci-bot"})
        day_records = [record(rng, day, actor, expected, cents) for actor in actors]
        records += len(day_records)
        for i in range(0, len(day_records), page_size):
            more = i + page_size < len(day_records)
            pages.append({"data": day_records[i : i + page_size], "has_more": more, "next_page": "p" if more else None})
    return pages, expected, sum(cents) / 100, records, len(cents)


def test_daily_pages_totals_and_cost_exactly_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    pages, expected, usd, records, items = generate()
    assert records > 300
    data = "".join(json.dumps(p) + "\n" for p in pages).encode()
    out = ingest_json(tmp_path, capsys, KEY, "claude-code.jsonl", data)
    assert amounts(out) == expected and out["rows"] == records and out["records"] == items
    assert costs(out) == {"USD": usd.quantize(Decimal("0.000001"))}
    again = ingest_json(tmp_path, capsys, KEY, "claude-code.jsonl", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]


def test_the_same_pages_as_one_json_list_with_a_bom(org_a, tmp_path, capsys):
    pages, expected, _, _, items = generate(seed=19, days=12)
    out = ingest_json(tmp_path, capsys, KEY, "claude-code.json", b"\xef\xbb\xbf" + json.dumps(pages).encode())
    assert amounts(out) == expected and out["records"] == items
