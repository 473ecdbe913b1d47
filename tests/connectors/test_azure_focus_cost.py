"""Azure's FOCUS cost and usage export, read by the azure_openai_cost source with the classic export's meter rules.

Follows Microsoft's FOCUS file schema
(https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-focus: BilledCost,
BillingCurrency, ChargeCategory, ChargePeriodStart, ConsumedQuantity, ConsumedUnit, RegionId, RegionName,
SubAccountName, Tags, x_ResourceGroupName, x_SkuMeterCategory, x_SkuMeterSubcategory, x_SkuMeterName, ...; FOCUS
1.0 dates without seconds, "2024-01-01T00:00Z", and 1.0r2 dates with them) and its quantities
(https://techcommunity.microsoft.com/blog/finopsblog/learning-focus-prices--quantities/4418097: ConsumedQuantity is
the amount used in ConsumedUnit, PricingQuantity the amount in pricing blocks of x_PricingBlockSize). The meter
names are Cost Management's, as the classic export has them
(https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-ea).
"""

import csv
import datetime as dt
import io
import json
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.connectors.sources import detect
from apps.footprint.models import UsageRecord
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused

KEY = "azure_openai_cost"
HEADER = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ConsumedQuantity",
    "ConsumedUnit",
    "EffectiveCost",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
    "x_PricingBlockSize",
    "x_PricingUnitDescription",
    "x_ResourceGroupName",
    "x_SkuMeterCategory",
    "x_SkuMeterSubcategory",
    "x_SkuMeterName",
    "x_SomeFutureColumn",  # an extra column Microsoft may add: ignored
]
# Token meters and what the test expects of each: (meter name, model, direction).
TOKEN_METERS = [
    ("gpt-4o-0513 Inp glbl Tokens", "gpt-4o-0513", "input"),
    ("gpt-4o-0513 Outp glbl Tokens", "gpt-4o-0513", "output"),
    ("gpt 4.1 cached Inp glbl Tokens", "gpt-4.1", "cached"),
    ("text-embedding-3-large-glbl Tokens", "text-embedding-3-large", "input"),
    ("gpt-4o-mini-0718-outp-glbl Tokens", "gpt-4o-mini-0718", "output"),
]
REGIONS = [("francecentral", "France Central"), ("swedencentral", "Sweden Central"), ("eastus", "East US")]
TEAMS = ["support", "search", ""]
SUBSCRIPTION = "contoso-ai-prod"


def _stamp(rng: random.Random, day: dt.date) -> str:
    """ChargePeriodStart in one of the spellings exports use: 1.0r2, 1.0 (no seconds), or with an offset."""
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)
    kind = rng.randrange(4)
    if kind == 0:
        return midnight.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == 1:
        return midnight.strftime("%Y-%m-%dT%H:%MZ")
    # The same instant written at +02:00, or an hour later at -05:00 (the UTC day is the day's).
    zone = dt.timezone(dt.timedelta(hours=2 if kind == 2 else -5))
    return (midnight + dt.timedelta(hours=0 if kind == 2 else 1)).astimezone(zone).isoformat()


def _utc_day(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(dt.UTC).date()


def build_focus(rows: int = 600, seed: int = 15) -> tuple[bytes, dict]:
    """A FOCUS export of `rows` rows and the totals expected of it, computed here from what was written."""
    rng = random.Random(seed)
    expected = {"input": 0, "cached": 0, "output": 0, "cost": Decimal("0"), "skipped": Counter()}
    per_key: Counter = Counter()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)  # numbers as quoted strings too
    writer.writerow(HEADER)
    for i in range(rows):
        day = dt.date(2025, 8, 1) + dt.timedelta(days=rng.randrange(28))
        start = _stamp(rng, day)
        region, region_name = rng.choice(REGIONS)
        team = rng.choice(TEAMS)
        tags = json.dumps({"team": team, "env": "prod"}) if team else "{}"
        cost = Decimal(rng.randrange(1, 5_000_000)) / Decimal(1_000_000)
        kind = rng.random()
        category, charge, charge_class = "Cognitive Services", "Usage", ""
        if kind < 0.08:
            meter, unit, quantity, reason = "D4s v5", "Hours", "24", "not_ai"
            category = "Virtual Machines"
        elif kind < 0.12:
            meter, unit, quantity, reason = "gpt-4o-mini Hosting", "Hours", "24", "not_inference"
        elif kind < 0.15:
            meter, unit, quantity, reason = "Provisioned Managed Global", "", "", "not_usage_charge"
            charge = "Purchase"
        elif kind < 0.18:
            # A correction of an earlier billing period's charge: negative, not this period's use.
            meter, unit, quantity, reason = TOKEN_METERS[0][0], "Tokens", str(-rng.randrange(1, 50_000)), "correction"
            charge_class = "Correction"
        else:
            meter, model, direction = rng.choice(TOKEN_METERS)
            tokens = rng.randrange(1, 3_000_000)
            unit, quantity, reason = "Tokens", str(tokens), None
            expected[direction] += tokens
            per_key[(day, model, region, team)] += tokens
        if reason:
            expected["skipped"][reason] += 1
        else:
            expected["cost"] += cost
        description = f"{meter}, {region_name}" + ("\nsecond line" if i % 97 == 0 else "")  # quoted comma, newline
        block = "1000" if unit == "Tokens" else "1"
        pricing = str(Decimal(quantity) / 1000) if quantity and unit == "Tokens" else quantity or "1"
        writer.writerow(
            [
                str(cost),
                "8611537",
                "Contoso",
                "EUR",
                "2025-09-01T00:00:00Z",
                "2025-08-01T00:00:00Z",
                charge,
                charge_class,
                description,
                "Usage-Based" if charge == "Usage" else "One-Time",
                "",
                start,
                quantity,
                unit,
                str(cost),
                str(cost),
                pricing,
                unit or "Units",
                region,
                region_name,
                f"/subscriptions/1f0e/resourcegroups/rg-ai/providers/microsoft.cognitiveservices/accounts/aoai-{region}",
                f"aoai-{region}",
                "AI and Machine Learning",
                "Azure OpenAI",
                "DZH318Z0BQ4L",
                "1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
                SUBSCRIPTION,
                tags,
                block,
                f"1K {unit}" if unit == "Tokens" else f"1 {unit or 'Month'}",
                "rg-ai",
                category,
                "Azure OpenAI" if category != "Virtual Machines" else "Dsv5 Series",
                meter,
                "future",
            ]
        )
    expected["keys"] = per_key
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"), expected  # with the BOM Cost Management writes


def test_a_focus_export_is_read_to_the_totals_computed_from_it():
    data, expected = build_focus()
    frame = parse_bytes(KEY, data, "focus.csv")
    assert int(frame["input_tokens"].sum()) == expected["input"]
    assert int(frame["cached_input_tokens"].sum()) == expected["cached"]
    assert int(frame["output_tokens"].sum()) == expected["output"]
    assert Decimal(str(round(float(frame["cost"].sum()), 6))) == expected["cost"]
    assert set(frame["currency"]) == {"EUR"} and set(frame["provider"]) == {"azure_openai"}
    assert frame.attrs["skipped"] == dict(expected["skipped"]) and frame.attrs["rows_read"] == 600
    # Day (UTC, offsets read), model, zone and team of every record, as written.
    tokens = frame["input_tokens"] + frame["cached_input_tokens"] + frame["output_tokens"]
    got = Counter()
    for row, n in zip(frame.itertuples(), tokens, strict=True):
        got[(row.day.date(), row.model, row.zone.removeprefix("azure:"), row.team)] += int(n)
    assert got == expected["keys"]
    assert set(frame["project"]) == {f"{SUBSCRIPTION}/rg-ai"}


def test_offsets_are_read_as_utc_days():
    assert _utc_day("2025-08-01T02:00:00+02:00") == dt.date(2025, 8, 1)
    assert _utc_day("2025-07-31T20:00:00-05:00") == dt.date(2025, 8, 1)


@pytest.mark.django_db
def test_ingest_json_reports_the_focus_totals_and_what_was_left_out(org_a, tmp_path, capsys):
    data, expected = build_focus(rows=450, seed=7)
    path = tmp_path / "focus-2025-08.csv"
    path.write_bytes(data)
    call_command("ingest", "--org", "org-a", "--source", KEY, str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "succeeded", out["errors"]
    assert (out["input_tokens"], out["cached_input_tokens"], out["output_tokens"]) == (
        expected["input"],
        expected["cached"],
        expected["output"],
    )
    assert out["rows"] == 450 and out["skipped"] == dict(expected["skipped"])
    assert out["rows_skipped"] == sum(expected["skipped"].values())
    stored = UsageRecord.objects.for_org(org_a["org"]).aggregate(cost=Sum("cost"))["cost"]
    assert Decimal(str(stored)).quantize(Decimal("0.000001")) == expected["cost"]


def test_the_fixture_is_detected_and_its_rows_counted_by_reason():
    data = fixture_bytes(KEY, "focus_export.csv")
    assert detect(io.BytesIO(data))[0][0] == KEY
    frame = parse_bytes(KEY, data, "focus_export.csv")
    # 7 rows: 4 token meters; a VM, a hosting meter and a reservation purchase left out.
    assert frame.attrs["skipped"] == {"not_ai": 1, "not_inference": 1, "not_usage_charge": 1}
    # 495,000 in + 200,000 embedding in; 220,000 cached; 184,500 out.
    assert int(frame["input_tokens"].sum()) == 695_000
    assert int(frame["cached_input_tokens"].sum()) == 220_000
    assert int(frame["output_tokens"].sum()) == 184_500
    fr = frame[frame["zone"] == "azure:francecentral"]
    assert set(fr["team"]) == {"support", "search"}


def test_a_focus_export_without_token_meters_is_refused():
    data, _ = build_focus(rows=40)
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    out = io.StringIO()
    at = header.index("x_SkuMeterCategory")
    csv.writer(out).writerows([header, *(r for r in rows if r[at] == "Virtual Machines")])
    err = refused(KEY, out.getvalue().encode(), "vms.csv")
    assert err.column == "x_SkuMeterName" and "found no Azure OpenAI / Foundry token meters" in str(err)
