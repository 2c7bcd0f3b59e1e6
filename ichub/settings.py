"""Settings for ichub, read from typed environment variables.

Every variable is parsed once (ichub.env), and a bad value stops the process
with a message that names the variable: a typo in production must fail loudly,
not silently fall back to a default. Every setting is bound here; the database,
cache and task backend blocks are built in ichub.settings_backends.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from ichub import settings_backends
from ichub.env import env_bool, env_int, env_list, env_rate

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
    # Only for local development: never used when debug is off.
    SECRET_KEY = "insecure-dev-key-only-for-local-debug-runs"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ichub",
    "ichub.jobs",
    "evidence",
    "programme_theories",
    "cmocs",
    "reports",
    "bench",
    "accounts",
]

MIDDLEWARE = [
    "ichub.security.RequestBodyLimitMiddleware",
    "ichub.security.SingleQueryParametersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ichub.health.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a lock-out into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ichub.urls"

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
                "accounts.context_processors.signup",
            ],
        },
    },
]

WSGI_APPLICATION = "ichub.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": settings_backends.database(DATABASE_URL)}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == settings_backends.POSTGRES_ENGINE

# /healthz gives up on the database after this many seconds (503), on a fresh
# connection of its own, so a load balancer sees a stalled database as down.
HEALTHZ_DB_TIMEOUT = env_int("DB_HEALTHZ_TIMEOUT", 2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Overridable so a second server started beside a running one (tests, load
# runs) can collect into its own folder instead of rewriting this one's.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Accounts (README: "Accounts and email") -----------------------------------
# Open sign-up; with 0 only an invitation link lets someone make an account.
SIGNUP_OPEN = env_bool("DJANGO_SIGNUP", True)
# API tokens stop working this many days after they are made (0: never).
API_TOKEN_LIFETIME_DAYS = env_int("DJANGO_API_TOKEN_DAYS", 90)
# Password resets and invitations: printed to the console while debugging,
# sent through an SMTP server otherwise.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_EMAIL_FROM", "ichub <noreply@localhost>")
if env_bool("DJANGO_EMAIL_CONSOLE", DEBUG):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_SSL", EMAIL_PORT == 465)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("DJANGO_EMAIL_TLS and DJANGO_EMAIL_SSL cannot both be on")
    EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Proxies (load balancer, TLS terminator) between clients and the app: each
# appends one X-Forwarded-For entry, so the client's address is the entry this
# many from the right. 0 (no proxy) uses the connection's address and ignores
# the header, which a client can write freely.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"DJANGO_PROXY_COUNT must be 0 or more, got {PROXY_COUNT}")

REST_FRAMEWORK = {
    # Token first, so an anonymous write gets 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["ichub.drf.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "ichub.openapi.AutoSchema",
    # orjson: encoding is a large share of a big read (BENCHMARKS.md).
    "DEFAULT_RENDERER_CLASSES": [
        "ichub.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # ichub.parsers.JSONParser: deep nesting and 1e400 are a 400, not a 500 (issue 17).
    # JSON only: the schema then declares one request body per write, which
    # generated clients can express; upload views name MultiPartParser themselves.
    "DEFAULT_PARSER_CLASSES": ["ichub.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "ichub.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ichub.drf.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's scopes and rates, counted by one upsert instead of cache writes.
        "ichub.throttling.AnonWindowThrottle",
        "ichub.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("DJANGO_THROTTLE_ANON", "120/minute"),
        "user": env_rate("DJANGO_THROTTLE_USER", "1200/minute"),
    },
    # The caller's address for throttling: REMOTE_ADDR with no proxy, else the
    # X-Forwarded-For entry our own proxy appended. DRF's default (None) trusted the
    # whole client-supplied header, so a forged one bought a fresh allowance.
    "NUM_PROXIES": PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ichub API",
    "DESCRIPTION": "Realist reviews: programme theories, CMOCs, evidence and lineage.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the refusals it can answer (ichub/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ichub.openapi.add_refusals",
    ],
    # Several models have a "stage" or "kind": give each choice set its own readable name.
    "ENUM_NAME_OVERRIDES": {
        "CMOCStageEnum": "cmocs.models.CMOC.Stage",
        "TheoryStageEnum": "programme_theories.models.ProgrammeTheory.Stage",
        "ExclusionStageEnum": "evidence.models.SourceDocument.Stage",
        "MechanismKindEnum": "cmocs.models.Mechanism.Kind",
        "SourceKindEnum": "evidence.models.SourceDocument.Kind",
        "ExcerptKindEnum": "evidence.models.Excerpt.Kind",
        "ScreeningStageEnum": "evidence.models.screening.ScreeningStage",
        "ScreeningDecisionEnum": "evidence.models.screening.ScreeningDecision.Decision",
        "ResolutionDecisionEnum": "evidence.models.screening.ScreeningResolution.Decision",
        "ProvenanceEnum": "cmocs.models.Provenance",
        "CMOCStatusEnum": "cmocs.models.CMOC.Status",
        "JobStatusEnum": "ichub.jobs.models.Job.Status",
        "RankingStatusEnum": "evidence.models.prioritisation.Ranking.Status",
        "FullTextStatusEnum": "evidence.models.fulltexts.FullText.Status",
    },
}

# --- Production hardening (SECURITY.md explains each choice) ---------------
# Every default below is the safe one whenever debug is off; the variables
# exist for the deployments that must differ (e.g. TLS ended elsewhere).

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Only trust X-Forwarded-Proto when a proxy we run sets it (and strips the client's).
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PROXY_COUNT:
    # The client address for login lock-outs is the one our proxy appended.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"

# No inline script or style anywhere: templates load static files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Request size: one limit for form/JSON bodies and uploads alike (413 above it).
MAX_REQUEST_BODY_BYTES = env_int("DJANGO_MAX_REQUEST_BYTES", 10 * 1024 * 1024)
# Seconds a request may spend reading an uploaded file (reference or whole-review
# import) before it is refused with 413; the management commands have no limit.
IMPORT_TIME_BUDGET_SECONDS = env_int("DJANGO_IMPORT_TIME_BUDGET", 30)
# Seconds a background job may run (bigger files go to jobs, so a longer limit):
# past it the job fails and keeps nothing, instead of holding a worker for hours.
JOB_TIME_BUDGET_SECONDS = env_int("DJANGO_JOB_TIME_BUDGET", 1800)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads spool to a temp file, not memory
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Sessions and cache live in the database (or Redis), never in process memory,
# so any number of app servers can run side by side behind a load balancer.
# `migrate` makes the cache tables (ichub/migrations/0009_cache_tables.py).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// URL, got {REDIS_URL!r}")
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if REDIS_URL:
    # Sessions are read from Redis and written through to the database: a signed-in
    # request costs no session query, and a Redis restart signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "default"
CACHES = settings_backends.caches(REDIS_URL)
# The cache that counts API throttle windows; None counts them in the database
# (ichub.throttling: one upsert a request, old windows purged by a trigger).
THROTTLE_CACHE = "default" if REDIS_URL else None
# Off only to measure the read path itself (bench/, scenario 1).
CACHE_REPRESENTATIONS = env_bool("ICHUB_CACHE_REPRESENTATIONS", True)

# Static files: whitenoise serves them from the app server, hashed names
# cached forever. Hashing needs `collectstatic` (make serve runs it), so only
# off-debug. Pre-compressing (brotli/gzip) takes minutes for the API docs'
# bundles, so it is opt-in; a CDN or load balancer usually compresses anyway.
if env_bool("DJANGO_COMPRESS_STATIC", False):
    _STATIC_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"
elif env_bool("DJANGO_MANIFEST_STATIC", not DEBUG):
    _STATIC_BACKEND = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
else:
    _STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_BACKEND},
}

# Login brute force: django-axes locks a username from one address after
# repeated failures; an admin unlocks with `manage.py axes_reset_username`.
AUTHENTICATION_BACKENDS = [
    "ichub.security.WebLoginAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# 429 with Retry-After, in JSON for the API's token endpoint.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

# --- Background tasks (ichub/jobs; README "Background tasks") ---------------
# Django's Tasks API through the django-tasks backport. The default backend keeps
# the queue in this database (django-tasks-db; `manage.py db_worker` runs it), so
# one machine needs no other server; with REDIS_URL the same tasks go to RQ
# workers (`manage.py rqworker --job-class django_tasks_rq.Job`) for scale-out.
TASK_BACKEND = os.environ.get("ICHUB_TASK_BACKEND", "rq" if REDIS_URL else "database")
# Seconds a job may run before RQ kills it (the database worker has no limit).
JOB_TIMEOUT_SECONDS = env_int("ICHUB_JOB_TIMEOUT", 3 * 3600)
# A running job whose progress has not moved for this long is presumed dead
# (its worker was killed) and may be retried.
JOB_STALE_SECONDS = env_int("ICHUB_JOB_STALE_SECONDS", 300)
# Uploads of failed, cancelled or dead jobs (kept so a retry can read them) and the
# files jobs made (exports) are deleted this long after (`manage.py sweep_job_files`).
JOB_FILE_KEEP_SECONDS = env_int("ICHUB_JOB_FILE_KEEP_SECONDS", 7 * 24 * 3600)
# SQLite only: where a job inside its transaction reports progress (ichub.jobs.live);
# empty means MEDIA_ROOT/job-progress. The app server and the worker must share it.
JOB_PROGRESS_DIR = os.environ.get("ICHUB_JOB_PROGRESS_DIR", "")
TASKS = {"default": {
    "BACKEND": settings_backends.task_backend(TASK_BACKEND, redis_url=REDIS_URL),
    "QUEUES": ["default"],
}}
if TASK_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": JOB_TIMEOUT_SECONDS}}
# --- Full texts (evidence/fulltexts; README "Full texts") -------------------
# Uploaded full texts go through Django's storage API: files under MEDIA_ROOT
# by default, never served by the static server (only by an access-checked view).
# Set ICHUB_S3_BUCKET to keep them in S3-compatible object storage instead
# (needs `pip install -e '.[s3]'`; credentials come from the usual AWS_* variables).
# No MEDIA_URL route exists: the files are reached only through the reader's file view.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
if os.environ.get("ICHUB_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ICHUB_S3_BUCKET"],
            "endpoint_url": os.environ.get("ICHUB_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ICHUB_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# The largest full text accepted, in bytes (a 400 names the limit). A request
# body is capped at DJANGO_MAX_REQUEST_BYTES before that: raise both together.
FULL_TEXT_MAX_BYTES = env_int("ICHUB_FULL_TEXT_MAX_BYTES", MAX_REQUEST_BODY_BYTES)
# The largest .qdpx accepted for import, and the most it may unpack to.
QDPX_MAX_BYTES = env_int("ICHUB_QDPX_MAX_BYTES", MAX_REQUEST_BODY_BYTES)
QDPX_MAX_UNPACKED_BYTES = env_int("ICHUB_QDPX_MAX_UNPACKED_BYTES", 500 * 1024 * 1024)
# Files that feed a job (reference files, whole-review documents) are streamed to
# the default storage, not held in memory, and may be far larger than an ordinary
# request body (MAX_REQUEST_BODY_BYTES); these URL names accept up to this size.
JOB_UPLOAD_MAX_BYTES = env_int("ICHUB_JOB_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
JOB_UPLOAD_URL_NAMES = {
    "api:review-import", "api:source-import", "sources_import:import", "review_import:import",
}
# A reference file larger than this is imported as a job instead of inside the request.
REFERENCE_IMPORT_JOB_BYTES = env_int("ICHUB_REFERENCE_IMPORT_JOB_BYTES", 1024 * 1024)
# A review with more sources than this has its table downloads (CMOC table, matrix,
# sources, PRISMA, the Markdown report) made by a job when a signed-in reader asks.
DOWNLOAD_JOB_SOURCES = env_int("ICHUB_DOWNLOAD_JOB_SOURCES", 10_000)
