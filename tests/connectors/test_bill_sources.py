"""The vendors' bills as sources: OpenAI Costs API pages and the Anthropic cost report, read to the cent and beyond.

Follows https://platform.openai.com/docs/api-reference/usage/costs (GET /v1/organization/costs: buckets with
start_time/end_time, results of object organization.costs.result with amount {value, currency}, line_item and
project_id when grouped, has_more/next_page) and https://platform.claude.com/docs/en/api/admin/cost_report
(GET /v1/organizations/cost_report: buckets with starting_at/ending_at, results with amount as a decimal string
in cents, currency, cost_type, model, token_type, description, workspace_id; has_more/next_page).

Several hundred buckets are built here from those schemas with the quirks real pulls have (numbers as strings,
pages written back to back, extra fields, null optional fields); the totals per currency are summed here, in
Decimal, from the values written, and must equal what `ingest --json` reports exactly."""

import contextlib
import datetime as dt
import json
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.footprint.models import UsageRecord

from .helpers import parse_bytes, refused

START = dt.date(2025, 1, 1)
DAYS = 320  # one bucket a day: several hundred buckets


def _unix(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _amount(rng: random.Random) -> Decimal:
    """A billed amount with up to four decimals, sometimes a credit (negative)."""
    cents = rng.randint(-500, 250_000) if rng.random() < 0.05 else rng.randint(0, 250_000)
    return Decimal(cents * 100 + rng.randint(0, 99)).scaleb(-4)


def openai_costs_file(seed: int = 15) -> tuple[bytes, dict[str, Decimal], int]:
    """Pages of 7 daily buckets written back to back; (bytes, expected total per currency, results written)."""
    rng = random.Random(seed)
    expected: dict[str, Decimal] = {}
    buckets, count = [], 0
    for i in range(DAYS):
        day = START + dt.timedelta(days=i)
        results = []
        for n in range(rng.randint(0, 3)):
            value = _amount(rng)
            currency = rng.choice(["usd", "usd", "usd", "eur"])
            expected[currency.upper()] = expected.get(currency.upper(), Decimal(0)) + value
            result = {
                "object": "organization.costs.result",
                # A number or a decimal string: both appear in exports and proxies.
                "amount": {"value": str(value) if rng.random() < 0.3 else float(value), "currency": currency},
                # One group per result, as a grouped pull returns; null (not grouped) only for the first.
                "line_item": None if n == 0 and rng.random() < 0.3 else f"gpt-4o-2024-08-06, line {n}",
                "project_id": rng.choice([None, "proj_abc", ""]),
            }
            if rng.random() < 0.2:
                result["organization_id"] = "org-123"  # an unknown extra field
            results.append(result)
            count += 1
        buckets.append(
            {"object": "bucket", "start_time": _unix(day), "end_time": _unix(day) + 86400, "results": results}
        )
    pages = [buckets[i : i + 7] for i in range(0, len(buckets), 7)]
    text = "".join(
        json.dumps(
            {
                "object": "page",
                "data": page,
                "has_more": k < len(pages) - 1,
                "next_page": f"page_{k + 1}" if k < len(pages) - 1 else None,
            }
        )
        + ("\n" if k % 2 else "")  # back to back, with and without a newline between pages
        for k, page in enumerate(pages)
    )
    return text.encode(), expected, count


def anthropic_cost_file(seed: int = 15) -> tuple[bytes, dict[str, Decimal], int]:
    """Cost report pages (a JSON list of pages); amounts are decimal strings in cents."""
    rng = random.Random(seed)
    expected: dict[str, Decimal] = {}
    buckets, count = [], 0
    for i in range(DAYS):
        day = START + dt.timedelta(days=i)
        results = []
        for n in range(rng.randint(0, 3)):
            cents = _amount(rng)  # up to four decimals of a cent
            expected["USD"] = expected.get("USD", Decimal(0)) + cents / 100
            token = n % 2 == 0
            results.append(
                {
                    "currency": "USD",
                    "amount": str(cents),
                    "workspace_id": rng.choice([None, "wrkspc_01"]),
                    "description": f"Claude Sonnet 4 Usage - line {n}" if token else "Web Search",
                    "cost_type": "tokens" if token else "web_search",
                    "context_window": "0-200k" if token else None,
                    "model": "claude-sonnet-4-20250514" if token else None,
                    "service_tier": "standard" if token else None,
                    "token_type": "uncached_input_tokens" if token else None,
                    "inference_geo": None,
                }
            )
            count += 1
        buckets.append(
            {
                "starting_at": f"{day}T00:00:00Z",
                "ending_at": f"{day + dt.timedelta(days=1)}T00:00:00Z",
                "results": results,
            }
        )
    pages = [
        {"data": buckets[i : i + 31], "has_more": i + 31 < len(buckets), "next_page": None}
        for i in range(0, len(buckets), 31)
    ]
    return json.dumps(pages).encode(), expected, count


def ingest_json(tmp_path, capsys, data: bytes, source: str, name: str) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    with contextlib.suppress(SystemExit):  # a failed run exits 1 after printing its JSON
        call_command("ingest", "--org", "org-a", "--source", source, str(path), "--json")
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("source", "build", "name"),
    [("openai_costs", openai_costs_file, "costs.json"), ("anthropic_cost_report", anthropic_cost_file, "cost.json")],
)
def test_several_hundred_buckets_give_the_bill_per_currency_exactly(org_a, tmp_path, capsys, source, build, name):
    data, expected, count = build()
    assert count > 300 and len(expected) >= 1
    out = ingest_json(tmp_path, capsys, data, source, name)
    assert out["status"] == "succeeded", out["errors"]
    assert out["rows"] == count
    assert {c: Decimal(v) for c, v in out["cost_by_currency"].items()} == {c: v for c, v in expected.items() if v}
    # A bill is a cost only: no tokens, no requests, no energy of its own (the usage records carry those).
    assert (out["requests"], out["input_tokens"], out["output_tokens"], out["energy_kwh"], out["co2e_kg"]) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert set(UsageRecord.objects.values_list("usage_kind", flat=True)) == {"billed_cost"}
    # The same file again stores nothing.
    again = ingest_json(tmp_path, capsys, data, source, name)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]


def test_an_anthropic_amount_is_cents_divided_by_a_hundred_exactly():
    data = json.dumps(
        {
            "data": [
                {
                    "starting_at": "2025-03-01T00:00:00Z",
                    "ending_at": "2025-03-02T00:00:00Z",
                    "results": [
                        {"currency": "USD", "amount": "123.45", "workspace_id": None, "description": None},
                        {"currency": "USD", "amount": "0.0001", "workspace_id": None, "description": None},
                    ],
                }
            ],
            "has_more": False,
            "next_page": None,
        }
    ).encode()
    frame = parse_bytes("anthropic_cost_report", data, "cost.json")
    # "123.45" cents is $1.2345 (the documentation's example); the two lines share a key and add up to 1.234501.
    assert frame["cost"].tolist() == [1.234501] and frame["currency"].tolist() == ["USD"]
    assert frame["usage_kind"].tolist() == ["billed_cost"] and frame["provider"].tolist() == ["anthropic"]


def _openai_page(result: dict) -> bytes:
    bucket = {"object": "bucket", "start_time": _unix(START), "end_time": _unix(START) + 86400, "results": [result]}
    return json.dumps({"object": "page", "data": [bucket], "has_more": False, "next_page": None}).encode()


def _anthropic_page(result: dict) -> bytes:
    bucket = {"starting_at": "2025-01-01T00:00:00Z", "ending_at": "2025-01-02T00:00:00Z", "results": [result]}
    return json.dumps({"data": [bucket], "has_more": False, "next_page": None}).encode()


@pytest.mark.parametrize(
    ("source", "data", "path", "key"),
    [
        (
            "openai_costs",
            _openai_page({"object": "organization.costs.result", "amount": {"currency": "usd"}, "line_item": None}),
            "data[0].results[0].amount",
            "value",
        ),
        (
            "openai_costs",
            _openai_page({"object": "organization.costs.result", "amount": {"value": 0.06}, "project_id": None}),
            "data[0].results[0].amount",
            "currency",
        ),
        (
            "openai_costs",
            _openai_page({"object": "organization.costs.result", "amount": {"value": "", "currency": "usd"}}),
            "data[0].results[0].amount",
            "value",
        ),
        (
            "anthropic_cost_report",
            _anthropic_page({"currency": "USD", "cost_type": "tokens"}),
            "data[0].results[0]",
            "amount",
        ),
        (
            "anthropic_cost_report",
            _anthropic_page({"amount": "12.5", "cost_type": "tokens"}),
            "data[0].results[0]",
            "currency",
        ),
    ],
)
def test_a_missing_needed_field_is_refused_naming_it_and_nothing_is_stored(
    org_a, tmp_path, capsys, source, data, path, key
):
    err = refused(source, data, "bill.json")
    assert (err.row, err.column) == (path, key) and "missing" in err.message
    out = ingest_json(tmp_path, capsys, data, source, "bill.json")
    assert out["status"] == "failed" and out["records"] == 0
    assert (out["errors"][0]["row"], out["errors"][0]["column"]) == (path, key)
    assert UsageRecord.objects.count() == 0


def test_a_page_loaded_twice_is_refused():
    page = json.loads(_openai_page({"object": "organization.costs.result", "amount": {"value": 1, "currency": "usd"}}))
    data = (json.dumps(page) + json.dumps(page)).encode()
    err = refused("openai_costs", data, "twice.json")
    assert err.row == "[1].data[0].results[0]" and "repeats a page" in err.message


def test_a_usage_page_given_as_costs_is_named():
    usage = {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": _unix(START),
                "end_time": _unix(START) + 86400,
                "results": [
                    {
                        "object": "organization.usage.completions.result",
                        "input_tokens": 10,
                        "output_tokens": 2,
                        "input_cached_tokens": 0,
                        "num_model_requests": 1,
                    }
                ],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
    err = refused("openai_costs", json.dumps(usage).encode(), "usage.json")
    assert "source 'openai_usage'" in str(err)


def test_a_bill_line_has_no_energy_no_emissions_and_no_warning():
    """The calculator gives a billed_cost row nothing: the token records of the same usage carry the footprint."""
    from apps.footprint.calculator import estimate

    data = _openai_page({"object": "organization.costs.result", "amount": {"value": 12.5, "currency": "usd"}})
    result = estimate(parse_bytes("openai_costs", data, "costs.json"))
    assert result[["energy_kwh", "co2e_location_kg", "co2e_market_kg", "co2e_embodied_kg"]].to_numpy().tolist() == [
        [0.0, 0.0, 0.0, 0.0]
    ]
    assert result["warning"].tolist() == [""] and result["cost"].tolist() == [12.5]
