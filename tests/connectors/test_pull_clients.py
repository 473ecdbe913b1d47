"""The vendor API clients against a fake vendor on 127.0.0.1: pagination, headers and query
parameters, documents the parsers read with hand-checked totals, refusals and bounded retries."""

import io
import json
import random
from datetime import date

import pytest

from apps.connectors.pull import Access, PartialPull, PullError, _http, fetch
from apps.connectors.sources import get_source

from .helpers import totals
from .pull_fake_vendor import (
    ANTHROPIC_KEY,
    GITHUB_ORG,
    GITHUB_TOKEN,
    OPENAI_KEY,
    FakeVendorServer,
    anthropic_sample,
    metrics_sample,
    openai_sample,
    seats_sample,
)
from .test_github_copilot_usage_reports import user_record

D1, D2, D3 = date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)


@pytest.fixture
def waits(monkeypatch):
    """Record the waits between attempts instead of sleeping."""
    recorded = []
    monkeypatch.setattr(_http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def vendor():
    with FakeVendorServer() as fake:
        fake.openai_days = openai_sample(D1, D2)
        fake.anthropic_days = anthropic_sample(D1, D2)
        fake.seats = seats_sample()
        fake.metrics_days = metrics_sample(D1, D2, D3)
        yield fake


def parse(document):
    return get_source(document.source_key).parse(io.BytesIO(document.content), document.filename)


def test_openai_pull_follows_pages_and_sends_the_documented_query(vendor):
    [document] = fetch("openai", Access(OPENAI_KEY, vendor.base_url), D1, D3)
    seen = vendor.requests_to("/usage/completions")
    assert len(seen) == 3  # one bucket per page, three days
    first = seen[0]
    assert first.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert first.query["start_time"] == ["1740787200"]  # 2025-03-01T00:00:00Z
    assert first.query["end_time"] == ["1741046400"]  # 2025-03-04T00:00:00Z, exclusive
    assert first.query["bucket_width"] == ["1d"]
    assert first.query["group_by"] == ["model", "project_id", "user_id", "api_key_id"]
    assert "page" not in first.query
    assert [s.query["page"] for s in seen[1:]] == [["cur_1"], ["cur_2"]]
    assert document.source_key == "openai_usage"
    pages = json.loads(document.content)
    assert isinstance(pages, list) and len(pages) == 3 and pages[-1]["has_more"] is False
    # Hand sums: uncached input (1000-200)+(5000-0)+(2000-500) = 7300; cached 200+0+500 = 700;
    # output 300+1200+700 = 2200; requests 10+40+20 = 70.
    sums = totals(parse(document))
    assert (sums["input_tokens"], sums["cached_input_tokens"], sums["output_tokens"], sums["requests"]) == (
        7300,
        700,
        2200,
        70,
    )


def test_anthropic_pull_follows_pages_and_sends_the_documented_query(vendor):
    [document] = fetch("anthropic", Access(ANTHROPIC_KEY, vendor.base_url), D1, D3)
    seen = vendor.requests_to("/usage_report/messages")
    assert len(seen) == 3
    first = seen[0]
    assert first.headers["x-api-key"] == ANTHROPIC_KEY and first.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in first.headers
    assert first.query["starting_at"] == ["2025-03-01T00:00:00Z"]
    assert first.query["ending_at"] == ["2025-03-04T00:00:00Z"]
    assert first.query["group_by[]"] == ["model", "workspace_id", "api_key_id"]
    assert first.query["bucket_width"] == ["1d"]
    assert [s.query.get("page") for s in seen] == [None, ["cur_1"], ["cur_2"]]
    assert document.source_key == "anthropic_usage"
    # Hand sums: input = uncached + cache writes = (3000+100+400) + 1000 + (2000+0+250) = 6750;
    # cache reads 1500+0+750 = 2250; output 800+200+500 = 1500.
    sums = totals(parse(document))
    assert (sums["input_tokens"], sums["cached_input_tokens"], sums["output_tokens"]) == (6750, 2250, 1500)


def test_github_pull_follows_link_headers_for_seats_and_metrics(vendor):
    documents = fetch("github", Access(GITHUB_TOKEN, vendor.base_url, GITHUB_ORG), D1, D3)
    assert [d.source_key for d in documents] == ["github_copilot_seats", "github_copilot_metrics"]
    seats_seen, metrics_seen = vendor.requests_to("/billing/seats"), vendor.requests_to("/copilot/metrics")
    assert len(seats_seen) == 2 and len(metrics_seen) == 2  # 3 seats and 3 days, 2 per page
    for seen in seats_seen + metrics_seen:
        assert seen.headers["authorization"] == f"Bearer {GITHUB_TOKEN}"
        assert seen.headers["accept"] == "application/vnd.github+json"
        assert seen.headers["x-github-api-version"] == "2022-11-28"
    assert [s.query["page"] for s in seats_seen] == [["1"], ["2"]]
    assert metrics_seen[0].query["since"] == ["2025-03-01T00:00:00Z"]
    assert metrics_seen[0].query["until"] == ["2025-03-03T23:59:59Z"]
    assert metrics_seen[1].query["since"] == ["2025-03-01T00:00:00Z"]  # the Link keeps the query
    seat_pages = json.loads(documents[0].content)
    assert [len(p["seats"]) for p in seat_pages] == [2, 1] and seat_pages[0]["total_seats"] == 3
    seats = parse(documents[0])
    assert sorted(seats["person"]) == ["alice", "bob", "carol"] and seats["active_user_days"].sum() == 0
    # Hand sums: active users 12+10+9 = 31; requests = (100+50+20+5+2) + (80+10) + (60+40) = 367.
    metrics = totals(parse(documents[1]))
    assert (metrics["active_user_days"], metrics["requests"]) == (31, 367)


def test_github_pull_downloads_the_usage_metrics_reports_without_the_token(vendor):
    # https://docs.github.com/en/copilot/reference/copilot-usage-metrics/team-level-metrics (the reports
    # endpoints, the download_links answer, NDJSON files); records as in .../copilot-usage-metrics/example-schema
    rng = random.Random(11)
    expected_requests, expected_days, files = 0, 0, {}
    for day, parts in ((D1, 2), (D2, 1), (D3, 0)):
        files[day] = []
        for part in range(parts):
            lines = []
            for n in range(4):
                record, requests = user_record(rng, f"dev-{part}{n}", day)
                lines.append(json.dumps(record))
                expected_requests += requests
                expected_days += requests > 0 or record["code_acceptance_activity_count"] > 0
            files[day].append(("\n".join(lines)).encode())  # the last line without its newline
    vendor.report_users = files
    teams = [{"user_login": "dev-00", "day": str(D1), "team_id": 7, "slug": "platform"}]
    vendor.report_teams = {D1: [json.dumps(teams[0]).encode() + b"\n"]}
    documents = fetch("github", Access(GITHUB_TOKEN, vendor.base_url, GITHUB_ORG), D1, D3)
    assert [d.source_key for d in documents] == ["github_copilot_seats", "github_copilot_usage_reports"]
    asked = vendor.requests_to("/users-1-day") + vendor.requests_to("/user-teams-1-day")
    assert sorted(s.query["day"][0] for s in asked) == sorted([str(D1), str(D2), str(D3)] * 2)
    assert all(s.headers["authorization"] == f"Bearer {GITHUB_TOKEN}" for s in asked)
    downloads = [s for s in vendor.seen if s.path.startswith("/downloads/")]
    assert len(downloads) == 4 and all("authorization" not in s.headers for s in downloads)
    assert all(s.headers["host"].startswith("localhost:") for s in downloads)
    assert vendor.requests_to("/copilot/metrics") == []  # the closed-down endpoint is not asked
    frame = parse(documents[1])
    assert (totals(frame)["requests"], totals(frame)["active_user_days"]) == (expected_requests, expected_days)
    teams_of = {(d.date(), p): t for d, p, t in frame[["day", "person", "team"]].itertuples(index=False)}
    assert teams_of[(D1, "dev-00")] == "platform" and teams_of[(D2, "dev-00")] == ""  # the team that day only


def test_a_day_without_its_report_yet_is_left_out_and_the_others_are_read(vendor):
    record, requests = user_record(random.Random(2), "dev-1", D1)
    vendor.report_users = {D1: [json.dumps(record).encode()]}  # D2 and D3: 404, not processed yet
    documents = fetch("github", Access(GITHUB_TOKEN, vendor.base_url, GITHUB_ORG), D1, D3)
    assert [d.source_key for d in documents] == ["github_copilot_seats", "github_copilot_usage_reports"]
    assert len(vendor.requests_to("/users-1-day")) == 3 and vendor.requests_to("/copilot/metrics") == []
    assert totals(parse(documents[1]))["requests"] == requests


def test_a_refused_report_download_is_a_clear_error_without_the_signature(vendor):
    vendor.report_users = {D1: [b"{}"]}
    vendor.forced = [(200, {}, {"total_seats": 0, "seats": []}), (200, {}, {"download_links": ["ftp://x/y"]})]
    with pytest.raises(PullError, match="a download link is not an https/http URL"):
        fetch("github", Access(GITHUB_TOKEN, vendor.base_url, GITHUB_ORG), D1, D1)


def test_a_period_without_usage_gives_no_document(vendor):
    assert fetch("openai", Access(OPENAI_KEY, vendor.base_url), date(2025, 6, 1), date(2025, 6, 3)) == []
    assert fetch("anthropic", Access(ANTHROPIC_KEY, vendor.base_url), date(2025, 6, 1), date(2025, 6, 3)) == []


@pytest.mark.parametrize(
    ("vendor_key", "access", "message"),
    [
        ("openai", Access("sk-wrong-key-0000", ""), "credential refused by OpenAI (HTTP 401)"),
        ("anthropic", Access("sk-ant-wrong-key", ""), "credential refused by Anthropic (HTTP 401)"),
        ("github", Access("ghp_wrong", "", GITHUB_ORG), "credential refused by GitHub (HTTP 401)"),
    ],
)
def test_a_refused_credential_says_so_without_the_secret(vendor, waits, vendor_key, access, message):
    access = Access(access.secret, vendor.base_url, access.github_org)
    with pytest.raises(PullError) as info:
        fetch(vendor_key, access, D1, D3)
    assert message in str(info.value)
    assert access.secret not in str(info.value) and access.secret not in repr(access)
    assert len(vendor.seen) == 1 and waits == []  # a refusal is not retried


def test_an_echoed_secret_is_scrubbed_from_the_message(vendor):
    vendor.forced = [(401, {}, {"error": {"message": f"Incorrect API key provided: {OPENAI_KEY}"}})]
    with pytest.raises(PullError) as info:
        fetch("openai", Access(OPENAI_KEY, vendor.base_url), D1, D3)
    assert OPENAI_KEY not in str(info.value) and "Incorrect API key provided: ***" in str(info.value)


def test_429_is_retried_after_the_time_retry_after_asks(vendor, waits):
    vendor.forced = [
        (429, {"Retry-After": "2"}, {"error": {"message": "Rate limit reached"}}),
        (503, {}, {"error": {"message": "overloaded"}}),
    ]
    [document] = fetch("openai", Access(OPENAI_KEY, vendor.base_url), D1, D3)
    assert waits == [2.0, 4.0]  # Retry-After honoured; then backoff 2 s x 2 on the second attempt
    assert len(vendor.requests_to("/usage/completions")) == 2 + 3
    assert totals(parse(document))["output_tokens"] == 2200


def test_429_for_ever_gives_up_after_a_bounded_number_of_attempts(vendor, waits):
    vendor.forced = [(429, {"Retry-After": "1"}, {"error": {"message": "Rate limit reached"}})] * 10
    with pytest.raises(PullError) as info:
        fetch("anthropic", Access(ANTHROPIC_KEY, vendor.base_url), D1, D3)
    assert "still answered HTTP 429" in str(info.value) and f"{_http.MAX_ATTEMPTS} attempts" in str(info.value)
    assert len(vendor.seen) == _http.MAX_ATTEMPTS and waits == [1.0] * (_http.MAX_ATTEMPTS - 1)


def test_a_retry_after_longer_than_the_bound_fails_at_once(vendor, waits):
    vendor.forced = [(429, {"Retry-After": "3600"}, {})]
    with pytest.raises(PullError, match="asked to wait 3600 s"):
        fetch("openai", Access(OPENAI_KEY, vendor.base_url), D1, D3)
    assert waits == [] and len(vendor.seen) == 1


def test_github_rate_limit_headers_are_honoured(vendor, waits):
    vendor.forced = [
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"}, {"message": "API rate limit exceeded"})
    ]
    documents = fetch("github", Access(GITHUB_TOKEN, vendor.base_url, GITHUB_ORG), D1, D3)
    assert len(documents) == 2 and waits == [0.0]


def test_a_next_link_to_another_host_is_not_followed(vendor):
    vendor.forced = [
        (
            200,
            {"Link": '<https://elsewhere.invalid/orgs/acme/copilot/billing/seats?page=2>; rel="next"'},
            {"total_seats": 2, "seats": seats_sample()[:1]},
        )
    ]
    with pytest.raises(PullError, match="refusing to follow a link to another host"):
        fetch("github", Access(GITHUB_TOKEN, vendor.base_url, GITHUB_ORG), D1, D3)
    assert len(vendor.seen) == 1


def test_an_unknown_github_org_is_a_clear_404(vendor):
    with pytest.raises(PullError, match="check the organisation name 'nobody'"):
        fetch("github", Access(GITHUB_TOKEN, vendor.base_url, "nobody"), D1, D3)


def test_an_unreachable_server_is_a_clear_error(waits):
    with FakeVendorServer() as fake:
        base_url = fake.base_url
    # The server is closed: connections to its port are refused.
    with pytest.raises(PullError, match=r"could not reach OpenAI at 127\.0\.0\.1"):
        fetch("openai", Access(OPENAI_KEY, base_url), D1, D3)
    assert len(waits) == _http.MAX_ATTEMPTS - 1


def test_github_metrics_gone_still_gives_the_seats(vendor):
    vendor.metrics_days = []
    # No reports API (404 on each of the 3 days), and the old metrics endpoint closed down (404) too.
    gone = (404, {}, {"message": "Not Found"})
    vendor.forced = [(200, {}, {"total_seats": 1, "seats": seats_sample()[:1]}), gone, gone, gone, gone]
    with pytest.raises(PartialPull) as info:
        fetch("github", Access(GITHUB_TOKEN, vendor.base_url, GITHUB_ORG), D1, D3)
    assert "seats pulled, but not the Copilot metrics" in str(info.value)
    assert [d.source_key for d in info.value.documents] == ["github_copilot_seats"]
