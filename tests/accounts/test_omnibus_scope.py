"""The Omnibus I scope on the organisation page (Directive (EU) 2026/470: > 1,000 employees AND > EUR 450 m)."""

from decimal import Decimal

from apps.accounts.omnibus import omnibus_scope
from apps.accounts.services import update_organisation


def test_both_thresholds_must_be_exceeded():
    assert omnibus_scope(1001, Decimal("450000000.01")).in_scope is True
    assert omnibus_scope(1001, Decimal("450000000.01")).first_financial_year == 2027
    assert omnibus_scope(1000, Decimal("900000000")).in_scope is False  # "more than 1,000": 1,000 is not
    assert omnibus_scope(5000, Decimal("450000000")).in_scope is False  # EUR 450 m exactly is not "over"
    assert "VSME" in omnibus_scope(200, Decimal("10000000")).reason
    assert omnibus_scope(None, Decimal("1")).in_scope is None


def test_a_wave_one_reporter_already_reports_from_2024():
    assert omnibus_scope(2000, Decimal("600000000"), wave_one=True).first_financial_year == 2024


def test_the_organisation_page_says_whether_and_from_when(org_a, client_for):
    org, admin = org_a["org"], org_a["users"]["admin"]
    update_organisation(organisation=org, user=admin, employees=1200, net_turnover_eur=Decimal("500000000"))
    page = client_for(admin).get(f"/o/{org.slug}/organisation/").content.decode()
    assert "In scope" in page and "reporting from FY2027" in page and "2026/470" in page
