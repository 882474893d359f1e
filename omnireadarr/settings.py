"""OmniReadarr settings. Infrastructure comes from the environment (see README's
configuration table); integrations and user choices live in the database."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from core.metrics_files import use_folder
from omnireadarr.env import (
    database_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    secret_key,
    trusted_proxy_header,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("DATA_DIR", BASE_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)
LIBRARY_DIR = env_path("LIBRARY_DIR", DATA_DIR / "library")
DOWNLOADS_DIR = env_path("DOWNLOADS_DIR", DATA_DIR / "downloads")
RECYCLE_DIR = env_path("RECYCLE_DIR", DATA_DIR / "recycle")
COVERS_DIR = DATA_DIR / "covers"
BACKUP_DIR = env_path("BACKUP_DIR", DATA_DIR / "backups")  # database + covers archives (operations app)
# Cover downloads from a URL refuse loopback/private/link-local addresses (SSRF) unless allowed
COVER_FETCH_ALLOW_PRIVATE = env_bool("COVER_FETCH_ALLOW_PRIVATE", False)

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core.apps.OmniAdminConfig",  # django.contrib.admin under the project's name
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_dramatiq",
    "ninja",
    "axes",
    "core",
    "media",
    "search",
    "indexers",
    "downloaders",
    "processing",
    "scanning",
    "reading",
    "operations",
    "notifications",
    "monitoring",
    "readinglists",
    "core.wizard",
]

MIDDLEWARE = [
    "core.middleware.CorrelationIdMiddleware",
    "core.metrics.ApiLatencyMiddleware",
    "core.api.edge.ApiEdgeMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.api.ratelimit.ApiRateLimitMiddleware",
    "core.wizard.middleware.SetupRequiredMiddleware",
    "core.middleware.PageRolesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "omnireadarr.urls"
WSGI_APPLICATION = "omnireadarr.wsgi.application"
ASGI_APPLICATION = "omnireadarr.asgi.application"

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
                "media.context_processors.preferences",
            ],
        },
    },
]


# --- Database: SQLite in the data directory unless DATABASE_URL says otherwise ----------
def _database() -> dict:
    url = database_url()
    if url:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
        config.setdefault("OPTIONS", {})
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"].update(_SQLITE_OPTIONS)
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "omnireadarr.sqlite3",
        "OPTIONS": dict(_SQLITE_OPTIONS),
        "TEST": {"NAME": DATA_DIR / "test-omnireadarr.sqlite3"},
    }


# IMMEDIATE transactions + WAL + a busy timeout: web, worker and scheduler share the
# file without "database is locked" errors. The page cache is per connection (one per web and
# worker thread) and grows on use: 8 MB by default (at 100k books search answered as fast as with
# 32 MB, since the operating system caches the file too, and a 20k import peaked 22 MB lower).
SQLITE_CACHE_MB = env_int("SQLITE_CACHE_MB", 8, minimum=1)
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
    f"PRAGMA cache_size=-{SQLITE_CACHE_MB * 1000};",
}
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue: RabbitMQ when OMNI_BROKER_URL is amqp://, else the embedded SQLite queue --
BROKER_URL = env_str("BROKER_URL", "") or ""
if BROKER_URL and not BROKER_URL.startswith(("amqp://", "amqps://")):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("OMNI_BROKER_URL must be an amqp:// or amqps:// URL (or empty)")
QUEUE_DB_PATH = DATA_DIR / "queue.sqlite3"

_DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "dramatiq.middleware.CurrentMessage",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
    "core.queue_middleware.JobLifecycleMiddleware",
    "core.queue_middleware.WorkerHeartbeatMiddleware",
    "core.queue_middleware.JobWatchdogMiddleware",
]
QUEUE_PREFIX = env_str("QUEUE_PREFIX", "omni.") or ""  # lets several installs share one RabbitMQ
QUEUE_LEASE_SECONDS = env_int("QUEUE_LEASE_SECONDS", 60, minimum=1)
if env_str("QUEUE", "") == "stub":  # tests: Dramatiq's in-memory stub broker
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE,
    }
elif BROKER_URL:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker",
        "OPTIONS": {"url": BROKER_URL, "confirm_delivery": True},
        "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE,
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "core.queue.SQLiteBroker",
        "OPTIONS": {"path": str(QUEUE_DB_PATH), "lease_seconds": QUEUE_LEASE_SECONDS},
        "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE,
    }
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
DRAMATIQ_TASKS_DATABASE = "default"
WORKER_PROCESSES = env_int("WORKER_PROCESSES", 1, minimum=1)
WORKER_THREADS = env_int("WORKER_THREADS", 4, minimum=1)
# A running job stops within a second of a cancel; one that has not stopped after this many
# seconds (a thread blocked in the kernel) is marked cancelled and its thread abandoned.
JOB_CANCEL_GRACE_SECONDS = env_int("JOB_CANCEL_GRACE_SECONDS", 30, minimum=1)

# --- Auth -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a reverse proxy with HTTPS (README "Security"): Secure cookies, HSTS, and trusting the
# proxy's X-Forwarded-Proto (only when the proxy is the sole way in and sets the header itself).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0, minimum=0)
SECURE_PROXY_SSL_HEADER = trusted_proxy_header()
TRUSTED_PROXY = SECURE_PROXY_SSL_HEADER is not None  # also: the API rate limit reads X-Forwarded-For

# --- API rate limits (core/api/ratelimit.py): requests a minute per API key, logged-in user or
# (anonymous) IP address; 0 turns a limit off. Counted per web process (local-memory cache).
API_RATE_READ = env_int("API_RATE_READ", 1200, minimum=0)
API_RATE_WRITE = env_int("API_RATE_WRITE", 300, minimum=0)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api-rate": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-rate",
                 "OPTIONS": {"MAX_ENTRIES": 20_000}},
}
# Every page's scripts and styles are files under /static/ (no inline script, style or event
# attribute). Images: our covers, data: URLs, and the covers metadata search results and review
# candidates show straight from the providers (Google Books gives http:// thumbnail URLs).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# The web readers' pages only (reading/views.py): a book is shown in sandboxed frames made of
# blob: URLs (foliate-js), keeps its own <style> elements and style attributes, images and
# embedded fonts; pdf.js runs in a worker from our static files. Scripts stay 'self' only, so a
# book's own scripts never run.
READER_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline' blob:; "
    "img-src 'self' data: blob:; font-src 'self' data: blob:; connect-src 'self' blob:; media-src 'self' blob:; "
    "frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Metrics: /metrics (Prometheus) needs an API key or a login unless OMNI_METRICS_PUBLIC ------
METRICS_DIR = env_path("METRICS_DIR", DATA_DIR / "metrics")  # prometheus-client's multiprocess files
METRICS_PUBLIC = env_bool("METRICS_PUBLIC", False)
use_folder(METRICS_DIR)  # before anything imports prometheus_client (core/metrics_files.py)

# --- Jobs and schedules ---------------------------------------------------------------------
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 14, minimum=1)

# --- Notifications -------------------------------------------------------------------------
# A webhook or Apprise delivery that failed is tried again after this many seconds, doubled each time.
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 30, minimum=1)

# --- External tools ---------------------------------------------------------------------
EBOOK_CONVERT_PATH = env_str("EBOOK_CONVERT", "ebook-convert")

# --- Reading: caches under the data directory (least recently used entries evicted past the cap)
CACHE_DIR = env_path("CACHE_DIR", DATA_DIR / "cache")
CONVERSION_CACHE_MB = env_int("CONVERSION_CACHE_MB", 2048, minimum=1)  # "Download as" conversions
PAGE_CACHE_MB = env_int("PAGE_CACHE_MB", 1024, minimum=1)  # CBR pages extracted once for the reader
CONVERSION_TIMEOUT_SECONDS = env_int("CONVERSION_TIMEOUT_SECONDS", 900, minimum=10)

# --- Logging ----------------------------------------------------------------------------
LOG_FORMAT = env_choice("LOG_FORMAT", "text", ("text", "json"))
LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "core.logging.CorrelationIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["correlation"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pika": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
