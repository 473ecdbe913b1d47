"""WSGI entry point (gunicorn reporting.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reporting.settings")
application = get_wsgi_application()

# Without a broker this process runs the tasks (apps.connectors.dispatch), so it also runs the reaper, from
# its start: a run a killed predecessor left "running" is found without waiting for the next upload.
from django.conf import settings  # noqa: E402

from reporting.celery import app as _celery_app  # noqa: E402

if _celery_app.conf.task_always_eager and settings.TASK_POOL_WORKERS > 0:
    from apps.connectors.reaper import start_periodic

    start_periodic()
