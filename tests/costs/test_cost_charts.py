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
SEATS_PAGE_QUERIES = 16
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


# ---- seats: idle seats by month ---------------------------------------------------------------------------------
# The ChatGPT Enterprise workspace analytics user export (OpenAI, "User analytics" export of the Enterprise
# workspace: one row per user and period; tests/fixtures/chatgpt_enterprise_analytics/ has the header), monthly.
CHATGPT_HEADER = (
    "cadence,period_start,period_end,account_id,public_id,name,email,role,user_role,department,groups,user_status,"
    "created_or_invited_date,is_active,first_day_active_in_period,last_day_active_in_period,messages,messages_rank,"
    "model_to_messages,gpt_messages,gpts_messaged,gpt_to_messages,tool_messages,tools_messaged,tool_to_messages,"
    "project_messages,projects_messaged,project_to_messages,projects_created,last_day_active"
)
USERS = {"ada": "Ada Lovelace", "bruno": "Bruno Latour", "chloe": "Chloé Martin"}
UNKNOWN = {"dora": "Dora Maar"}
# Who was active each month, and on which days (first, last).
ACTIVE = {
    (2025, 1): {"ada": (3, 20), "bruno": (5, 10)},
    (2025, 2): {"ada": (2, 2)},
    (2025, 3): {},  # a month of the export with nobody active
    (2025, 4): {"chloe": (7, 9)},
    (2025, 5): {"dora": (12, 14)},  # Dora is no known person: her activity is attributed to nobody
}


def _chatgpt_csv() -> bytes:
    lines = [CHATGPT_HEADER]
    for (year, month), active in ACTIVE.items():
        end = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31}[month]
        for login, name in (USERS | UNKNOWN if month == 5 else USERS).items():
            days = active.get(login)
            first, last = (f"{year}-{month:02d}-{d:02d}" for d in days) if days else ("", "")
            lines.append(
                f"Monthly,{year}-{month:02d}-01,{year}-{month:02d}-{end},acct,user-{login},{name},"
                f"{login}@org-a.example,,standard-user,[],,enabled,2024-11-03,{1 if days else 0},{first},{last},"
                f"{10 if days else 0},,{{}},0,0,,0,0,,0,0,,0,{last}"
            )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def seated(small):
    for login, name in USERS.items():
        Person.objects.create(organisation=small, email=f"{login}@org-a.example", name=name)
    run = execute_run(
        create_run(
            small, "chatgpt_enterprise_analytics", store_upload(small, io.BytesIO(_chatgpt_csv()), "users.csv")
        ).pk
    )
    assert run.status == "succeeded", run.errors
    licence = Licence.objects.create(
        organisation=small,
        tool=Tool.CHATGPT_ENTERPRISE,
        seat_source_key="chatgpt_enterprise_analytics",
        price_per_seat_month=Decimal("60.00"),
        seats_bought=5,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    return small, licence


def test_idle_seats_by_month_chart_and_table(seated, client_for, org_a, django_assert_num_queries):
    _org, licence = seated
    client = client_for(org_a["users"][Role.AUDITOR])
    window = {"start": "2025-01-01", "end": "2025-06-30"}
    client.get("/o/org-a/costs/seats/", window)  # the session and its caches warm
    # The page reads its licences, seat runs and seats, people, and one person-rollup query per seat tool: a
    # constant whatever the records (the same count with a year of them).
    with django_assert_num_queries(SEATS_PAGE_QUERIES):
        page = client.get("/o/org-a/costs/seats/", window).content.decode()
    drawn = json.loads(re.search(r'<script id="cost-charts" type="application/json">(.*?)</script>', page, re.S)[1])
    chart = drawn[f"idle_{licence.pk}"]
    assert chart["labels"] == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert chart["stacked"] and chart["unit"] == "Number of seats"
    # Four users hold seats of the five bought (Dora in May's rows). January: Ada and Bruno active, Chloé and Dora
    # idle; February: Ada only; March: nobody (the month is in the export); April: Chloé. May: only Dora, whom no
    # person is known for: not idle seats, a gap that says so. June: no data, a gap (not 4 idle seats).
    assert _series(chart, "Active") == [2, 1, 0, 1, None, None]
    assert _series(chart, "Idle") == [2, 3, 4, 3, None, None]
    assert _series(chart, "Unassigned") == [1, 1, 1, 1, None, None]
    table = page.split(f'id="table-idle_{licence.pk}"')[1].split("</table>")[0]
    # Reclaimed in March: 4 idle + 1 unassigned seats x 60 EUR = 300 EUR a month.
    march = '2025-03</th><td class="num">0</td><td class="num">4</td><td class="num">1</td><td class="num">300</td>'
    assert march in table
    assert table.count("activity not attributed to people: map the identities") == 1
    assert table.count("no activity data for this month") == 1
    assert "a lower bound of the active seats" in page


def test_idle_seats_of_a_partial_month_come_from_its_days(seated):
    from apps.costs.seat_trend import idle_by_month
    from apps.costs.seats import seat_report
    from apps.costs.window import window_for

    org, licence = seated
    window = window_for(org, dt.date(2025, 1, 15), dt.date(2025, 2, 28))
    months = idle_by_month(org, window, seat_report(org, window))[licence.pk]["months"]
    # From 15 January: Ada's 20th counts, Bruno's 5th and 10th do not.
    assert [(m["month"], m["figures"]["active"], m["figures"]["idle"]) for m in months] == [
        ("2025-01", 1, 3),
        ("2025-02", 1, 3),
    ]


# ---- ROI: a chart per tool and per team, the multiple capped and flagged, payback in days ------------------------
# The API tool on the small organisation, January to March (3 months, no carbon price): 7.75 EUR of API spend over
# 3 person-days (u1 on 10 January and 5 February under platform, u2 on 20 January under data). Default inputs for
# APIs: 5 / 15 / 30 minutes a day (an assumption), 33.5 / 45 / 60 EUR an hour.
DAYS_PER_MONTH = 365.25 / 12


def _tool(report, tool):
    return next(t for t in report if t["tool"] == tool)


def test_roi_by_hand_and_its_charts(small, client_for, org_a):
    page, drawn = _page(client_for(org_a["users"][Role.AUDITOR]), "/o/org-a/costs/roi/")
    # Value at the central inputs: 3 days x 15 min / 60 x 45 EUR = 33.75 EUR; x4.35 the cost. Break-even:
    # 7.75 / (3 x 45 / 60) = 3.44 minutes. Payback: 7.75 / (33.75 / 3 months) x 30.4375 = 20.97 days, within 21.
    from apps.costs.page_figures import roi_figures
    from apps.costs.window import window_for

    api = _tool(roi_figures(small, window_for(small, dt.date(2025, 1, 1), dt.date(2025, 3, 31))), "api")
    e = api["evidence"]
    assert e["multiple"] == pytest.approx(33.75 / 7.75) and not e["multiple_capped"]
    assert e["break_even_minutes"] == pytest.approx(7.75 / (3 * 45 / 60))
    assert e["payback_days"] == pytest.approx(7.75 / (33.75 / 3) * DAYS_PER_MONTH)
    assert e["payback_within_days"] == 21 and not e["payback_capped"]
    # High: 3 x 30 / 60 x 60 = 90 EUR, x11.6: over the cap. The defaults' assumptions are named.
    assert e["multiple_high"] == pytest.approx(90 / 7.75) and e["multiple_high_capped"]
    assert e["assumed_inputs"] == [
        "minutes_saved_low",
        "minutes_saved_central",
        "minutes_saved_high",
        "hourly_cost_central_eur",
        "hourly_cost_high_eur",
    ]
    # Per team: platform 2 days and 5.50 EUR (break-even 5.50 / 1.5 = 3.67 min, value 22.5 EUR, payback
    # 5.50 / 7.5 x 30.4375 = 22.3 days); data 1 day and 2.25 EUR (3 min, 11.25 EUR, 18.3 days).
    teams = {r["team"]: r["evidence"] for r in api["teams"]}
    assert teams["platform"]["break_even_minutes"] == pytest.approx(5.50 / 1.5)
    assert teams["platform"]["payback_within_days"] == 23 and teams["data"]["payback_within_days"] == 19
    assert teams["data"]["multiple"] == pytest.approx(5.0)

    # The charts draw those figures: per tool (Copilot first, as the page lists it), then per team.
    by_tool = drawn["roi_by_tool"]
    assert by_tool["labels"] == ["GitHub Copilot", "AI APIs (tokens)"]
    assert by_tool["unit"] == "Minutes saved per active user-day" and by_tool["horizontal"]
    assert _series(by_tool, "Break-even") == [None, pytest.approx(7.75 / 2.25)]  # Copilot: no active day
    assert _series(by_tool, "Published time savings (low – high)")[1] == [5, 30]
    by_team = drawn["roi_teams_api"]
    assert by_team["labels"] == ["data", "platform"]
    assert _series(by_team, "Break-even") == [pytest.approx(3.0), pytest.approx(5.50 / 1.5)]
    # The page and its tables say the same.
    assert 'id="payback-api">within 21 days' in page
    assert "Assumptions in the inputs: minutes saved (low), minutes saved (central), minutes saved (high)" in page
    table = page.split('id="table-roi_teams_api"')[1].split("</table>")[0]
    assert (
        '<th scope="row">platform</th><td class="num">2.00</td><td class="num">5.50</td><td class="num">3.67</td>'
        in table
    )
    assert "within 23 days" in table


def test_a_multiple_over_the_cap_is_capped_with_its_payback_and_flagged(small, client_for, org_a):
    from apps.costs.models import RoiAssumption

    # The organisation's own inputs: 50 / 100 / 200 minutes a day. Central value 3 x 100 / 60 x 45 = 225 EUR,
    # x29 the cost: shown as "> x10", and the payback as within a tenth of the 3 months: 9.13 days, within 10.
    RoiAssumption.objects.create(
        organisation=small,
        tool=Tool.API,
        minutes_saved_low=50,
        minutes_saved_central=100,
        minutes_saved_high=200,
        hourly_cost_low_eur=Decimal("33.50"),
        hourly_cost_central_eur=Decimal("45.00"),
        hourly_cost_high_eur=Decimal("60.00"),
    )
    page, _drawn = _page(client_for(org_a["users"][Role.AUDITOR]), "/o/org-a/costs/roi/")
    from apps.costs.page_figures import roi_figures
    from apps.costs.window import window_for

    e = _tool(roi_figures(small, window_for(small, dt.date(2025, 1, 1), dt.date(2025, 3, 31))), "api")["evidence"]
    assert e["multiple"] == pytest.approx(225 / 7.75) and e["multiple_capped"] and e["payback_capped"]
    assert e["payback_days"] == pytest.approx(7.75 / (225 / 3) * DAYS_PER_MONTH)  # 3.1 days as computed
    assert e["payback_within_days"] == 10  # ceil(3 x 30.4375 / 10)
    assert e["assumed_inputs"] == []  # the organisation's own figures
    assert 'id="multiple-api">&gt; ×10' in page and "capped: the inputs are estimates" in page
    assert 'id="payback-api">within 10 days' in page and "capped with the multiple: a tenth of the period" in page


ENGLISH = [
    "Cost by month",
    "Idle seats by month",
    "no activity data for this month",
    "a lower bound of the active seats",
    "Break-even against published time savings",
    "Assumptions in the inputs",
    "minutes saved (",
    "hourly cost (",
    "Published time savings (low – high)",
    "Minutes saved per active user-day",
    "Number of seats",
    "the table below has the figures",
    "runs off the chart",
    "Energy per request",
    "Smaller model",
]


def test_the_new_words_of_the_cost_pages_are_french_on_french_pages(seated, client_for, org_a):
    client = client_for(org_a["users"][Role.AUDITOR])
    pages = "".join(
        client.get(url, {"start": "2025-01-01", "end": "2025-06-30"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        for url in ("/o/org-a/costs/", "/o/org-a/costs/seats/", "/o/org-a/costs/roi/", "/o/org-a/costs/right-sizing/")
    )
    assert [text for text in ENGLISH if text in pages] == []
    for french in ("Sièges inactifs par mois", "Hypothèses dans les données d'entrée"):
        assert french in pages
    assert "Nombre de si\\u00e8ges" in pages  # in the charts' JSON, escaped


# ---- right-sizing and frugality -----------------------------------------------------------------------------------


def test_the_right_sizing_chart_draws_each_rows_energy_per_request_in_wh(small, client_for, org_a):
    from apps.costs.page_figures import right_sizing_figures
    from apps.costs.sizing import DEFAULT_SHIFT_SHARE
    from apps.costs.window import window_for

    page, drawn = _page(client_for(org_a["users"][Role.AUDITOR]), "/o/org-a/costs/right-sizing/")
    window = window_for(small, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    rows = right_sizing_figures(small, window, DEFAULT_SHIFT_SHARE)["rows"]
    chart = drawn["right_sizing"]
    # gpt-4o of each team, and its smaller sibling gpt-4o-mini; kWh per request shown in Wh (x 1,000).
    assert sorted(chart["labels"]) == ["data · gpt-4o → gpt-4o-mini", "platform · gpt-4o → gpt-4o-mini"]
    assert chart["unit"] == "Energy per request (Wh)"
    assert _series(chart, "Current model") == pytest.approx([r["current"]["kwh_per_request"] * 1000 for r in rows])
    assert _series(chart, "Smaller model") == pytest.approx([r["smaller"]["kwh_per_request"] * 1000 for r in rows])
    assert all(a > b > 0 for a, b in zip(_series(chart, "Current model"), _series(chart, "Smaller model"), strict=True))
    assert 'id="chart-right_sizing"' in page


def test_the_frugality_chart_draws_the_impacts_table(small, client_for, org_a):
    # Usage in the last 12 months (the table's span): this month, two teams.
    today = dt.date.today()
    _ingest(
        small,
        [
            f"{today:%Y-%m}-01,openai,gpt-4o,10,1000,0,500,u1@org-a.example,platform,FR,1.50,EUR",
            f"{today:%Y-%m}-01,openai,gpt-4o,30,3000,0,1500,u2@org-a.example,data,FR,4.50,EUR",
        ],
        "recent.csv",
    )
    from apps.costs.frugality import impacts_by_team, impacts_window

    page, drawn = _page(client_for(org_a["users"][Role.AUDITOR]), "/o/org-a/costs/frugality/")
    assert 'id="chart-frugality_co2e"' in page
    impacts = {r["team"]: r["co2e_location_kg"] for r in impacts_by_team(small, impacts_window(small))}
    chart = drawn["frugality_co2e"]
    assert chart["labels"] == ["data", "platform"]
    assert _series(chart, "kg CO2e, location-based") == pytest.approx([impacts["data"], impacts["platform"]])
    # Three times the tokens and requests, on the same model and zone: about three times the CO2e.
    assert impacts["data"] == pytest.approx(3 * impacts["platform"], rel=0.05)


def test_the_frugality_impacts_end_on_the_latest_month_with_usage(small, client_for, org_a):
    """A year loaded after it ended (the demo's) is not shown as 'no usage': the 12 months end on its last month."""
    from apps.costs.frugality import impacts_by_team, impacts_window

    # The fixture's usage is January and February 2025; seen from December 2026 the last 12 months would be empty.
    window = impacts_window(small, today=dt.date(2026, 12, 3))
    assert window == (dt.date(2024, 3, 1), dt.date(2025, 2, 1))
    assert {r["team"] for r in impacts_by_team(small, window)} == {"data", "platform"}
    # Before the usage ends, the current month closes the window.
    assert impacts_window(small, today=dt.date(2025, 1, 25)) == (dt.date(2024, 2, 1), dt.date(2025, 1, 1))
    page, drawn = _page(client_for(org_a["users"][Role.AUDITOR]), "/o/org-a/costs/frugality/")
    assert "Measured impacts of AI use, March 2024 to February 2025" in page
    assert drawn["frugality_co2e"]["labels"] == ["data", "platform"]
