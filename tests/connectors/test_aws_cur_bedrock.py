"""AWS CUR / Data Export lines for Amazon Bedrock (source ``aws_cur_bedrock``).

Follows AWS's page "Understanding your Amazon Bedrock Cost and Usage Report data"
(https://docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-understanding-cur-data.html): a line item per token
type, usage types ending in -input-tokens, -output-tokens, -cache-read-input-token-count and
-cache-write-input-token-count; CUR 2.0 column names (line_item_usage_type, pricing_unit, product_region_code,
line_item_iam_principal), legacy CUR names (lineItem/UsageType ...) read the same.
"""

from __future__ import annotations

import pytest

from apps.connectors.sources.aws_cur_bedrock import token_type
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals
from tests.security.corpus import csv_bytes, csv_table

KEY = "aws_cur_bedrock"
NAME = "cur2_bedrock.csv"


def test_fixture_token_lines_only_with_units_cost_and_zone():
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME))
    got = totals(frame)
    # By hand: Sonnet input 120,000 + cache write 8,000; cache read 50,000; output 30,000; Llama 2.5 x 1K input.
    assert got["input_tokens"] == 120_000 + 8_000 + 2_500
    assert got["cached_input_tokens"] == 50_000 and got["output_tokens"] == 30_000
    assert got["requests"] == 0
    assert got["cost"] == round(0.36 + 0.45 + 0.015 + 0.03 + 0.006625, 9)
    assert frame.attrs["skipped"] == {"not_inference": 1, "not_usage_charge": 1, "not_ai": 1}
    llama = frame.set_index("model").loc["Llama3-70B"]
    assert (llama["provider"], llama["zone"], llama["project"]) == ("meta", "aws:eu-central-1", "444455556666")


@pytest.mark.parametrize(
    ("usage_type", "expected"),
    [
        ("USE1-Claude3.5Sonnet-input-tokens", ("Claude3.5Sonnet", "input")),
        ("USW2-Claude3Haiku-cache-read-input-token-count", ("Claude3Haiku", "cache_read")),
        ("EU-NovaPro-output-tokens-batch", ("NovaPro", "output")),
        ("USE1-gpt-oss-120b-mantle-input-tokens-standard", ("gpt-oss-120b", "input")),
        ("USE1-ProvisionedThroughput-ModelUnits", None),
    ],
)
def test_usage_types(usage_type, expected):
    assert token_type(usage_type) == expected


def test_legacy_cur_names_with_a_bom_read_the_same():
    header, rows = csv_table(fixture_bytes(KEY, NAME))
    legacy = {
        "line_item_line_item_type": "lineItem/LineItemType",
        "line_item_usage_start_date": "lineItem/UsageStartDate",
        "line_item_product_code": "lineItem/ProductCode",
        "line_item_usage_type": "lineItem/UsageType",
        "line_item_usage_amount": "lineItem/UsageAmount",
        "pricing_unit": "pricing/unit",
        "line_item_unblended_cost": "lineItem/UnblendedCost",
        "line_item_currency_code": "lineItem/CurrencyCode",
        "line_item_usage_account_id": "lineItem/UsageAccountId",
        "product_region_code": "product/region",
    }
    data = b"\xef\xbb\xbf" + csv_bytes([legacy.get(h, h) for h in header], rows)
    old, new = parse_bytes(KEY, data), parse_bytes(KEY, fixture_bytes(KEY, NAME))
    assert totals(old) == totals(new) and set(old["zone"]) == set(new["zone"])


def test_an_unknown_pricing_unit_is_refused_naming_the_row():
    header, rows = csv_table(fixture_bytes(KEY, NAME))
    rows[1][header.index("pricing_unit")] = "10K tokens"
    error = refused(KEY, csv_bytes(header, rows), "cur.csv")
    assert (error.row, error.column) == (3, "pricing_unit") and "'10K tokens'" in error.message


def test_a_bill_without_bedrock_is_refused():
    header, rows = csv_table(fixture_bytes(KEY, NAME))
    error = refused(KEY, csv_bytes(header, [rows[-1]]), "cur.csv")
    assert "found no Amazon Bedrock token lines" in error.message
