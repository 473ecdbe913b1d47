"""AWS CUR 2.0 Bedrock lines: several hundred line items of a month's export, totals == ingest --json.

Follows https://docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-understanding-cur-data.html (a line per
token type; usage types *-input-tokens, *-output-tokens, *-cache-read-input-token-count,
*-cache-write-input-token-count) with other services' lines, tax and provisioned throughput mixed in, descriptions
holding commas (quoted). The lines are generated here; the expected totals are summed from the generator's numbers.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

from tests.connectors.doc_totals import ZERO, amounts, costs, ingest_json

KEY = "aws_cur_bedrock"
HEADER = [
    "identity_line_item_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_account_id",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_usage_amount",
    "pricing_unit",
    "line_item_unblended_cost",
    "line_item_currency_code",
    "line_item_line_item_description",
    "product_region_code",
    "line_item_iam_principal",
]
MODELS = ["Claude3.5Sonnet", "Claude3Haiku", "NovaLite", "Llama3-1-70B"]
KINDS = ["input-tokens", "output-tokens", "cache-read-input-token-count", "cache-write-input-token-count"]
REGIONS = {"USE1": "us-east-1", "EUC1": "eu-central-1"}


def generate(seed: int = 18, n: int = 700):
    rng = random.Random(seed)
    rows, expected, cost, skipped, keys = [], dict(ZERO), Decimal(0), {}, set()
    for i in range(n):
        day = f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
        prefix = rng.choice(list(REGIONS))
        amount_cents = rng.randint(0, 5000)
        price = f"{Decimal(amount_cents) / 1000}"
        roll = rng.random()
        account, principal = rng.choice(["111122223333", "444455556666"]), rng.choice(["", "arn:aws:iam::1:user/ana"])
        if roll < 0.1:
            line = ["Usage", day, account, "AmazonEC2", f"{prefix}-BoxUsage:m5.large", "1", "Hrs", price, "USD"]
            skipped["not_ai"] = skipped.get("not_ai", 0) + 1
        elif roll < 0.15:
            line = ["Tax", day, account, "AmazonBedrock", "", "0", "", price, "USD"]
            skipped["not_usage_charge"] = skipped.get("not_usage_charge", 0) + 1
        elif roll < 0.2:
            line = ["Usage", day, account, "AmazonBedrock", f"{prefix}-ProvisionedThroughput-ModelUnits", "1", "Hours"]
            line += [price, "USD"]
            skipped["not_inference"] = skipped.get("not_inference", 0) + 1
        else:
            model, kind = rng.choice(MODELS), rng.choice(KINDS)
            tokens, unit = rng.randint(0, 900_000), "tokens"
            shown = str(tokens)
            if rng.random() < 0.2:  # the same count as thousands of tokens, in that unit
                unit, shown = "1K tokens", f"{Decimal(tokens) / 1000}"
            line = ["Usage", day, account, "AmazonBedrock", f"{prefix}-{model}-{kind}", shown, unit, price, "USD"]
            if kind in ("input-tokens", "cache-write-input-token-count"):
                expected["input_tokens"] += tokens
            elif kind == "output-tokens":
                expected["output_tokens"] += tokens
            else:
                expected["cached_input_tokens"] += tokens
            cost += Decimal(price)
            keys.add((day[:10], model, account, prefix, principal))
        rows.append([f"id{i}", *line, "$0.003 per 1,000 tokens, Bedrock", REGIONS[prefix], principal])
    return rows, expected, cost, skipped, keys


def as_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_month_export_totals_and_cost_exactly_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    rows, expected, cost, skipped, keys = generate()
    data = b"\xef\xbb\xbf" + as_csv(rows)
    out = ingest_json(tmp_path, capsys, KEY, "cur2-2026-03.csv", data)
    assert amounts(out) == expected
    assert (out["rows"], out["skipped"], out["records"]) == (len(rows), skipped, len(keys))
    assert costs(out) == {"USD": cost.quantize(Decimal("0.000001"))}
    again = ingest_json(tmp_path, capsys, KEY, "cur2-2026-03.csv", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]
