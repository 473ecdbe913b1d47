"""Cursor usage events: several hundred events in paginated pages, totals == ingest --json.

Follows https://docs.cursor.com/account/teams/admin-api ("Get Usage Events Data": usageEvents with timestamp in
epoch ms as a string, isTokenBasedCall, tokenUsage with totalCents; pagination). The pages are generated here;
the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal

from tests.connectors.doc_totals import ZERO, amounts, as_text, costs, ingest_json

KEY = "cursor_admin"
MODELS = ["claude-4-sonnet", "gpt-5", "gemini-2.5-pro", "composer-1"]
START_MS = 1772409600000  # 2026-03-02T00:00:00Z


def generate(seed: int = 18, n: int = 600, page_size: int = 50):
    rng = random.Random(seed)
    events, expected, cents, untokened, keys = [], dict(ZERO), Decimal(0), 0, set()
    for i in range(n):
        ts = START_MS + i * 431_000
        model, user = rng.choice(MODELS), f"dev{rng.randint(0, 9)}@example.com"
        event = {"timestamp": str(ts), "model": model, "kind": "Usage-based", "maxMode": rng.random() < 0.2}
        event |= {"requestsCosts": rng.choice([0.5, 1, 2]), "userEmail": user}
        if rng.random() < 0.1:
            event |= {"kind": "Included in Business", "isTokenBasedCall": False}
            untokened += 1
        else:
            counts = [rng.randint(0, 40_000) for _ in range(4)]
            price = Decimal(rng.randint(0, 400_000)) / 10_000
            event["isTokenBasedCall"] = True
            event["tokenUsage"] = {
                "inputTokens": as_text(rng, counts[0]),
                "outputTokens": counts[1],
                "cacheWriteTokens": counts[2],
                "cacheReadTokens": counts[3],
                "totalCents": float(price),
            }
            expected["requests"] += 1
            expected["input_tokens"] += counts[0] + counts[2]
            expected["cached_input_tokens"] += counts[3]
            expected["output_tokens"] += counts[1]
            cents += price
            keys.add((ts // 86_400_000, model, user))
        events.append(event)
    pages = []
    for p in range(0, n, page_size):
        more = p + page_size < n
        pagination = {"numPages": -(-n // page_size), "currentPage": p // page_size + 1, "pageSize": page_size}
        pagination |= {"hasNextPage": more, "hasPreviousPage": p > 0}
        pages.append({"totalUsageEventsCount": n, "pagination": pagination, "usageEvents": events[p : p + page_size]})
    return pages, expected, cents / 100, untokened, keys


def test_event_pages_totals_and_cost_exactly_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    pages, expected, usd, untokened, keys = generate()
    data = "".join(json.dumps(p) + "\n" for p in pages).encode()
    out = ingest_json(tmp_path, capsys, KEY, "cursor-events.jsonl", data)
    assert amounts(out) == expected
    assert (out["rows"], out["skipped"], out["records"]) == (600, {"priced_per_request": untokened}, len(keys))
    assert costs(out) == {"USD": usd.quantize(Decimal("0.000001"))}
    again = ingest_json(tmp_path, capsys, KEY, "cursor-events.jsonl", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]
