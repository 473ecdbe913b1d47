"""Shared fixtures: two organisations with a member of each role, and Celery eagerness per test."""

import uuid

import pytest
from django.conf import settings

from apps.accounts.models import Role
from apps.accounts.services import add_member, create_organisation, create_team, save_person
from reporting.celery import app as celery_app

from .celery_workers import start_worker, stop_worker

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Fixtures create five members per organisation: PBKDF2 would take 1.7 s each on this machine.

    Set once for the session (before any hashing, so Django's cached hasher list is built from it)."""
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    previous = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    yield
    settings.PASSWORD_HASHERS = previous
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """On SQLite, test on a file as the embedded default runs, not in Django's shared-cache memory database.

    In shared-cache memory a write while another connection (a pool thread's task) holds the write lock fails at
    once with "database table is locked"; on a file, WAL and the busy timeout make it wait, as in production."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test-ledger.sqlite3")


@pytest.fixture(autouse=True)
def _celery_mode(request, settings):
    """Tasks run in-process unless the test asks for the real worker (marker celery_worker); without a broker
    they run synchronously at commit, not on the thread pool (a test that wants the pool sets
    TASK_POOL_WORKERS and waits with apps.connectors.dispatch.wait_for_pool)."""
    settings.TASK_POOL_WORKERS = 0
    # No reaper thread or pass behind a test's back (it would re-send another test's rows): tests/connectors
    # /test_reaper.py turns it on where it is what is tested.
    settings.TASK_REAP_INTERVAL_SECONDS = 0
    # Nor a cache warm-up after each change (tests/costs/test_warm_caches.py turns it on).
    settings.WARM_CACHES_AFTER_CHANGES = False
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in French leaves French active in the thread (LocaleMiddleware does not reset it): reset it so
    the next test's messages are read in English whatever ran before."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _org_with_members(slug):
    org = create_organisation(slug, f"Organisation {slug.upper()}")
    # Most tests sign off with one officer; the four-eyes tests (tests/disclosures/test_four_eyes.py) turn
    # this off, as is the default of a new organisation.
    org.single_signer_allowed = True
    org.save(update_fields=["single_signer_allowed"])
    users = {}
    for role in Role.values:
        membership, _ = add_member(org, f"{role}@{slug}.example", role, password=PASSWORD)
        users[role] = membership.user
    team = create_team(org, "Platform")
    person = save_person(org, f"dev@{slug}.example", "A Developer", team)
    return {"org": org, "users": users, "team": team, "person": person}


@pytest.fixture
def org_a(db):
    return _org_with_members("org-a")


@pytest.fixture
def org_b(db):
    return _org_with_members("org-b")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def celery_worker_queue():
    """A real Celery worker process on Redis for the session; yields its queue and pid.

    Skips when REDIS_URL is not configured. A queue of its own keeps stray workers from taking tasks."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = start_worker(queue)
    try:
        yield {"queue": queue, "pid": proc.pid, "process": proc}
    finally:
        stop_worker(proc)
