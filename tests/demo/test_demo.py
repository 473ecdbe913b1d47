"""The demo year: generated in each vendor's format, loaded through the connectors, idempotent."""

import csv
import io
import json

import pandas as pd
import pytest
from django.db.models import Sum

from apps.accounts.demo import seed_demo_accounts
from apps.accounts.models import Person
from apps.connectors.mapping import unmapped_identities
from apps.connectors.models import IngestionRun, RunStatus
from apps.connectors.sources import SOURCES
from apps.connectors.sources.github_copilot_seats import parse_seats
from apps.connectors.storage import stored_file_path
from apps.demo.copilot import IDLE_DAYS, copilot_seats_json, copilot_usage_reports_ndjson
from apps.demo.litellm import CONTRACTOR, UNKNOWN_GATEWAY_KEY, write_litellm_csv
from apps.demo.loader import load_demo_usage, seed_demo_people
from apps.demo.people import DEMO_EMPLOYEES, demo_people
from apps.demo.token_apis import openai_usage_json
from apps.footprint.models import UsageRecord

SCALE = 0.05  # 5 % of the full year's volume keeps the test quick
# Sources the demo year does not generate: our own template, the archive format of GitHub's closed-down
# /copilot/metrics (the demo writes the usage metrics reports that replaced it), and the vendors' bills.
# The demo year has no files of the sources of issue 18 (Bedrock, Claude Code, OTel, Cursor) yet, but ChatGPT
# Enterprise's user export.
NOT_IN_DEMO = {
    "generic_csv",
    "github_copilot_metrics",
    "openai_costs",
    "anthropic_cost_report",
    "aws_bedrock_invocations",
    "aws_cur_bedrock",
    "anthropic_claude_code",
    "otel_genai",
    "cursor_admin",
    "cursor_daily_usage",
}
YEAR = 2025


@pytest.fixture
def seeded(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    org, _ = seed_demo_accounts(password="demo-password-for-tests")
    seed_demo_people(org)
    runs = load_demo_usage(org, scale=SCALE, year=YEAR)
    return org, runs


def test_every_source_is_loaded_and_succeeds(seeded):
    org, runs = seeded
    assert {r.source_key for r in runs} == set(SOURCES) - NOT_IN_DEMO
    assert all(r.status == RunStatus.SUCCEEDED for r in runs), [(r.source_key, r.errors) for r in runs]
    assert all(r.duplicate_of_id is None and r.records_stored > 0 for r in runs)
    stored = set(UsageRecord.objects.for_org(org).values_list("source", flat=True).distinct())
    assert stored == set(SOURCES) - NOT_IN_DEMO


def test_seeding_twice_stores_nothing_new(seeded):
    org, runs = seeded
    before = UsageRecord.objects.for_org(org).count()
    people = Person.objects.for_org(org).count()
    assert seed_demo_people(org) == 0
    again = load_demo_usage(org, scale=SCALE, year=YEAR)
    assert [r.duplicate_of_id for r in again] == [r.pk for r in runs]  # same bytes -> recognised
    assert UsageRecord.objects.for_org(org).count() == before
    assert Person.objects.for_org(org).count() == people
    assert IngestionRun.objects.for_org(org).filter(duplicate_of__isnull=True).count() == len(runs)


def test_people_and_attribution(seeded):
    org, _ = seeded
    assert Person.objects.for_org(org).filter(email__endswith="@demo.example").count() >= DEMO_EMPLOYEES
    records = UsageRecord.objects.for_org(org)
    gateway = records.filter(source="litellm_spend_logs")
    assert gateway.filter(person__isnull=False).exists() and gateway.filter(team__name="Marketing").exists()
    # Marketing's simple prompts go to a big model: the right-sizing case later pages show.
    assert gateway.filter(team__name="Marketing", model="gpt-4o").exists()
    unmapped = unmapped_identities(org)
    assert UNKNOWN_GATEWAY_KEY in unmapped["api_key"]
    assert "proj_Hackathon2025xQ7pLm9w" in unmapped["project"]
    assert CONTRACTOR in unmapped["person"]


def test_idle_copilot_seats_exist(tmp_path):
    people = demo_people()
    data = copilot_seats_json(YEAR, people, seats=400)
    seats = parse_seats(io.BytesIO(data), "seats.json")
    assert len(seats) == 400
    cutoff = pd.Timestamp(f"{YEAR}-12-31") - pd.Timedelta(days=IDLE_DAYS)
    idle = seats["last_activity_at"].isna() | (seats["last_activity_at"] < cutoff)
    assert 0.15 < idle.mean() < 0.35  # about a quarter
    assert seats["person"].str.endswith("@demo.example").all()


def test_copilot_usage_reports_agree_with_the_seats():
    # The demo writes GitHub's usage metrics reports (per-user users-1-day NDJSON), not the closed-down
    # /copilot/metrics: read here line by line, independently of the source parser.
    seats_json = copilot_seats_json(YEAR, demo_people(), seats=100)
    seats = {s["assignee"]["login"]: s for page in json.loads(seats_json) for s in page["seats"]}
    lines = copilot_usage_reports_ndjson(YEAR, seats_json).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert records and "metrics" not in records[0] and "download_links" not in records[0]
    assert [r["day"] for r in records] == sorted(r["day"] for r in records)  # day after day
    never = {login for login, s in seats.items() if s["last_activity_at"] is None}
    assert never and not never & {r["user_login"] for r in records}
    for r in records:
        seat = seats[r["user_login"]]
        assert seat["created_at"][:10] <= r["day"] <= seat["last_activity_at"][:10]
    last_days = {(login, s["last_activity_at"][:10]) for login, s in seats.items() if s["last_activity_at"]}
    assert last_days <= {(r["user_login"], r["day"]) for r in records}  # the seat's last activity is a day of use


@pytest.mark.django_db
def test_demo_copilot_reports_ingest_to_their_own_totals(seeded):
    org, runs = seeded
    run = next(r for r in runs if r.source_key == "github_copilot_usage_reports")
    lines = stored_file_path(run.source_file).read_text().splitlines()
    records = [json.loads(line) for line in lines]
    # requests by hand: prompts + completions shown (the code_completion feature) + CLI requests
    expected = sum(
        r["user_initiated_interaction_count"]
        + sum(f["code_generation_activity_count"] for f in r["totals_by_feature"] if f["feature"] == "code_completion")
        + r.get("totals_by_cli", {}).get("request_count", 0)
        for r in records
    )
    stored = UsageRecord.objects.for_org(org).filter(source="github_copilot_usage_reports")
    got = stored.aggregate(days=Sum("active_user_days"), requests=Sum("requests"))
    assert (got["days"], got["requests"]) == (len(records), expected)
    assert stored.filter(person__isnull=False).count() == len(records)  # logins are the people's e-mails


@pytest.mark.django_db
def test_demo_chatgpt_export_ingests_to_its_own_totals(seeded):
    org, runs = seeded
    run = next(r for r in runs if r.source_key == "chatgpt_enterprise_analytics")
    rows = list(csv.DictReader(io.StringIO(stored_file_path(run.source_file).read_text())))
    active = [r for r in rows if r["first_day_active_in_period"]]
    # by hand: the messages are the requests, the first and last day active of each seat-month its active days
    days = sum(len({r["first_day_active_in_period"], r["last_day_active_in_period"]}) for r in active)
    stored = UsageRecord.objects.for_org(org).filter(source="chatgpt_enterprise_analytics")
    got = stored.aggregate(days=Sum("active_user_days"), requests=Sum("requests"))
    assert (got["days"], got["requests"]) == (days, sum(int(r["messages"]) for r in active)) and days > 0
    assert stored.filter(person__isnull=True).count() == 0  # the e-mails are the demo's people
    assert run.seat_holders.count() == len({r["email"] for r in rows})


def test_totals_and_france_cleaner_than_germany(seeded):
    org, runs = seeded
    assert all(r.energy_kwh > 0 for r in runs if r.source_key != "github_copilot_seats")
    records = UsageRecord.objects.for_org(org)
    totals = records.aggregate(kwh=Sum("energy_kwh"), co2=Sum("co2e_location_kg"), cost=Sum("cost"))
    assert totals["kwh"] > 0 and totals["co2"] > 0 and totals["cost"] > 0

    def intensity(zone):
        agg = records.filter(source="codecarbon_emissions", zone=zone).aggregate(
            kwh=Sum("energy_kwh"), co2=Sum("co2e_location_kg")
        )
        assert agg["kwh"] > 0
        return agg["co2"] / agg["kwh"]

    assert intensity("FRA") < intensity("DEU")


def test_generators_are_deterministic_and_grow_through_the_year(tmp_path):
    people = demo_people()
    assert openai_usage_json(YEAR, 0.1) == openai_usage_json(YEAR, 0.1)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_litellm_csv(str(a), 20_000, YEAR, people)
    write_litellm_csv(str(b), 20_000, YEAR, people)
    assert a.read_bytes() == b.read_bytes()
    log = pd.read_csv(a, usecols=["startTime"])
    month = pd.to_datetime(log["startTime"]).dt.month
    assert (month == 11).sum() > 1.5 * (month == 2).sum()  # volume grows (a rebound view needs it)
