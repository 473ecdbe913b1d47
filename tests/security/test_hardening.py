"""Security settings: rate-limited login, CSRF on every view, request size limits, content types, no secret in the
logs or in error reports. (Production-mode cookies, HSTS and `check --deploy`: tests/test_settings.py.)"""

import hashlib
import io
import json
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as reset_lockouts
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter
from drf_spectacular.generators import SchemaGenerator
from rest_framework.views import APIView

from apps.accounts.models import ApiToken, Role
from apps.accounts.services import add_member
from apps.connectors.errors import IngestionRefused
from apps.connectors.models import IngestionRun, RunStatus, SourceFile, VendorCredential
from apps.connectors.pull import _http
from apps.connectors.storage import store_upload
from apps.disclosures.services import EXPORT_FORMATS, TASK_FORMATS, create_period
from reporting.uploads import CappedTemporaryFileUploadHandler

from ..conftest import PASSWORD
from ..connectors.helpers import fixture_bytes
from ..connectors.pull_fake_vendor import OPENAI_KEY, FakeVendorServer, openai_sample

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
STARS = "********************"  # Django's SafeExceptionReporterFilter.cleansed_substitute


@pytest.fixture(autouse=True)
def fresh_lockouts(db):
    """Failed logins are counted in the database (rolled back after each test); cleared anyway, both ways."""
    reset_lockouts()
    yield
    reset_lockouts()


def _login(client, email, password, ip="192.0.2.10", path=None):
    return client.post(path or reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client):
    return "_auth_user_id" in client.session


# ---- Rate-limited login -------------------------------------------------------------------------------------------


def test_five_failed_logins_lock_the_email_and_address_out_even_with_the_right_password(org_a):
    email = org_a["users"][Role.OFFICER].email
    client = Client()
    statuses = [_login(client, email, "not-the-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    sixth = _login(client, email, PASSWORD)
    assert sixth.status_code == 429 and not _logged_in(client)
    page = sixth.content.decode()
    assert "Too many failed logins" in page and "Try again in 15 minutes." in page
    # The admin's login is behind the same lock.
    assert _login(Client(), email, PASSWORD, path="/admin/login/").status_code == 429
    # Every refused attempt counts, so trying on during the lockout does not shorten it.
    assert AccessAttempt.objects.get(username=email, ip_address="192.0.2.10").failures_since_start == 7


def test_a_lockout_leaves_other_users_and_other_addresses_alone(org_a):
    officer, auditor = org_a["users"][Role.OFFICER].email, org_a["users"][Role.AUDITOR].email
    for _ in range(5):
        _login(Client(), officer, "not-the-password")
    assert _login(Client(), officer, PASSWORD).status_code == 429
    other_user = Client()
    assert _login(other_user, auditor, PASSWORD).status_code == 302 and _logged_in(other_user)
    other_address = Client()
    assert _login(other_address, officer, PASSWORD, ip="198.51.100.7").status_code == 302
    assert _logged_in(other_address)


def test_the_lockout_ends_after_the_cool_off(org_a):
    email = org_a["users"][Role.OFFICER].email
    for _ in range(5):
        _login(Client(), email, "not-the-password")
    assert _login(Client(), email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    client = Client()
    assert _login(client, email, PASSWORD).status_code == 302 and _logged_in(client)


def test_a_success_before_the_limit_starts_the_count_again(org_a):
    email = org_a["users"][Role.OFFICER].email
    for _ in range(4):
        _login(Client(), email, "not-the-password")
    assert _login(Client(), email, PASSWORD).status_code == 302
    statuses = [_login(Client(), email, "not-the-password").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]


# ---- CSRF everywhere ------------------------------------------------------------------------------------------------


def _url_patterns(patterns=None, prefix=""):
    """(route, view) of every URL pattern of the project, includes followed."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _url_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def test_no_view_is_csrf_exempt_but_the_token_authenticated_api():
    patterns = list(_url_patterns())
    assert len(patterns) > 80  # pages, API, admin, i18n: discovered, not listed
    exempt = [(route, view) for route, view in patterns if getattr(view, "csrf_exempt", False)]
    # DRF views are exempt at Django's level; DRF's SessionAuthentication enforces CSRF itself (next test).
    not_api = [
        route
        for route, view in exempt
        if not (route.startswith("api/") and issubclass(getattr(view, "cls", object), APIView))
    ]
    assert not_api == []
    assert {route for route, _ in exempt} >= {"api/v1/o/<slug:org_slug>/teams/", "api/schema/"}


def test_session_authenticated_writes_need_the_csrf_token_token_authenticated_ones_do_not(org_a):
    officer = org_a["users"][Role.OFFICER]
    api, page = "/api/v1/o/org-a/teams/", reverse("accounts:teams", args=["org-a"])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer)
    refused = browser.post(api, {"name": "Data"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("CSRF Failed")
    assert browser.post(page, {"name": "Ops"}).status_code == 403
    token = browser.get(page).cookies["csrftoken"].value  # the page sets the cookie its forms and HTMX send back
    assert (
        browser.post(api, {"name": "Data"}, content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 201
    )
    assert browser.post(page, {"name": "Ops", "csrfmiddlewaretoken": token}).status_code == 302
    # A bearer token is not sent by the browser on its own, so it needs no CSRF token.
    raw = ApiToken.issue(officer, "script")[1]
    script = Client(enforce_csrf_checks=True)
    created = script.post(api, {"name": "Script"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert created.status_code == 201


# ---- Request size limits ----------------------------------------------------------------------------------------


def _usage_csv(size: int) -> bytes:
    """A valid generic_csv file of about `size` bytes (its sample rows repeated)."""
    header, *rows = fixture_bytes("generic_csv", "usage.csv").decode().splitlines(keepends=True)
    body = "".join(rows)
    return (header + body * (size // len(body) + 1)).encode()[:size].rsplit(b"\n", 1)[0] + b"\n"


def test_a_legit_upload_larger_than_the_request_limits_is_stored_whole(org_a, client_for, settings):
    settings.MAX_UPLOAD_MB = 4
    data = _usage_csv(4 * MiB - 10)
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = client_for(org_a["users"][Role.OFFICER])
    upload = io.BytesIO(data)
    upload.name = "gateway.csv"
    response = client.post(reverse("connectors:runs", args=["org-a"]), {"source": "generic_csv", "file": upload})
    assert response.status_code == 302
    stored = SourceFile.objects.for_org(org_a["org"]).get()
    assert (stored.size_bytes, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_an_upload_over_the_limit_gets_a_clear_message_from_the_page_and_the_api(org_a, client_for, settings):
    settings.MAX_UPLOAD_MB = 1
    client = client_for(org_a["users"][Role.OFFICER])
    upload = io.BytesIO(_usage_csv(3 * MiB))
    upload.name = "big.csv"
    page = client.post(reverse("connectors:runs", args=["org-a"]), {"source": "generic_csv", "file": upload})
    assert page.status_code == 200
    assert "big.csv: the file is larger than the 1 MB limit; nothing was stored." in page.content.decode()
    upload.seek(0)
    api = client.post("/api/v1/o/org-a/runs/", {"source": "generic_csv", "file": upload})
    assert api.status_code == 400
    assert api.json() == {"file": ["big.csv: the file is larger than the 1 MB limit; nothing was stored."]}
    assert not SourceFile.objects.exists() and not IngestionRun.objects.exists()


def test_a_file_over_the_limit_is_cut_while_it_arrives_so_it_cannot_fill_the_disk(settings):
    settings.MAX_UPLOAD_MB = 1
    handler = CappedTemporaryFileUploadHandler()
    handler.new_file("file", "big.csv", "text/csv", 3 * MiB)
    chunk = b"x" * (64 * 1024)
    for start in range(0, 3 * MiB, len(chunk)):
        assert handler.receive_data_chunk(chunk, start) is None  # taken: no later handler gets it
    kept = handler.file_complete(3 * MiB)
    assert kept.size == MiB + 1 and len(kept.read()) == MiB + 1  # over the limit, so refused as such
    with pytest.raises(IngestionRefused, match="larger than the 1 MB limit"):
        store_upload(None, kept.open(), "big.csv")


def test_a_body_over_one_mib_is_refused_with_413_by_the_api_and_400_by_the_pages(org_a, client_for):
    client = client_for(org_a["users"][Role.OFFICER])
    big = json.dumps({"name": "x" * (2 * MiB)})
    api = client.post("/api/v1/o/org-a/teams/", big, content_type="application/json")
    assert (api.status_code, api.json()) == (413, {"detail": "The request body is too large."})
    page = client.post(reverse("accounts:teams", args=["org-a"]), {"name": "x" * (2 * MiB)})
    assert page.status_code == 400


# ---- Content types ---------------------------------------------------------------------------------------------


def _api_writes_with_a_body():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                yield method, path, set(operation["requestBody"]["content"])


def test_every_api_write_refuses_a_body_that_is_not_its_media_type_with_415(org_a):
    raw = ApiToken.issue(org_a["users"][Role.ADMIN], "script")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    writes = list(_api_writes_with_a_body())
    assert len(writes) == 8
    for method, path, media_types in writes:
        url = path.replace("{org_slug}", "org-a").replace("{id}", str(org_a["team"].pk))
        send = getattr(client, method)
        if media_types == {"multipart/form-data"}:  # the file upload
            refused = [send(url, '{"source": "generic_csv"}', content_type="application/json")]
        else:
            assert media_types == {"application/json"}, path
            refused = [
                send(url, "name=Data", content_type="application/x-www-form-urlencoded"),
                send(url, "name: Data", content_type="text/plain"),
                send(url, {"name": "Data"}),
            ]  # the test client's default: multipart
        for response in refused:
            assert response.status_code == 415, (method, path, response.content)
            assert response.json()["detail"].startswith("Unsupported media type"), path


@pytest.fixture
def period(org_a):
    return create_period(
        org_a["org"],
        org_a["users"][Role.OFFICER],
        timezone.now().date().replace(month=1, day=1),
        timezone.now().date().replace(month=12, day=31),
    )


def test_every_download_is_an_attachment_with_its_media_type(
    org_a, client_for, period, django_capture_on_commit_callbacks
):
    client = client_for(org_a["users"][Role.AUDITOR])
    officer = client_for(org_a["users"][Role.OFFICER])
    for fmt in TASK_FORMATS:  # rendered by a task once an officer asks; then anyone reading downloads them
        with django_capture_on_commit_callbacks(execute=True):
            officer.post(reverse("disclosures:period_export", args=["org-a", period.pk, fmt]))
    downloads = {}
    for fmt, (content_type, extension) in EXPORT_FORMATS.items():
        for url in (
            reverse("disclosures:period_export", args=["org-a", period.pk, fmt]),
            f"/api/v1/o/org-a/periods/{period.pk}/exports/{fmt}/",
        ):
            downloads[url] = (content_type, extension)
    downloads[reverse("disclosures:audit_log", args=["org-a"]) + "?format=csv"] = ("text/csv", "csv")
    downloads[reverse("costs:frugality_csv", args=["org-a"])] = ("text/csv; charset=utf-8", "csv")
    assert len(downloads) == 18  # eight export formats on the page and the API, the audit log, frugality
    for url, (content_type, extension) in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type, url
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="') and disposition.endswith(f'.{extension}"'), url
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_every_kind_of_answer_says_nosniff(org_a, client_for, period):
    raw = ApiToken.issue(org_a["users"][Role.OFFICER], "script")[1]
    anonymous, member = Client(), client_for(org_a["users"][Role.OFFICER])
    answers = {
        "login page": anonymous.get(reverse("login")),
        "redirect to login": anonymous.get(reverse("web:org_home", args=["org-a"])),
        "page": member.get(reverse("web:org_home", args=["org-a"])),
        "404 page": member.get("/no/such/page/"),
        "API JSON": Client().get("/api/v1/sources/", HTTP_AUTHORIZATION=f"Bearer {raw}"),
        "API 401": anonymous.get("/api/v1/sources/"),
        "API 404 (no route)": anonymous.get("/api/v1/o/org-a/teams/x/"),
        "schema": anonymous.get("/api/schema/"),
        "static file": anonymous.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        "health": anonymous.get("/healthz"),
        "lockout": None,
    }
    for _ in range(5):
        answers["lockout"] = _login(Client(), org_a["users"][Role.ADMIN].email, "not-the-password")
    assert answers["lockout"].status_code == 429
    assert answers["API 404 (no route)"].json() == {"detail": "Not found."}
    for name, response in answers.items():
        assert response["X-Content-Type-Options"] == "nosniff", name


# ---- Secrets: never logged, hidden in error reports -----------------------------------------------------------------


@pytest.fixture
def every_log_record(caplog):
    """All records of every logger at DEBUG, SQL queries with their parameters included."""
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _everything_logged(caplog) -> str:
    return caplog.text + "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
    )


def test_no_vendor_secret_password_or_api_token_reaches_the_logs(
    org_a, client_for, settings, monkeypatch, every_log_record, django_capture_on_commit_callbacks
):
    settings.DEBUG = True  # lets the credential form take the fake vendor's http://127.0.0.1 address
    monkeypatch.setattr(_http, "_sleep", lambda seconds: None)
    officer = org_a["users"][Role.OFFICER]
    wrong_password = "Wr0ng-but-close-" + PASSWORD
    raw = ApiToken.issue(officer, "script")[1]
    today = timezone.now().date()
    with FakeVendorServer() as vendor:
        vendor.openai_days = openai_sample(today - timedelta(days=2), today - timedelta(days=1))
        client = client_for(officer)
        added = client.post(
            reverse("connectors:credentials", args=["org-a"]),
            {"vendor": "openai", "label": "Main", "secret": OPENAI_KEY, "base_url": vendor.base_url},
        )
        assert added.status_code == 302
        credential = VendorCredential.objects.for_org(org_a["org"]).get()
        with django_capture_on_commit_callbacks(execute=True):
            pulled = client.post(reverse("connectors:credential_pull", args=["org-a", credential.pk]))
        assert pulled.status_code == 302
    # The secret really went out, to the fake vendor only, and the pull loaded its usage.
    assert {seen.headers["authorization"] for seen in vendor.seen} == {f"Bearer {OPENAI_KEY}"}
    assert IngestionRun.objects.for_org(org_a["org"]).get().status == RunStatus.SUCCEEDED
    # Logins, wrong and right; API calls with the token, a wrong one and a malformed header.
    _login(Client(), officer.email, wrong_password)
    # The failure the lockout keeps has the password masked (a success then clears it).
    attempt = AccessAttempt.objects.get(username=officer.email)
    assert wrong_password not in attempt.post_data and STARS in attempt.post_data
    _login(Client(), officer.email, PASSWORD)
    assert Client().get("/api/v1/o/org-a/teams/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert Client().get("/api/v1/o/org-a/teams/", HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401
    assert Client().get("/api/v1/o/org-a/teams/", HTTP_AUTHORIZATION=f"Bearer {raw} {raw}").status_code == 401
    logged = _everything_logged(every_log_record)
    assert "urllib3.connectionpool" in logged and "Unauthorized: /api/v1/o/org-a/teams/" in logged  # it did capture
    assert "INSERT INTO" in logged  # SQL with its parameters too
    for secret in (OPENAI_KEY, PASSWORD, wrong_password, raw):
        assert secret not in logged


def _fail(*args, **kwargs):
    raise RuntimeError("simulated failure")


def _three_failing_requests(org_a, client_for, monkeypatch, raw):
    """A 500 inside the credential form, the login and an API call, each with its secret on the way."""
    # The credential form: the POST field, the view's cleaned_data, add_credential's `secret` argument.
    monkeypatch.setattr(VendorCredential, "save", _fail)
    client = client_for(org_a["users"][Role.OFFICER])
    client.raise_request_exception = False
    credential = client.post(
        reverse("connectors:credentials", args=["org-a"]), {"vendor": "openai", "label": "Main", "secret": OPENAI_KEY}
    )
    # The login: the POST field and the password in the form's and the backend's frames.
    monkeypatch.setattr(ModelBackend, "authenticate", lambda self, request, username=None, password=None: _fail())
    login = _login(Client(raise_request_exception=False), org_a["users"][Role.AUDITOR].email, PASSWORD)
    # An API call (its token lookup failing, as if the database were down): the Authorization header and the token
    # in the authentication's frame.
    monkeypatch.setattr(ApiToken.objects, "select_related", _fail)
    api = Client(raise_request_exception=False).get("/api/v1/sources/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [credential.status_code, login.status_code, api.status_code] == [500, 500, 500]
    return credential, login, api


def test_error_mails_hide_the_vendor_secret_the_password_and_the_api_token(
    org_a, client_for, settings, monkeypatch, mailoutbox
):
    """Django's error mails to ADMINS (its default AdminEmailHandler, DEBUG off): the POST data and headers."""
    settings.ADMINS = [("Ops", "ops@example.com")]
    raw = ApiToken.issue(org_a["users"][Role.AUDITOR], "script")[1]
    _three_failing_requests(org_a, client_for, monkeypatch, raw)
    assert len(mailoutbox) == 3
    credential_mail, login_mail, api_mail = (mail.body for mail in mailoutbox)
    assert "RuntimeError at /o/org-a/credentials/" in credential_mail and "RuntimeError at /login/" in login_mail
    for body in (credential_mail, login_mail, api_mail):
        for secret in (OPENAI_KEY, PASSWORD, raw):
            assert secret not in body
    assert f"secret = '{STARS}'" in credential_mail  # the POST field, shown masked
    assert f"password = '{STARS}'" in login_mail
    assert f"HTTP_AUTHORIZATION = '{STARS}'" in api_mail


def test_the_html_error_report_hides_them_in_every_frame_too(org_a, client_for, monkeypatch):
    """The HTML report (mails with include_html) also lists every frame's local variables. (DEBUG pages show all:
    production mode has DEBUG off, see tests/test_settings.py.)"""
    raw = ApiToken.issue(org_a["users"][Role.AUDITOR], "script")[1]
    reports = [
        ExceptionReporter(response.wsgi_request, *response.exc_info).get_traceback_html()
        for response in _three_failing_requests(org_a, client_for, monkeypatch, raw)
    ]
    credential_report, login_report, api_report = reports
    assert "in add_credential" in credential_report and "in authenticate" in login_report
    assert "in authenticate" in api_report
    for report in reports:
        for secret in (OPENAI_KEY, PASSWORD, raw):
            assert secret not in report
    assert "&#x27;secret&#x27;: &#x27;********************&#x27;" in credential_report  # cleaned_data, masked


def test_a_member_added_without_request_is_not_rate_limited(org_a):
    # Management commands and Client.login() authenticate without a request: no address to count, never locked.
    from django.contrib.auth import authenticate

    add_member(org_a["org"], "script@org-a.example", Role.AUDITOR, password=PASSWORD)
    for _ in range(6):
        assert authenticate(username="script@org-a.example", password="not-the-password") is None
    assert authenticate(username="script@org-a.example", password=PASSWORD) is not None


def test_the_lockout_page_speaks_french(org_a):
    email = org_a["users"][Role.OFFICER].email
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    for _ in range(5):
        _login(client, email, "not-the-password")
    page = _login(client, email, PASSWORD).content.decode()
    assert "Trop d&#x27;échecs de connexion" in page or "Trop d'échecs de connexion" in page
    assert "Après 5 échecs de connexion" in page and "Réessayez dans 15 minutes." in page


def test_behind_a_proxy_the_lockout_counts_the_client_not_the_proxy_and_a_forged_header_does_not_help(org_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    email = org_a["users"][Role.OFFICER].email

    def attempt(password, client_ip, forged=""):
        forwarded = f"{forged}, {client_ip}" if forged else client_ip  # the proxy appends what it saw
        return Client().post(
            reverse("login"),
            {"username": email, "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for i in range(5):  # one attacker, a different forged address each time
        attempt("not-the-password", "198.51.100.9", forged=f"203.0.113.{i}")
    assert AccessAttempt.objects.get(username=email).ip_address == "198.51.100.9"
    assert attempt(PASSWORD, "198.51.100.9", forged="192.0.2.1").status_code == 429
    # The real user, behind the same proxy, from their own address, still logs in.
    assert attempt(PASSWORD, "192.0.2.44").status_code == 302


def test_without_trusted_proxies_the_forwarded_header_is_ignored(org_a, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    email = org_a["users"][Role.OFFICER].email
    for i in range(5):
        Client().post(
            reverse("login"),
            {"username": email, "password": "wrong"},
            REMOTE_ADDR="192.0.2.10",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    assert list(AccessAttempt.objects.filter(username=email).values_list("ip_address", flat=True)) == ["192.0.2.10"]
    assert _login(Client(), email, PASSWORD, ip="192.0.2.10").status_code == 429
