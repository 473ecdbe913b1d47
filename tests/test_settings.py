"""Settings from the environment; production mode passes check --deploy; the secret key file."""

import json
import os
import stat
import subprocess
import sys

from django.conf import settings

from reporting.env import env_bool, env_list, secret_key


def _manage(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "PRODUCTION": "1",
    "SECRET_KEY": "x7!Qp2#vR9$kL4@mN8^bT1&cW6*zY3(hJ5)fG0_dS" + "a" * 20,
    "ALLOWED_HOSTS": "ledger.example.com",
}


def test_check_deploy_is_clean_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# Run inside `manage.py shell` in production mode: the security settings, and what a plain and an HTTPS request get.
PRODUCTION_PROBE = """
import json
from django.conf import settings as s
from django.test import Client
client = Client(HTTP_HOST="ledger.example.com")
plain, tls = client.get("/api/v1/sources/"), client.get("/api/v1/sources/", secure=True)
names = ["DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
         "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_PROXY_SSL_HEADER"]
print(json.dumps({**{name: getattr(s, name) for name in names},
                  "plain": [plain.status_code, plain.get("Location")],
                  "tls": [tls.status_code, tls.get("Strict-Transport-Security"), tls.get("X-Content-Type-Options")]}))
"""


def test_production_mode_has_secure_cookies_https_only_and_hsts():
    result = _manage("shell", "-c", PRODUCTION_PROBE, env_extra=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        # Plain HTTP is sent to HTTPS; the HTTPS answer (401: no token) carries HSTS and nosniff.
        "plain": [301, "https://ledger.example.com/api/v1/sources/"],
        "tls": [401, "max-age=31536000; includeSubDomains; preload", "nosniff"],
    }


def test_development_mode_does_not_pass_check_deploy():
    # The production switch is what makes the difference: without it DEBUG is on and HSTS is off.
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra={"PRODUCTION": "0"})
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


def test_secret_key_is_generated_once_into_a_private_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    monkeypatch.setenv("HOSTS", " a.example , b.example,,")
    assert env_bool("FLAG", False) is True
    assert env_bool("UNSET_FLAG_X", True) is True
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_database_follows_database_url():
    url = os.environ.get("DATABASE_URL", "")
    engine = settings.DATABASES["default"]["ENGINE"]
    if url.startswith("postgres"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"
