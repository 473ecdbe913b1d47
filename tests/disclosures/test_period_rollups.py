"""A draft's disclosure read from the rollups (apps.disclosures.period_rollups): a month a dated alias moves in is
read day by day, and the draft page reads no record, in as many queries whatever the records."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import period_rollups, snapshots
from apps.disclosures.models import ReportingPeriod
from apps.footprint.services import current_factor_set_version, load_factor_set

pytestmark = pytest.mark.django_db
HEAD = "date,provider,model,requests,input_tokens,output_tokens,user,team,zone\n"


def _ingest(org, lines: list[str], name: str):
    upload = store_upload(org, io.BytesIO((HEAD + "".join(f"{line}\n" for line in lines)).encode()), name)
    run = execute_run(create_run(org, "generic_csv", upload).pk)
    assert run.status == "succeeded", run.errors


def _year(org):
    return ReportingPeriod.objects.create(
        organisation=org,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        net_revenue_eur=Decimal("50000000"),
        variant="esrs_e1",
    )


def _values(snapshot) -> dict:
    return {dp["id"]: (dp["value"], dp.get("low"), dp.get("high")) for dp in snapshot["datapoints"]}


# mistral-large-latest stood for mistral-large-2411 up to 2025-12-01 and for mistral-large-2512 from 2025-12-02
# (the factor set's model_aliases, after Mistral's model pages).
ALIAS_DAYS = [
    "2025-11-20,mistral,mistral-large-latest,40,80000,20000,a@x.example,Legal,FR",
    "2025-12-01,mistral,mistral-large-latest,40,80000,20000,a@x.example,Legal,FR",
    "2025-12-02,mistral,mistral-large-latest,40,80000,20000,b@x.example,Legal,FR",
    "2025-12-20,mistral,mistral-large-latest,90,150000,60000,b@x.example,Data,DE",
    "2025-03-05,openai,gpt-4o,100,5000,4000,a@x.example,Data,FR",
]


def test_a_month_a_dated_alias_moves_in_is_read_day_by_day(org_a, monkeypatch):
    org = org_a["org"]
    _ingest(org, ALIAS_DAYS, "alias.csv")
    period = _year(org)
    factor_set = load_factor_set(current_factor_set_version(org))
    assert dt.date(2025, 12, 2) in period_rollups.split_days(factor_set, [], {"Mistral-Large-Latest", "gpt-4o"})
    assert dt.date(2025, 12, 2) not in period_rollups.split_days(factor_set, [], {"gpt-4o"})  # no alias on record
    stamp = "2026-01-01T00:00:00+00:00"
    from_records = snapshots.build_snapshot(period, generated_at=stamp)[0]
    from_rollups, rows, _ = snapshots.build_snapshot(period, generated_at=stamp, from_rollups=True)
    assert sorted(rows["day"].astype(str)) == ["2025-03-01", "2025-11-01", "2025-12-01", "2025-12-02", "2025-12-20"]
    want = _values(from_records)
    for dp_id, got in _values(from_rollups).items():
        for value, wanted in zip(got, want[dp_id], strict=True):
            assert value == (wanted if wanted is None else pytest.approx(wanted, rel=1e-9)), dp_id
    assert from_rollups["breakdowns"] == from_records["breakdowns"]
    assert from_rollups["methodology"]["coverage"] == from_records["methodology"]["coverage"]
    assert from_rollups["methodology"]["coverage"][0]["last_day"] == "2025-12-20"
    # December read as one row dated the 1st would estimate all of it as mistral-large-2411.
    monkeypatch.setattr(period_rollups, "split_days", lambda *args: set())
    uncut = _values(snapshots.build_snapshot(period, generated_at=stamp, from_rollups=True)[0])
    assert uncut["E1-6_11"][0] != pytest.approx(want["E1-6_11"][0], rel=1e-6)


def _page_queries(client, url) -> list[str]:
    cache.clear()  # the draft's snapshot is built again, not served from the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    # The cache's own table aside (without Redis the cache is a table of the database): the page's queries.
    return [q["sql"] for q in captured.captured_queries if "ledger_cache" not in q["sql"]]


def test_the_draft_page_reads_the_rollups_in_as_many_queries_whatever_the_records(org_a, client_for):
    org = org_a["org"]
    _ingest(org, ALIAS_DAYS[:2], "small.csv")
    period = _year(org)
    client = client_for(org_a["users"][Role.OFFICER])
    url = reverse("disclosures:period", args=[org.slug, period.pk])
    before = _page_queries(client, url)
    assert not [q for q in before if "footprint_usagerecord" in q]
    assert [q for q in before if "footprint_monthlyrollup" in q]
    # More records, days, months, models, teams, zones and runs: the same queries.
    more = [
        f"2025-{month:02d}-{day:02d},{provider},{model},{day},{day * 1000},{day * 300},p{day}@x.example,T{month},{zone}"
        for month in range(1, 13)
        for day in (3, 14, 28)
        for provider, model, zone in (("openai", "gpt-4o-mini", "DE"), ("anthropic", "claude-sonnet-4", "FR"))
    ]
    _ingest(org, more[:40], "more-1.csv")
    _ingest(org, more[40:], "more-2.csv")
    page = _page_queries(client, url)
    assert len(page) == len(before)
    assert not [q for q in page if "footprint_usagerecord" in q]
    with CaptureQueriesContext(connection) as warm:  # the snapshot now cached: no rollup row is read
        assert client.get(url).status_code == 200
    read = [q["sql"] for q in warm.captured_queries]
    assert not [q for q in read if "footprint_dailyrollup" in q or "footprint_monthlyrollup" in q]
