"""The bill is the month's € figure where there is one, and tokens x price is compared with it: a constructed March
with a known gap over 2 % is flagged, an April within 2 % is not, on the API, the cost page and the run page.

The bill follows https://platform.openai.com/docs/api-reference/usage/costs (organization.costs.result, amount
{value, currency}, line_item, project_id); the token records follow
https://platform.openai.com/docs/api-reference/usage/completions and
https://platform.claude.com/docs/en/api/admin/usage_report (the usage pages the existing sources read)."""

import datetime as dt
import decimal
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.costs import cost
from apps.costs.models import ModelPrice
from apps.costs.records import records_frame
from apps.costs.window import window_for
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db

MARCH_1, MARCH_2, APRIL_1 = dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 4, 1)
USD_PER_EUR = Decimal("1.1827")  # the default factor set's rate (ECB), USD per EUR; USD per USD is 1.0


def _unix(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _openai_page(results_by_day: dict) -> bytes:
    buckets = [
        {"object": "bucket", "start_time": _unix(d), "end_time": _unix(d) + 86400, "results": results}
        for d, results in results_by_day.items()
    ]
    return json.dumps({"object": "page", "data": buckets, "has_more": False, "next_page": None}).encode()


def _usage(input_tokens: int, output_tokens: int) -> dict:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": input_tokens,
        "input_cached_tokens": 0,
        "output_tokens": output_tokens,
        "num_model_requests": 100,
        "model": "gpt-4o-2024-08-06",
        "project_id": "proj_a",
        "user_id": None,
        "api_key_id": None,
    }


def _bill(value: str, line: str) -> dict:
    return {"object": "organization.costs.result", "amount": {"value": value, "currency": "usd"}, "line_item": line}


ANTHROPIC_USAGE = json.dumps(
    {
        "data": [
            {
                "starting_at": "2025-03-05T00:00:00Z",
                "ending_at": "2025-03-06T00:00:00Z",
                "results": [
                    {
                        "uncached_input_tokens": 5000,
                        "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
                        "cache_read_input_tokens": 0,
                        "output_tokens": 800,
                        "model": "claude-sonnet-4-20250514",
                        "workspace_id": None,
                        "api_key_id": "apikey_1",
                    }
                ],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
).encode()


def _load(org, data: bytes, name: str, source: str):
    run = execute_run(create_run(org, source, store_upload(org, io.BytesIO(data), name)).pk)
    assert run.status == "succeeded", run.errors
    return run


@pytest.fixture
def loaded(org_a):
    org = org_a["org"]
    ModelPrice.objects.create(
        organisation=org,
        provider="openai",
        model="gpt-4o",
        valid_from=dt.date(2025, 1, 1),
        input_eur_per_mtok=Decimal("2.5"),
        output_eur_per_mtok=Decimal("10"),
    )
    usage = _openai_page(
        {
            MARCH_1: [_usage(1_000_000, 200_000)],
            MARCH_2: [_usage(1_000_000, 200_000)],
            APRIL_1: [_usage(1_000_000, 200_000)],
        }
    )
    bill = _openai_page(
        {
            MARCH_1: [_bill("6.00", "gpt-4o-2024-08-06, input"), _bill("0", "gpt-4o-2024-08-06, output")],
            MARCH_2: [_bill("4", "gpt-4o-2024-08-06, input")],
            APRIL_1: [_bill("5.3", "gpt-4o-2024-08-06, input")],
        }
    )
    return {
        "usage": _load(org, usage, "usage.json", "openai_usage"),
        "bill": _load(org, bill, "costs.json", "openai_costs"),
        "anthropic": _load(org, ANTHROPIC_USAGE, "anthropic.json", "anthropic_usage"),
    }


def _norm(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _expected():
    """By hand. A day's tokens at list price: 1 M input x 2.5 + 0.2 M output x 10, per million = 4.5 EUR.
    March: 9 EUR of tokens against 6 + 0 + 4 = 10 USD billed; April: 4.5 EUR against 5.3 USD."""
    with decimal.localcontext(cost.MONEY):
        eur_per_usd = Decimal("1.0") / USD_PER_EUR
        march_bill, april_bill = Decimal(10) * eur_per_usd, Decimal("5.3") * eur_per_usd
        march_gap, april_gap = Decimal(9) - march_bill, Decimal("4.5") - april_bill
    # gap % = tokens / billed - 1 = 9 x 1.1827 / 10 - 1 = 6.443 % and 4.5 x 1.1827 / 5.3 - 1 = 0.4179... %
    return march_bill, april_bill, march_gap, april_gap


def test_the_api_answers_tokens_x_price_against_the_bill_and_flags_march(client_for, org_a, loaded):
    march_bill, april_bill, march_gap, april_gap = _expected()
    client = client_for(org_a["users"][Role.AUDITOR])
    url = reverse("costs_api:reconciliation", args=["org-a"])
    response = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"})
    assert response.status_code == 200
    assert response.data == {
        "window": {
            "start": "2025-01-01",
            "end": "2025-12-31",
            "months": 12.0,
            "period_id": None,
            "carbon_price_eur_per_t": None,
        },
        "threshold_pct": "2",
        "rule": str(cost.RULE),
        "months": [
            {
                "provider": "anthropic",
                "month": "2025-03",
                "tokens_x_price_eur": "0",
                "reported_on_tokens_eur": "0",
                "billed_eur": None,
                "billed_by_currency": [],
                "gap_eur": None,
                "gap_pct": None,
                "flagged": False,
                "models_without_price": ["claude-sonnet-4"],
                # Why each null is null (issue 19, apps.api.not_defined): no bill for Anthropic in March.
                "not_defined": {
                    "billed_eur": "Not defined: no bill is loaded for the month.",
                    "gap_eur": "Not defined: no bill is loaded for the month.",
                    "gap_pct": "Not defined: no bill is loaded for the month, or it is zero (a division by zero).",
                },
            },
            {
                "provider": "openai",
                "month": "2025-03",
                "tokens_x_price_eur": "9",
                "reported_on_tokens_eur": "0",
                "billed_eur": _norm(march_bill),
                "billed_by_currency": [{"currency": "USD", "amount": "10"}],
                "gap_eur": _norm(march_gap),
                "gap_pct": "6.44",
                "flagged": True,
                "models_without_price": [],
                "not_defined": {},
            },
            {
                "provider": "openai",
                "month": "2025-04",
                "tokens_x_price_eur": "4.5",
                "reported_on_tokens_eur": "0",
                "billed_eur": _norm(april_bill),
                "billed_by_currency": [{"currency": "USD", "amount": "5.3"}],
                "gap_eur": _norm(april_gap),
                "gap_pct": "0.42",
                "flagged": False,
                "models_without_price": [],
                "not_defined": {},
            },
        ],
    }


def test_the_bill_is_the_cost_and_the_covered_token_records_are_not_added(org_a, loaded):
    org = org_a["org"]
    total = cost.cost_total_eur(org, UsageRecord.objects.for_org(org))
    with decimal.localcontext(cost.MONEY):
        expected = Decimal("15.3") * (Decimal("1.0") / USD_PER_EUR)  # one conversion of the USD billed
    assert total.total_eur == expected and total.billed_eur == expected and total.priced_eur == 0
    assert total.reported_by_currency == {"USD": Decimal("15.3")}
    assert total.models_without_price == ["claude-sonnet-4"]  # anthropic has no bill: priced as before, no price
    # The records list and the cost pages read the same rule, row by row.
    frame = records_frame(org, window_for(org, dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    tokens = frame[(frame["provider"] == "openai") & (frame["usage_kind"] == "tokens")]
    assert set(tokens["cost_basis"]) == {cost.COVERED} and sum(tokens["cost_eur"]) == 0
    billed = frame[frame["usage_kind"] == "billed_cost"]
    assert set(billed["cost_basis"]) == {cost.BILLED}


def test_the_cost_page_and_the_run_pages_show_the_reconciliation(client_for, org_a, loaded):
    client = client_for(org_a["users"][Role.AUDITOR])
    overview = client.get(reverse("costs:overview", args=["org-a"]), {"start": "2025-01-01", "end": "2025-12-31"})
    page = overview.content.decode()
    assert 'id="reconciliation"' in page and "6.44 %" in page and "gap over threshold" in page and "0.42 %" in page
    with decimal.localcontext(cost.MONEY):
        billed = Decimal("15.3") * (Decimal("1.0") / USD_PER_EUR)
    assert overview.context["api_cost"].total_eur == billed  # the € on the page is the bill's
    for run_key in ("bill", "usage"):  # the bill's run, and the usage run whose months the bill covers
        run_page = client.get(reverse("connectors:run", args=["org-a", loaded[run_key].pk])).content.decode()
        assert "Bill reconciliation" in run_page and "6.44 %" in run_page and "0.42 %" in run_page
    # The Anthropic run's month has no bill: nothing to reconcile, no section.
    anthropic_page = client.get(reverse("connectors:run", args=["org-a", loaded["anthropic"].pk])).content.decode()
    assert "Bill reconciliation" not in anthropic_page


def test_a_price_that_starts_mid_month_prices_each_day_at_its_own_price(org_a, loaded):
    """Whole months are read from the monthly rollup, a month a price starts in day by day: from 2 March gpt-4o
    costs twice as much, so March's tokens are 4.5 EUR (1 March, old price) + 9 EUR (2 March) = 13.5 EUR, and
    April's 9 EUR (by hand: 1 M input x 5 + 0.2 M output x 20, per million)."""
    from apps.costs.reconciliation import reconcile

    ModelPrice.objects.create(
        organisation=org_a["org"],
        provider="openai",
        model="gpt-4o",
        valid_from=MARCH_2,
        input_eur_per_mtok=Decimal("5"),
        output_eur_per_mtok=Decimal("20"),
    )
    lines = {m.month: m for m in reconcile(org_a["org"], dt.date(2025, 1, 1), dt.date(2025, 12, 31), {"openai"})}
    assert (lines["2025-03"].tokens_x_price_eur, lines["2025-04"].tokens_x_price_eur) == (Decimal("13.5"), Decimal(9))
    with decimal.localcontext(cost.MONEY):
        assert lines["2025-04"].billed_eur == Decimal("5.3") * (Decimal("1.0") / USD_PER_EUR)
