"""Our generic usage CSV template: several hundred rows as docs/generic_csv.md describes them, totals and cost
per currency == ingest --json.

Follows our own page docs/generic_csv.md (columns matched ignoring case, spaces and underscores, in any order;
blanks in optional number columns are 0; an ISO timestamp is cut to its UTC day; comma-, semicolon- or
tab-separated; UTF-8 with or without BOM, or UTF-16 with BOM; cost needs a currency).
The rows are generated here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from tests.connectors.doc_totals import amounts, costs, ingest_json

KEY = "generic_csv"
START = datetime(2025, 4, 1, tzinfo=UTC)
# Header spellings the page allows: any case, spaces for underscores, any order.
HEADER = ["Date", "Provider", "Model", "Requests", "Input Tokens", "output_tokens", "CACHED_INPUT_TOKENS", "user"]
HEADER += ["Team", "project", "api_key", "Zone", "cost", "Currency"]
MODELS = [("Mistral", "mistral-large-2411"), ("self_hosted", "llama-3.1-8b-instruct"), ("openai", "gpt-4o-mini")]


def day_text(rng: random.Random, moment: datetime) -> str:
    """A plain date, or a timestamp (Z or an offset) whose UTC day is the row's day."""
    form = rng.choice(["date", "date", "z", "offset"])
    if form == "date":
        return moment.date().isoformat()
    if form == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(timezone(timedelta(hours=rng.choice([2, -4])))).isoformat()


def blank_or(rng: random.Random, value: int) -> str:
    """An optional count; 0 written now and then as a blank (the page: blank is 0)."""
    return "" if value == 0 and rng.random() < 0.5 else str(value)


def generate(seed: int, rows: int = 450):
    """Template rows and the expected totals, record keys and cost per currency."""
    rng = random.Random(seed)
    out, keys, cost = [], set(), {}
    expected = {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "active_user_days": 0}
    for _ in range(rows):
        moment = START + timedelta(minutes=rng.randrange(60 * 24 * 30))
        provider, model = rng.choice(MODELS)
        requests = rng.choice([0, rng.randint(1, 500)])
        values = {"requests": requests, "input_tokens": rng.randint(0, 90_000)}
        values |= {
            "output_tokens": rng.randint(0, 20_000),
            "cached_input_tokens": rng.choice([0, rng.randint(0, 9_000)]),
        }
        for name, value in values.items():
            expected[name] += value
        amount, currency = None, ""
        if rng.random() < 0.7:
            amount = Decimal(rng.randint(-2_000, 90_000)) / 1000  # negative: a credit
            currency = rng.choice(["EUR", "eur", "USD"])
            cost[currency.upper()] = cost.get(currency.upper(), Decimal(0)) + amount
        user, team = rng.choice(["dana@contoso.com", ""]), rng.choice(["legal", "research", ""])
        project, key = rng.choice(["gpu-cluster", "Contoso, Legal", ""]), rng.choice(["key-7", ""])
        zone = rng.choice(["FR", "DE", "azure:swedencentral", ""])
        out.append(
            [
                day_text(rng, moment),
                provider,
                model,
                blank_or(rng, requests),
                str(values["input_tokens"]),
                str(values["output_tokens"]),
                blank_or(rng, values["cached_input_tokens"]),
                user,
                team,
                project,
                key,
                zone,
                "" if amount is None else str(amount),
                currency,
            ]
        )
        keys.add((moment.date(), provider.lower(), model, user, team, project, key, zone, currency.upper()))
    return out, expected, keys, cost


def csv_text(rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def test_comma_separated_utf8_with_bom_totals_and_cost_in_ingest_json(org_a, tmp_path, capsys):
    rows, expected, keys, cost = generate(15)
    out = ingest_json(tmp_path, capsys, KEY, "usage.csv", ("\ufeff" + csv_text(rows, ",")).encode())
    assert amounts(out) == expected
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    assert costs(out) == cost and set(cost) == {"EUR", "USD"}


def test_semicolon_separated_utf16_gives_the_same_kind_of_totals(org_a, tmp_path, capsys):
    rows, expected, keys, cost = generate(16)
    out = ingest_json(tmp_path, capsys, KEY, "usage.txt", csv_text(rows, ";").encode("utf-16"))  # with its BOM
    assert amounts(out) == expected
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    assert costs(out) == cost
