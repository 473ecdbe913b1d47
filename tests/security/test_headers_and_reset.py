"""Hardening, round two (issue 19): a Content-Security-Policy on every answer that allows the app's own assets only
(and templates with no inline script or style it would block), `Cache-Control: no-store` on authenticated
answers of the pages and the API, the password-reset flow (Django's views, docs.djangoproject.com "Using the
Django authentication system", section "Authentication Views"), and /healthz over plain HTTP in production."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.accounts.models import ApiToken, Role

from ..test_settings import PRODUCTION_ENV, _manage

pytestmark = pytest.mark.django_db

# What the policy must say, written out here rather than read back from settings.
OWN_ASSETS_ONLY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
}


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def _answers(org_a, client_for):
    raw = ApiToken.issue(org_a["users"][Role.OFFICER], "script")[1]
    anonymous, member = Client(), client_for(org_a["users"][Role.OFFICER])
    return {
        "login page": (anonymous.get(reverse("login")), False),
        "password reset page": (anonymous.get(reverse("password_reset")), False),
        "static file": (anonymous.get("/static/js/autosubmit.js"), False),
        "health": (anonymous.get("/healthz"), False),
        "API 401": (anonymous.get("/api/v1/sources/"), False),
        "dashboard": (member.get(reverse("web:org_home", args=["org-a"])), True),
        "usage files page": (member.get(reverse("connectors:runs", args=["org-a"])), True),
        "disclosures page": (member.get(reverse("disclosures:periods", args=["org-a"])), True),
        "404 page": (member.get("/no/such/page/"), True),
        "API docs": (member.get("/api/docs/"), True),
        "API by session": (member.get("/api/v1/o/org-a/runs/"), True),
        "API by token": (Client().get("/api/v1/o/org-a/summary/", HTTP_AUTHORIZATION=f"Bearer {raw}"), True),
        "API list by token": (Client().get("/api/v1/o/org-a/teams/", HTTP_AUTHORIZATION=f"Bearer {raw}"), True),
    }


def test_every_answer_carries_a_policy_of_the_apps_own_assets_only(org_a, client_for):
    for name, (response, _authenticated) in _answers(org_a, client_for).items():
        policy = _policy(response)
        if name == "API docs":  # Swagger UI's bundle sets inline styles as it draws: styles only are relaxed
            assert policy["style-src"] == "'self' 'unsafe-inline'"
            policy["style-src"] = "'self'"
        assert {key: policy.get(key) for key in OWN_ASSETS_ONLY} == OWN_ASSETS_ONLY, name
        assert "unsafe-inline" not in policy["script-src"], name


def test_authenticated_answers_are_never_stored_anonymous_ones_may_be(org_a, client_for):
    for name, (response, authenticated) in _answers(org_a, client_for).items():
        assert response.status_code < 500, name
        directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        if authenticated:
            assert {"no-store", "private"} <= directives, name
    static = Client().get("/static/js/autosubmit.js")
    assert "no-store" not in static.get("Cache-Control", "")  # the policy is about answers to a user


def test_no_template_has_an_inline_script_style_or_event_handler_the_policy_would_block():
    roots = [settings.BASE_DIR / "templates", *Path(settings.BASE_DIR / "apps").glob("*/templates")]
    inline = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|javascript:", re.I)
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for root in roots
        for path in root.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


def test_the_swagger_page_loads_its_start_up_script_as_a_file(org_a, client_for):
    page = client_for(org_a["users"][Role.OFFICER]).get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)


# ---- Password reset ------------------------------------------------------------------------------------------------


def test_the_login_page_links_the_password_reset():
    page = Client().get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page


def test_the_reset_mail_carries_a_link_that_sets_a_new_password(org_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = org_a["users"][Role.IT_DIRECTOR]
    client = Client()
    sent = client.post(reverse("password_reset"), {"email": user.email.upper()})
    assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "Reset your AI Footprint Ledger password"
    link = re.search(r"https?://testserver(/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    # Django's confirm view swaps the token for a session key and redirects to the form.
    form_url = client.get(link)["Location"]
    assert client.get(form_url).status_code == 200
    new_password = "a brand-new passphrase 42"
    done = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)
    login = Client().post(reverse("login"), {"username": user.email, "password": new_password}, REMOTE_ADDR="192.0.2.7")
    assert login.status_code == 302
    # The link works once.
    assert "not valid any more" in Client().get(link, follow=True).content.decode()


def test_an_unknown_email_gets_the_same_answer_and_no_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = Client().post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_mail_backend_comes_from_the_environment_with_the_console_by_default():
    default = _manage("shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)", env_extra={})
    smtp = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        env_extra={"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
    )
    assert default.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"
    assert smtp.stdout.strip().splitlines()[-1] == "django.core.mail.backends.smtp.EmailBackend"


# ---- /healthz over plain HTTP in production --------------------------------------------------------------------------

HEALTH_PROBE = """
import json
from django.test import Client
client = Client(HTTP_HOST="ledger.example.com")
health, page = client.get("/healthz"), client.get("/login/")
print(json.dumps({"health": [health.status_code, health.get("Location")], "page": [page.status_code, page.get("Location")]}))
"""


def test_in_production_healthz_answers_plain_http_while_pages_redirect_to_https(tmp_path):
    result = _manage("shell", "-c", HEALTH_PROBE, env_extra={**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {"health": [200, None], "page": [301, "https://ledger.example.com/login/"]}


def test_the_reset_pages_speak_french():
    if not (Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.mo").exists():
        pytest.skip("the French catalogue is not compiled (make's assets step)")
    page = Client().get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Réinitialiser votre mot de passe" in page and "Envoyer le lien" in page
    login = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mot de passe oublié ?" in login
