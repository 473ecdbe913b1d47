"""A Claude Code credential pulled through the pull service against the fake Anthropic API on 127.0.0.1.

Follows https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_claude_code: GET
/v1/organizations/usage_report/claude_code?starting_at=YYYY-MM-DD (one UTC day a request), x-api-key and
anthropic-version headers, records paged with has_more / next_page. The records below are in that page's shape.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.connectors.models import IngestionRun, RunStatus, SourceFile, Vendor, VendorCredential
from apps.connectors.pull import PullError, _http
from apps.connectors.pull.service import add_credential, pull
from apps.footprint.models import UsageRecord

from .pull_fake_vendor import ANTHROPIC_KEY, FakeVendorServer

pytestmark = pytest.mark.django_db

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def record(day, actor, customer_type, model, tokens, cents):
    """One Claude Code record: an actor's day, one model in its breakdown."""
    return {
        "date": f"{day}T00:00:00Z",
        "actor": actor,
        "organization_id": "org-acme",
        "customer_type": customer_type,
        "terminal_type": "vscode",
        "core_metrics": {"num_sessions": 2, "lines_of_code": {"added": 10, "removed": 2}, "commits_by_claude_code": 1},
        "tool_actions": {"edit_tool": {"accepted": 3, "rejected": 0}},
        "model_breakdown": [
            {"model": model, "tokens": tokens, "estimated_cost": {"amount": cents, "currency": "USD"}},
        ],
    }


def tokens(input_tokens, output, cache_read, cache_creation):
    return {"input": input_tokens, "output": output, "cache_read": cache_read, "cache_creation": cache_creation}


ALICE = {"type": "user_actor", "email_address": "alice@acme.example"}
BOB = {"type": "user_actor", "email_address": "bob@acme.example"}
CI_KEY = {"type": "api_actor", "api_key_name": "ci-agent"}
SONNET, HAIKU = "claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    waits = []
    monkeypatch.setattr(_http, "_sleep", waits.append)
    return waits


@pytest.fixture
def vendor():
    with FakeVendorServer() as fake:
        fake.buckets_per_page = 2  # three records on 1 March: two pages
        fake.claude_code_days = {
            D1: [
                record(D1, ALICE, "subscription", SONNET, tokens(1000, 200, 300, 50), 125),
                record(D1, BOB, "subscription", HAIKU, tokens(400, 100, 0, 0), 7),
                record(D1, CI_KEY, "api", SONNET, tokens(2000, 500, 1000, 100), 410),
            ],
            D3: [record(D3, ALICE, "subscription", SONNET, tokens(600, 150, 200, 0), 80)],
        }
        yield fake


def claude_code_credential(org, base_url, secret=ANTHROPIC_KEY):
    return add_credential(org, vendor=Vendor.CLAUDE_CODE, label="Claude Code", secret=secret, base_url=base_url)


def sums(org):
    records = UsageRecord.objects.for_org(org).filter(source="anthropic_claude_code")
    agg = records.aggregate(
        input_tokens=Sum("input_tokens"),
        cached_input_tokens=Sum("cached_input_tokens"),
        output_tokens=Sum("output_tokens"),
    )
    return {"records": records.count(), **agg}


# By hand: input = input + cache_creation per record: (1000+50) + 400 + (2000+100) + 600 = 4150;
# cache reads 300 + 0 + 1000 + 200 = 1500; output 200 + 100 + 500 + 150 = 950; one row per record and model.
TOTALS = {"records": 4, "input_tokens": 4150, "cached_input_tokens": 1500, "output_tokens": 950}


def test_a_claude_code_credential_pulls_every_day_and_page_into_one_stored_run(org_a, vendor):
    org = org_a["org"]
    [run] = pull(claude_code_credential(org, vendor.base_url), days=3, today=D3)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.source_key == "anthropic_claude_code"
    assert run.source_file.filename == "anthropic-claude-code_2026-03-01_2026-03-03.json"
    asked = [(s.query["starting_at"][0], s.query.get("page", [""])[0]) for s in vendor.requests_to("/claude_code")]
    # 1 March has a second page (has_more, next_page "cur_2"); 2 March is empty; 3 March fits in one page.
    assert asked == [("2026-03-01", ""), ("2026-03-01", "cur_2"), ("2026-03-02", ""), ("2026-03-03", "")]
    assert sums(org) == TOTALS
    # Anthropic's estimated cost in cents: (125 + 7 + 410 + 80) / 100 dollars.
    assert UsageRecord.objects.for_org(org).aggregate(total=Sum("cost"))["total"] == Decimal("6.22")
    by_person = dict(
        UsageRecord.objects.for_org(org)
        .values("person_ref")
        .annotate(o=Sum("output_tokens"))
        .values_list("person_ref", "o")
    )
    assert by_person == {"alice@acme.example": 350, "bob@acme.example": 100, "": 500}
    # The messages report and the bill are not asked by a Claude Code credential.
    assert vendor.requests_to("/usage_report/messages") == [] and vendor.requests_to("/cost_report") == []


def test_pulling_again_stores_nothing_twice(org_a, vendor):
    org = org_a["org"]
    cred = claude_code_credential(org, vendor.base_url)
    [first] = pull(cred, days=3, today=D3)
    [second] = pull(cred, days=3, today=D3)
    assert second.duplicate_of == first and second.records_stored == 0
    assert SourceFile.objects.for_org(org).count() == 1 and sums(org) == TOTALS


def test_a_429_with_retry_after_is_waited_for_and_retried(org_a, vendor, no_sleep):
    org = org_a["org"]
    vendor.forced = [(429, {"Retry-After": "7"}, {"type": "error", "error": {"type": "rate_limit_error"}})]
    [run] = pull(claude_code_credential(org, vendor.base_url), days=3, today=D3)
    assert run.status == RunStatus.SUCCEEDED and sums(org) == TOTALS
    assert no_sleep == [7.0]  # the wait the server asked for, once
    # The refused first request was asked again: 1 + the four of the pull.
    assert len(vendor.requests_to("/claude_code")) == 5


def test_a_401_is_refused_with_a_clear_message_and_stores_nothing(org_a, vendor):
    org = org_a["org"]
    cred = claude_code_credential(org, vendor.base_url, secret="sk-ant-admin01-revoked-0000")
    with pytest.raises(PullError, match=r"credential refused by Anthropic \(HTTP 401\): check the key"):
        pull(cred, days=3, today=D3)
    cred.refresh_from_db()
    assert "credential refused by Anthropic (HTTP 401)" in cred.last_error and "invalid x-api-key" in cred.last_error
    assert cred.last_pulled_at is None
    assert not IngestionRun.objects.for_org(org).exists() and not UsageRecord.objects.for_org(org).exists()
    assert len(vendor.requests_to("/claude_code")) == 1  # a refusal is not retried


def test_the_credential_page_offers_claude_code_and_says_api_key_use_is_also_in_the_messages_report(org_a, client_for):
    from django.urls import reverse

    client = client_for(org_a["users"]["admin"])
    url = reverse("connectors:credentials", args=[org_a["org"].slug])
    html = client.get(url).content.decode()
    assert 'value="claude_code"' in html
    assert "Claude Code used through API keys is also counted in the messages usage report" in html
    client.post(url, {"vendor": "claude_code", "label": "Coding agents", "secret": "sk-ant-admin01-claude-code-1234"})
    stored = VendorCredential.objects.for_org(org_a["org"]).get()
    assert stored.vendor == "claude_code" and stored.get_secret() == "sk-ant-admin01-claude-code-1234"
    assert stored.effective_base_url == "https://api.anthropic.com"
