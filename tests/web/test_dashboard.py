"""The dashboard: totals, series and drill-down to the records, runs and files; tenant scoping; French."""

import datetime as dt
import decimal
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.costs import cost
from apps.disclosures import e1, services
from apps.disclosures.filters import default_range, parse_filters
from apps.footprint import selectors
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-03-01,openai,gpt-4o,1000,500000,400000,dev@org-a.example,,FR,1234.5,EUR\n"
    "2025-04-01,openai,gpt-4o-mini,100,50000,40000,dev@org-a.example,,FR,10,EUR\n"
    "2025-04-02,anthropic,claude-3-5-sonnet-20241022,200,80000,60000,other@org-a.example,,DE,7.25,USD\n"
)


@pytest.fixture
def loaded(org_a):
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "usage.csv")).pk)
    assert run.status == "succeeded", run.errors
    return run


def _dashboard(client, **params):
    return client.get(reverse("web:org_home", args=["org-a"]), params)


def test_totals_match_the_records_and_link_to_them(client_for, org_a, loaded):
    client = client_for(org_a["users"][Role.AUDITOR])
    response = _dashboard(client, start="2025-01-01", end="2025-12-31")
    assert response.status_code == 200
    totals = response.context["totals"]
    records = UsageRecord.objects.filter(organisation=org_a["org"])
    assert totals["records"] == 3
    assert totals["energy_kwh"] == pytest.approx(sum(r.energy_kwh or 0 for r in records))
    assert totals["co2e_location_kg"] == pytest.approx(sum(r.co2e_location_kg for r in records))
    # Cost has one owner (apps.costs.cost): the reported amounts as given, before conversion to EUR.
    assert response.context["api_cost"].reported_by_currency == {"EUR": Decimal("1244.5"), "USD": Decimal("7.25")}
    page = response.content.decode()
    assert 'id="total-co2e-location" href="/o/org-a/records/?start=2025-01-01&amp;end=2025-12-31"' in page
    assert "1,244" in page and "7.25 USD" in page  # grouped digits, decimal point (English)
    # Tables under each chart: readable without scripts.
    for name in selectors.CHART_SERIES:
        assert f'id="table-{name}"' in page
    assert "/o/org-a/records/?start=2025-04-01&amp;end=2025-04-30" in page  # April's row drills to April
    # The disclosure's totals add Scope 3 category 3 to these: the page says so, so the two never differ unsaid.
    assert 'id="totals-scope-note">These totals are the records' in page
    assert "The disclosure adds Scope 3 category 3" in page


def test_filters_narrow_totals_and_series(client_for, org_a, loaded):
    client = client_for(org_a["users"][Role.OFFICER])
    response = _dashboard(client, start="2025-01-01", end="2025-12-31", provider="anthropic")
    assert response.context["totals"]["records"] == 1
    assert [row["key"] for row in response.context["series"]["by_provider"]] == ["anthropic"]
    team = org_a["team"].pk
    response = _dashboard(client, start="2025-01-01", end="2025-12-31", team=str(team))
    assert response.context["totals"]["records"] == 2  # dev@ is in Platform; other@ is unattributed
    response = _dashboard(client, start="2025-01-01", end="2025-12-31", team="none")
    assert response.context["totals"]["records"] == 1
    response = _dashboard(client, start="2025-04-01", end="2025-04-30", source="generic_csv")
    assert response.context["totals"]["records"] == 2
    assert _dashboard(client, start="not-a-date").status_code == 200


def test_default_range_is_the_latest_period(client_for, org_a, loaded):
    officer = org_a["users"][Role.OFFICER]
    period = services.create_period(org_a["org"], officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    response = _dashboard(client_for(officer))
    filters = response.context["filters"]
    assert (filters.start, filters.end, filters.period_id) == (period.start, period.end, period.pk)
    assert response.context["totals"]["records"] == 3


def test_without_a_period_the_default_range_ends_on_the_last_day_on_record(client_for, org_a, loaded):
    # The records are of 2025 (last day 2 April); a first visit in December 2026 must show them, not an empty
    # twelve months up to today.
    start, end, period_id = default_range(org_a["org"], today=dt.date(2026, 12, 2))
    assert (start, end, period_id) == (dt.date(2024, 5, 1), dt.date(2025, 4, 2), None)
    # Records reaching beyond "today" (a test's clock, a future-dated import) leave the range ending today.
    assert default_range(org_a["org"], today=dt.date(2025, 3, 15))[:2] == (dt.date(2024, 4, 1), dt.date(2025, 3, 15))
    response = _dashboard(client_for(org_a["users"][Role.OFFICER]))
    assert response.context["totals"]["records"] == 3


def test_default_range_without_a_period_is_twelve_months(org_a):
    start, end, period_id = default_range(org_a["org"], today=dt.date(2026, 2, 15))
    assert (start, end, period_id) == (dt.date(2025, 3, 1), dt.date(2026, 2, 15), None)
    filters = selectors.Filters(start=start, end=end)
    assert filters.querystring(team="none") == "start=2025-03-01&end=2026-02-15&team=none"


def test_series_equal_the_disclosure_breakdowns(org_a, loaded):
    """The dashboard's series (database aggregates) are the figures the PDF's charts draw (e1.breakdowns)."""
    officer = org_a["users"][Role.OFFICER]
    period = services.create_period(org_a["org"], officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    expected = e1.breakdowns(services.build_snapshot(period)[1])
    records = selectors.filtered_records(org_a["org"], parse_filters(org_a["org"], {}))
    got = selectors.series(records)
    for name in e1.BREAKDOWNS:
        rows = [{k: v for k, v in row.items() if k != "team_id"} for row in got[name]]
        assert [r["key"] for r in rows] == [r["key"] for r in expected[name]], name
        for mine, theirs in zip(rows, expected[name], strict=True):
            assert mine == {k: pytest.approx(v) if isinstance(v, float) else v for k, v in theirs.items()}


def test_dated_versions_group_under_their_family_and_drill_down_to_all_of_them(org_a):
    org = org_a["org"]
    csv = (
        CSV.split("\n", 1)[0] + "\n"
        "2025-03-01,openai,gpt-4o-2024-08-06,10,5000,4000,dev@org-a.example,,FR,12,EUR\n"
        "2025-03-02,openai,openai/gpt-4o,10,5000,4000,dev@org-a.example,,FR,12,EUR\n"
        "2025-03-03,openai,gpt-4o-mini-2024-07-18,10,5000,4000,dev@org-a.example,,FR,1,EUR\n"
    )
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(csv.encode()), "v.csv")).pk)
    assert run.status == "succeeded", run.errors
    filters = parse_filters(org, {"start": "2025-01-01", "end": "2025-12-31"})
    by_model = selectors.series(selectors.filtered_rollups(org, filters), ["by_model"])["by_model"]
    assert sorted((r["key"], r["records"]) for r in by_model) == [("gpt-4o", 2), ("gpt-4o-mini", 1)]
    family = parse_filters(org, {"start": "2025-01-01", "end": "2025-12-31", "model": "gpt-4o"})
    drilled = selectors.filtered_records(org, family)
    assert sorted(drilled.values_list("model", flat=True)) == ["gpt-4o-2024-08-06", "openai/gpt-4o"]


def test_records_page_shows_runs_and_files(client_for, org_a, loaded):
    client = client_for(org_a["users"][Role.AUDITOR])
    response = client.get(
        reverse("web:records", args=["org-a"]), {"start": "2025-01-01", "end": "2025-12-31", "model": "gpt-4o"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["totals"]["records"] == 1
    assert loaded.source_file.sha256 in page
    assert reverse("connectors:run", args=["org-a", loaded.pk]) in page
    assert "gpt-4o-mini" not in page.split("<tbody>")[1]


def test_records_page_paginates(client_for, org_a, loaded, monkeypatch):
    from apps.web import views

    monkeypatch.setattr(views, "RECORDS_PER_PAGE", 2)
    client = client_for(org_a["users"][Role.OFFICER])
    url = reverse("web:records", args=["org-a"])
    first = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"})
    assert len(first.context["page"].rows) == 2 and 'rel="next"' in first.content.decode()
    older = first.context["page"].next_cursor
    second = client.get(url, {"start": "2025-01-01", "end": "2025-12-31", "cursor": older})
    assert len(second.context["page"].rows) == 1 and 'rel="prev"' in second.content.decode()
    assert {r.pk for r in first.context["page"].rows}.isdisjoint(r.pk for r in second.context["page"].rows)


def test_other_tenants_get_404(client_for, org_a, org_b, loaded):
    client = client_for(org_b["users"][Role.ADMIN])
    assert client.get(reverse("web:org_home", args=["org-a"])).status_code == 404
    assert client.get(reverse("web:records", args=["org-a"])).status_code == 404
    # org-b's own dashboard sees none of org-a's records
    response = client.get(reverse("web:org_home", args=["org-b"]), {"start": "2025-01-01", "end": "2025-12-31"})
    assert response.context["totals"]["records"] == 0


def test_charts_are_served_locally_or_left_out(client_for, org_a, loaded, settings):
    page = _dashboard(client_for(org_a["users"][Role.OFFICER]), start="2025-01-01", end="2025-12-31")
    html = page.content.decode()
    assert "cdn" not in html.lower()
    if not page.context["charts_available"]:  # npm was not available at install: tables only, no broken script
        assert "<canvas" not in html and "chart.umd.js" not in html
        pytest.skip("Chart.js is not installed (make assets): the tables-only page was checked instead")
    assert '<canvas id="chart-by_month"' in html and "/static/vendor/chartjs/chart.umd.js" in html
    asset = page.client.get("/static/vendor/chartjs/chart.umd.js")
    assert asset.status_code == 200


def test_without_chart_js_the_page_still_works(client_for, org_a, loaded, monkeypatch):
    from apps.web import views

    monkeypatch.setattr(views, "charts_available", lambda: False)
    page = _dashboard(client_for(org_a["users"][Role.OFFICER]), start="2025-01-01", end="2025-12-31")
    html = page.content.decode()
    assert page.status_code == 200 and "<canvas" not in html and 'id="table-by_model"' in html


MO = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def french_compiled():
    """The .mo is generated (make's install step); compile it here when a bare pytest run finds it stale."""
    po = MO.with_suffix(".po")
    if not MO.exists() or MO.stat().st_mtime < po.stat().st_mtime:
        if shutil.which("msgfmt") is None:
            pytest.skip("gettext's msgfmt is not installed: the French catalogue cannot be compiled")
        import subprocess

        subprocess.run(["msgfmt", "-o", str(MO), str(po)], check=True)
        from django.utils import translation

        translation.trans_real._translations = {}  # reload the catalogue just compiled
        translation.trans_real._default = None


def test_french_dashboard_has_french_labels_and_comma_decimals(client_for, org_a, loaded, french_compiled):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.get(
        reverse("web:org_home", args=["org-a"]), {"start": "2025-01-01", "end": "2025-12-31"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Émissions par mois" in page and "Énergie (kWh)" in page and "Coût (EUR)" in page
    assert "7,25 USD" in page and "7.25 USD" not in page  # comma decimal separator
    assert any(f"1{space}244" in page for space in ("\u202f", "\xa0", " "))  # French digit grouping


@pytest.mark.django_db
def test_each_role_sees_its_own_work_on_the_dashboard(client_for, org_a):
    from apps.accounts.models import Membership

    period = services.create_period(org_a["org"], None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    url = reverse("web:org_home", args=["org-a"])
    officer = client_for(org_a["users"][Role.OFFICER]).get(url).content.decode()
    assert "Disclosure 01/01/2025 – 31/12/2025: Draft" in officer and "Record guarantees of origin" in officer
    it = client_for(org_a["users"][Role.IT_DIRECTOR]).get(url).content.decode()
    assert "Cost per seat, idle licences and ROI" in it and "Disclosure 2025" not in it
    auditor = client_for(org_a["users"][Role.AUDITOR]).get(url).content.decode()
    assert "No period is signed off yet." in auditor
    services.sign_off(period, Membership.objects.get(user=org_a["users"][Role.OFFICER]))
    auditor = client_for(org_a["users"][Role.AUDITOR]).get(url).content.decode()
    assert reverse("disclosures:period_export", args=["org-a", period.pk, "evidence"]) in auditor


def test_the_cost_card_converts_every_reported_cost_to_eur(client_for, org_a, loaded):
    """The card is the API cost of the filtered records (apps.costs.cost), not the EUR-reported sum: the USD
    figure is converted at the factor set's rate (USD 1.0, EUR 1.1827 USD per unit), the rule is stated."""
    response = _dashboard(client_for(org_a["users"][Role.AUDITOR]), start="2025-01-01", end="2025-12-31")
    with decimal.localcontext(cost.MONEY):
        expected = Decimal("1234.5") + Decimal("10") + Decimal("7.25") * (Decimal("1.0") / Decimal("1.1827"))
    assert response.context["api_cost"].total_eur == expected  # 1250.630041430624841464445760
    page = response.content.decode()
    assert ">1,250.63</a>" in page and "1,244.50 EUR, 7.25 USD" in page
    assert "converted to EUR at the factor set" in page


def test_the_cost_rule_is_stated_in_french(client_for, org_a, loaded, french_compiled):
    client = client_for(org_a["users"][Role.OFFICER])
    window = {"start": "2025-01-01", "end": "2025-12-31"}
    page = client.get(reverse("web:org_home", args=["org-a"]), window, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "les coûts déclarés sont convertis en EUR" in page and "Tels que déclarés, avant conversion" in page
    assert any(f"1{space}250,63" in page for space in ("\u202f", "\xa0", " "))


def test_the_api_summary_gives_the_dashboard_cost(client_for, org_a, loaded):
    """One owner: the summary API's cost_eur is the dashboard card's figure for the same filter, not the
    EUR-reported sum; amounts in other currencies are listed as reported, before conversion."""
    window = {"start": "2025-01-01", "end": "2025-12-31", "provider": "anthropic"}
    client = client_for(org_a["users"][Role.AUDITOR])
    card = _dashboard(client, **window).context["api_cost"]
    with decimal.localcontext(cost.MONEY):
        expected = Decimal("7.25") * (Decimal("1.0") / Decimal("1.1827"))  # the USD record only, converted
    assert card.total_eur == expected
    body = client.get(reverse("api:summary", args=["org-a"]), window).json()
    assert body["totals"]["cost_eur"] == float(expected)
    assert body["totals"]["other_costs"] == [{"currency": "USD", "amount": 7.25}]
    assert (
        body["totals"]["cost_rule"] == str(cost.RULE)
        and "reported costs are converted to EUR" in body["totals"]["cost_rule"]
    )
