"""Rollups equal their records: after ingestion, re-ingestion, mapping edits, a team removed, a failed write and
a rebuild; and the dashboard, summary and cost figures read from them equal the same figures from the records."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role, Team
from apps.connectors import mapping
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IdentityKind
from apps.connectors.storage import store_upload
from apps.costs import cost
from apps.costs.models import ModelPrice
from apps.footprint import rollups, selectors
from apps.footprint.models import DailyRollup, MonthlyRollup, UsageRecord

pytestmark = pytest.mark.django_db
HEADER = "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
MODELS = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-sonnet-20241022")]


def _rows(seed: int, days: int = 120, start=dt.date(2025, 1, 20)) -> list[str]:
    """Usage rows over several months, teams, zones and currencies; a third without a reported cost (priced
    from tokens)."""
    rng = random.Random(seed)
    rows = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for provider, model in rng.sample(MODELS, 2):
            team = rng.choice(["platform", "data", ""])
            cost_text, currency = rng.choice([("", ""), (f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}", "EUR")])
            if cost_text and rng.random() < 0.3:
                currency = "USD"
            rows.append(
                f"{day},{provider},{model},{rng.randint(1, 500)},{rng.randint(1, 10**6)},{rng.randint(1, 10**5)},"
                f"u{rng.randint(1, 6)}@org-a.example,{team},{rng.choice(['FR', 'DE', 'US'])},{cost_text},{currency}"
            )
    return rows


def _ingest(org, rows: list[str], name: str):
    body = (HEADER + "\n".join(rows) + "\n").encode()
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(body), name)).pk)
    assert run.status == "succeeded", run.errors
    return run


FIGURES = ("records", "requests", "input_tokens", "output_tokens", "co2e_location_kg", "co2e_market_kg", "cost")


def _from_records(org, by: str) -> dict:
    """The figures per day or month and dimension, summed straight from the records (the full recomputation)."""
    out: dict = {}
    dims = [d for d in rollups.DIMENSIONS if d != "cost_reported"]
    rows = (
        UsageRecord.objects.filter(organisation=org)
        .order_by()
        .values("day", *dims)
        .annotate(records=Count("pk"), **{f: Sum(f) for f in FIGURES[1:]}, energy=Sum("energy_kwh"))
    )
    for row in rows:
        period = row["day"] if by == "day" else row["day"].replace(day=1)
        key = (period, *(row[d] for d in dims))
        item = out.setdefault(key, dict.fromkeys((*FIGURES, "energy"), 0))
        for name in (*FIGURES, "energy"):
            item[name] += row[name] or 0
    return out


def _from_rollup(model, org) -> dict:
    out: dict = {}
    period_field = "day" if model is DailyRollup else "month"
    dims = [d for d in rollups.DIMENSIONS if d != "cost_reported"]
    for row in model.objects.filter(organisation=org).values(period_field, *dims, *FIGURES, "energy_kwh"):
        item = out.setdefault((row[period_field], *(row[d] for d in dims)), dict.fromkeys((*FIGURES, "energy"), 0))
        for name in FIGURES:
            item[name] += row[name]
        item["energy"] += row["energy_kwh"] or 0
    return out


def assert_rollups_equal_records(org):
    for model, by in ((DailyRollup, "day"), (MonthlyRollup, "month")):
        expected, got = _from_records(org, by), _from_rollup(model, org)
        assert set(got) == set(expected), model.__name__
        for key, figures in expected.items():
            for name, value in figures.items():
                want = float(value)  # cost: summed as a double on SQLite, a Decimal on PostgreSQL
                assert float(got[key][name]) == pytest.approx(want, rel=1e-12, abs=1e-12), (model.__name__, key, name)
    assert sum(r["records"] for r in _from_rollup(MonthlyRollup, org).values()) == UsageRecord.objects.count()


@pytest.fixture
def loaded(org_a):
    org = org_a["org"]
    Team.objects.create(organisation=org, name="platform")
    Team.objects.create(organisation=org, name="data")
    _ingest(org, _rows(1), "first.csv")
    return org


def test_ingestion_fills_the_rollups_and_a_rerun_replaces_without_doubling(loaded):
    assert DailyRollup.objects.count() > 0 and MonthlyRollup.objects.filter(month=dt.date(2025, 3, 1)).exists()
    assert_rollups_equal_records(loaded)
    # An overlapping file (same natural keys, other figures, plus new days) replaces its records: the rollups too.
    _ingest(loaded, _rows(2, days=60, start=dt.date(2025, 4, 10)), "second.csv")
    assert_rollups_equal_records(loaded)


def test_a_mapping_edit_and_a_removed_team_move_the_figures(loaded, org_a):
    other = Team.objects.create(organisation=loaded, name="research")
    changed = mapping.save_mapping(loaded, org_a["users"][Role.ADMIN], IdentityKind.PERSON, "u3@org-a.example")
    assert changed == 0  # a mapping to nobody changes nothing
    mapping.save_mapping(loaded, org_a["users"][Role.ADMIN], IdentityKind.TEAM, "data", team=other)
    assert DailyRollup.objects.filter(team=other).exists()
    assert_rollups_equal_records(loaded)
    Team.objects.get(organisation=loaded, name="platform").delete()
    assert not DailyRollup.objects.filter(team__name="platform").exists()
    assert_rollups_equal_records(loaded)


def test_a_write_that_fails_leaves_records_and_rollups_as_they_were(loaded, monkeypatch):
    before = (UsageRecord.objects.count(), sorted(_from_rollup(MonthlyRollup, loaded).items(), key=str))

    def refresh_then_die(*args):
        real_refresh(*args)
        raise RuntimeError("worker killed after the rollups were written")

    real_refresh = rollups.refresh_run
    monkeypatch.setattr(rollups, "refresh_run", refresh_then_die)
    body = (HEADER + "\n".join(_rows(3, days=30, start=dt.date(2025, 8, 1))) + "\n").encode()
    run = execute_run(create_run(loaded, "generic_csv", store_upload(loaded, io.BytesIO(body), "third.csv")).pk)
    assert run.status == "failed"
    assert (UsageRecord.objects.count(), sorted(_from_rollup(MonthlyRollup, loaded).items(), key=str)) == before


def test_rebuild_command_restores_lost_rollups(loaded):
    expected = _from_rollup(DailyRollup, loaded)
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_rollups", "--org", "org-a", stdout=out)
    assert "org-a: rollups rebuilt" in out.getvalue()
    assert _from_rollup(DailyRollup, loaded) == expected
    assert_rollups_equal_records(loaded)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"team": "none"},
        {"provider": "openai"},
        {"model": "gpt-4o-mini", "source": "generic_csv"},
    ],
)
@pytest.mark.parametrize(
    "span", [(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), (dt.date(2025, 2, 11), dt.date(2025, 4, 17))]
)
def test_figures_from_rollups_equal_figures_from_records(loaded, params, span):
    # A price that changes mid-March: March is read day by day, each token at its own day's price.
    for valid_from, output in ((dt.date(2024, 1, 1), "8.0000"), (dt.date(2025, 3, 14), "6.5000")):
        ModelPrice.objects.create(
            organisation=loaded,
            provider="openai",
            model="gpt-4o",
            input_eur_per_mtok=Decimal("2.2500"),
            output_eur_per_mtok=Decimal(output),
            valid_from=valid_from,
        )
    filters = selectors.Filters(start=span[0], end=span[1], **params)
    records = selectors.filtered_records(loaded, filters)
    usage = selectors.filtered_rollups(loaded, filters, split_days=cost.price_change_days(loaded))
    expected_totals, got_totals = selectors.totals(records), selectors.totals(usage)
    assert got_totals == pytest.approx(expected_totals, rel=1e-12)
    assert got_totals["records"] == records.count() > 0
    expected_series, got_series = selectors.series(records), selectors.series(usage)
    for name, rows in expected_series.items():
        assert [r["key"] for r in got_series[name]] == [r["key"] for r in rows], name
        for got, want in zip(got_series[name], rows, strict=True):
            assert got.pop("key") == want.pop("key") and got.pop("team_id", 0) == want.pop("team_id", 0)
            assert got == pytest.approx(want, rel=1e-12), name
    from_records, from_rollups = cost.cost_total_eur(loaded, records), cost.filtered_cost_eur(loaded, filters)
    assert from_rollups.total_eur == from_records.total_eur
    assert from_rollups.by_basis_eur == from_records.by_basis_eur
    assert from_rollups.reported_by_currency == from_records.reported_by_currency


def test_the_priced_cost_follows_the_day_of_each_token(loaded):
    """Worked by hand: the gpt-4o tokens of records without a reported cost, priced at 8 €/Mtok output before
    14 March and 6.5 € from it (input 2.25 € throughout)."""
    for valid_from, output in ((dt.date(2024, 1, 1), "8"), (dt.date(2025, 3, 14), "6.5")):
        ModelPrice.objects.create(
            organisation=loaded,
            provider="openai",
            model="gpt-4o",
            input_eur_per_mtok=Decimal("2.25"),
            output_eur_per_mtok=Decimal(output),
            valid_from=valid_from,
        )
    unpriced = UsageRecord.objects.filter(organisation=loaded, model="gpt-4o", cost=0, usage_kind="tokens")
    expected = Decimal(0)
    for record in unpriced.filter(day__range=(dt.date(2025, 3, 1), dt.date(2025, 3, 31))):
        output_price = Decimal("8") if record.day < dt.date(2025, 3, 14) else Decimal("6.5")
        uncached = record.input_tokens - record.cached_input_tokens
        expected += (Decimal(uncached) * Decimal("2.25") + Decimal(record.output_tokens) * output_price) / 10**6
    filters = selectors.Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), model="gpt-4o")
    assert cost.filtered_cost_eur(loaded, filters).priced_eur == expected


def _queries(client, url, params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("url", ["/o/org-a/", "/api/v1/o/org-a/summary/"])
def test_dashboard_and_summary_never_read_the_records(loaded, client_for, org_a, url):
    client = client_for(org_a["users"][Role.AUDITOR])
    params = {"start": "2025-01-01", "end": "2025-12-31"}
    client.get(url, params)  # the filter choices are cached after the first view
    before = _queries(client, url, params)
    assert not [q for q in before if "footprint_usagerecord" in q]
    _ingest(loaded, _rows(4, days=150, start=dt.date(2025, 6, 1)), "more.csv")
    client.get(url, params)
    assert len(_queries(client, url, params)) == len(before)  # more records, more months: the same queries


def test_cached_figures_follow_new_records_and_new_prices(loaded, client_for, org_a):
    client = client_for(org_a["users"][Role.AUDITOR])
    url, params = "/api/v1/o/org-a/summary/", {"start": "2025-01-01", "end": "2025-12-31"}
    first = client.get(url, params).data["totals"]
    assert first["records"] == UsageRecord.objects.count()
    _ingest(loaded, _rows(5, days=20, start=dt.date(2025, 10, 1)), "october.csv")
    second = client.get(url, params).data["totals"]
    assert second["records"] == UsageRecord.objects.count() > first["records"]
    ModelPrice.objects.create(
        organisation=loaded,
        provider="openai",
        model="gpt-4o-mini",
        input_eur_per_mtok=Decimal("0.1500"),
        output_eur_per_mtok=Decimal("0.6000"),
        valid_from=dt.date(2024, 1, 1),
    )
    unpriced = UsageRecord.objects.filter(model="gpt-4o-mini", cost=0)
    added = sum(
        (Decimal(r.input_tokens - r.cached_input_tokens) * Decimal("0.15") + Decimal(r.output_tokens) * Decimal("0.6"))
        / 10**6
        for r in unpriced
    )
    assert added > 0
    third = client.get(url, params).data["totals"]
    assert Decimal(str(third["cost_eur"])) - Decimal(str(second["cost_eur"])) == pytest.approx(
        added, abs=Decimal("1e-9")
    )
