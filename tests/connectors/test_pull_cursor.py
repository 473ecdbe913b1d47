"""The Cursor Admin API clients (usage events, vendor ``cursor``; daily usage, vendor ``cursor_daily``) against a
fake Cursor API on 127.0.0.1 (no network), and both through the pull service and the Vendor APIs page.

Follows https://cursor.com/docs/account/teams/admin-api: the key as the Basic-auth username with an empty password;
POST /teams/filtered-usage-events and POST /teams/daily-usage-data with JSON bodies {startDate, endDate (epoch ms,
inclusive), page (1-indexed), pageSize}; answers paginated with pagination.hasNextPage; daily usage at most 30 days
a request.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from apps.connectors.models import RunStatus, VendorCredential
from apps.connectors.pull import Access, PullError, _http, fetch
from apps.connectors.pull.service import add_credential, pull
from apps.connectors.sources import get_source
from apps.footprint.models import UsageRecord
from tests.connectors.helpers import totals
from tests.connectors.local_http import JsonHandler, serving

KEY = "key_cursor-admin-test-0123456789abcdef-LMNO"
DAY_MS = 86_400_000
MAR1 = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000)


def event(day: int, hour: int, email: str, tokens: int | None) -> dict:
    """A usage event of 2026-03-(1 + day) at `hour` UTC; tokens None: one priced per request."""
    base = {"timestamp": str(MAR1 + day * DAY_MS + hour * 3_600_000), "model": "claude-4-sonnet", "userEmail": email}
    if tokens is None:
        return {**base, "kind": "Included in Business", "isTokenBasedCall": False, "requestsCosts": 1}
    usage = {"inputTokens": tokens, "outputTokens": tokens // 10, "cacheWriteTokens": 5, "cacheReadTokens": 7}
    return {**base, "kind": "Usage-based", "isTokenBasedCall": True, "tokenUsage": {**usage, "totalCents": 1.5}}


def daily(day: int, email: str, included: int, paid: int, tabs: int, active: bool = True) -> dict:
    moment = MAR1 + day * DAY_MS
    return {
        "userId": sum(map(ord, email)),
        "day": f"{datetime.fromtimestamp(moment / 1000, UTC):%Y-%m-%d}",
        "date": moment,
        "isActive": active,
        "subscriptionIncludedReqs": included,
        "usageBasedReqs": paid,
        "apiKeyReqs": 4 if active else 0,
        "totalTabsShown": tabs,
        "mostUsedModel": "gpt-5" if active else None,
        "email": email,
    }


EVENTS = [event(0, 9, "a@example.com", 100), event(0, 23, "b@example.com", 200), event(1, 1, "a@example.com", None)]
EVENTS += [event(2, 12, "a@example.com", 300), event(5, 8, "a@example.com", 999)]  # the 6th is outside the pull
DAILY = [daily(0, "a@example.com", 10, 1, 50), daily(0, "b@example.com", 0, 0, 0, active=False)]
DAILY += [daily(1, "a@example.com", 20, 0, 30), daily(2, "b@example.com", 5, 2, 0), daily(5, "a@example.com", 9, 9, 9)]
DAILY_PATH = "/teams/daily-usage-data"
PER_PAGE = 2  # the fake answers two items a page, so three days span pages


class Handler(JsonHandler):
    seen: list[tuple[str, dict, dict]] = []
    forced: list[tuple[int, dict, dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        Handler.seen.append((self.path, body, dict(self.headers)))
        if Handler.forced:
            return self.send_json(*Handler.forced.pop(0))
        if self.headers.get("Authorization") != "Basic " + base64.b64encode(f"{KEY}:".encode()).decode():
            return self.send_json(401, {"error": "Unauthorized"})
        first, last, page = body["startDate"], body["endDate"], body["page"]
        if self.path == "/teams/filtered-usage-events":
            items = [e for e in EVENTS if first <= int(e["timestamp"]) <= last]
            key, more = "usageEvents", {"numPages": -(-len(items) // PER_PAGE), "currentPage": page}
        elif self.path == "/teams/daily-usage-data":
            if last - first > 30 * DAY_MS:
                return self.send_json(400, {"error": "Date range cannot exceed 30 days"})
            items = [r for r in DAILY if first <= r["date"] <= last]
            key, more = "data", {"page": page, "totalUsers": 2}
        else:
            return self.send_json(404, {"error": "Not found"})
        chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
        pagination = {**more, "pageSize": body["pageSize"], "hasNextPage": page * PER_PAGE < len(items)}
        return self.send_json(
            200, {key: chunk, "pagination": pagination, "period": {"startDate": first, "endDate": last}}
        )


@pytest.fixture(scope="module")
def base_url():
    with serving(Handler) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    Handler.seen.clear()
    Handler.forced.clear()
    monkeypatch.setattr(_http, "_sleep", lambda seconds: None)


def test_usage_events_are_paged_into_one_cursor_admin_document(base_url):
    [document] = fetch("cursor", Access(secret=KEY, base_url=base_url), date(2026, 3, 1), date(2026, 3, 3))
    assert document.source_key == "cursor_admin" and document.filename.endswith("2026-03-01_2026-03-03.json")
    # Four events fall in 1-3 March, two a page: pages 1 and 2, both bounds inclusive to the last millisecond.
    bodies = [body for _, body, _ in Handler.seen]
    assert [b["page"] for b in bodies] == [1, 2] and {b["pageSize"] for b in bodies} == {1000}
    assert bodies[0]["startDate"] == MAR1 and bodies[0]["endDate"] == MAR1 + 3 * DAY_MS - 1
    assert all(headers["Content-Type"] == "application/json" for _, _, headers in Handler.seen)
    frame = get_source("cursor_admin").parse(io.BytesIO(document.content), document.filename)
    got = totals(frame)
    assert got["requests"] == 3  # the event priced per request is counted out
    assert got["input_tokens"] == (100 + 5) + (200 + 5) + (300 + 5)
    assert got["output_tokens"] == 10 + 20 + 30 and got["cached_input_tokens"] == 3 * 7
    assert frame.attrs["skipped"] == {"priced_per_request": 1}


def test_daily_usage_is_paged_into_one_cursor_daily_usage_document(base_url):
    [document] = fetch("cursor_daily", Access(secret=KEY, base_url=base_url), date(2026, 3, 1), date(2026, 3, 3))
    assert document.source_key == "cursor_daily_usage"
    assert [(path, body["page"]) for path, body, _ in Handler.seen] == [(DAILY_PATH, 1), (DAILY_PATH, 2)]
    frame = get_source("cursor_daily_usage").parse(io.BytesIO(document.content), document.filename)
    got = totals(frame)
    # By hand: a's 1st (10 + 1 + 50) and 2nd (20 + 0 + 30), b's 3rd (5 + 2 + 0); b's inactive 1st counted out.
    assert got["requests"] == 61 + 50 + 7 and got["active_user_days"] == 3
    assert frame.attrs["skipped"] == {"no_activity": 1}


def test_a_long_period_goes_in_windows_of_thirty_days(base_url):
    assert fetch("cursor_daily", Access(secret=KEY, base_url=base_url), date(2026, 1, 1), date(2026, 2, 14)) == []
    windows = [(body["startDate"], body["endDate"]) for _, body, _ in Handler.seen]
    jan1, jan31 = (int(datetime(2026, 1, d, tzinfo=UTC).timestamp() * 1000) for d in (1, 31))
    assert windows == [(jan1, jan31 - 1), (jan31, jan31 + 15 * DAY_MS - 1)]  # 1-30 Jan, 31 Jan-14 Feb


def test_a_refused_key_is_a_pull_error_without_the_key(base_url):
    with pytest.raises(PullError) as refused:
        fetch(
            "cursor", Access(secret="key_wrong-one-0000000000", base_url=base_url), date(2026, 3, 1), date(2026, 3, 1)
        )
    assert "HTTP 401" in str(refused.value) and "check the key" in str(refused.value)
    assert "key_wrong" not in str(refused.value) and refused.value.status == 401


def test_a_rate_limit_is_waited_out_and_retried(base_url):
    Handler.forced.append((429, {"error": "Too Many Requests"}, {"Retry-After": "3"}))
    documents = fetch("cursor_daily", Access(secret=KEY, base_url=base_url), date(2026, 3, 1), date(2026, 3, 3))
    assert len(documents) == 1 and [body["page"] for _, body, _ in Handler.seen] == [1, 1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("vendor", "source", "records"), [("cursor", "cursor_admin", 3), ("cursor_daily", "cursor_daily_usage", 3)]
)
def test_the_pull_service_loads_either_reading_once(base_url, org_a, vendor, source, records):
    org = org_a["org"]
    credential = add_credential(org, vendor=vendor, label="Cursor team", secret=KEY, base_url=base_url)
    [run] = pull(credential, days=3, today=date(2026, 3, 3))
    assert run.status == RunStatus.SUCCEEDED and run.source_key == source and run.records_stored == records
    stored = UsageRecord.objects.for_org(org)
    assert stored.count() == records and credential.last_error == ""
    before = stored.aggregate(Sum("requests"))["requests__sum"]
    [again] = pull(credential, days=3, today=date(2026, 3, 3))
    assert again.duplicate_of_id == run.pk or again.records_stored == 0
    assert stored.count() == records and stored.aggregate(Sum("requests"))["requests__sum"] == before


@pytest.mark.django_db
def test_the_vendor_apis_page_offers_both_cursor_readings(org_a, client_for):
    client = client_for(org_a["users"]["officer"])
    url = reverse("connectors:credentials", args=[org_a["org"].slug])
    html = client.get(url).content.decode()
    assert 'value="cursor"' in html and 'value="cursor_daily"' in html
    client.post(url, {"vendor": "cursor_daily", "label": "Cursor", "secret": KEY})
    stored = VendorCredential.objects.for_org(org_a["org"]).get()
    assert stored.vendor == "cursor_daily" and stored.get_secret() == KEY
    html = client.get(url).content.decode()
    assert "https://api.cursor.com" in html and "Cursor (Admin API daily usage: active days and requests)" in html
    assert "two readings of the same requests" in html
    with translation.override("fr"):
        assert "deux lectures des mêmes requêtes" in gettext(
            "Cursor: an Admin API key. Its usage events (tokens) and its daily usage (active days and requests) are "
            "two readings of the same requests: connect one of them for a team, not both."
        )


def test_an_answer_of_another_shape_is_a_pull_error(base_url):
    Handler.forced.append((200, {"teamMembers": []}, {}))
    with pytest.raises(PullError) as wrong:
        fetch("cursor", Access(secret=KEY, base_url=base_url), date(2026, 3, 1), date(2026, 3, 1))
    assert "unexpected shape (no 'usageEvents' list)" in str(wrong.value)
