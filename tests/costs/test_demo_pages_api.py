"""The demo year with its cost inputs: idle seats, positive and negative ROI, a right-sizing suggestion;
pages for each role, tenancy, and the API answering the same numbers as the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.demo import DEMO_USERS
from apps.accounts.models import AuditEvent, Role
from apps.core.labels import NO_TEAM
from apps.costs.models import FrugalityAssessment, RoiAssumption, Tool
from apps.costs.records import read_records
from apps.costs.roi import roi_report
from apps.costs.seats import seat_report
from apps.costs.sizing import rebound as rebound_report
from apps.costs.sizing import right_sizing
from apps.costs.templatetags.money import money
from apps.costs.window import window_for
from apps.demo.costs import seed_demo_costs
from tests.demo_year import demo_year_loaded

pytestmark = pytest.mark.django_db
YEAR = 2025
PAGES = ("overview", "seats", "roi", "right_sizing", "rebound", "frugality", "prices")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo at 5 % scale, loaded once for the module (the test database keeps it; rolled back at the end)."""
    media = tmp_path_factory.mktemp("uploads")
    with demo_year_loaded(django_db_blocker, media, scale=0.05, year=YEAR) as org:
        yield org, media


@pytest.fixture
def media(seeded, settings):
    settings.MEDIA_ROOT = seeded[1]
    return seeded[0]


def _user(org, role):
    return org.memberships.get(user__email=DEMO_USERS[role]).user


def test_demo_shows_idle_seats_roi_cases_and_right_sizing(media):
    org = media
    window = window_for(org)
    assert (window.start.year, window.end.year) == (YEAR, YEAR)
    seats = {s["tool"]: s for s in seat_report(org, window)}
    copilot = seats[Tool.GITHUB_COPILOT]["figures"]
    assert copilot["idle"] > 0 and copilot["active"] > 0 and copilot["unassigned"] == 10
    assert copilot["cost_per_active_seat_month_eur"] > seats[Tool.GITHUB_COPILOT]["price_per_seat_month_eur"]
    assert seats[Tool.GITHUB_COPILOT]["idle"][0]["person"].endswith("@demo.example")
    roi = {t["tool"]: t for t in roi_report(org, window)}
    assert roi[Tool.GITHUB_COPILOT]["roi"]["central"]["roi_pct"] > 0
    assert roi[Tool.CHATGPT_ENTERPRISE]["roi"]["central"]["roi_pct"] < 0
    sizing = right_sizing(org, window)
    marketing = [r for r in sizing["rows"] if r["team"] == "Marketing" and r["model"] == "gpt-4o"]
    assert marketing and marketing[0]["smaller_model"] == "gpt-4o-mini"
    s = marketing[0]["saving"]
    assert s["energy_kwh"] > 0 and s["co2e_kg"] > 0 and s["cost_eur"] > 0
    assert s["moved_requests"] == pytest.approx(0.3 * marketing[0]["requests"])
    rebound = rebound_report(org, window)
    assert len(rebound["months"]) == 12
    t = rebound["totals"]
    assert t["volume_effect_kg"] + t["intensity_effect_kg"] == pytest.approx(t["change_kg"])
    assert FrugalityAssessment.objects.for_org(org).count() == 2
    seed_demo_costs(org)  # idempotent
    assert FrugalityAssessment.objects.for_org(org).count() == 2 and RoiAssumption.objects.for_org(org).count() == 4


def test_records_read_with_a_cursor_match_the_orm_read(media):
    """The cursor read (ids named afterwards, days parsed once each) gives the rows, order, dtypes and values
    that values_list() with the person and team joins gives."""
    import pandas as pd

    from apps.footprint.models import UsageRecord

    org = media
    window = window_for(org)
    fields = (
        "day",
        "source",
        "provider",
        "model",
        "usage_kind",
        "person_id",
        "person__email",
        "person__name",
        "requests",
        "input_tokens",
        "cached_input_tokens",
        "output_tokens",
        "active_user_days",
        "cost",
        "currency",
        "energy_kwh",
        "co2e_location_kg",
        "team__name",
    )
    qs = UsageRecord.objects.for_org(org).filter(day__range=(window.start, window.end)).values_list(*fields)
    expected = pd.DataFrame.from_records(list(qs), columns=list(fields))
    expected["team"] = expected.pop("team__name").fillna(NO_TEAM)
    got = read_records(org, window)
    assert got["person_id"].isna().any() and (got["team"] == NO_TEAM).any()  # both kinds of row
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_exact=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER, Role.IT_DIRECTOR, Role.AUDITOR])
def test_pages_render_for_each_role(media, client, role):
    org = media
    client.force_login(_user(org, role))
    for name in PAGES:
        response = client.get(reverse(f"costs:{name}", args=[org.slug]))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert ("Save" in page) == (role != Role.AUDITOR) or name in ("overview", "seats", "right_sizing", "rebound"), (
            name
        )
    seats_page = client.get(reverse("costs:seats", args=[org.slug])).content.decode()
    assert "idle seat" in seats_page
    overview = client.get(reverse("costs:overview", args=[org.slug])).content.decode()
    assert "web searches" in overview and "km by car" in overview and "IEA" in overview
    roi_page = client.get(reverse("costs:roi", args=[org.slug])).content.decode()
    assert "Cross-Government Findings Report" in roi_page and "Eurostat" in roi_page
    sizing = client.get(reverse("costs:right_sizing", args=[org.slug])).content.decode()
    assert "gpt-4o-mini" in sizing and 'type="range"' in sizing and "costs-right-sizing.js" in sizing
    assert "<svg" in client.get(reverse("costs:rebound", args=[org.slug])).content.decode()
    csv = client.get(reverse("costs:frugality_csv", args=[org.slug]))
    assert csv.status_code == 200 and b"need_for_ai" in csv.content


def test_writers_edit_auditors_get_403(media, client):
    org = media
    form = {
        "tool": "github_copilot",
        "minutes_saved_low": "5",
        "minutes_saved_central": "20",
        "minutes_saved_high": "40",
        "minutes_source": "own survey",
        "hourly_cost_low_eur": "30",
        "hourly_cost_central_eur": "40",
        "hourly_cost_high_eur": "50",
        "hourly_cost_source": "HR",
        "active_days_source": "usage",
    }
    frugal = {
        "use_case": "Summaries",
        "assessed_on": "2025-12-31",
        "need_for_ai": "yes",
        "model_size": "yes",
        "good_practices": "partly",
        "measurement": "yes",
        "usage_caps": "no",
        "rebound": "no",
    }
    client.force_login(_user(org, Role.AUDITOR))
    assert client.post(reverse("costs:roi", args=[org.slug]), form).status_code == 403
    assert client.post(reverse("costs:frugality", args=[org.slug]), frugal).status_code == 403
    assert client.post(reverse("costs:prices", args=[org.slug]), {"form": "price"}).status_code == 403
    assert client.post(reverse("costs_api:frugality", args=[org.slug]), frugal).status_code == 403
    client.force_login(_user(org, Role.IT_DIRECTOR))
    assert client.post(reverse("costs:roi", args=[org.slug]), form).status_code == 302
    row = RoiAssumption.objects.for_org(org).get(tool="github_copilot", team=None)
    assert float(row.minutes_saved_central) == 20 and row.minutes_source == "own survey"
    assert AuditEvent.objects.for_org(org).filter(action="roi_assumption.save").exists()
    assert client.post(reverse("costs:frugality", args=[org.slug]), frugal).status_code == 302
    made = client.post(reverse("costs_api:frugality", args=[org.slug]), frugal, content_type="application/json")
    assert made.status_code == 201 and made.json()["score"] == pytest.approx(7 / 12 * 100)


def test_other_organisations_404_and_anonymous_redirected(media, client, org_b):
    org = media
    url = reverse("costs:seats", args=[org.slug])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(org_b["users"][Role.ADMIN])
    for name in PAGES:
        assert client.get(reverse(f"costs:{name}", args=[org.slug])).status_code == 404
    assert client.get(reverse("costs_api:seats", args=[org.slug])).status_code == 404
    assert client.post(reverse("costs_api:frugality", args=[org.slug]), {}).status_code == 404


def test_api_answers_the_same_numbers_as_the_pages(media, client):
    org = media
    client.force_login(_user(org, Role.AUDITOR))
    window = window_for(org)
    seats = client.get(reverse("costs_api:seats", args=[org.slug])).json()
    page = client.get(reverse("costs:seats", args=[org.slug])).context
    for api_lic, page_lic in zip(seats["licences"], page["seats"], strict=True):
        assert api_lic["licence_cost_eur"] == pytest.approx(page_lic["licence_cost_eur"])
        if page_lic["figures"]:
            figures = {k: v for k, v in api_lic["figures"].items() if k != "not_defined"}  # the API's reasons
            assert figures == pytest.approx(page_lic["figures"])
            assert [i["person"] for i in api_lic["idle"]] == [i["person"] for i in page_lic["idle"]]
    roi = client.get(reverse("costs_api:roi", args=[org.slug])).json()["tools"]
    page_roi = client.get(reverse("costs:roi", args=[org.slug])).context["report"]
    for api_tool, page_tool in zip(roi, page_roi, strict=True):
        assert api_tool["tool"] == page_tool["tool"]
        for level in ("low", "central", "high"):
            assert api_tool["roi"][level]["roi_pct"] == pytest.approx(page_tool["roi"][level]["roi_pct"])
            assert api_tool["roi"][level]["value_eur"] == pytest.approx(page_tool["roi"][level]["value_eur"])
    sizing = client.get(reverse("costs_api:right_sizing", args=[org.slug]), {"share": 50}).json()
    page_sizing = client.get(reverse("costs:right_sizing", args=[org.slug]), {"share": 50}).context["result"]
    assert sizing["share"] == 0.5 and sizing["totals"] == pytest.approx(page_sizing["totals"])
    rebound = client.get(reverse("costs_api:rebound", args=[org.slug])).json()
    assert rebound["totals"]["change_kg"] == pytest.approx(rebound_report(org, window)["totals"]["change_kg"])
    summary = client.get(reverse("costs_api:summary", args=[org.slug])).json()
    page_summary = client.get(reverse("costs:overview", args=[org.slug])).context["summary"]
    assert summary["totals"] == pytest.approx(page_summary["totals"])
    assert client.get(reverse("costs_api:rebound", args=[org.slug]), {"basis": "x"}).status_code == 400


def test_the_dashboard_shows_the_cost_overviews_api_spend(media, client):
    """The demo year (reported costs in several currencies, token rows priced, models without a price): the
    dashboard's cost card and the overview's API spend are one figure (to the cent; SQLite sums the reported
    costs as doubles, so the two Decimals may part in the 15th digit, PostgreSQL sums them exactly)."""
    org = media
    client.force_login(_user(org, Role.AUDITOR))
    window = window_for(org)
    dates = {"start": window.start.isoformat(), "end": window.end.isoformat()}
    dashboard = client.get(reverse("web:org_home", args=[org.slug]), dates)
    overview = client.get(reverse("costs:overview", args=[org.slug]), dates)
    on_dashboard, on_overview = dashboard.context["api_cost"], overview.context["api_cost"]
    assert on_overview.total_eur > 0 and abs(on_dashboard.total_eur - on_overview.total_eur) < Decimal("1e-9")
    assert on_dashboard.by_basis_eur.keys() == on_overview.by_basis_eur.keys()
    assert on_dashboard.reported_by_currency.keys() == on_overview.reported_by_currency.keys()
    assert on_dashboard.models_without_price == on_overview.models_without_price
    shown = money(on_overview.total_eur)
    assert f">{shown}</a>" in dashboard.content.decode() and f'id="api-spend">{shown}<' in overview.content.decode()


def test_demo_cost_figures_from_rollups_equal_the_records(media):
    """The demo year (seat tools, gateway and cloud token APIs, several currencies): the overview, ROI per tool
    and team, right-sizing and rebound read from the rollups equal the same figures from every record."""
    from apps.costs.summary import usage_summary
    from apps.costs.usage import read_usage, records_usage
    from tests.costs.test_rollup_figures import _differences

    org = media
    window = window_for(org)
    seats = seat_report(org, window)
    got, want = read_usage(org, window), records_usage(org, window)
    for name, figures in (
        ("summary", lambda u: usage_summary(org, window, usage=u, seats=seats)),
        ("roi", lambda u: roi_report(org, window, usage=u, seats=seats)),
        ("right_sizing", lambda u: right_sizing(org, window, usage=u)),
        ("rebound", lambda u: {**rebound_report(org, window, usage=u), "chart": None}),
        ("rebound_days", lambda u: {**rebound_report(org, window, "active_user_days", usage=u), "chart": None}),
    ):
        assert _differences(figures(got), figures(want), name) == []
    tools = {t["tool"] for t in roi_report(org, window, usage=want, seats=seats)}
    assert {Tool.API, Tool.GITHUB_COPILOT, Tool.CHATGPT_ENTERPRISE} <= tools
    assert usage_summary(org, window, usage=want, seats=seats)["top_people"]


def test_the_seat_report_reads_the_seats_kept_at_ingestion(media, settings, tmp_path):
    """Seats are read once, when their file is ingested: the report is the same with the stored files out of
    reach as it is parsed from the files (the old way, which runs ingested before seats were kept still take)."""
    from django.db import transaction

    from apps.connectors.models import SeatHolder
    from apps.costs import seats as seats_module

    org = media
    window = window_for(org)
    uploads = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path  # no file there
    seats_module._parsed_seats.cache_clear()
    kept = seat_report(org, window)
    with transaction.atomic():
        SeatHolder.objects.filter(run__organisation=org).delete()
        settings.MEDIA_ROOT = uploads
        parsed = seat_report(org, window)
        transaction.set_rollback(True)
    assert kept == parsed and any(lic["figures"] and lic["idle"] for lic in kept)
    for lic in kept:
        if lic["figures"]:
            assigned = SeatHolder.objects.filter(run__source_file__sha256=lic["file"]["sha256"]).count()
            assert assigned == lic["figures"]["assigned"] > 0
