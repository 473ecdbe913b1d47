"""The rollup rows an ingestion writes from its estimated frames (rollups.refresh_run, days and months no stored
record shares with the run) equal, row for row, what summing the stored records again gives (refresh_all, the
rebuild): daily, monthly, person-month and distinct-day tables, with people and teams mapped, a price cut
inside a month, files spread over several spill buckets, files that touch stored months or re-send records, a
mapping edit, a deleted run and a failed write. Counts and costs must be equal exactly (costs are Decimal
on PostgreSQL), the floats to 1e-12."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.db import transaction

from apps.accounts.models import Person, Role, Team
from apps.connectors import mapping, spill
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IdentityKind, IngestionRun
from apps.connectors.storage import store_upload
from apps.costs.models import ModelPrice
from apps.footprint import rollup_sums, rollups
from apps.footprint.models import DailyRollup, MonthlyRollup, PersonMonthActivity, PersonMonthRollup, UsageRecord

pytestmark = pytest.mark.django_db
HEADER = "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
MODELS = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-sonnet-20241022")]
TABLES = {
    DailyRollup: ("day", *rollups.DIMENSIONS),
    MonthlyRollup: ("month", *rollups.DIMENSIONS),
    PersonMonthRollup: ("month", "segment", *rollup_sums.PERSON_DIMENSIONS),
    PersonMonthActivity: ("month", "person_id", "usage_kind", "team_id", "per_team"),
}
MEASURES = {
    DailyRollup: rollups.MEASURES,
    MonthlyRollup: rollups.MEASURES,
    PersonMonthRollup: rollup_sums.PERSON_MEASURE_NAMES,
    PersonMonthActivity: ("days_active",),
}


def _rows(seed: int, days: int, start: dt.date) -> list[str]:
    """Several rows a day: three models, seven users (six of them people of the organisation, one unknown),
    teams named in the row or not, costs reported (with more than ten decimals, credits too) or left to
    pricing, in two currencies."""
    rng = random.Random(seed)
    rows = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for _ in range(rng.randint(3, 9)):
            provider, model = rng.choice(MODELS)
            cost, currency = rng.choice([("", ""), (f"{rng.uniform(-2, 900):.13f}", "EUR"), ("0.1", "USD")])
            rows.append(
                f"{day},{provider},{model},{rng.randint(1, 500)},{rng.randint(1, 10**6)},{rng.randint(1, 10**5)},"
                f"u{rng.randint(1, 7)}@org-a.example,{rng.choice(['platform', 'data', ''])},"
                f"{rng.choice(['FR', 'DE', 'US'])},{cost},{currency}"
            )
    return rows


def _more_requests(row: str) -> str:
    """The row with 1,000 more requests (the fourth field)."""
    fields = row.split(",")
    fields[3] = str(int(fields[3]) + 1000)
    return ",".join(fields)


def _requests(rows: list[str]) -> dict:
    """Requests summed per natural key (day, provider, model, user, team, zone; currency)."""
    out: dict = {}
    for row in rows:
        fields = row.split(",")
        key = (*fields[:3], *fields[6:9], fields[10])
        out[key] = out.get(key, 0) + int(fields[3])
    return out


def _ingest(org, rows: list[str], name: str) -> IngestionRun:
    body = (HEADER + "\n".join(rows) + "\n").encode()
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(body), name)).pk)
    assert run.status == "succeeded", run.errors
    return run


def _table(model, org) -> dict:
    keys, measures = TABLES[model], MEASURES[model]
    out = {}
    for row in model.objects.filter(organisation=org).values(*keys, *measures):
        key = tuple(row[k] for k in keys)
        assert key not in out, (model.__name__, key)
        out[key] = {m: row[m] for m in measures}
    return out


def _snapshot(org) -> dict:
    return {model: _table(model, org) for model in TABLES}


def assert_same(got: dict, want: dict) -> None:
    for model in TABLES:
        assert set(got[model]) == set(want[model]), model.__name__
        for key, figures in want[model].items():
            for name, value in figures.items():
                mine = got[model][key][name]
                if isinstance(value, float) or isinstance(mine, float):
                    assert mine == pytest.approx(value, rel=1e-12, abs=1e-15), (model.__name__, key, name)
                else:
                    assert mine == value, (model.__name__, key, name)  # counts; costs as Decimal (PostgreSQL)


def assert_equals_recomputation(org) -> None:
    """The rollups as ingestion left them equal a rebuild from the records (rolled back afterwards)."""
    written = _snapshot(org)
    assert written[DailyRollup] and written[PersonMonthRollup] and written[PersonMonthActivity]
    with transaction.atomic():
        rollups.refresh_all(org.pk)
        rebuilt = _snapshot(org)
        transaction.set_rollback(True)
    assert_same(written, rebuilt)


@pytest.fixture
def org(org_a, monkeypatch):
    org = org_a["org"]
    platform = Team.objects.create(organisation=org, name="platform")
    Team.objects.create(organisation=org, name="data")
    for n in range(1, 7):
        Person.objects.create(organisation=org, email=f"u{n}@org-a.example", team=platform if n % 2 else None)
    # A price starting mid-March: the person rollup cuts March there.
    ModelPrice.objects.create(
        organisation=org,
        provider="openai",
        model="gpt-4o",
        input_eur_per_mtok=Decimal("2.25"),
        output_eur_per_mtok=Decimal("8"),
        valid_from=dt.date(2025, 3, 14),
    )
    monkeypatch.setattr(spill, "SPILL_BUCKET_BYTES", 4096)  # several buckets: sums combined across them
    return org


def test_a_fresh_period_is_summed_from_the_frames_and_equals_the_records(org):
    run = _ingest(org, _rows(1, days=75, start=dt.date(2025, 1, 20)), "first.csv")
    assert run.source_file.size_bytes > 3 * 4096
    assert_equals_recomputation(org)
    march = PersonMonthRollup.objects.filter(organisation=org, month=dt.date(2025, 3, 1))
    assert set(march.values_list("segment", flat=True)) == {dt.date(2025, 3, 1), dt.date(2025, 3, 14)}
    # Worked from the records: the run's costs, and every record counted once.
    assert DailyRollup.objects.filter(organisation=org).count() > 0
    total = sum(r.cost for r in UsageRecord.objects.filter(organisation=org))
    assert sum(r.cost for r in DailyRollup.objects.filter(organisation=org)) == pytest.approx(
        total, abs=Decimal("1e-9")
    )
    assert sum(r.records for r in MonthlyRollup.objects.filter(organisation=org)) == UsageRecord.objects.count()


def test_the_frames_path_does_not_read_the_records_back(org, monkeypatch):
    """Nothing stored shares the run's months: the daily and person rollups come from the sums alone."""
    summed_again = []
    monkeypatch.setattr(rollups, "_refresh_days", lambda *a: summed_again.append(("days", a[2])))
    monkeypatch.setattr(rollups, "_refresh_people", lambda *a: summed_again.append(("people", a[2])))
    _ingest(org, _rows(2, days=40, start=dt.date(2025, 5, 1)), "may.csv")
    assert summed_again == []
    assert DailyRollup.objects.filter(organisation=org, day=dt.date(2025, 5, 1)).exists()


def test_files_that_share_months_resend_records_and_map_identities_again(org, org_a):
    _ingest(org, _rows(3, days=30, start=dt.date(2025, 1, 10)), "january.csv")
    # Later days of February's month: its days are fresh, its person rollup is summed again from the records.
    _ingest(org, _rows(4, days=20, start=dt.date(2025, 2, 9)), "february.csv")
    assert_equals_recomputation(org)
    # Every other row again with other figures (a re-sent export: the same natural keys), plus new days: the
    # rows re-sent replace theirs, the others of the same days stay.
    before = UsageRecord.objects.count()
    january = _rows(3, days=30, start=dt.date(2025, 1, 10))
    resent = [_more_requests(row) for row in january[::2]]
    _ingest(org, resent + _rows(5, 10, dt.date(2025, 3, 1)), "again.csv")
    assert_equals_recomputation(org)
    stored = UsageRecord.objects.filter(organisation=org, day__lt=dt.date(2025, 2, 9))
    assert stored.count() == before - UsageRecord.objects.filter(run__source_file__filename="february.csv").count()
    # By hand: the file's requests per natural key, the re-sent keys' replaced by the re-sent rows' sums.
    assert sum(stored.values_list("requests", flat=True)) == sum((_requests(january) | _requests(resent)).values())
    # A mapping edit moves records to another person and team: summed again, still equal.
    research = Team.objects.create(organisation=org, name="research")
    mapping.save_mapping(org, org_a["users"][Role.ADMIN], IdentityKind.TEAM, "data", team=research)
    assert DailyRollup.objects.filter(team=research).exists()
    assert_equals_recomputation(org)


def test_a_deleted_run_and_a_failed_write_leave_rollups_equal_to_the_records(org, monkeypatch):
    first = _ingest(org, _rows(6, days=25, start=dt.date(2025, 6, 1)), "june.csv")
    second = _ingest(org, _rows(7, days=25, start=dt.date(2025, 6, 26)), "july.csv")
    UsageRecord.objects.filter(run=second).delete()
    assert not DailyRollup.objects.filter(run=second).exists()
    assert_equals_recomputation(org)
    before = _snapshot(org)

    def die(*args):
        raise RuntimeError("worker killed after the records were written")

    monkeypatch.setattr(rollups, "refresh_run", die)
    body = (HEADER + "\n".join(_rows(8, days=10, start=dt.date(2025, 8, 1))) + "\n").encode()
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(body), "august.csv")).pk)
    assert run.status == "failed"
    assert_same(_snapshot(org), before)
    assert UsageRecord.objects.filter(run=first).exists()


def test_cost_units_round_to_the_tenth_decimal():
    units = rollup_sums.cost_units([0.1, 1e-11, 6e-11, -2.00000000005, 12.3456789012345])
    assert units.tolist() == [1_000_000_000, 0, 1, -20_000_000_000, 123_456_789_012]
