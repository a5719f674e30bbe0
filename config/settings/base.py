"""Settings shared by every profile. Values that differ per deployment come from the environment.

Profiles: ``dev`` (default for manage.py), ``test`` (pytest), ``prod`` (refuses insecure values).
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import (
    audit_hmac_keys,
    database_config,
    env_bool,
    env_decimal,
    env_int,
    env_list,
    env_str,
    replica_config,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "django-insecure-dev-only-key-never-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "apps.accounts",
    "apps.organisations",
    "apps.core",
    "apps.catalog",
    "apps.authorizations",
    "apps.cdo",
    "apps.datazone",
    "apps.api",
    "apps.revenue",
    "apps.audit",
    "apps.twofactor",
    "apps.reporting",
    "apps.opendata",
    "apps.ckan",
    "apps.registration",
    "apps.products",
    "apps.demo",
    "apps.operations",
    "apps.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the database: answers 503 at once while it is unreachable.
    "apps.core.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.twofactor.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "apps.audit.middleware.ExportAuditMiddleware",
    # Last, so it sees the login view's answer and turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The operator API (/api/v1/) runs through its own short stack (config/handlers.py): programs
# with a key, or anyone for open data, need no session, CSRF, messages, 2FA, lockout, history
# request or CSP. The security headers, the database breaker and Accept-Language stay.
API_PATH_PREFIX = "/api/v1/"
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.outage.DatabaseOutageMiddleware",
    "apps.core.api_middleware.AcceptLanguageMiddleware",
    "apps.core.api_middleware.ApiOnlyMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.navigation",
                "apps.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": database_config(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        pool=env_bool("DATABASE_POOL", True),
        password=env_str("DATABASE_PASSWORD"),
    )
}
# A PostgreSQL streaming replica (README "Scaling out"): the rows of live versions that the
# operator API and the open data read are served from it once it has replayed them, waiting at
# most DATABASE_REPLICA_WAIT_MS for a new version before reading it from the primary. Every
# model, so every access check, quota, usage record and write, stays on the primary.
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = replica_config(
        _replica_url,
        primary=DATABASES["default"],
        pool=env_bool("DATABASE_POOL", True),
        password=env_str("DATABASE_REPLICA_PASSWORD"),
    )
DATABASE_ROUTERS = ["apps.datazone.replicas.PrimaryReplicaRouter"]
DATABASE_REPLICA_WAIT_MS = env_int("DATABASE_REPLICA_WAIT_MS", 200, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is a helper, not a single point of failure (apps/core/cache.py): while it cannot be
# reached the portal serves without it, tries again every CACHE_RETRY_SECONDS and waits at most
# CACHE_SOCKET_TIMEOUT seconds for an answer. Sessions live in the database, not in Redis.
_redis_url = env_str("REDIS_URL")
CACHE_SOCKET_TIMEOUT = env_int("CACHE_SOCKET_TIMEOUT_MS", 250, minimum=1) / 1000
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 5, minimum=0)
CACHES = {
    "default": (
        {"BACKEND": "apps.core.cache.ResilientRedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# The catalog page's counts and results stay cached until an entry, a department or a live
# version changes (apps/catalog/listing_cache.py), and never longer than this. Without Redis each
# process has its own cache and sees only its own changes: the bound is then what another
# worker's page may lag behind.
CATALOG_LISTING_CACHE_SECONDS = env_int(
    "CATALOG_LISTING_CACHE_SECONDS", 600 if _redis_url else 10, minimum=0
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Guardian: no anonymous object permissions; the public pages need none.
ANONYMOUS_USER_NAME = None

# simple-history: approvals must not be "reverted" from the admin, and seeing an object does not
# mean seeing its history (../shared/library-notes.md §3).
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True

LANGUAGE_CODE = "zh-hans"
# Numbers grouped by thousands in both languages (12,345.67): every number a template or the
# admin shows is grouped; identifiers and years are written with |unlocalize where they appear.
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"  # None in tests: nothing is collected
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Django 6.1 configures outgoing mail through MAILERS (the EMAIL_* settings are deprecated).
_smtp = env_str("EMAIL_HOST")
SMTP_MAILER = {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {
        "host": _smtp or "localhost",
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    },
}
MAILERS = {
    "default": (
        SMTP_MAILER if _smtp else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications (README "Notifications") ------------------------------------------------
# The portal's address as its users reach it: the link back in every email.
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000")
# The host part of each email's Message-ID (the message's idempotency key is the rest).
NOTIFICATION_MESSAGE_ID_DOMAIN = env_str("NOTIFICATION_MESSAGE_ID_DOMAIN", "portal.localhost")
# In-portal notifications are deleted this many days after they were made (send_notifications).
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 180, minimum=1)
# The daily digest leaves at this hour, local time (TIME_ZONE).
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 8, minimum=0)
if NOTIFICATION_DIGEST_HOUR > 23:
    raise ImproperlyConfigured("NOTIFICATION_DIGEST_HOUR must be an hour from 0 to 23")
# An undelivered email is tried again after BASE seconds, doubling each time up to MAX.
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 60, minimum=1)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 3600, minimum=1)
# send_notifications looks for due emails this often (seconds).
NOTIFICATION_SEND_INTERVAL = env_int("NOTIFICATION_SEND_INTERVAL", 10, minimum=1)
# Items in a bureau queue longer than this many days are listed as overdue (send_reminders).
NOTIFICATION_OVERDUE_DAYS = env_int("NOTIFICATION_OVERDUE_DAYS", 10, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.api_parsers.BoundedJSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "apps.core.api_errors.exception_handler",
}
# The largest JSON body the API reads (bytes); a larger one answers 400.
API_MAX_JSON_BODY_BYTES = env_int("API_MAX_JSON_BODY_BYTES", 1024 * 1024, minimum=1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "Public data portal API",
    "DESCRIPTION": "Public catalog and the operator API of the city data bureau's portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # A URL served by one view per operation is described by those views (apps/core/api_routing).
    "PREPROCESSING_HOOKS": ["apps.core.api_routing.expand_method_routes"],
    # Swagger UI from the sidecar package: the docs page loads nothing from other hosts.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_outage": {"()": "apps.core.outage.QuietOutageFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["quiet_outage"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The pool would log every failed reconnection; apps/core/outage.py logs the outage once.
    "loggers": {"psycopg.pool": {"level": "ERROR"}},
}

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
# Offices share computers: closing the browser ends the session (SESSION_COOKIE_AGE still caps it).
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Share of authorization proceeds returned to the providing department unless the approval says
# otherwise (../shared/domain.md: "a recorded figure per authorization, with a portal default").
AUTHORIZATION_DEFAULT_REVENUE_SHARE = env_decimal(
    "AUTHORIZATION_DEFAULT_REVENUE_SHARE", "0.30", minimum="0", maximum="1"
)
# Public data resource registration (公共数据资源登记, 26号): an authorization is approved only for
# a catalog entry with a registration in force while this is on.
REGISTRATION_REQUIRED_FOR_AUTHORIZATION = env_bool("REGISTRATION_REQUIRED_FOR_AUTHORIZATION", True)
# The administrative division code at the head of every registration code (README, "Registration").
REGISTRATION_REGION_CODE = env_str("REGISTRATION_REGION_CODE", "520100")
# Largest evidence or agreement document accepted, in bytes.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Largest data-zone upload (CSV or XLSX) accepted, in bytes; refused before the file is read.
DATAZONE_MAX_UPLOAD_BYTES = env_int("DATAZONE_MAX_UPLOAD_BYTES", 2 * 1024**3, minimum=1)
# Earlier complete versions kept per entry (for rollback) by `manage.py archive_versions`.
DATAZONE_KEEP_VERSIONS = env_int("DATAZONE_KEEP_VERSIONS", 3, minimum=0)

# While PostgreSQL is unreachable (apps/core/outage.py): after this many failures in a row every
# request answers 503 at once for DATABASE_RETRY_SECONDS, then one tries again.
DATABASE_OUTAGE_THRESHOLD = env_int("DATABASE_OUTAGE_THRESHOLD", 3, minimum=1)
DATABASE_RETRY_SECONDS = env_int("DATABASE_RETRY_SECONDS", 5, minimum=1)
# /readyz: a data-zone worker must have beaten within this many seconds (when required).
DATAZONE_WORKER_STALE_SECONDS = env_int("DATAZONE_WORKER_STALE_SECONDS", 120, minimum=10)
READYZ_REQUIRE_WORKER = env_bool("READYZ_REQUIRE_WORKER", False)

# Operator API: requests per key (fixed window: N/s, N/min or N/hour), the smallest group an
# aggregate may show ("available but invisible"), and the largest page of records.
API_KEY_RATE = env_str("API_KEY_RATE", "600/min")
API_AGGREGATE_MIN_GROUP = env_int("API_AGGREGATE_MIN_GROUP", 10, minimum=1)
API_MAX_PAGE_SIZE = 1000
# Open API (no key, open entries only): requests per caller address, fixed window as above.
OPEN_API_RATE = env_str("OPEN_API_RATE", "60/min")
# Each worker keeps what the access checks found until PostgreSQL announces a change to it
# (apps/api/access_cache.py); off, every call reads everything again.
API_ACCESS_CACHE = env_bool("API_ACCESS_CACHE", True)
# …and never longer than this, announced change or not (a bound should a notification be lost).
API_ACCESS_CACHE_SECONDS = env_int("API_ACCESS_CACHE_SECONDS", 60, minimum=0)
# Usage records of calls made while PostgreSQL is unreachable wait in memory, at most this many
# per process (apps/api/usage_buffer.py); beyond, they are counted as lost. Every
# API_USAGE_FLUSH_SECONDS the process tries to write them (0: only on the next written record).
API_USAGE_BUFFER_SIZE = env_int("API_USAGE_BUFFER_SIZE", 10_000, minimum=0)
API_USAGE_FLUSH_SECONDS = env_int("API_USAGE_FLUSH_SECONDS", 5, minimum=0)

# Content Security Policy (Django 6's own): scripts only from this site or with the page's nonce.
# Inline style attributes stay allowed because the admin and Swagger UI use them.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Large-transaction support (Guiyang programme, item 7; apps/revenue/services/support.py): a
# locally tax-paying operator whose certified annual transaction amount is more than the
# threshold gets the rate of it, at most the cap in total, within one year of first qualifying.
REVENUE_SUPPORT_THRESHOLD = env_decimal(
    "REVENUE_SUPPORT_THRESHOLD", "5000000", minimum="0", maximum="999999999999.99"
)
REVENUE_SUPPORT_RATE = env_decimal("REVENUE_SUPPORT_RATE", "0.01", minimum="0", maximum="1")
REVENUE_SUPPORT_CAP = env_decimal(
    "REVENUE_SUPPORT_CAP", "1000000", minimum="0", maximum="999999999999.99"
)

# --- Login protection (README "Security") ---------------------------------------------------
# Proxies in front of the portal that append to X-Forwarded-For (1 behind the load balancer);
# 0 trusts only the socket address, because a client can write any X-Forwarded-For it likes.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that
# username is locked there for LOGIN_COOLOFF_MINUTES. Username and address together, so nobody
# can lock a colleague out of the portal from elsewhere; the cool-off ends it without staff help.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_CLIENT_IP_CALLABLE = "apps.audit.ip.client_ip"
# Logins are in the audit log (apps/audit); axes keeps only what it needs to count failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner in every command's output
# Masked in axes' log lines and in the form fields it stores (the password always is).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]

# Bureau staff need a second factor (TOTP, or a recovery code) for everything they do while
# logged in (apps/twofactor). The test profile turns it off so tests of other apps can
# force_login staff; tests/security and the e2e security journey turn it back on.
PORTAL_REQUIRE_STAFF_2FA = True
OTP_TOTP_ISSUER = "Public Data Portal"
# Never show a staff member's TOTP secret or its QR code to other staff in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# seed_demo writes a public API key, a public TOTP secret and published passwords: allowed in
# development and tests, refused by the production profile (apps/demo).
PORTAL_DEMO_DATA_ALLOWED = True

# --- Audit log (README "Audit log: key, rotation, checkpoints, database role") --------------
# Entries are HMAC-SHA256 under a key the database does not hold: AUDIT_HMAC_KEY signs new ones,
# retired keys (AUDIT_HMAC_OLD_KEYS) still verify old ones. Development gets a labelled dev key.
AUDIT_HMAC_KEY_ID, AUDIT_HMAC_KEYS = audit_hmac_keys(allow_dev_key=True)
# Signed chain heads written by `manage.py audit_checkpoint`; never overwritten. In production
# point it at storage the database's users cannot write (a WORM or append-only mount).
AUDIT_CHECKPOINT_DIR = Path(
    env_str("AUDIT_CHECKPOINT_DIR", str(BASE_DIR / "var" / "audit-checkpoints"))
)
