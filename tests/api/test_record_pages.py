"""The records API pages by keyset: every record exactly once and in order under each filter, a fixed number of
queries at any depth, no COUNT, no OFFSET, no factor-set content read, other organisations' records never
listed, and a cursor it did not give answered 404 (no such page), never a 500."""

import base64
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.api.pagination import RecordCursorPagination
from apps.footprint.models import FactorSetVersion, UsageRecord
from tests.footprint.seeded_records import expected_ids, filter_cases, seed

pytestmark = pytest.mark.django_db
URL = "/api/v1/o/org-a/records/"
YEAR = {"start": "2025-01-01", "end": "2025-12-31"}
PAGE = 7  # the seeded set is several pages of 7 under most filters, with several records a day


@pytest.fixture
def seeded(org_a, org_b, monkeypatch):
    monkeypatch.setattr(RecordCursorPagination, "page_size", PAGE)
    seed(org_a, org_b)
    return org_a


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def walk(client, params, direction="next", url=URL):
    """Follow `direction` links from `url` to the end; the pages' ids, in the order read."""
    pages, link = [], client.get(url, params)
    while True:
        assert link.status_code == 200, link.content
        body = link.json()
        assert len(body["results"]) <= PAGE
        pages.append([row["id"] for row in body["results"]])
        if not body[direction]:
            return pages, body
        link = client.get(body[direction])


def test_paging_forward_and_back_lists_every_record_once_in_order(seeded, org_b):
    client = client_of(seeded["users"][Role.AUDITOR])
    walked_several = 0
    for params, wanted in filter_cases(seeded):
        expected = expected_ids(seeded["org"], **{"start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31), **wanted})
        assert expected, params  # every case selects something
        pages, last = walk(client, {**YEAR, **params})
        listed = [pk for page in pages for pk in page]
        assert listed == expected, params
        assert all(len(page) == PAGE for page in pages[:-1]), params
        walked_several += len(pages) > 2
        if len(pages) > 1:  # back from the last page by `previous`: the same pages, newest last
            back, first = walk(client, None, "previous", url=last["previous"])
            assert [pages[-1], *back] == pages[::-1], params
            assert first["previous"] is None
    assert walked_several >= 4  # the cases are not all single pages
    foreign = set(UsageRecord.objects.filter(organisation=org_b["org"]).values_list("id", flat=True))
    assert foreign and not foreign & set(expected_ids(seeded["org"]))


def test_a_row_names_its_factor_set_by_label_and_hash(seeded):
    body = client_of(seeded["users"][Role.AUDITOR]).get(URL, YEAR).json()
    row = body["results"][0]
    record = UsageRecord.objects.get(pk=row["id"])
    version = FactorSetVersion.objects.get(pk=record.factor_set_id)
    assert row["factor_set"] == f"{version.name}@{version.version}"
    assert row["factor_set_sha256"] == version.content_sha256 and len(row["factor_set_sha256"]) == 64
    assert row["source_sha256"] == record.run.source_file.sha256
    assert set(body) == {"next", "previous", "results"} and body["previous"] is None


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_page_costs_the_same_queries_at_any_depth_and_reads_no_content(seeded, django_assert_num_queries):
    client = client_of(seeded["users"][Role.AUDITOR])
    first, first_sql = _queries(client, URL, YEAR)
    deep = first
    for _ in range(4):
        deep = client.get(deep.json()["next"])
    deep_url = deep.json()["next"]
    with django_assert_num_queries(len(first_sql)):
        _, deep_sql = _queries(client, deep_url)
    assert len(first_sql) == 2  # the membership (with its organisation) and the page: dates given, no default looked up
    for sql in first_sql + deep_sql:
        assert '"footprint_factorsetversion"."content"' not in sql  # (its "content_sha256" is read)
        assert "COUNT(" not in sql.upper() and "OFFSET" not in sql.upper()
    page_sql = [sql for sql in first_sql + deep_sql if "footprint_usagerecord" in sql]
    assert len(page_sql) == 2 and all(f"LIMIT {PAGE + 1}" in sql for sql in page_sql)


def test_other_organisations_records_never_appear(seeded, org_b):
    own = set(UsageRecord.objects.filter(organisation=seeded["org"]).values_list("id", flat=True))
    theirs = client_of(org_b["users"][Role.ADMIN])
    assert theirs.get(URL, YEAR).status_code == 404
    # org-b's own cursor, taken to org-a's list, is only a position: it lists org-a's records after it
    foreign_next = theirs.get("/api/v1/o/org-b/records/", YEAR).json()["next"]
    cursor = parse_qs(urlsplit(foreign_next).query)["cursor"][0]
    listed = client_of(seeded["users"][Role.AUDITOR]).get(URL, {**YEAR, "cursor": cursor}).json()["results"]
    assert listed and {row["id"] for row in listed} <= own


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "\x00",
        "!!!!",
        _b64("n|2025-13-01|" + "a" * 64),  # no such date
        _b64("x|2025-02-01|" + "a" * 64),  # no such direction
        _b64("n|2025-02-01|" + "g" * 64),  # not a key hash
        _b64("n|2025-02-01|' OR 1=1 --"),
        _b64("n|2025-02-01|" + "a" * 64 + "|1"),
        _b64("n|20250201|" + "a" * 64),
        base64.urlsafe_b64encode("n|2025-02-01|é".encode()).decode(),
    ],
)
def test_a_cursor_the_list_did_not_give_is_no_page_of_it(seeded, cursor):
    response = client_of(seeded["users"][Role.AUDITOR]).get(URL, {**YEAR, "cursor": cursor})
    assert response.status_code == 404
    assert "cursor" in response.json()["detail"]


def test_from_day_opens_the_page_starting_at_that_day_and_its_links_carry_cursors(seeded):
    client = client_of(seeded["users"][Role.AUDITOR])
    days = dict(UsageRecord.objects.filter(organisation=seeded["org"]).values_list("id", "day"))
    expected = expected_ids(seeded["org"], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    body = client.get(URL, {**YEAR, "from_day": "2025-02-01"}).json()
    assert [row["id"] for row in body["results"]] == [pk for pk in expected if days[pk] <= dt.date(2025, 2, 1)][:PAGE]
    assert "from_day" not in body["next"] and "from_day" not in body["previous"]
    newer = client.get(body["previous"]).json()["results"]
    assert [row["id"] for row in newer] == [pk for pk in expected if days[pk] > dt.date(2025, 2, 1)][-PAGE:]
    bad = client.get(URL, {**YEAR, "from_day": "2025-2-1"})
    assert bad.status_code == 400 and "from_day" in bad.json()["detail"]
