"""The records page pages by keyset ("Newer" / "Older", filters kept): every record once and in order, a fixed
number of queries, the year summed only on the first page, no factor-set content, the SHA-256 shortened, and a
cursor it did not give answered with a 404 page that links to the first page."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.footprint.models import UsageRecord
from tests.footprint.seeded_records import expected_ids, filter_cases, seed

pytestmark = pytest.mark.django_db
YEAR = {"start": "2025-01-01", "end": "2025-12-31"}
PAGE = 7
URL = reverse("web:records", args=["org-a"])
CONTENT = '"footprint_factorsetversion"."content"'  # the column; its "content_sha256" is read


@pytest.fixture
def seeded(org_a, org_b, monkeypatch, client_for):
    from apps.web import views

    monkeypatch.setattr(views, "RECORDS_PER_PAGE", PAGE)
    seed(org_a, org_b)
    return client_for(org_a["users"][Role.AUDITOR])


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _get(client, query: str):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return response, response.content.decode()


def test_older_and_newer_links_list_every_record_once_in_order_with_the_filters_kept(seeded, org_a):
    for params, wanted in filter_cases(org_a):
        query = "&".join(f"{k}={v}" for k, v in {**YEAR, **params}.items())
        expected = expected_ids(org_a["org"], **{"start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31), **wanted})
        pages, link = [], query
        while link:
            response, html = _get(seeded, link)
            pages.append([row.pk for row in response.context["page"].rows])
            link = _link(html, "next")
            if link:  # the filters ride along with the cursor
                assert all(f"{k}={v}" in link for k, v in {**YEAR, **params}.items()), link
        assert [pk for page in pages for pk in page] == expected, params
        assert all(len(page) == PAGE for page in pages[:-1])
        back, link = [], _link(html, "prev")
        while link:
            response, html = _get(seeded, link)
            back.append([row.pk for row in response.context["page"].rows])
            link = _link(html, "prev")
        assert [pages[-1], *back] == pages[::-1], params
        assert ('rel="next"' in html) == (len(pages) > 1)


def _captured(client, query):
    with CaptureQueriesContext(connection) as captured:
        response, html = _get(client, query)
    return response, html, [q["sql"] for q in captured.captured_queries]


def test_a_page_reads_only_its_rows_and_the_first_page_also_the_totals(seeded, org_a, django_assert_num_queries):
    query = "&".join(f"{k}={v}" for k, v in YEAR.items())
    first, html, first_sql = _captured(seeded, query)
    deep_link = _link(html, "next")
    for _ in range(3):
        deep_link = _link(_get(seeded, deep_link)[1], "next")
    deep, deep_html, deep_sql = _captured(seeded, deep_link)
    with django_assert_num_queries(len(deep_sql)):
        _get(seeded, _link(deep_html, "next"))
    record_sql = [sql for sql in deep_sql if "footprint_usagerecord" in sql]
    assert len(record_sql) == 1 and f"LIMIT {PAGE + 1}" in record_sql[0]  # the page's rows, nothing else
    for sql in deep_sql:  # (the filter form counts the ingestion runs, for its cache key: not the records)
        assert CONTENT not in sql and "OFFSET" not in sql.upper()
        assert "COUNT(" not in sql.upper() or "footprint_usagerecord" not in sql
    # The first page, where a figure's link arrives, sums the filtered year once (records, kWh, CO2e, cost).
    assert "totals" in first.context and "totals" not in deep.context and "first page" in deep_html
    total = UsageRecord.objects.filter(organisation=org_a["org"]).count()
    assert first.context["totals"]["records"] == total
    # Over the records, besides the filter form's sources and providers (cached from then on): the page's rows,
    # and sums (the totals, the cost), never a row-by-row read.
    first_record_sql = [sql for sql in first_sql if "footprint_usagerecord" in sql and "SELECT DISTINCT" not in sql]
    rows_sql = [sql for sql in first_record_sql if "SUM(" not in sql.upper()]
    assert len(rows_sql) == 1 and f"LIMIT {PAGE + 1}" in rows_sql[0]
    for sql in first_sql:
        assert CONTENT not in sql and "OFFSET" not in sql.upper()
        assert "COUNT(*)" not in sql.upper() or "ledger_cache" in sql  # no paginator count (the cache's cull aside)


def test_a_row_shows_its_file_sha256_shortened_with_the_full_value_in_the_title(seeded, org_a):
    response, html = _get(seeded, "start=2025-01-01&end=2025-12-31&source=litellm_spend_logs")
    row = response.context["page"].rows[0]
    sha = row.run.source_file.sha256
    assert f'<code class="sha" title="{sha}">{sha[:12]}…</code>' in html
    assert f">{sha}<" not in html


@pytest.mark.parametrize("cursor", ["abc", "%00", "bnwyMDI1LTEzLTAxfGFh"])
def test_a_cursor_the_page_did_not_give_is_a_404_page(seeded, cursor):
    response = seeded.get(f"{URL}?start=2025-01-01&end=2025-12-31&cursor={cursor}")
    assert response.status_code == 404
    html = response.content.decode()
    assert "The page cursor is not valid" in html and 'href="?start=2025-01-01&amp;end=2025-12-31"' in html


def test_other_organisations_records_never_appear(seeded, org_a, org_b):
    own = set(UsageRecord.objects.filter(organisation=org_a["org"]).values_list("id", flat=True))
    link, listed = "start=2025-01-01&end=2025-12-31", []
    while link:
        response, html = _get(seeded, link)
        listed += [row.pk for row in response.context["page"].rows]
        link = _link(html, "next")
    assert set(listed) == own and len(listed) == len(own)
    assert UsageRecord.objects.filter(organisation=org_b["org"]).exists()


def _days(org) -> dict[int, dt.date]:
    return dict(UsageRecord.objects.filter(organisation=org).values_list("id", "day"))


def test_oldest_opens_the_last_page_and_newer_links_lead_back_to_the_newest(seeded, org_a):
    query = "start=2025-01-01&end=2025-12-31&provider=openai"
    expected = expected_ids(org_a["org"], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), provider="openai")
    assert len(expected) > 3 * PAGE
    html = _get(seeded, query)[1]
    assert 'rel="first"' not in html and 'rel="prev"' not in html
    response, html = _get(seeded, _link(html, "last"))
    assert [row.pk for row in response.context["page"].rows] == expected[-PAGE:]  # the oldest, newest first
    assert 'rel="next"' not in html and 'rel="last"' not in html and "provider=openai" in _link(html, "prev")
    back = [row.pk for row in response.context["page"].rows]
    while (link := _link(html, "prev")) is not None:
        response, html = _get(seeded, link)
        back = [row.pk for row in response.context["page"].rows] + back
    assert back == expected


def test_a_day_picked_opens_the_page_starting_at_that_day_with_the_filters_kept(seeded, org_a):
    days = _days(org_a["org"])
    expected = expected_ids(org_a["org"], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), team="none")
    html = _get(seeded, "start=2025-01-01&end=2025-12-31&team=none")[1]
    # The picker is an ISO date input inside the range, the filters ride along as hidden fields.
    assert re.search(
        r'<input type="date" id="records-from-day" name="from_day" value="" min="2025-01-01" '
        r'max="2025-12-31" required>',
        html,
    )
    assert '<input type="hidden" name="team" value="none">' in html
    day = dt.date(2025, 1, 31)
    wanted = [pk for pk in expected if days[pk] <= day]
    response, html = _get(seeded, "start=2025-01-01&end=2025-12-31&team=none&from_day=2025-01-31")
    rows = [row.pk for row in response.context["page"].rows]
    assert rows == wanted[:PAGE] and days[rows[0]] == day
    assert 'value="2025-01-31"' in html and "totals" not in response.context
    newer = _get(seeded, _link(html, "prev"))[0].context["page"].rows  # the records after that day, oldest last
    assert [row.pk for row in newer] == [pk for pk in expected if days[pk] > day][-PAGE:]
    older = _get(seeded, _link(html, "next"))[0].context["page"].rows
    assert [row.pk for row in older] == wanted[PAGE : 2 * PAGE]
    # The newest day: nothing newer, so no Newer link.
    newest = max(days[pk] for pk in expected).isoformat()
    html = _get(seeded, f"start=2025-01-01&end=2025-12-31&team=none&from_day={newest}")[1]
    assert 'rel="prev"' not in html


def test_a_day_that_is_not_a_date_is_a_400_page_naming_the_parameter(seeded):
    response = seeded.get(f"{URL}?start=2025-01-01&end=2025-12-31&from_day=31/01/2025")
    assert response.status_code == 400
    assert "from_day must be a day as YYYY-MM-DD" in response.content.decode()


def test_a_row_has_a_copy_button_holding_the_full_sha256(seeded, org_a):
    response, html = _get(seeded, "start=2025-01-01&end=2025-12-31&source=litellm_spend_logs")
    sha = response.context["page"].rows[0].run.source_file.sha256
    assert f'<button type="button" class="copy" data-copy="{sha}"' in html and "js/copy-text.js" in html
