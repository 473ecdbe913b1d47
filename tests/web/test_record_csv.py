"""The records page's CSV download: the filtered records, day then id, floats to six significant digits without
an exponent (apps.disclosures.exports.precision), integers and money as stored; more than MAX_RECORDS refused
with a 400 page that says how to narrow them."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.footprint.models import UsageRecord
from tests.footprint.seeded_records import seed

pytestmark = pytest.mark.django_db
URL = reverse("web:records_csv", args=["org-a"])


@pytest.fixture
def seeded(org_a, org_b, client_for):
    seed(org_a, org_b)
    return client_for(org_a["users"][Role.AUDITOR])


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_the_filtered_records_rounded_to_six_significant_digits(seeded, org_a):
    response = seeded.get(URL, {"start": "2025-01-30", "end": "2025-02-02", "provider": "openai"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="records-org-a-2025-01-30-2025-02-02.csv"' in response["Content-Disposition"]
    rows = _rows(response)
    stored = list(
        UsageRecord.objects.filter(
            organisation=org_a["org"], provider="openai", day__range=(dt.date(2025, 1, 30), dt.date(2025, 2, 2))
        ).order_by("day", "pk")
    )
    assert [int(r["id"]) for r in rows] == [record.pk for record in stored] and len(rows) > 10
    for row, record in zip(rows, stored, strict=True):
        assert float(row["energy_kwh"]) == float(f"{record.energy_kwh:.6g}")
        assert float(row["co2e_location_kg"]) == float(f"{record.co2e_location_kg:.6g}")
        assert int(row["requests"]) == record.requests and row["day"] == record.day.isoformat()
        assert "e" not in row["energy_kwh"] + row["adpe_kgsbeq"] + row["water_l"]
    assert {r["provider"] for r in rows} == {"openai"}


def test_more_records_than_the_limit_are_refused_with_a_way_out(seeded, monkeypatch):
    from apps.web import record_csv

    monkeypatch.setattr(record_csv, "MAX_RECORDS", 5)
    response = seeded.get(URL, {"start": "2025-01-01", "end": "2025-12-31", "team": "none"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "More than 5 records match these filters" in html and "evidence pack" in html
    assert 'href="/o/org-a/records/?start=2025-01-01&amp;end=2025-12-31&amp;team=none"' in html


def test_the_records_page_links_the_download_with_its_filters(seeded):
    html = seeded.get(reverse("web:records", args=["org-a"]), {"start": "2025-01-01", "end": "2025-12-31"})
    assert 'href="/o/org-a/records.csv?start=2025-01-01&amp;end=2025-12-31" download' in html.content.decode()
