"""Read settings from the environment, failing loudly on values that make no sense.

A typo in production configuration should stop the process at start-up with a message naming
the variable, not surface later as odd behaviour.
"""

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from psycopg_pool import ConnectionPool

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """``NAME``, or the content of the file that ``NAME_FILE`` names (container secrets).

    Orchestrators mount secrets as files so they stay out of the process environment, which
    leaks into crash reports and ``/proc``. Setting both is refused: one of them would be
    silently ignored.
    """
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if path:
        if value is not None:
            raise ImproperlyConfigured(f"{name} and {name}_FILE are both set: use one of them")
        return _read_secret_file(f"{name}_FILE", path)
    return default if value is None else value


def _read_secret_file(variable: str, path: str) -> str:
    # The message names the variable and the path, never the content.
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ImproperlyConfigured(f"{variable}: cannot read {path!r} ({reason})") from None
    # `echo secret > file` adds a newline that is not part of the secret.
    content = content.rstrip("\r\n")
    if not content:
        raise ImproperlyConfigured(f"{variable}: {path!r} is empty")
    return content


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_decimal(name: str, default: str, *, minimum: str, maximum: str) -> Decimal:
    raw = os.environ.get(name) or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a decimal number, got {raw!r}") from None
    if not Decimal(minimum) <= value <= Decimal(maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str, *, pool: bool, password: str = "") -> dict[str, Any]:
    """Parse DATABASE_URL; PostgreSQL gets psycopg 3's connection pool.

    Django's pool refuses persistent connections, so CONN_MAX_AGE stays 0 with it. ``password``
    (DATABASE_PASSWORD or DATABASE_PASSWORD_FILE) keeps the secret out of the URL, which is
    often shown in deployment manifests.
    """
    if not url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:// or postgres://, got {url.split(':', 1)[0]!r}"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid URL: {exc}") from None
    if password:
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                "DATABASE_PASSWORD is set but DATABASE_URL is not PostgreSQL"
            )
        if config.get("PASSWORD"):
            raise ImproperlyConfigured(
                "DATABASE_URL has a password and DATABASE_PASSWORD is set too: use one of them"
            )
        config["PASSWORD"] = password
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 0
        options = config.setdefault("OPTIONS", {})
        # Fail fast while the server is unreachable (apps/core/outage.py answers 503).
        options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2, minimum=1))
        # The data zone's tables are read far more than written and stay in memory: a random
        # page costs about what a sequential one does, so PostgreSQL takes a (column, _row) index
        # for a filtered keyset page instead of walking the primary key and discarding rows.
        random_page_cost = env_str("DATABASE_RANDOM_PAGE_COST", "1.1")
        if random_page_cost:
            options.setdefault("options", f"-c random_page_cost={float(random_page_cost)}")
        if pool:
            options["pool"] = {
                "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2, minimum=1),
                "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1),
                "timeout": env_int("DATABASE_POOL_TIMEOUT", 2, minimum=1),
                # Every connection is checked before it is handed out: after a database restart
                # no request gets a connection the server has already closed.
                "check": ConnectionPool.check_connection,
            }
    return config


def replica_config(
    url: str, *, primary: dict[str, Any], pool: bool, password: str = ""
) -> dict[str, Any]:
    """DATABASE_REPLICA_URL: a PostgreSQL streaming replica of the (PostgreSQL) primary.

    It is read-only and never migrated; in tests it mirrors the primary's test database, so a
    test run never tries to create a database on it.
    """
    if primary["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL")
    if not url.startswith(("postgres:", "postgresql:", "pgsql:")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must start with postgres://")
    config = database_config(url, pool=pool, password=password)
    config["TEST"] = {"MIRROR": "default"}
    return config


# Never used under the production profile, which refuses to start without a real key.
DEV_AUDIT_HMAC_KEY_ID = "dev"
DEV_AUDIT_HMAC_KEY = b"insecure-development-only-audit-key-never-use-in-production"
AUDIT_HMAC_KEY_MIN_BYTES = 32


def audit_hmac_keys(*, allow_dev_key: bool) -> tuple[str, dict[str, bytes]]:
    """The audit log's signing keys: (current key id, {key id: key}).

    ``AUDIT_HMAC_KEY`` (or ``_FILE``) is the key new entries are signed with, ``AUDIT_HMAC_KEY_ID``
    its name (default "1"). Retired keys stay in ``AUDIT_HMAC_OLD_KEYS`` (or ``_FILE``) as
    ``id:key`` items separated by whitespace, so entries they signed still verify. Without a
    key, development and tests get a labelled dev key; production refuses.
    """
    key = env_str("AUDIT_HMAC_KEY")
    if not key:
        if not allow_dev_key:
            raise ImproperlyConfigured(
                "AUDIT_HMAC_KEY (or AUDIT_HMAC_KEY_FILE) must be set in production"
            )
        return DEV_AUDIT_HMAC_KEY_ID, {DEV_AUDIT_HMAC_KEY_ID: DEV_AUDIT_HMAC_KEY}
    current = env_str("AUDIT_HMAC_KEY_ID", "1").strip()
    keys = {current: key.encode()}
    for item in env_str("AUDIT_HMAC_OLD_KEYS").split():
        key_id, separator, old_key = item.partition(":")
        if not separator or not key_id or not old_key:
            raise ImproperlyConfigured("AUDIT_HMAC_OLD_KEYS items must look like id:key")
        if key_id in keys:
            raise ImproperlyConfigured(f"AUDIT_HMAC_OLD_KEYS: key id {key_id!r} is given twice")
        keys[key_id] = old_key.encode()
    _check_audit_keys(current, keys)
    return current, keys


def _check_audit_keys(current: str, keys: dict[str, bytes]) -> None:
    # The messages name the key id, never the key.
    if current == DEV_AUDIT_HMAC_KEY_ID:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY_ID 'dev' is reserved for the development key")
    for key_id, key in keys.items():
        if not key_id or len(key_id) > 32 or ":" in key_id:
            raise ImproperlyConfigured(
                f"audit key id {key_id!r} must be 1 to 32 characters, without ':'"
            )
        if len(key) < AUDIT_HMAC_KEY_MIN_BYTES:
            raise ImproperlyConfigured(
                f"audit key {key_id!r} must be at least {AUDIT_HMAC_KEY_MIN_BYTES} bytes"
            )
