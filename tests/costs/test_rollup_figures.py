"""Every cost figure read from the rollups (overview totals, by team, by model, top people, ROI per tool and team,
right-sizing, rebound) equals the same figure computed from every record (usage.records_usage, the old
records_frame path), after ingestion, re-ingestion, a mapping change and a person removed, over a year and over a
window with partial months and a mid-month price change; the cost pages and the cost API never query the records
and make the same queries after more data is ingested. Usage comes as generic CSV (the project's own format)."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Person, Role, Team
from apps.connectors import mapping
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IdentityKind
from apps.connectors.storage import store_upload
from apps.costs.models import ModelPrice
from apps.costs.roi import roi_report
from apps.costs.sizing import rebound, right_sizing
from apps.costs.summary import usage_summary
from apps.costs.usage import read_usage, records_usage
from apps.costs.window import window_for
from apps.footprint.models import PersonMonthActivity, PersonMonthRollup, UsageRecord

pytestmark = pytest.mark.django_db
HEADER = "date,provider,model,requests,input_tokens,cached_input_tokens,output_tokens,user,team,zone,cost,currency\n"
MODELS = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-sonnet-20241022")]
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
PARTIAL = (dt.date(2025, 2, 11), dt.date(2025, 4, 17))  # partial February and April, March priced day by day


def _rows(seed: int, days: int, start: dt.date) -> list[str]:
    """Token usage of six users (two not known as people) on two models a day, under three teams (a user may
    use two teams' keys the same day); a third of the rows with no reported cost (priced from tokens), some in
    USD."""
    rng = random.Random(seed)
    rows = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for provider, model in rng.sample(MODELS, 2):
            cost_text, currency = rng.choice([("", ""), (f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}", "EUR")])
            if cost_text and rng.random() < 0.3:
                currency = "USD"
            input_tokens = rng.randint(1000, 10**6)
            rows.append(
                f"{day},{provider},{model},{rng.randint(1, 500)},{input_tokens},{rng.randint(0, input_tokens // 4)},"
                f"{rng.randint(1, 10**5)},u{rng.randint(1, 6)}@org-a.example,{rng.choice(['platform', 'data', ''])},"
                f"{rng.choice(['FR', 'DE', 'US'])},{cost_text},{currency}"
            )
    return rows


def _ingest(org, rows: list[str], name: str):
    body = (HEADER + "\n".join(rows) + "\n").encode()
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(body), name)).pk)
    assert run.status == "succeeded", run.errors
    return run


@pytest.fixture
def loaded(org_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = org_a["org"]
    teams = {name: Team.objects.create(organisation=org, name=name) for name in ("platform", "data")}
    for n, team in ((1, "platform"), (2, "platform"), (3, "data"), (4, None)):
        Person.objects.create(organisation=org, email=f"u{n}@org-a.example", name=f"User {n}", team=teams.get(team))
    # gpt-4o's price changes on 14 March: that month is read day by day.
    for valid_from, output in ((dt.date(2024, 1, 1), "8.0000"), (dt.date(2025, 3, 14), "6.5000")):
        ModelPrice.objects.create(
            organisation=org,
            provider="openai",
            model="gpt-4o",
            input_eur_per_mtok=Decimal("2.2500"),
            cached_eur_per_mtok=Decimal("1.1250"),
            output_eur_per_mtok=Decimal(output),
            valid_from=valid_from,
        )
    ModelPrice.objects.create(
        organisation=org,
        provider="openai",
        model="gpt-4o-mini",
        input_eur_per_mtok=Decimal("0.1400"),
        output_eur_per_mtok=Decimal("0.5600"),
        valid_from=dt.date(2024, 1, 1),
    )
    _ingest(org, _rows(1, days=150, start=dt.date(2025, 1, 20)), "first.csv")
    return org


def _differences(got, want, path="") -> list[str]:
    """Where two figures differ: same keys, same order of rows, numbers equal up to the order floats (and,
    for money in other currencies, Decimals at 28 digits) are added in."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return [f"{path}: keys {sorted(got) if isinstance(got, dict) else got} != {sorted(want)}"]
        return [d for key in want for d in _differences(got[key], want[key], f"{path}.{key}")]
    if isinstance(want, list | tuple):
        if not isinstance(got, list | tuple) or len(got) != len(want):
            return [f"{path}: {got!r} != {want!r}"]
        return [d for i, (g, w) in enumerate(zip(got, want, strict=True)) for d in _differences(g, w, f"{path}[{i}]")]
    if isinstance(want, bool) or not isinstance(want, int | float | Decimal):
        return [] if got == want else [f"{path}: {got!r} != {want!r}"]
    return [] if float(got) == pytest.approx(float(want), rel=1e-9, abs=1e-9) else [f"{path}: {got!r} != {want!r}"]


def _figures(org, window, usage) -> dict:
    made = rebound(org, window, usage=usage)
    made.pop("chart")  # drawn from the months compared here
    return {
        "summary": usage_summary(org, window, usage=usage, seats=[]),
        "roi": roi_report(org, window, usage=usage, seats=[]),
        "right_sizing": right_sizing(org, window, usage=usage),
        "rebound": made,
        "rebound_days": rebound(org, window, "active_user_days", usage=usage),
    }


def assert_figures_equal_records(org, span):
    window = window_for(org, *span)
    want_usage = records_usage(org, window)
    got, want = _figures(org, window, read_usage(org, window)), _figures(org, window, want_usage)
    assert _differences(got, want) == []
    # Fewer top people than people: the candidates found in SQL hold the exact top two.
    two = usage_summary(org, window, top=1, seats=[])["top_people"]
    assert _differences(two, usage_summary(org, window, top=1, usage=want_usage, seats=[])["top_people"]) == []
    assert len(two) == 1
    summary = want["summary"]
    assert summary["top_people"] and summary["by_team"] and summary["by_model"] and summary["totals"]["co2e_kg"] > 0
    people = set(Person.objects.filter(organisation=org).values_list("email", flat=True))
    assert {p["person"] for p in summary["top_people"]} <= people
    assert want["right_sizing"]["rows"] and want["roi"][0]["active_user_days"] > 0
    return got


@pytest.mark.parametrize("span", [YEAR, PARTIAL])
def test_cost_figures_from_rollups_equal_figures_from_records(loaded, org_a, span):
    assert_figures_equal_records(loaded, span)
    # An overlapping file replaces the records of its days, and adds days.
    _ingest(loaded, _rows(2, days=60, start=dt.date(2025, 3, 1)), "second.csv")
    assert_figures_equal_records(loaded, span)
    # A mapping moves a team's records to another team, and an unknown user's to a person.
    research = Team.objects.create(organisation=loaded, name="research")
    admin = org_a["users"][Role.ADMIN]
    mapping.save_mapping(loaded, admin, IdentityKind.TEAM, "data", team=research)
    u5 = Person.objects.create(organisation=loaded, email="u5-renamed@org-a.example", name="User 5", team=research)
    mapping.save_mapping(loaded, admin, IdentityKind.PERSON, "u5@org-a.example", person=u5)
    assert UsageRecord.objects.filter(person=u5).exists() and PersonMonthRollup.objects.filter(person=u5).exists()
    got = assert_figures_equal_records(loaded, span)
    assert "research" in {t["team"] for t in got["summary"]["by_team"]}
    # A person removed: their records lose them, and the person rollups follow.
    u5.delete()
    assert not PersonMonthRollup.objects.filter(person_id=u5.pk).exists()
    assert not PersonMonthActivity.objects.filter(person_id=u5.pk).exists()
    assert_figures_equal_records(loaded, span)


def test_api_person_days_count_each_person_day_once_per_team_and_once_in_all(loaded):
    """Counted by hand from the records: a person-day with API use under two teams is one day of each team and
    one day in all."""
    window = window_for(loaded, *YEAR)
    records = UsageRecord.objects.filter(organisation=loaded, usage_kind="tokens", person__isnull=False)
    seen = set(records.values_list("person_id", "day", "team__name"))
    by_team: dict = {}
    for _, _, team in seen:
        by_team[team or "(no team)"] = by_team.get(team or "(no team)", 0) + 1
    in_all = len({(person, day) for person, day, _ in seen})
    assert in_all < len(seen)  # the data has people using two teams' keys the same day
    usage = read_usage(loaded, window)
    assert usage.api_person_days.to_dict() == by_team
    assert usage.api_person_days_total == in_all
    api = next(t for t in roi_report(loaded, window, usage=usage, seats=[]) if t["tool"] == "api")
    assert api["active_user_days"] == in_all


def _queries(client, url, params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


COST_URLS = [
    "/o/org-a/costs/",
    "/o/org-a/costs/roi/",
    "/o/org-a/costs/right-sizing/",
    "/o/org-a/costs/rebound/",
    "/api/v1/o/org-a/costs/summary/",
    "/api/v1/o/org-a/costs/roi/",
    "/api/v1/o/org-a/costs/right-sizing/",
    "/api/v1/o/org-a/costs/rebound/",
]


@pytest.mark.parametrize("url", COST_URLS)
def test_cost_pages_and_api_never_read_the_records(loaded, client_for, org_a, url):
    client = client_for(org_a["users"][Role.AUDITOR])
    params = {"start": "2025-01-01", "end": "2025-12-31"}
    before = _queries(client, url, params)
    assert not [q for q in before if "footprint_usagerecord" in q]
    assert [q for q in before if "rollup" in q]  # it did read the figures, from the rollups
    _ingest(loaded, _rows(4, days=150, start=dt.date(2025, 6, 1)), "more.csv")
    after = _queries(client, url, params)
    assert len(after) == len(before)  # more records, more months, more people: the same queries
    assert not [q for q in after if "footprint_usagerecord" in q]


def test_a_price_added_moved_or_removed_after_ingestion_reprices_the_people(loaded):
    """The person rollup is cut at the days a price starts: a price added mid-May, then moved, then removed,
    after the records were stored, prices each person's tokens at their own day's price each time."""
    price = ModelPrice.objects.create(
        organisation=loaded,
        provider="openai",
        model="gpt-4o-mini",
        input_eur_per_mtok=Decimal("0.3000"),
        output_eur_per_mtok=Decimal("1.2000"),
        valid_from=dt.date(2025, 5, 20),
    )
    assert PersonMonthRollup.objects.filter(month=dt.date(2025, 5, 1), segment=dt.date(2025, 5, 20)).exists()
    got = assert_figures_equal_records(loaded, YEAR)
    price.valid_from = dt.date(2025, 4, 9)
    price.save()
    assert not PersonMonthRollup.objects.filter(segment=dt.date(2025, 5, 20)).exists()
    assert PersonMonthRollup.objects.filter(month=dt.date(2025, 4, 1), segment=dt.date(2025, 4, 9)).exists()
    moved = assert_figures_equal_records(loaded, YEAR)
    assert moved["summary"]["top_people"] != got["summary"]["top_people"]  # the new price did change the costs
    price.delete()
    assert not PersonMonthRollup.objects.filter(segment=dt.date(2025, 4, 9)).exists()
    assert_figures_equal_records(loaded, YEAR)


def test_rebuild_command_restores_the_person_rollups(loaded):
    from django.core.management import call_command

    kept = sorted(PersonMonthRollup.objects.values_list("month", "segment", "person_id", "model", "requests", "cost"))
    days = sorted(
        PersonMonthActivity.objects.values_list("month", "person_id", "team_id", "per_team", "days_active"), key=str
    )
    assert kept and days
    PersonMonthRollup.objects.all().delete()
    PersonMonthActivity.objects.all().delete()
    call_command("rebuild_rollups", "--org", "org-a", stdout=io.StringIO())
    assert (
        sorted(PersonMonthRollup.objects.values_list("month", "segment", "person_id", "model", "requests", "cost"))
        == kept
    )
    activity = PersonMonthActivity.objects.values_list("month", "person_id", "team_id", "per_team", "days_active")
    assert sorted(activity, key=str) == days
    assert_figures_equal_records(loaded, YEAR)


@pytest.mark.parametrize("url", [u for u in COST_URLS if not u.startswith("/api/")])
def test_a_warm_cost_page_reads_no_rollup_and_a_new_price_recomputes_it(loaded, client_for, org_a, url):
    client = client_for(org_a["users"][Role.AUDITOR])
    params = {"start": "2025-01-01", "end": "2025-12-31"}
    _queries(client, url, params)
    warm = _queries(client, url, params)
    assert not [q for q in warm if "footprint_dailyrollup" in q or "footprint_monthlyrollup" in q]
    ModelPrice.objects.create(
        organisation=loaded,
        provider="openai",
        model="gpt-4o",
        valid_from=dt.date(2025, 1, 1),
        input_eur_per_mtok=Decimal("1"),
        output_eur_per_mtok=Decimal("2"),
        cached_eur_per_mtok=Decimal("0.5"),
    )
    again = _queries(client, url, params)
    assert [q for q in again if "rollup" in q and "rollupstamp" not in q]  # a new price: computed again
