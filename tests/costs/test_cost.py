"""API cost has one rule and one figure: the dashboard, the records list and the cost overview show the same
Decimal for the same records, and a vendor's figure arrives in the database exactly."""

import datetime as dt
import decimal
import io
from decimal import Decimal

import pandas as pd
import pytest
from django.urls import reverse
from django.utils.html import escape

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.costs import cost
from apps.costs.models import ModelPrice
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db

# EUR-reported (one of them a per-token figure with ten decimals), USD-reported, a token row without a reported
# cost (priced from its tokens) and one whose model has no price.
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-03-01,openai,gpt-4o,1000,500000,400000,dev@org-a.example,,FR,1234.5,EUR\n"
    "2025-04-01,openai,gpt-4o-mini,100,50000,40000,dev@org-a.example,,FR,0.0000012345,EUR\n"
    "2025-04-02,anthropic,claude-3-5-sonnet-20241022,200,80000,60000,other@org-a.example,,DE,7.25,USD\n"
    "2025-04-03,openai,gpt-4o-mini-2024-07-18,300,1200000,300000,dev@org-a.example,,FR,,\n"
    "2025-04-04,mistral,mistral-large,10,1000,1000,dev@org-a.example,,FR,,\n"
)
# The factor set's rates (ECB 2021): USD per unit.
USD_PER_USD, USD_PER_EUR = Decimal("1.0"), Decimal("1.1827")


def _expected_total_eur() -> Decimal:
    """The rule by hand, at cost.MONEY's 28 significant digits."""
    with decimal.localcontext(cost.MONEY):
        eur_per_usd = USD_PER_USD / USD_PER_EUR
        reported = Decimal("1234.5") + Decimal("0.0000012345") + Decimal("7.25") * eur_per_usd
        # 3 April: the price from 3 April applies (0.1275 in, 0.51 out per million), not January's.
        priced = (Decimal(1_200_000) * Decimal("0.1275") + Decimal(300_000) * Decimal("0.51")) / Decimal(1_000_000)
        return reported + priced  # mistral-large has no price: nothing


@pytest.fixture
def loaded(org_a):
    org = org_a["org"]
    for valid_from, inp, out in ((dt.date(2025, 1, 1), "0.15", "0.60"), (dt.date(2025, 4, 3), "0.1275", "0.51")):
        ModelPrice.objects.create(
            organisation=org,
            provider="openai",
            model="gpt-4o-mini",
            valid_from=valid_from,
            input_eur_per_mtok=Decimal(inp),
            output_eur_per_mtok=Decimal(out),
        )
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "usage.csv")).pk)
    assert run.status == "succeeded", run.errors
    return run


def test_hand_computed_total():
    assert _expected_total_eur() == Decimal("1240.936042665124841464445760")
    assert str(_expected_total_eur().quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN)) == "1240.94"


def test_a_ten_decimal_cost_arrives_exactly(org_a, loaded):
    """Read from the file, written by the record writer, read back by the ORM: the vendor's figure, exactly."""
    stored = UsageRecord.objects.get(organisation=org_a["org"], day=dt.date(2025, 4, 1))
    assert stored.cost == Decimal("0.0000012345") and isinstance(stored.cost, Decimal)
    assert UsageRecord.objects.get(organisation=org_a["org"], day=dt.date(2025, 3, 1)).cost == Decimal("1234.5")


def test_the_dashboard_and_the_cost_pages_show_the_same_cost(client_for, org_a, loaded):
    client = client_for(org_a["users"][Role.AUDITOR])
    window = {"start": "2025-01-01", "end": "2025-12-31"}
    dashboard = client.get(reverse("web:org_home", args=["org-a"]), window)
    records = client.get(reverse("web:records", args=["org-a"]), window)
    overview = client.get(reverse("costs:overview", args=["org-a"]), window)
    expected = _expected_total_eur()
    for response, figure_id in ((dashboard, "total-cost"), (records, "records-cost"), (overview, "api-spend")):
        assert response.status_code == 200
        total = response.context["api_cost"]
        assert total.total_eur == expected
        assert total.models_without_price == ["mistral-large"]
        page = response.content.decode()
        assert f'id="{figure_id}"' in page and ">1,240.94<" in page.split(f'id="{figure_id}"')[1][:200]
        assert escape(str(cost.RULE)) in page  # the rule, stated on the page
        assert "1,234.50 EUR, 7.25 USD" in page  # as reported, before conversion
    assert overview.context["summary"]["totals"]["api_spend_eur"] == pytest.approx(float(expected))


def test_each_record_has_its_cost_and_basis():
    usage = pd.DataFrame(
        {
            "day": [dt.date(2025, 4, 1)] * 5,
            "model_key": ["gpt-4o", "gpt-4o", "gpt-4o", "unknown", "gpt-4o"],
            "usage_kind": ["tokens", "tokens", "tokens", "tokens", "seat_activity"],
            "cost": [Decimal("2.5"), Decimal("-1"), Decimal(0), Decimal(0), Decimal(0)],
            "currency": ["GBP", "", "", "", ""],
            "input_tokens": [10, 10, 2_000_000, 5, 0],
            "cached_input_tokens": [0, 0, 500_000, 0, 0],
            "output_tokens": [10, 10, 1_000_000, 5, 0],
        }
    )
    prices = pd.DataFrame(
        {
            "model_key": ["gpt-4o"],
            "valid_from": [dt.date(2025, 1, 1)],
            "input_eur_per_mtok": [Decimal("2.5")],
            "output_eur_per_mtok": [Decimal("10")],
            "cached_eur_per_mtok": [Decimal("1.25")],
        }
    )
    rates = {"USD": Decimal("1.0"), "EUR": Decimal("1.1827"), "GBP": Decimal("1.37587")}
    got = cost.record_costs_eur(usage, prices=prices, rates=rates)
    with decimal.localcontext(cost.MONEY):
        gbp = Decimal("2.5") * (Decimal("1.37587") / Decimal("1.1827"))
    # 1.5 M uncached x 2.5 + 0.5 M cached x 1.25 + 1 M out x 10, per million: 3.75 + 0.625 + 10
    assert got["cost_eur"].tolist() == [gbp, Decimal(-1), Decimal("14.375"), Decimal(0), Decimal(0)]
    assert got["cost_basis"].tolist() == ["reported", "reported", "tokens x price", "no price", ""]
