"""Azure cost details CSV (EA and MCA column names): several hundred rows, only AI token meters counted,
totals and cost per currency == ingest --json.

Follows Microsoft's pages:
  https://learn.microsoft.com/en-us/azure/cost-management-billing/automate/understand-usage-details-fields
  (the fields: Date, MeterCategory, MeterSubCategory, MeterName, Quantity, UnitOfMeasure, ResourceLocation,
  CostInBillingCurrency, BillingCurrency, Tags; EA and MCA spellings)
  https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-ea (EA order)
The files are generated here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from decimal import Decimal

from tests.connectors.doc_totals import amounts, costs, ingest_json

KEY = "azure_openai_cost"
DAY0 = date(2025, 8, 1)
# Token meters as Azure names them, with the model and the kind of token each bills (the module's reading).
METERS = [
    ("gpt-4o-0513 Inp glbl Tokens", "gpt-4o-0513", "input"),
    ("gpt-4o-0513 Outp glbl Tokens", "gpt-4o-0513", "output"),
    ("gpt 4.1 cached Inp glbl Tokens", "gpt-4.1", "cached"),
    ("gpt 4.1 Inp glbl Tokens", "gpt-4.1", "input"),
    ("gpt-4o-mini-0718-outp-glbl Tokens", "gpt-4o-mini-0718", "output"),
    ("text-embedding-3-large-glbl Tokens", "text-embedding-3-large", "input"),
]
# Rows that are not AI token usage: other services, and AI meters that bill hours rather than tokens.
OTHER = [
    ("Virtual Machines", "Dv5 Series", "D4s v5", "1 Hour"),
    ("Storage", "General Block Blob v2", "Hot LRS Data Stored", "1 GB/Month"),
    ("Cognitive Services", "Azure OpenAI", "gpt-4o-0513 Fine-tuned Hosting", "1 Hour"),
]
REGIONS = ["East US", "swedencentral", "France Central"]
EA = ["SubscriptionName", "ResourceGroup", "ResourceLocation", "Date", "MeterCategory", "MeterSubCategory"]
EA += ["MeterId", "MeterName", "Quantity", "UnitOfMeasure", "CostInBillingCurrency", "BillingCurrency", "Tags"]
MCA = ["subscriptionName", "resourceGroupName", "resourceLocation", "location", "date", "meterCategory"]
MCA += ["meterSubCategory", "meterName", "quantity", "unitOfMeasure", "costInBillingCurrency", "billingCurrency"]
MCA += ["tags", "serviceFamily"]


def generate(rng: random.Random, layout: str, currency: str, rows: int = 400):
    """Rows of a cost details file (dicts by the layout's column names) and the expected totals."""
    names = EA if layout == "ea" else MCA
    out, keys, cost = [], set(), Decimal(0)
    expected = {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "active_user_days": 0}
    for _ in range(rows):
        day = DAY0 + timedelta(days=rng.randrange(20))
        region, group = rng.choice(REGIONS), rng.choice(["rg-ai", "rg-chat"])
        team = rng.choice(["data", "support", None])
        tag_pairs = ([f'"team": "{team}"'] if team else []) + ['"env": "prod"']
        tags = "{" + ", ".join(tag_pairs) + "}" if layout == "ea" else ",".join(tag_pairs)  # MCA: no braces
        amount = Decimal(rng.randint(0, 900_000)) / 10_000
        values = [
            "Contoso AI",
            group,
            region,
            day.strftime("%m/%d/%Y") if layout == "ea" else day.isoformat(),
            "Cognitive Services",
            "Azure OpenAI",
        ]
        if rng.random() < 0.8:
            meter, model, kind = rng.choice(METERS)
            thousands = Decimal(rng.randint(0, 5_000_000)) / 1000  # Quantity in units of 1K tokens
            values += [meter, f"{thousands}", "1K"]
            expected[{"input": "input_tokens", "cached": "cached_input_tokens", "output": "output_tokens"}[kind]] += (
                int(thousands * 1000)
            )
            cost += amount
            keys.add((day, model, team or "", f"Contoso AI/{group}", region.lower().replace(" ", "")))
        else:
            category, sub, meter, unit = rng.choice(OTHER)
            values[4:6] = [category, sub]
            values += [meter, str(rng.randint(1, 24)), unit]
        values += [str(amount), currency, tags]
        row = dict(zip([n for n in names if n not in ("MeterId", "location", "serviceFamily")], values, strict=True))
        if layout == "ea":
            row["MeterId"] = f"{rng.getrandbits(64):016x}"  # a column the reader does not use
        else:
            row["location"] = region.upper()  # MCA's display name; resourceLocation wins
            row["serviceFamily"] = "AI + Machine Learning"
        out.append(row)
    return names, out, expected, keys, cost


def csv_bytes(names: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()  # the portal download has a BOM


def test_ea_cost_details_totals_and_cost_in_ingest_json(org_a, tmp_path, capsys):
    names, rows, expected, keys, cost = generate(random.Random(15), "ea", "EUR")
    out = ingest_json(tmp_path, capsys, KEY, "ea-cost-details.csv", csv_bytes(names, rows))
    assert amounts(out) == expected and expected["cached_input_tokens"] > 0
    assert out["rows"] == len(rows)
    assert out["records"] == len(keys)
    assert costs(out) == {"EUR": cost}  # only the token meters' cost: VMs, storage and hosting are left out


def test_mca_cost_details_totals_and_cost_in_ingest_json(org_a, tmp_path, capsys):
    names, rows, expected, keys, cost = generate(random.Random(16), "mca", "USD")
    out = ingest_json(tmp_path, capsys, KEY, "mca-cost-details.csv", csv_bytes(names, rows))
    assert amounts(out) == expected
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    assert costs(out) == {"USD": cost}
