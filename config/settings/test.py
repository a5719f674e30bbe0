"""Test profile: fast hashing, plain static storage (nothing to collect), mail kept in memory."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Static files come from the finders in tests; nothing is collected.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Uploaded documents go to a throw-away folder, never into the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
# Audit checkpoints too; the tests that write them give each test a folder of its own.
AUDIT_CHECKPOINT_DIR = Path(tempfile.mkdtemp(prefix="portal-test-audit-checkpoints-"))
# Other apps' tests force_login staff and call authenticate() without a request: staff 2FA and
# login lockout are off here and turned on by the tests that prove them (tests/security, e2e).
PORTAL_REQUIRE_STAFF_2FA = False
AXES_ENABLED = False
# A test's changes never commit, so no change is ever announced: the API's access cache is off
# here and turned on by the tests that prove its invalidation (tests/api/test_access_cache.py).
API_ACCESS_CACHE = False
# Tests flush buffered usage records themselves; the periodic flush is proved by its own test.
API_USAGE_FLUSH_SECONDS = 0
# Most tests approve authorizations for entries they never register: the registration gate is
# off here and turned on by the tests that prove it (tests/registration/test_gate.py) and by the
# demo's test (seed_demo registers what its authorizations need).
REGISTRATION_REQUIRED_FOR_AUTHORIZATION = False
