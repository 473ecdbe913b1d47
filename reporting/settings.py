"""Settings, read from environment variables (see README, "Configuration").

With nothing set: SQLite in ./data, Celery tasks run in-process, DEBUG on. PRODUCTION=1 turns on the
hardened mode that `manage.py check --deploy` accepts.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_list, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))

PRODUCTION = env_bool("PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "apps.accounts",
    "apps.connectors",
    "apps.footprint",
    "apps.disclosures",
    "apps.costs",
    "apps.web",
    "apps.api",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "reporting.urls"
WSGI_APPLICATION = "reporting.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.organisations",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'ledger.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read (progress bars) while an ingestion writes; NORMAL sync is durable in WAL mode and
    # much faster for large writes; IMMEDIATE takes the write lock up front instead of failing mid-transaction.
    # Temporary storage in memory: SQLite journals each statement of an upsert into a table with deferred
    # foreign keys, and in temporary files that cost as much as the ingestion's write itself.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;",
            "transaction_mode": "IMMEDIATE",
            # A page that writes (a session, an audit line) while a task holds the write lock waits for it
            # instead of failing after Python's default 5 s: an ingestion's write phase can take longer.
            "timeout": 30,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need collectstatic; development and tests serve from the finders.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Outside production, WhiteNoise serves straight from the app's static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)  # keeps WhiteNoise from warning that the folder is missing
MEDIA_ROOT = DATA_DIR / "uploads"

# Redis: broker, result backend and shared cache. Without it, Celery is eager and apps.connectors.dispatch
# runs tasks on a thread pool of the web process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    # Without Redis the cache is a table of the default database (created by `migrate`: apps.accounts.apps), so
    # every gunicorn worker and the task pool share the figures one of them computed (a process's own memory
    # would make each worker compute a draft's snapshot again, and hold it).
    CACHES = {
        "default": {
            # Django's DatabaseCache; on a SQLite file its writes are made by a thread (apps.core.cache).
            "BACKEND": "apps.core.cache.SharedDatabaseCache",
            "LOCATION": "ledger_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Without a broker, long work (ingestion, sign-off, exports) runs on this many threads of the web process
# (apps.connectors.dispatch), so no request waits for it; 0 runs it synchronously at commit (the tests).
TASK_POOL_WORKERS = int(os.environ.get("TASK_POOL_WORKERS", "2"))
# After a change to an organisation's figures, a task computes its first views into the shared cache
# (apps.costs.warm); "0" leaves them to the first view.
WARM_CACHES_AFTER_CHANGES = os.environ.get("WARM_CACHES_AFTER_CHANGES", "1") != "0"
# A task is acknowledged only once done, so a killed worker's task is delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long an unacknowledged task waits before Redis hands it to another worker. It must exceed the longest
# ingestion; a task delivered twice is still safe (see apps.connectors.ingestion). It no longer decides how long a
# lost run waits: the reaper (below) re-sends it once its lease expires.
_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    # How often workers sweep for tasks whose worker died; kept well below the timeout.
    "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1 if _VISIBILITY_TIMEOUT < 60 else 10,
    # The sweep holds a Redis lock; a worker killed while holding it would block the sweep until it expires.
    "unacked_mutex_expire": max(2, min(300, _VISIBILITY_TIMEOUT)),
}

# The reaper (apps.connectors.reaper): a running task renews its row's lease every quarter of TASK_LEASE_SECONDS;
# one silent for longer lost its worker and is re-queued; one queued for TASK_QUEUED_SECONDS with no worker
# taking it was lost by the broker and is sent again; after TASK_MAX_RESENDS re-sends it is failed with the reason.
# Crash leftovers (spill, temporary uploads) older than TASK_LEFTOVER_SECONDS are removed. A pass runs every
# TASK_REAP_INTERVAL_SECONDS where tasks run (0: only `manage.py reap`).
TASK_LEASE_SECONDS = int(os.environ.get("TASK_LEASE_SECONDS", "120"))
TASK_QUEUED_SECONDS = int(os.environ.get("TASK_QUEUED_SECONDS", "300"))
TASK_MAX_RESENDS = int(os.environ.get("TASK_MAX_RESENDS", "3"))
TASK_LEFTOVER_SECONDS = int(os.environ.get("TASK_LEFTOVER_SECONDS", "3600"))
TASK_REAP_INTERVAL_SECONDS = int(os.environ.get("TASK_REAP_INTERVAL_SECONDS", "60"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # API writes take JSON only (anything else: 415); the file upload endpoint declares multipart itself.
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.StrictJSONParser"],
    # Any app's DomainError answered with its message and status, in one place; a body over
    # DATA_UPLOAD_MAX_MEMORY_SIZE: a JSON 413 rather than Django's HTML 400 page.
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Behind a TLS-terminating proxy that sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Uploads larger than this are refused before parsing.
MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "200"))
# Source files up to this size go into the evidence pack; larger ones by SHA-256 and a members-only download link
# (an organisation may set its own limit on its organisation page).
EVIDENCE_FILE_MAX_MB = int(os.environ.get("EVIDENCE_FILE_MAX_MB", "50"))

# Pulling usage from vendor APIs (apps.connectors.pull). Vendor secrets are encrypted with CREDENTIALS_KEY
# (comma-separated: the first encrypts, all decrypt) or, when unset, a key derived from SECRET_KEY.
CREDENTIALS_KEY = os.environ.get("CREDENTIALS_KEY", "")
from celery.schedules import crontab  # noqa: E402  (appended section; settings need no Celery otherwise)

# Daily pull of the last PULL_DAYS days of every enabled credential, run by `celery -A reporting beat`.
CELERY_BEAT_SCHEDULE = {
    "pull-vendor-usage-daily": {
        "task": "connectors.pull_all_credentials",
        "schedule": crontab(hour=int(os.environ.get("PULL_HOUR_UTC", "3")), minute=17),
        "kwargs": {"days": int(os.environ.get("PULL_DAYS", "3"))},
    },
}

# ---- Dashboard, REST API schema and locale formats (apps.web, apps.api; issue 7) -------------------------------
# Chart.js comes from the npm registry (`npm ci`, make's install step) and is served by WhiteNoise from
# node_modules as /static/vendor/chartjs/; without node_modules the dashboard shows its tables only.
_CHARTJS_DIST = BASE_DIR / "node_modules" / "chart.js" / "dist"
if _CHARTJS_DIST.is_dir():
    STATICFILES_DIRS += [("vendor/chartjs", _CHARTJS_DIST)]
# Numbers as the reader's language writes them: 1 234,5 in French, 1,234.5 in English.
USE_THOUSAND_SEPARATOR = True
# Dates in one European style in English too (reporting/formats/en): day first, 24-hour clock.
FORMAT_MODULE_PATH = ["reporting.formats"]
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"
SPECTACULAR_SETTINGS = {
    "TITLE": "AI Footprint Ledger API",
    "DESCRIPTION": "Usage records, ingestion runs, footprint summaries and ESRS E1 disclosures of an organisation. "
    "Authenticate with `Authorization: Bearer <token>` (a personal API token) or a browser session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and its assets come from the drf-spectacular-sidecar package: nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Schema problems are caught by tests/api/test_schema.py, not by `check --deploy` (which would generate the
    # whole schema on every deploy check).
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Every operation's error answers (400, 401, 403, 404, 415) documented, as the API fuzz test requires.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.document_error_responses",
    ],
    # One name for the frugality questions' shared answer choices (yes / partly / no).
    "ENUM_NAME_OVERRIDES": {"AnswerEnum": "apps.costs.models.Answer.values"},
}

# ---- Security hardening (issue 8) --------------------------------------------------------------------------------
# Failed logins are counted by django-axes in the database (shared by every worker, whatever the cache): after
# AXES_FAILURE_LIMIT failures for one e-mail from one IP address, that pair is refused (429 and a page saying why)
# for AXES_COOLOFF_TIME, even with the right password; other users and other addresses are not affected.
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as django-axes requires: it turns a lockout into its page
AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept: only the failures the lockout needs
# Behind reverse proxies the lockout must count the client's address, not the proxy's (else one attacker locks an
# e-mail out for everyone): TRUSTED_PROXY_COUNT proxies in front, see apps.accounts.backends.client_address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "apps.accounts.backends.client_address"

# Request sizes. Form and JSON bodies (files excluded) are small here: 1 MiB is plenty (the API's JSON parser applies
# it too). Files up to 2.5 MiB stay in memory, larger ones spool to disk, cut at MAX_UPLOAD_MB + 1 byte so that a
# huge request cannot fill the disk before apps.connectors refuses it with its "larger than the limit" message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Spooled uploads in DATA_DIR, not the system's /tmp, where the reaper removes what a killed web process left.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp-uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "reporting.uploads.CappedTemporaryFileUploadHandler",
]

# Every answer says nosniff (SecurityMiddleware); error reports (mails to ADMINS, DEBUG pages) also hide the local
# variables and dict keys named like a secret (secret, token, password, key, auth…), not only settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
DEFAULT_EXCEPTION_REPORTER_FILTER = "reporting.errors.SecretHidingReporterFilter"
if PRODUCTION:
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True

# ---- Hardening, round two (issue 19) ------------------------------------------------------------------------------
# Content-Security-Policy on every answer (reporting.headers): the app's own scripts, styles, images and fonts
# only; no inline script or style, no frames, forms posting to this site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# After SecurityMiddleware, so a redirect carries it too; before the others, so it sees their answers.
MIDDLEWARE.insert(1, "reporting.headers.SecurityHeadersMiddleware")
# A load balancer's health check speaks plain HTTP: /healthz answers it instead of redirecting to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Password-reset mails (Django's auth views): the console by default, SMTP or another backend by environment.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ledger@localhost")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))
