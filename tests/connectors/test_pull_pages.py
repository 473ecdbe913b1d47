"""Credential pages: readers see credentials without their secrets, writers add, disable, delete and
pull now, auditors are refused changes (403), other organisations see nothing (404)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.connectors.models import IngestionRun, RunStatus, VendorCredential
from apps.connectors.pull import _http
from apps.connectors.pull.service import add_credential

from .pull_fake_vendor import OPENAI_KEY, FakeVendorServer, openai_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def cred(org_a):
    return add_credential(org_a["org"], vendor="openai", label="Production org", secret=OPENAI_KEY)


def url(name, org, *args):
    return reverse(f"connectors:{name}", args=[org["org"].slug, *args])


def test_every_role_sees_the_list_and_no_secret(org_a, cred, client_for):
    for role in ("admin", "officer", "it_director", "auditor"):
        response = client_for(org_a["users"][role]).get(url("credentials", org_a))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Production org" in html and "••••WXYZ" in html and "https://api.openai.com" in html
        assert OPENAI_KEY not in html and cred.secret_encrypted not in html
        assert ("Pull now" in html) == (role != "auditor")


def test_a_writer_adds_a_credential_stored_encrypted(org_a, client_for):
    client = client_for(org_a["users"]["officer"])
    secret = "sk-ant-admin01-new-secret-QRST"
    response = client.post(
        url("credentials", org_a), {"vendor": "anthropic", "label": "Claude", "secret": secret}, follow=True
    )
    assert response.status_code == 200 and secret not in response.content.decode()
    stored = VendorCredential.objects.for_org(org_a["org"]).get()
    assert stored.vendor == "anthropic" and stored.enabled and stored.base_url == ""
    assert stored.secret_encrypted != secret and stored.get_secret() == secret
    assert stored.created_by == org_a["users"]["officer"]


def test_a_form_with_errors_does_not_echo_the_secret(org_a, client_for):
    client = client_for(org_a["users"]["admin"])
    secret = "ghp_not-to-be-echoed-token-5678"
    response = client.post(
        url("credentials", org_a),
        {"vendor": "github", "label": "Copilot", "secret": secret, "base_url": "http://internal.example"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and secret not in html
    assert "Enter the GitHub organisation" in html and "Enter an https:// URL" in html
    assert not VendorCredential.objects.exists()


def test_auditors_are_refused_every_change(org_a, cred, client_for):
    client = client_for(org_a["users"]["auditor"])
    assert (
        client.post(url("credentials", org_a), {"vendor": "openai", "label": "x", "secret": "sk-x"}).status_code == 403
    )
    for name in ("credential_toggle", "credential_delete", "credential_pull"):
        assert client.post(url(name, org_a, cred.pk)).status_code == 403
    cred.refresh_from_db()
    assert cred.enabled and VendorCredential.objects.count() == 1 and not IngestionRun.objects.exists()


def test_other_organisations_get_404(org_a, org_b, cred, client_for):
    outsider = client_for(org_b["users"]["admin"])
    assert outsider.get(url("credentials", org_a)).status_code == 404
    for name in ("credential_toggle", "credential_delete", "credential_pull"):
        # Through org A's address (not a member) and through their own (not their credential).
        assert outsider.post(url(name, org_a, cred.pk)).status_code == 404
        assert outsider.post(url(name, org_b, cred.pk)).status_code == 404
    html = outsider.get(url("credentials", org_b)).content.decode()
    assert "Production org" not in html
    cred.refresh_from_db()
    assert cred.enabled


def test_a_writer_disables_and_deletes(org_a, cred, client_for):
    client = client_for(org_a["users"]["it_director"])
    assert client.get(url("credential_toggle", org_a, cred.pk)).status_code == 405
    assert client.post(url("credential_toggle", org_a, cred.pk)).status_code == 302
    cred.refresh_from_db()
    assert not cred.enabled
    assert client.post(url("credential_delete", org_a, cred.pk)).status_code == 302
    assert not VendorCredential.objects.exists()


def test_pull_now_runs_the_pull_in_a_task(org_a, client_for, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(_http, "_sleep", lambda seconds: None)
    today = timezone.now().date()
    with FakeVendorServer() as vendor:
        vendor.openai_days = openai_sample(today - timedelta(days=2), today - timedelta(days=1))
        cred = add_credential(org_a["org"], vendor="openai", label="Local", secret=OPENAI_KEY, base_url=vendor.base_url)
        client = client_for(org_a["users"]["admin"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("credential_pull", org_a, cred.pk))
        assert response.status_code == 302
        assert len(vendor.requests_to("/usage/completions")) == 3
    run = IngestionRun.objects.for_org(org_a["org"]).get()
    assert run.status == RunStatus.SUCCEEDED and run.output_tokens == 2200
    assert run.uploaded_by == org_a["users"]["admin"]  # the trail says who pressed "pull now"
    cred.refresh_from_db()
    assert cred.last_pulled_at and cred.last_error == ""
    html = client.get(url("credentials", org_a)).content.decode()
    assert OPENAI_KEY not in html


def test_a_failed_pull_shows_its_error_on_the_page(org_a, client_for, django_capture_on_commit_callbacks):
    with FakeVendorServer() as vendor:
        cred = add_credential(
            org_a["org"], vendor="openai", label="Revoked", secret="sk-revoked-key-0000", base_url=vendor.base_url
        )
        client = client_for(org_a["users"]["officer"])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("credential_pull", org_a, cred.pk))
    html = client.get(url("credentials", org_a)).content.decode()
    assert "credential refused by OpenAI (HTTP 401)" in html and "sk-revoked-key-0000" not in html
