"""A draft's disclosure is estimated from the daily rollups, not from every record: the figures, breakdowns,
coverage and runs equal those of the records re-estimated one by one (every estimator is linear in what a rollup
row sums), on the demo year with its seats, tokens, gateway rows, measured GPU jobs and instruments."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import e1, period_exports, period_rollups, snapshots
from apps.disclosures.models import ReportingPeriod
from apps.footprint.models import ContractualInstrument, DailyRollup, UsageRecord
from tests.demo_year import demo_year_loaded

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_year_loaded(django_db_blocker, tmp_path_factory.mktemp("uploads"), scale=0.02, year=YEAR) as org:
        yield org


def _period(org, start, end):
    return ReportingPeriod.objects.create(
        organisation=org, start=start, end=end, net_revenue_eur=Decimal("125000000"), variant="esrs_e1"
    )


SPANS = [
    # (period, instrument, its MWh): the year with an instrument over it; a period of partial months; the year with
    # an instrument from mid-June to mid-September covering all it can (June and September are read day by day).
    ((dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), "0.5"),
    ((dt.date(YEAR, 2, 14), dt.date(YEAR, 5, 3)), (dt.date(YEAR, 2, 14), dt.date(YEAR, 5, 3)), "0.5"),
    ((dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), (dt.date(YEAR, 6, 10), dt.date(YEAR, 9, 20)), "10000"),
]


@pytest.mark.parametrize("span, covered, mwh", SPANS)
def test_figures_from_rollups_equal_the_records_re_estimated(demo, span, covered, mwh):
    start, end = span
    ContractualInstrument.objects.create(
        organisation=demo, kind="GO", mwh=Decimal(mwh), zone="FR", period_start=covered[0], period_end=covered[1]
    )
    period = _period(demo, start, end)
    stamp = "2026-01-01T00:00:00+00:00"
    from_records, records, _ = snapshots.build_snapshot(period, generated_at=stamp)
    from_rollups, rows, _ = snapshots.build_snapshot(period, generated_at=stamp, from_rollups=True)
    assert len(records) == UsageRecord.objects.filter(organisation=demo, day__range=(start, end)).count()
    assert 0 < len(rows) < len(records)  # fewer rows than records: that is the point
    assert int(rows["records"].sum()) == len(records)
    values = {dp["id"]: dp for dp in from_records["datapoints"]}
    assert [dp["id"] for dp in from_rollups["datapoints"]] == list(values)
    for dp in from_rollups["datapoints"]:
        want = values[dp["id"]]
        for key in ("value", "low", "high"):
            if want.get(key) is None:
                assert dp.get(key) is None, (dp["id"], key)
            else:
                assert dp[key] == pytest.approx(want[key], rel=1e-9), (dp["id"], key)
    assert values["E1-5_01"]["value"] > 0 and values["E1-6_11"]["value"] > 0
    # Scope 3 category 3 from the rollups' Scope 2 kWh per zone and year: the same as from the records.
    assert values["E1-6_11/cat3"]["value"] > 0
    got, want = (s["upstream_electricity"]["rows"] for s in (from_rollups, from_records))
    assert [(r["grid_zone"], r["year"], r["flag"]) for r in got] == [
        (r["grid_zone"], r["year"], r["flag"]) for r in want
    ]
    assert [r["upstream_kg"] for r in got] == pytest.approx([r["upstream_kg"] for r in want], rel=1e-9)
    for name, want_rows in from_records["breakdowns"].items():
        got_rows = from_rollups["breakdowns"][name]
        assert [r["key"] for r in got_rows] == [r["key"] for r in want_rows] or name != "by_month"
        by_key = {r["key"]: r for r in got_rows}
        assert set(by_key) == {r["key"] for r in want_rows}, name
        for want in want_rows:
            got = by_key[want["key"]]
            assert (got["records"], got["requests"]) == (want["records"], want["requests"]), (name, want["key"])
            assert got["co2e_location_kg"] == pytest.approx(want["co2e_location_kg"], rel=1e-9)
            assert got["energy_kwh"] == pytest.approx(want["energy_kwh"], rel=1e-9)
    assert from_rollups["methodology"]["coverage"] == from_records["methodology"]["coverage"]
    assert from_rollups["runs"] == from_records["runs"]
    want_drivers = {d["group"]: d for d in from_records["methodology"]["range_drivers"]}
    assert [d["group"] for d in from_rollups["methodology"]["range_drivers"]] == list(want_drivers)
    for got in from_rollups["methodology"]["range_drivers"]:
        assert got["above_t"] == pytest.approx(want_drivers[got["group"]]["above_t"], rel=1e-9)
    # The PDF annex's table (records, kWh and kg CO2e by run, scope and data quality) is the same from either.
    want_by_run, got_by_run = e1.records_by_run(records), e1.records_by_run(rows)
    assert got_by_run.index.tolist() == want_by_run.index.tolist()
    assert got_by_run["n"].tolist() == want_by_run["n"].tolist()
    assert int(got_by_run["n"].sum()) == len(records)
    for column in ("kwh", "co2"):
        assert got_by_run[column].tolist() == pytest.approx(want_by_run[column].tolist(), rel=1e-9), column
    # Whole months uncut by the instrument are read from the monthly rollup: fewer rows than the daily one has.
    daily = DailyRollup.objects.filter(organisation=demo, day__range=(start, end)).count()
    assert len(rows) < daily / 2 if span[0].day == 1 else len(rows) <= daily


def test_a_month_an_instrument_starts_in_is_read_day_by_day(demo, monkeypatch):
    """Read from June's monthly row (dated 1 June), the usage of 1-9 June would be covered by an instrument that
    starts on the 10th: the market-based Scope 2 would then differ from the records'."""
    ContractualInstrument.objects.create(
        organisation=demo,
        kind="GO",
        mwh=Decimal("10000"),
        zone="FR",
        period_start=dt.date(YEAR, 6, 10),
        period_end=dt.date(YEAR, 9, 20),
    )
    period = _period(demo, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))

    def market_scope2(**kwargs):
        snapshot = snapshots.build_snapshot(period, with_comparative=False, **kwargs)[0]
        return {dp["id"]: dp["value"] for dp in snapshot["datapoints"]}["E1-6_10"]

    want = market_scope2()
    assert market_scope2(from_rollups=True) == pytest.approx(want, rel=1e-9)
    monkeypatch.setattr(period_rollups, "split_days", lambda *args: set())
    assert market_scope2(from_rollups=True) != pytest.approx(want, rel=1e-6)


def test_a_drafts_pdf_reads_the_rollups_not_the_records(demo, monkeypatch):
    """The draft PDF's figures and its annex table come from the cached snapshot of the rollups: no record is
    read (period_records would), and the annex counts every record of the year."""
    period = _period(demo, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))

    def no_records(_period):
        raise AssertionError("a draft's PDF read every record")

    monkeypatch.setattr(snapshots, "period_records", no_records)
    data = period_exports.render(period, "pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert "Records by run and scope" in text
    snapshot, sha, by_run = snapshots.draft_of(period)  # cached by the render: the same snapshot
    assert sha in text.replace(" ", "")
    year = UsageRecord.objects.filter(organisation=demo, day__year=YEAR).count()
    assert year > 1000 and int(by_run["n"].sum()) == year
    e1_6_12 = next(dp for dp in snapshot["datapoints"] if dp["id"] == "E1-6_12")
    assert f"{e1_6_12['value']:,.3f}" in text
    # The iXBRL too: from the same cached snapshot, no record read.
    assert b"<ix:nonFraction" in period_exports.render(period, "xhtml")


def _ingest(org, csv: str, name: str):
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(csv.encode()), name)).pk)
    assert run.status == "succeeded", run.errors


CSV = "date,provider,model,requests,input_tokens,output_tokens,user,zone\n{day},openai,gpt-4o,{n},5000,4000,a@x.example,FR\n"


def test_a_cached_draft_follows_its_records_and_inputs(org_a, org_b, monkeypatch):
    org = org_a["org"]
    _ingest(org, CSV.format(day="2025-03-01", n=100), "march.csv")
    period = _period(org, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    builds = []
    real_build = snapshots.build_snapshot
    monkeypatch.setattr(snapshots, "build_snapshot", lambda *a, **k: builds.append(1) or real_build(*a, **k))

    def value(dp_id):
        return {dp["id"]: dp["value"] for dp in snapshots.snapshot_of(period)[0]["datapoints"]}[dp_id]

    energy = value("E1-6_11")
    assert value("E1-6_11") == energy and len(builds) == 1  # nothing changed: served from the cache
    _ingest(org_b["org"], CSV.format(day="2025-03-02", n=100), "other-org.csv")
    assert value("E1-6_11") == energy and len(builds) == 1  # another organisation's records change nothing
    _ingest(org, CSV.format(day="2025-04-01", n=100), "april.csv")
    assert value("E1-6_11") == pytest.approx(2 * energy, rel=1e-12) and len(builds) == 2  # same usage twice
    intensity = value("E1-6_30")
    period.net_revenue_eur = Decimal("250000000")
    period.save()
    assert value("E1-6_30") == pytest.approx(intensity / 2, rel=1e-12) and len(builds) == 3
