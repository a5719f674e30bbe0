import os
import subprocess
import sys
import tempfile

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import database_config, env_bool, env_int, env_list

GOOD_SECRET = "x7!Kp2#vQ9@mL4$wR8^tY6&uI3*oP1(aS5)dF0_gH-jZ+cV=bN"
GOOD_AUDIT_KEY = "audit-key-for-tests-0123456789abcdef"  # 36 bytes


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False


def test_env_bool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_env_int_fails_loudly(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", 5, minimum=1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.cn, b.example.cn ,")
    assert env_list("HOSTS") == ["a.example.cn", "b.example.cn"]


def test_database_url_sqlite_and_postgres_with_a_pool():
    assert database_config("sqlite:////tmp/x.sqlite3", pool=True)["ENGINE"].endswith("sqlite3")
    config = database_config("postgres://u@db.example:5432/portal", pool=True)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "portal"
    assert config["CONN_MAX_AGE"] == 0  # the pool refuses persistent connections
    assert config["OPTIONS"]["pool"]["max_size"] >= 1


def test_database_url_refuses_unknown_schemes():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_config("mysql://root@localhost/portal", pool=False)


def test_the_defaults_need_nothing_installed():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.STORAGES["staticfiles"]["BACKEND"]  # both storages are configured
    assert "default" in settings.STORAGES


def _run_prod(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not k.startswith("AUDIT_HMAC_")
    }
    # A real audit key unless the test says otherwise ("" leaves it unset).
    environment["AUDIT_HMAC_KEY"] = GOOD_AUDIT_KEY
    # An empty database of its own: what the developer's databases hold never decides a check.
    database = f"sqlite:///{tempfile.mkdtemp(prefix='portal-prod-check-')}/db.sqlite3"
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.prod", DATABASE_URL=database)
    environment.update(env)
    environment = {k: v for k, v in environment.items() if v != ""}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret():
    result = _run_prod("check", ALLOWED_HOSTS="portal.example.cn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_hosts():
    result = _run_prod("check", SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug():
    result = _run_prod(
        "check", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="portal.example.cn", DEBUG="1"
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_passes_check_deploy_with_no_warnings():
    result = _run_prod(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.cn",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_env_decimal_checks_range(monkeypatch):
    from decimal import Decimal

    from config.env import env_decimal

    assert env_decimal("SHARE", "0.30", minimum="0", maximum="1") == Decimal("0.30")
    monkeypatch.setenv("SHARE", "1.5")
    with pytest.raises(ImproperlyConfigured, match="between 0 and 1"):
        env_decimal("SHARE", "0.30", minimum="0", maximum="1")
    monkeypatch.setenv("SHARE", "thirty")
    with pytest.raises(ImproperlyConfigured, match="decimal"):
        env_decimal("SHARE", "0.30", minimum="0", maximum="1")


def test_production_refuses_to_start_without_an_audit_key():
    result = _run_prod(
        "check", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="portal.example.cn", AUDIT_HMAC_KEY=""
    )
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY" in result.stderr


def test_production_refuses_an_audit_key_shorter_than_32_bytes():
    result = _run_prod(
        "check",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.cn",
        AUDIT_HMAC_KEY="k" * 31,
    )
    assert result.returncode != 0
    assert "at least 32 bytes" in result.stderr
    assert "k" * 31 not in result.stderr  # the message names the key id, never the key


def test_production_takes_the_audit_key_from_a_file_with_its_old_keys(tmp_path):
    key_file = tmp_path / "audit_key"
    key_file.write_text("n" * 40 + "\n", encoding="utf-8")
    old_keys = tmp_path / "audit_old_keys"
    old_keys.write_text("2025:" + "o" * 32 + "\n2024:" + "p" * 33 + "\n", encoding="utf-8")
    probe = (
        "from django.conf import settings;"
        "print(settings.AUDIT_HMAC_KEY_ID, sorted(settings.AUDIT_HMAC_KEYS),"
        " len(settings.AUDIT_HMAC_KEYS['2026']))"
    )
    result = _run_prod(
        "shell",
        "-c",
        probe,
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.cn",
        AUDIT_HMAC_KEY="",
        AUDIT_HMAC_KEY_FILE=str(key_file),
        AUDIT_HMAC_KEY_ID="2026",
        AUDIT_HMAC_OLD_KEYS_FILE=str(old_keys),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2026 ['2024', '2025', '2026'] 40"


def test_audit_keys_refuse_a_short_old_key_and_a_malformed_item(monkeypatch):
    from config.env import audit_hmac_keys

    monkeypatch.setenv("AUDIT_HMAC_KEY", "c" * 32)
    monkeypatch.setenv("AUDIT_HMAC_OLD_KEYS", "old:short")
    with pytest.raises(ImproperlyConfigured, match="'old' must be at least 32 bytes"):
        audit_hmac_keys(allow_dev_key=False)
    monkeypatch.setenv("AUDIT_HMAC_OLD_KEYS", "no-id-here")
    with pytest.raises(ImproperlyConfigured, match="id:key"):
        audit_hmac_keys(allow_dev_key=False)


def test_development_gets_a_labelled_dev_key_and_production_never(monkeypatch):
    from config.env import DEV_AUDIT_HMAC_KEY_ID, audit_hmac_keys

    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    monkeypatch.delenv("AUDIT_HMAC_KEY_FILE", raising=False)
    key_id, keys = audit_hmac_keys(allow_dev_key=True)
    assert key_id == DEV_AUDIT_HMAC_KEY_ID and b"insecure-development-only" in keys[key_id]
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY"):
        audit_hmac_keys(allow_dev_key=False)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "d" * 32)
    monkeypatch.setenv("AUDIT_HMAC_KEY_ID", "dev")
    with pytest.raises(ImproperlyConfigured, match="reserved"):
        audit_hmac_keys(allow_dev_key=False)
