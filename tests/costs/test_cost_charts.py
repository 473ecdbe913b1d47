"""The cost pages' charts draw the figures the pages show, worked by hand on a small organisation: three token rows
with their cost as reported (generic CSV, the project's own format) and a Copilot licence starting mid-January."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest

from apps.accounts.models import Person, Role, Team
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.costs import charts
from apps.costs.models import Licence, Tool
from apps.costs.seats import UNASSIGNED

pytestmark = pytest.mark.django_db
HEADER = "date,provider,model,requests,input_tokens,cached_input_tokens,output_tokens,user,team,zone,cost,currency\n"
ROWS = [
    "2025-01-10,openai,gpt-4o,10,1000,0,500,u1@org-a.example,platform,FR,1.50,EUR",
    "2025-01-20,openai,gpt-4o,20,2000,0,800,u2@org-a.example,data,FR,2.25,EUR",
    "2025-02-05,openai,gpt-4o,5,400,0,100,u1@org-a.example,platform,FR,4.00,EUR",
]
WINDOW = {"start": "2025-01-01", "end": "2025-03-31"}
SEAT_MONTH_EUR = 10 * 19  # 10 seats at 19 EUR a seat-month
JANUARY_LICENCE_EUR = SEAT_MONTH_EUR * 16 / 31  # the licence starts on 16 January: 16 of its 31 days


def _ingest(org, rows, name):
    body = (HEADER + "\n".join(rows) + "\n").encode()
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(body), name)).pk)
    assert run.status == "succeeded", run.errors


@pytest.fixture
def small(org_a, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(charts, "charts_available", lambda: True)  # the page embeds its charts' data
    org = org_a["org"]
    teams = {name: Team.objects.create(organisation=org, name=name) for name in ("platform", "data")}
    Person.objects.create(organisation=org, email="u1@org-a.example", name="User 1", team=teams["platform"])
    Person.objects.create(organisation=org, email="u2@org-a.example", name="User 2", team=teams["data"])
    Licence.objects.create(
        organisation=org,
        tool=Tool.GITHUB_COPILOT,
        price_per_seat_month=Decimal("19.00"),
        seats_bought=10,
        period_start=dt.date(2025, 1, 16),
        period_end=dt.date(2025, 12, 31),
    )
    _ingest(org, ROWS, "usage.csv")
    return org


def _page(client, url):
    response = client.get(url, WINDOW)
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'<script id="cost-charts" type="application/json">(.*?)</script>', page, re.S)
    return page, json.loads(found.group(1))


def _series(chart, label):
    return next(d["data"] for d in chart["datasets"] if d["label"] == label)


def test_the_overview_charts_cost_by_month_and_team_as_its_tables_show_them(small, client_for, org_a):
    page, drawn = _page(client_for(org_a["users"][Role.AUDITOR]), "/o/org-a/costs/")
    by_month = drawn["cost_by_month"]
    assert by_month["labels"] == ["2025-01", "2025-02", "2025-03"]
    assert by_month["stacked"] and by_month["unit"] == "Cost (€)"
    # January: 1.50 + 2.25 EUR of API spend; licences from the 16th. February: 4.00 EUR; March: licences only.
    assert _series(by_month, "API spend") == pytest.approx([3.75, 4.00, 0.0])
    assert _series(by_month, "Licences") == pytest.approx([JANUARY_LICENCE_EUR, SEAT_MONTH_EUR, SEAT_MONTH_EUR])
    by_team = drawn["cost_by_team"]
    # No seat file: the licence is all unassigned seats. Sorted by total cost, largest first.
    assert by_team["labels"] == [UNASSIGNED, "platform", "data"]
    assert _series(by_team, "Licences") == pytest.approx([JANUARY_LICENCE_EUR + 2 * SEAT_MONTH_EUR, 0, 0])
    assert _series(by_team, "API spend") == pytest.approx([0, 5.50, 2.25])
    # The tables beside the charts show the same figures (3 significant digits, money to the cent).
    month_table = page.split('id="table-cost_by_month"')[1].split("</table>")[0]
    assert re.search(
        r"2025-01</th><td class=\"num\">98.1</td><td class=\"num\">3.75</td><td class=\"num\">102", month_table
    )
    assert '<th scope="row">platform</th><td class="num">0</td><td class="num">5.50</td>' in page
    assert "cost-charts.js" in page and 'id="chart-cost_by_month"' in page


def test_the_months_add_up_to_the_window_totals(small):
    from apps.costs.summary import usage_summary
    from apps.costs.window import window_for

    summary = usage_summary(small, window_for(small, dt.date(2025, 1, 1), dt.date(2025, 3, 31)), seats=None)
    months = summary["by_month"]
    assert sum(m["licence_cost_eur"] for m in months) == pytest.approx(summary["totals"]["licence_cost_eur"])
    assert sum(m["api_spend_eur"] for m in months) == Decimal("7.75")
    assert summary["totals"]["api_spend_eur"] == pytest.approx(7.75)


def test_the_charts_speak_french_on_a_french_page(small, client_for, org_a):
    client = client_for(org_a["users"][Role.AUDITOR])
    response = client.get("/o/org-a/costs/", WINDOW, HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    drawn = json.loads(re.search(r'<script id="cost-charts" type="application/json">(.*?)</script>', page, re.S)[1])
    assert "Coût par mois" in page and "Coût par équipe" in page
    assert drawn["cost_by_month"]["unit"] == "Coût (€)"
    assert [d["label"] for d in drawn["cost_by_month"]["datasets"]] == ["Licences", "Dépenses d'API"]
