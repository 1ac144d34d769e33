"""ChiHuy settings: one module, everything that varies comes from the environment.

CHIHUY_ENV=production turns on the hardened mode and refuses to start without
SECRET_KEY and ALLOWED_HOSTS. Tests use the same module (pytest sets the test
overrides in conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import dj_email_url
from django.utils.csp import CSP

from chihuy.core.env import EnvError, env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CHIHUY_VAR_DIR", str(BASE_DIR / "var")))

CHIHUY_ENV = env_choice("CHIHUY_ENV", ("development", "production"), "development")
PRODUCTION = CHIHUY_ENV == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise EnvError("DEBUG=true is not allowed with CHIHUY_ENV=production")

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise EnvError("SECRET_KEY must be a random string of at least 50 characters in production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise EnvError("ALLOWED_HOSTS must be set in production (comma-separated host names)")
else:
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-key-not-for-production-use")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Before django_tasks_db: its ``db_worker`` command is extended by ours (heartbeat, recovery).
    "chihuy.core",
    "django_tasks_db",
    "chihuy.accounts",
    "chihuy.audit",
    "chihuy.jurisdictions",
    "chihuy.centres",
    "chihuy.roster",
    "chihuy.intake",
    "chihuy.alerts",
    "chihuy.reports",
    "chihuy.briefings",
    "chihuy.directives",
    "chihuy.announcements",
    "chihuy.notifications",
    "chihuy.portal",
    "chihuy.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chihuy.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chihuy.core.middleware.ActorMiddleware",
    "chihuy.accounts.middleware.RequireTwoFactorMiddleware",
    "chihuy.centres.middleware.ActiveCentreMiddleware",
    # Axes must be last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chihuy.urls"
ASGI_APPLICATION = "chihuy.asgi.application"
WSGI_APPLICATION = "chihuy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chihuy.centres.context_processors.active_centre",
                "chihuy.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: an embedded SQLite file by default, PostgreSQL in production and CI.
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chihuy.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests get a file, not Django's in-memory default: the live server's request threads and
    # threaded tests then open connections of their own, as in production, instead of sharing
    # the test thread's one (concurrent requests from one page raced on it). One file per
    # test process, in memory-backed /dev/shm where there is one; Django deletes it after.
    _test_dir = Path("/dev/shm") if Path("/dev/shm").is_dir() else VAR_DIR
    DATABASES["default"]["TEST"] = {"NAME": str(_test_dir / f"chihuy-test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    # Under ASGI Django advises against persistent connections; without a pool every request
    # would open a new PostgreSQL connection (a backend process started, authenticated and
    # torn down per request). Each server process keeps a small psycopg pool instead:
    # server processes × DB_POOL_MAX must stay below PostgreSQL's max_connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN", 1),
        "max_size": env_int("DB_POOL_MAX", 10),
        "timeout": 10,
    }
# Worker threads per server process for sync views (chihuy/asgi.py); each holds at most one
# database connection, so keep it at or below DB_POOL_MAX.
WEB_THREADS = env_int("WEB_THREADS", 8)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the rate-limit counters, so it must be shared by every web process: Redis
# when REDIS_URL is set (falling back to the database while it is down, /healthz then says
# "degraded"), otherwise the database cache, whose table core's migration creates. Never
# process memory: each process would count on its own. See chihuy/core/cache.py.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "chihuy.core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "chihuy.core.cache.DatabaseCache", "LOCATION": "chihuy_cache"}}

# Two queues, each with its own worker process (scripts/run-server): urgent-alert escalation,
# delivery and auditing on "alerts", so a bulk mailing on "default" never delays a step (R3).
TASK_QUEUES = ["default", "alerts"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# A task left RUNNING by a worker that is gone (killed, machine lost) is queued again, at most
# TASK_MAX_ATTEMPTS runs in all, then marked failed (chihuy/core/workers.py). A worker of ours
# proves it is alive with a heartbeat; a row claimed by a worker that never sent one (an older
# or foreign worker) is taken for lost once RUNNING longer than its lease, by task path ("*":
# any other task), in seconds.
TASK_RUNNING_LEASES: dict[str, float] = {
    "chihuy.alerts.tasks.alert_escalate_task": 60,
    "chihuy.alerts.tasks.alert_deliver_task": 300,
    "chihuy.alerts.tasks.alert_audit_task": 300,
    "*": 3600,
}
TASK_MAX_ATTEMPTS = 3

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "centres:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions expire after a working shift of inactivity.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["chihuy.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads have no public URL: each is downloaded through its record's view (chihuy.core.files).
    "default": {"BACKEND": "chihuy.core.files.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
# Behind nginx: the internal location that serves MEDIA_ROOT, e.g. "/_protected/"; the download
# views then answer with X-Accel-Redirect and nginx sends the bytes. Empty: the app streams them.
CHIHUY_FILES_ACCEL_PREFIX = env_str("CHIHUY_FILES_ACCEL_PREFIX", "")
if CHIHUY_FILES_ACCEL_PREFIX and not (
    CHIHUY_FILES_ACCEL_PREFIX.startswith("/") and CHIHUY_FILES_ACCEL_PREFIX.endswith("/")
):
    raise EnvError("CHIHUY_FILES_ACCEL_PREFIX must be a path that starts and ends with /, e.g. /_protected/")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CHIHUY_MAX_UPLOAD_BYTES = env_int("CHIHUY_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# E-mail: EMAIL_URL such as smtp://user:pass@host:587/?tls=True; the console in development.
_email = dj_email_url.parse(env_str("EMAIL_URL", "smtp://localhost:25" if PRODUCTION else "console:"))
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email["EMAIL_HOST_USER"] or None,
                "password": _email["EMAIL_HOST_PASSWORD"] or None,
                "use_tls": bool(_email["EMAIL_USE_TLS"]),
                "use_ssl": bool(_email["EMAIL_USE_SSL"]),
                "timeout": 20,
            }
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ChiHuy <no-reply@chihuy.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach the app; links in e-mails and SMS are made absolute with it.
SITE_URL = env_str("CHIHUY_SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

# Security headers. The Content-Security-Policy allows only our own files; scripts
# need the per-response nonce, so no inline script runs unless we wrote it.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The REST API: token authentication for integrations, session for the browser.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chihuy.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "chihuy.api.errors.problem_exception_handler",
    "DEFAULT_METADATA_CLASS": "chihuy.api.metadata.ApiMetadata",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ChiHuy API",
    "DESCRIPTION": "API for integrations with ChiHuy epidemic command centres.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # chihuy.api.converters: ids in the API's paths have at most 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    # Several choice sets share a field name ("level", "kind"); name their enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "CentreLevelEnum": "chihuy.centres.choices.CentreLevel",
        "AgencyKindEnum": "chihuy.centres.choices.AgencyKind",
        "JurisdictionLevelEnum": "chihuy.jurisdictions.choices.Level",
        "JurisdictionKindEnum": "chihuy.jurisdictions.choices.Kind",
        "MemberRoleEnum": "chihuy.centres.choices.Role",
        "DutyRoleEnum": "chihuy.roster.choices.DutyRole",
        "RosterStatusEnum": "chihuy.roster.choices.RosterStatus",
        "SwapStatusEnum": "chihuy.roster.choices.SwapStatus",
        "IntakeStatusEnum": "chihuy.intake.choices.IntakeStatus",
        "IntakeChannelEnum": "chihuy.intake.choices.Channel",
        "IntakeSourceEnum": "chihuy.intake.choices.Source",
    },
}

# django-otp: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "ChiHuy"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own "django" logger prints to the console in DEBUG and then passes the record
    # up to ours: every worker and server line came out twice. One handler, no propagation.
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
