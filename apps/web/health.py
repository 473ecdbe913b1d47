"""GET /healthz: is the database reachable, and the broker when one is configured; how many task-backed rows
are stuck (their task lost: apps.connectors.reaper, which re-sends or fails them on its next pass)."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.connectors import reaper

log = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
        log.warning("healthz: database check failed: %s", exc)
        return "error"
    return "ok"


def check_broker(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:
        log.warning("healthz: broker check failed: %s", exc)
        return "error"
    return "ok"


def stuck_counts() -> dict | None:
    """Stuck rows by kind; None when they cannot be counted (a database not migrated yet)."""
    try:
        return reaper.stuck()
    except Exception as exc:
        log.warning("healthz: counting stuck tasks failed: %s", exc)
        return None


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks["broker"] = check_broker(settings.REDIS_URL)
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if checks["database"] == "ok":
        # Reported, not a failure: the process is healthy, and restarting it would not bring a lost task back.
        body["stuck"] = stuck_counts()
    return JsonResponse(body, status=200 if healthy else 503)
