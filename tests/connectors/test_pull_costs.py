"""The cost endpoints' clients against the fake vendor on 127.0.0.1: the documented query, cursor pages followed,
and documents the bill sources read, with the totals summed by hand.

Follows https://platform.openai.com/docs/api-reference/usage/costs (GET /v1/organization/costs: start_time,
end_time, bucket_width=1d, group_by, limit, page/next_page) and
https://platform.claude.com/docs/en/api/admin/cost_report (GET /v1/organizations/cost_report: starting_at,
ending_at, bucket_width=1d, group_by[], limit, page/next_page; amounts as decimal strings in cents)."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest

from apps.connectors.pull import Access, PullError, fetch_costs
from apps.connectors.sources import get_source

from .pull_fake_vendor import ANTHROPIC_KEY, OPENAI_KEY, FakeVendorServer

D1, D2, D3 = date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)


def openai_cost(value, currency, line_item, project):
    return {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": currency},
        "line_item": line_item,
        "project_id": project,
    }


def anthropic_cost(cents, description, workspace):
    return {
        "currency": "USD",
        "amount": cents,
        "workspace_id": workspace,
        "description": description,
        "cost_type": "tokens",
        "context_window": "0-200k",
        "model": "claude-sonnet-4-20250514",
        "service_tier": "standard",
        "token_type": "output_tokens",
        "inference_geo": None,
    }


@pytest.fixture
def vendor():
    with FakeVendorServer() as fake:
        fake.openai_cost_days = {
            D1: [
                openai_cost(0.06, "usd", "gpt-4o-2024-08-06, input", "proj_a"),
                openai_cost("1.255", "usd", "gpt-4o-2024-08-06, output", "proj_a"),
            ],
            D3: [openai_cost(2.5, "usd", None, None)],
        }
        fake.anthropic_cost_days = {
            D1: [anthropic_cost("123.45", "Claude Sonnet 4 Usage - Output Tokens", "wrkspc_1")],
            D2: [anthropic_cost("80", "Claude Sonnet 4 Usage - Output Tokens", None)],
        }
        yield fake


def parse(document):
    return get_source(document.source_key).parse(io.BytesIO(document.content), document.filename)


def test_openai_costs_pull_follows_pages_and_sends_the_documented_query(vendor):
    [document] = fetch_costs("openai", Access(OPENAI_KEY, vendor.base_url), D1, D3)
    seen = vendor.requests_to("/organization/costs")
    assert len(seen) == 3  # one bucket a page, three days
    first = seen[0]
    assert first.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert first.query["start_time"] == ["1740787200"] and first.query["end_time"] == ["1741046400"]
    assert first.query["bucket_width"] == ["1d"] and first.query["limit"] == ["3"]
    assert first.query["group_by"] == ["line_item", "project_id"]
    assert [s.query.get("page") for s in seen] == [None, ["cur_1"], ["cur_2"]]
    assert document.source_key == "openai_costs"
    assert len(json.loads(document.content)) == 3
    frame = parse(document)
    # By hand: 0.06 + 1.255 + 2.5 = 3.815 USD; gpt-4o's input and output lines of D1 are one record.
    assert round(float(frame["cost"].sum()), 10) == 3.815 and len(frame) == 2
    assert sorted(frame["model"]) == ["", "gpt-4o-2024-08-06"]
    assert set(frame["currency"]) == {"USD"} and set(frame["usage_kind"]) == {"billed_cost"}


def test_anthropic_cost_report_pull_follows_pages_and_sends_the_documented_query(vendor):
    [document] = fetch_costs("anthropic", Access(ANTHROPIC_KEY, vendor.base_url), D1, D3)
    seen = vendor.requests_to("/organizations/cost_report")
    assert len(seen) == 3
    first = seen[0]
    assert first.headers["x-api-key"] == ANTHROPIC_KEY and first.headers["anthropic-version"] == "2023-06-01"
    assert first.query["starting_at"] == ["2025-03-01T00:00:00Z"] and first.query["ending_at"] == [
        "2025-03-04T00:00:00Z"
    ]
    assert first.query["group_by[]"] == ["workspace_id", "description"] and first.query["bucket_width"] == ["1d"]
    assert [s.query.get("page") for s in seen] == [None, ["cur_1"], ["cur_2"]]
    assert document.source_key == "anthropic_cost_report"
    frame = parse(document)
    # By hand: (123.45 + 80) cents = 2.0345 USD.
    assert round(float(frame["cost"].sum()), 10) == 2.0345 and set(frame["currency"]) == {"USD"}


def test_a_period_without_a_bill_gives_no_document_and_a_bad_key_is_refused(vendor):
    assert fetch_costs("openai", Access(OPENAI_KEY, vendor.base_url), date(2025, 6, 1), date(2025, 6, 2)) == []
    assert fetch_costs("anthropic", Access(ANTHROPIC_KEY, vendor.base_url), date(2025, 6, 1), date(2025, 6, 2)) == []
    with pytest.raises(PullError) as info:
        fetch_costs("openai", Access("sk-wrong", vendor.base_url), D1, D3)
    assert "sk-wrong" not in str(info.value)
    with pytest.raises(PullError, match="no cost endpoint"):
        fetch_costs("github", Access("x", vendor.base_url), D1, D3)


@pytest.mark.django_db
def test_a_pull_loads_the_bill_with_the_usage_and_a_failed_bill_is_reported(org_a, vendor, monkeypatch):
    from apps.connectors.pull import _http
    from apps.connectors.pull.service import add_credential, pull
    from apps.footprint.models import UsageRecord

    from .pull_fake_vendor import openai_sample

    monkeypatch.setattr(_http, "_sleep", lambda seconds: None)
    org = org_a["org"]
    vendor.openai_days = openai_sample(D1, D2)
    cred = add_credential(org, vendor="openai", label="main", secret=OPENAI_KEY, base_url=vendor.base_url)
    runs = pull(cred, days=3, today=D3)
    assert [r.source_key for r in runs] == ["openai_usage", "openai_costs"]
    assert all(r.status == "succeeded" for r in runs) and cred.last_error == ""
    bill = UsageRecord.objects.for_org(org).filter(usage_kind="billed_cost")
    # D1: gpt-4o's input 0.06 + output 1.255 = 1.315 USD in one record; D3: 2.5 USD not grouped.
    assert sorted(bill.values_list("cost", flat=True)) == [Decimal("1.315"), Decimal("2.5")]
    # The cost endpoint refusing leaves the usage loaded and says so on the credential.
    vendor.openai_cost_days = {}
    vendor.forced = []
    monkeypatch.setattr("apps.connectors.pull.openai_costs.PATH", "/v1/organization/costs-gone")
    runs = pull(cred, days=3, today=D3)
    assert [r.source_key for r in runs] == ["openai_usage"]
    assert "the bill could not be read" in cred.last_error
