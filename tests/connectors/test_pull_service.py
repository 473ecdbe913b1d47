"""Pulling through the ordinary ingestion: records with hand-checked totals, nothing stored twice,
overlapping pulls replace, failures kept on the credential, secrets encrypted at rest, daily task."""

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from apps.connectors.models import IngestionRun, RunStatus, SourceFile, Vendor, VendorCredential
from apps.connectors.pull import PullError, _http
from apps.connectors.pull.crypto import SecretUnreadable
from apps.connectors.pull.service import add_credential, pull
from apps.connectors.tasks import pull_all_credentials
from apps.footprint.models import UsageRecord

from .pull_fake_vendor import (
    ANTHROPIC_KEY,
    GITHUB_ORG,
    GITHUB_TOKEN,
    OPENAI_KEY,
    FakeVendorServer,
    anthropic_sample,
    metrics_sample,
    openai_result,
    openai_sample,
    seats_sample,
)

pytestmark = pytest.mark.django_db

D1, D2, D3, D4 = date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3), date(2025, 3, 4)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(_http, "_sleep", lambda seconds: None)


@pytest.fixture
def vendor():
    with FakeVendorServer() as fake:
        fake.openai_days = openai_sample(D1, D2)
        fake.anthropic_days = anthropic_sample(D1, D2)
        fake.seats = seats_sample()
        fake.metrics_days = metrics_sample(D1, D2, D3)
        yield fake


def credential(org, vendor_key, base_url, secret=None, **extra):
    secret = secret or {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY, "github": GITHUB_TOKEN}[vendor_key]
    return add_credential(org, vendor=vendor_key, label=f"{vendor_key} main", secret=secret, base_url=base_url, **extra)


def sums(org, **filters):
    records = UsageRecord.objects.for_org(org).filter(**filters)
    agg = records.aggregate(
        requests=Sum("requests"),
        input_tokens=Sum("input_tokens"),
        cached_input_tokens=Sum("cached_input_tokens"),
        output_tokens=Sum("output_tokens"),
        active_user_days=Sum("active_user_days"),
    )
    return {"records": records.count(), **agg}


OPENAI_TOTALS = {  # by hand from openai_sample: see test_pull_clients for the arithmetic
    "records": 3,
    "requests": 70,
    "input_tokens": 7300,
    "cached_input_tokens": 700,
    "output_tokens": 2200,
    "active_user_days": 0,
}


def test_an_openai_pull_loads_through_the_ordinary_ingestion(org_a, vendor):
    org = org_a["org"]
    cred = credential(org, "openai", vendor.base_url)
    [run] = pull(cred, days=3, today=D3)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.source_key == "openai_usage" and run.duplicate_of is None and run.uploaded_by is None
    # The stored file is the pulled document, identified by its SHA-256 like any upload.
    stored = Path(settings.MEDIA_ROOT) / run.source_file.stored_path
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == run.source_file.sha256
    assert run.source_file.filename == "openai-usage-completions_2025-03-01_2025-03-03.json"
    assert sums(org) == OPENAI_TOTALS
    assert (run.input_tokens, run.cached_input_tokens, run.output_tokens, run.records_stored) == (7300, 700, 2200, 3)
    assert set(UsageRecord.objects.for_org(org).values_list("run", flat=True)) == {run.pk}
    assert len(vendor.requests_to("/usage/completions")) == 3
    cred.refresh_from_db()
    assert cred.last_pulled_at is not None and cred.last_error == ""


def test_pulling_the_same_days_twice_stores_nothing_twice(org_a, vendor):
    org = org_a["org"]
    cred = credential(org, "openai", vendor.base_url)
    [first] = pull(cred, days=3, today=D3)
    [second] = pull(cred, days=3, today=D3)
    assert second.status == RunStatus.SUCCEEDED and second.duplicate_of == first
    assert second.records_stored == 0 and SourceFile.objects.for_org(org).count() == 1
    assert sums(org) == OPENAI_TOTALS


def test_an_overlapping_pull_with_changed_numbers_replaces_rather_than_adds(org_a, vendor):
    org = org_a["org"]
    cred = credential(org, "openai", vendor.base_url)
    pull(cred, days=3, today=D3)
    # The vendor revises 2 March (late usage arrives); the next day's pull covers 2-4 March.
    vendor.openai_days[D2] = [openai_result("gpt-4o-2024-08-06", "proj_a", "user-1", "key_1", 2600, 600, 900, 25)]
    [run] = pull(cred, days=3, today=D4)
    assert run.status == RunStatus.SUCCEEDED and run.duplicate_of is None and run.records_stored == 1
    # By hand: 1 March unchanged (800+5000 uncached, 200+0 cached, 300+1200 out, 10+40 requests),
    # 2 March replaced by (2600-600, 600, 900, 25): 7800 / 800 / 2400 / 75, still 3 records.
    assert sums(org) == {
        "records": 3,
        "requests": 75,
        "input_tokens": 7800,
        "cached_input_tokens": 800,
        "output_tokens": 2400,
        "active_user_days": 0,
    }
    assert sums(org, day=D2)["input_tokens"] == 2000


def test_anthropic_and_github_pulls_store_hand_checked_totals(org_a, vendor):
    org = org_a["org"]
    [run] = pull(credential(org, "anthropic", vendor.base_url), days=3, today=D3)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    # (3000+100+400)+1000+(2000+250) = 6750 input; 1500+750 = 2250 cache reads; 800+200+500 = 1500 output.
    assert sums(org, provider="anthropic") == {
        "records": 3,
        "requests": 0,
        "input_tokens": 6750,
        "cached_input_tokens": 2250,
        "output_tokens": 1500,
        "active_user_days": 0,
    }
    runs = pull(credential(org, "github", vendor.base_url, github_org=GITHUB_ORG), days=3, today=D3)
    assert [(r.source_key, r.status) for r in runs] == [
        ("github_copilot_seats", RunStatus.SUCCEEDED),
        ("github_copilot_metrics", RunStatus.SUCCEEDED),
    ]
    # 3 seat rows (no activity counted) + metrics rows: 3 days on 'copilot' + 1 custom model on 3 March.
    # Active users 12+10+9 = 31; requests (100+50+20+5+2) + (80+10) + (60+40) = 367.
    assert sums(org, provider="github") == {
        "records": 7,
        "requests": 367,
        "input_tokens": 0,
        "cached_input_tokens": 0,
        "output_tokens": 0,
        "active_user_days": 31,
    }
    # Seats are not a period: pulling them again the next day stores nothing new.
    again = pull(VendorCredential.objects.get(vendor="github"), days=3, today=D3)
    assert all(r.duplicate_of_id for r in again) and sums(org, provider="github")["records"] == 7


def test_a_github_pull_of_the_usage_reports_stores_each_users_days_once(org_a, vendor):
    # The reports API (docs.github.com/en/copilot/reference/copilot-usage-metrics/team-level-metrics): per-user
    # NDJSON per day behind the download links; records as in .../copilot-usage-metrics/example-schema.
    def user(login, day, prompts, shown):
        return {
            "day": str(day),
            "user_login": login,
            "user_initiated_interaction_count": prompts,
            "code_generation_activity_count": shown,
            "totals_by_feature": [{"feature": "code_completion", "code_generation_activity_count": shown}],
        }

    vendor.report_users = {
        D1: [(json.dumps(user("alice", D1, 3, 10)) + "\n" + json.dumps(user("bob", D1, 0, 4)) + "\n").encode()],
        D2: [json.dumps(user("alice", D2, 5, 0)).encode()],
        D3: [],
    }
    org = org_a["org"]
    runs = pull(credential(org, "github", vendor.base_url, github_org=GITHUB_ORG), days=3, today=D3)
    assert [(r.source_key, r.status) for r in runs] == [
        ("github_copilot_seats", RunStatus.SUCCEEDED),
        ("github_copilot_usage_reports", RunStatus.SUCCEEDED),
    ]
    # 3 active user-days; requests (3 + 10) + 4 + 5 = 22.
    assert sums(org, source="github_copilot_usage_reports") == {
        "records": 3,
        "requests": 22,
        "input_tokens": 0,
        "cached_input_tokens": 0,
        "output_tokens": 0,
        "active_user_days": 3,
    }
    again = pull(VendorCredential.objects.get(vendor="github"), days=3, today=D3)
    assert all(r.duplicate_of_id for r in again) and sums(org, source="github_copilot_usage_reports")["records"] == 3


def test_a_refused_credential_is_reported_on_it_and_stores_nothing(org_a, vendor):
    org = org_a["org"]
    cred = credential(org, "openai", vendor.base_url, secret="sk-revoked-key-9999")
    with pytest.raises(PullError, match="credential refused by OpenAI"):
        pull(cred, days=3, today=D3)
    cred.refresh_from_db()
    assert "credential refused by OpenAI (HTTP 401)" in cred.last_error and cred.last_pulled_at is None
    assert not IngestionRun.objects.for_org(org).exists() and not UsageRecord.objects.for_org(org).exists()


def test_rate_limits_then_success_load_once(org_a, vendor):
    org = org_a["org"]
    vendor.forced = [(429, {"Retry-After": "1"}, {"error": {"message": "Rate limit reached"}})] * 2
    [run] = pull(credential(org, "openai", vendor.base_url), days=3, today=D3)
    assert run.status == RunStatus.SUCCEEDED and sums(org) == OPENAI_TOTALS


def test_a_quiet_period_stores_nothing_and_is_not_an_error(org_a, vendor):
    org = org_a["org"]
    cred = credential(org, "openai", vendor.base_url)
    assert pull(cred, days=3, today=date(2025, 6, 3)) == []
    cred.refresh_from_db()
    assert cred.last_error == "" and cred.last_pulled_at is not None


def test_the_secret_is_encrypted_at_rest(org_a):
    cred = credential(org_a["org"], "openai", "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_encrypted, secret_last4 FROM connectors_vendorcredential WHERE id = %s", [cred.pk]
        )
        raw, last4 = cursor.fetchone()
    assert raw != OPENAI_KEY and OPENAI_KEY not in raw and OPENAI_KEY[:12] not in raw
    assert last4 == "WXYZ" and cred.masked_secret == "••••WXYZ"
    assert VendorCredential.objects.get(pk=cred.pk).get_secret() == OPENAI_KEY
    assert OPENAI_KEY not in str(cred) and OPENAI_KEY not in repr(cred)
    # Two encryptions of the same secret differ (random IV): equal secrets cannot be spotted in the table.
    other = credential(org_a["org"], "anthropic", "", secret=OPENAI_KEY)
    assert other.secret_encrypted != raw


def test_credentials_key_setting_encrypts_rotates_and_refuses_a_wrong_key(org_a, settings, vendor):
    old, new = Fernet.generate_key().decode(), "a long passphrase, stretched with HKDF"
    settings.CREDENTIALS_KEY = old
    cred = credential(org_a["org"], "openai", vendor.base_url)
    settings.CREDENTIALS_KEY = f"{new},{old}"  # rotation: the new key encrypts, the old one still decrypts
    assert VendorCredential.objects.get(pk=cred.pk).get_secret() == OPENAI_KEY
    settings.CREDENTIALS_KEY = new
    with pytest.raises(SecretUnreadable):
        VendorCredential.objects.get(pk=cred.pk).get_secret()
    with pytest.raises(PullError, match="cannot be decrypted"):
        pull(VendorCredential.objects.get(pk=cred.pk), days=3, today=D3)
    assert "cannot be decrypted" in VendorCredential.objects.get(pk=cred.pk).last_error
    assert vendor.seen == []  # nothing was sent


def test_the_daily_task_pulls_every_enabled_credential(org_a, org_b, vendor):
    today = timezone.now().date()
    vendor.openai_days = openai_sample(today - timedelta(days=2), today - timedelta(days=1))
    vendor.anthropic_days = anthropic_sample(today - timedelta(days=2), today - timedelta(days=1))
    credential(org_a["org"], "openai", vendor.base_url)
    credential(org_b["org"], "anthropic", vendor.base_url)
    off = credential(org_a["org"], "github", vendor.base_url, github_org=GITHUB_ORG)
    VendorCredential.objects.filter(pk=off.pk).update(enabled=False)
    queued = pull_all_credentials.delay(days=3).get()
    assert len(queued) == 2 and off.pk not in queued
    assert vendor.requests_to("/billing/seats") == []  # the disabled credential was not pulled
    assert sums(org_a["org"]) == OPENAI_TOTALS
    assert sums(org_b["org"])["input_tokens"] == 6750 and sums(org_b["org"])["records"] == 3
    assert all(c.last_error == "" and c.last_pulled_at for c in VendorCredential.objects.filter(enabled=True))


def test_vendor_choices_match_the_pull_clients():
    from apps.connectors.pull import VENDORS

    assert set(Vendor.values) == set(VENDORS)


def test_a_partial_github_pull_loads_the_seats_and_reports_the_rest(org_a, vendor):
    org = org_a["org"]
    vendor.forced = [
        (200, {}, {"total_seats": 3, "seats": seats_sample()}),
        (403, {}, {"message": "Copilot Metrics API access is disabled for this organization."}),
    ]
    cred = credential(org, "github", vendor.base_url, github_org=GITHUB_ORG)
    [run] = pull(cred, days=3, today=D3)
    assert run.source_key == "github_copilot_seats" and run.status == RunStatus.SUCCEEDED
    assert sums(org)["records"] == 3
    cred.refresh_from_db()
    assert "seats pulled, but not the Copilot metrics" in cred.last_error and "HTTP 403" in cred.last_error
    assert cred.last_pulled_at is not None
