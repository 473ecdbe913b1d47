"""Settings from the environment; production mode passes check --deploy; the secret key file."""

import os
import stat
import subprocess
import sys

from django.conf import settings

from reporting.env import env_bool, env_list, secret_key


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra={
        "PRODUCTION": "1", "SECRET_KEY": "x7!Qp2#vR9$kL4@mN8^bT1&cW6*zY3(hJ5)fG0_dS" + "a" * 20,
        "ALLOWED_HOSTS": "ledger.example.com",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


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
