"""Four eyes at sign-off, the LEI on the organisation, the to_verify rule and the `period` command (issue 17)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import AuditEvent
from apps.accounts.services import AccountsError, update_organisation
from apps.disclosures import services
from apps.disclosures.exports.ixbrl import render_ixbrl
from apps.disclosures.models import PeriodStatus, ReportingPeriod

from .test_e1_figures import seeded  # noqa: F401 (fixture: records on the DEU and FRA residual mixes, to_verify)

LEI = "5299000J2N45DDNE4Y28"  # syntactically valid: its ISO 7064 check digits hold


@pytest.fixture
def four_eyes(org_a):
    org = org_a["org"]
    org.single_signer_allowed = False  # the default of a new organisation
    org.save()
    period = services.create_period(org, None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    members = {m.role: m for m in org.memberships.select_related("user", "organisation")}
    return org, period, members


def test_the_submitter_cannot_sign_off_and_another_signer_can(four_eyes):
    _org, period, m = four_eyes
    services.submit_for_review(period, m["officer"])
    with pytest.raises(services.DisclosureError, match="Four eyes"):
        services.sign_off(period, m["officer"])
    with pytest.raises(services.DisclosureError, match="Four eyes"):
        services.request_sign_off(period=period, membership=m["officer"])
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW and period.submitted_by == m["officer"].user
    services.sign_off(period, m["admin"])
    period.refresh_from_db()
    assert period.is_signed_off and period.signed_off_by == m["admin"].user
    assert period.snapshot["period"]["submitted_by"] == m["officer"].user.email


def test_a_draft_is_not_signed_off_without_review(four_eyes):
    _org, period, m = four_eyes
    with pytest.raises(services.DisclosureError, match="submit the period for review first"):
        services.sign_off(period, m["admin"])


def test_an_admin_may_allow_a_single_signer_and_the_change_is_audited(four_eyes):
    org, period, m = four_eyes
    update_organisation(organisation=org, user=m["admin"].user, single_signer_allowed=True)
    event = AuditEvent.objects.filter(organisation=org, action="organisation.update").get()
    assert event.actor == m["admin"].user and event.detail == {"single_signer_allowed": "True"}
    services.submit_for_review(period, m["officer"])
    services.sign_off(period, m["officer"])
    assert ReportingPeriod.objects.get(pk=period.pk).is_signed_off


def test_only_an_admin_changes_the_organisation_page(four_eyes, client_for):
    org, _period, m = four_eyes
    url = f"/o/{org.slug}/organisation/"
    officer = client_for(m["officer"].user)
    assert officer.get(url).status_code == 200
    assert officer.post(url, {"name": org.name, "single_signer_allowed": "on"}).status_code == 403
    admin = client_for(m["admin"].user)
    assert admin.post(url, {"name": org.name, "lei": LEI.lower()}).status_code == 302
    org.refresh_from_db()
    assert org.lei == LEI and not org.single_signer_allowed


def test_the_lei_is_checked_and_replaces_the_placeholder_in_the_ixbrl(four_eyes):
    org, period, m = four_eyes
    bad = LEI[:-2] + "29"  # the check digits no longer hold
    with pytest.raises(AccountsError, match="not a valid LEI"):
        update_organisation(organisation=org, user=m["admin"].user, lei=bad)
    update_organisation(organisation=org, user=m["admin"].user, lei=LEI, registration_number="RCS 123 456 789")
    period.refresh_from_db()
    snapshot = services.build_snapshot(period)[0]
    assert snapshot["organisation"]["lei"] == LEI
    assert snapshot["organisation"]["registration_number"] == "RCS 123 456 789"
    document = render_ixbrl(snapshot)
    assert f'scheme="http://standards.iso.org/iso/17442">{LEI}<'.encode() in document
    assert b"placeholder" not in document


def test_sign_off_refused_while_a_used_factor_is_to_verify_unless_an_exception(seeded):  # noqa: F811
    org_a, period = seeded
    officer = org_a["org"].memberships.get(role="officer")
    # 2 Scope 2 records (CodeCarbon in FR and DE) fall back on the FRA and DEU residual mixes, both to_verify
    assert services.build_snapshot(period)[0]["unverified_factors"] == {
        "records": 2,
        "what": "residual mix of DEU, FRA",
    }
    with pytest.raises(services.DisclosureError, match="2 records use factors still marked to_verify"):
        services.sign_off(period, officer)
    with pytest.raises(services.DisclosureError, match="say why in the comment"):
        services.sign_off(period, officer, accept_unverified=True)
    services.sign_off(period, officer, comment="AIB 2024 figures checked by hand", accept_unverified=True)
    period.refresh_from_db()
    assert period.is_signed_off
    assert period.snapshot["unverified_factors"]["exception"] == "AIB 2024 figures checked by hand"
    event = AuditEvent.objects.get(organisation=org_a["org"], action="period.sign_off")
    assert event.detail["unverified_factors_exception"] == "AIB 2024 figures checked by hand"


def test_the_page_confirms_what_will_lock_before_signing_off(four_eyes, client_for):
    org, period, m = four_eyes
    services.submit_for_review(period, m["officer"])
    page = client_for(m["officer"].user).get(f"/o/{org.slug}/periods/{period.pk}/sign-off/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "every usage record dated 01/01/2024 to 31/12/2024" in text  # day first, the project's short format
    assert "you submitted this period for review" in text
    assert ReportingPeriod.objects.get(pk=period.pk).status == PeriodStatus.IN_REVIEW  # a GET locks nothing


def test_period_command_runs_a_close_with_four_eyes(org_a, capsys):
    org = org_a["org"]
    org.single_signer_allowed = False
    org.save()
    officer, admin = org_a["users"]["officer"].email, org_a["users"]["admin"].email
    call_command("period", "create", "--org", org.slug, "--year", "2023")
    call_command("period", "submit", "--org", org.slug, "--year", "2023", "--as", officer)
    with pytest.raises(CommandError, match="Four eyes"):
        call_command("period", "sign-off", "--org", org.slug, "--year", "2023", "--as", officer)
    call_command("period", "sign-off", "--org", org.slug, "--year", "2023", "--as", admin, "--comment", "ok")
    period = ReportingPeriod.objects.get(organisation=org, end=dt.date(2023, 12, 31))
    assert period.is_signed_off and period.signed_off_by.email == admin
    call_command("period", "reopen", "--org", org.slug, "--year", "2023", "--as", admin, "--reason", "typo")
    assert ReportingPeriod.objects.filter(organisation=org, end__year=2023).count() == 2
    with pytest.raises(CommandError, match="not a member"):
        call_command("period", "submit", "--org", org.slug, "--year", "2023", "--as", "nobody@example.com")
    assert "signed off by" in capsys.readouterr().out
