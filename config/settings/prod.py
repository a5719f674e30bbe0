"""Production profile: several app servers behind a load balancer, sharing PostgreSQL and Redis.

Refuses to start on a default or weak SECRET_KEY, on missing ALLOWED_HOSTS, without an audit key
(AUDIT_HMAC_KEY, at least 32 bytes) or with DEBUG on, and
passes ``manage.py check --deploy`` with no warnings.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import audit_hmac_keys, env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import SECRET_KEY, SMTP_MAILER

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set DEBUG=0)")
if not env_str("SECRET_KEY") or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret in production")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct")
if not env_str("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names in production")
# The audit chain's key: at least 32 bytes, never the development key (apps/audit/models.py).
AUDIT_HMAC_KEY_ID, AUDIT_HMAC_KEYS = audit_hmac_keys(allow_dev_key=False)

# Demo data carries public secrets: seed_demo refuses to run, and check --deploy fails while any
# of them is in the database (apps/demo/checks.py).
PORTAL_DEMO_DATA_ALLOWED = False
# A server is ready only while a data-zone worker reports (readyz; READYZ_REQUIRE_WORKER=0: no).
READYZ_REQUIRE_WORKER = env_bool("READYZ_REQUIRE_WORKER", True)

# TLS is terminated at the load balancer, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's probes come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Mail always goes out over SMTP (EMAIL_HOST, default a local MTA on localhost).
MAILERS = {"default": SMTP_MAILER}
