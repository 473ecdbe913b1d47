"""Shared fixtures: two organisations with a member of each role, and Celery eagerness per test."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.models import Role
from apps.accounts.services import add_member, create_organisation, create_team, save_person
from reporting.celery import app as celery_app

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run in-process unless the test asks for the real worker (marker celery_worker)."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


def _org_with_members(slug):
    org = create_organisation(slug, f"Organisation {slug.upper()}")
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
    """Start a real Celery worker process on Redis for the session; yield the queue it consumes.

    Skips when REDIS_URL is not configured. A queue of its own keeps stray workers from taking tasks."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    node = f"{queue}@localhost"
    log_path = Path(settings.DATA_DIR) / f"worker-{queue}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reporting.settings"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "reporting", "worker", "--pool=solo", "-Q", queue, "-n", node,
         "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[node], timeout=1.0):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start; see {log_path}")
        yield {"queue": queue, "pid": proc.pid, "process": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
