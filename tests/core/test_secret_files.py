"""Secrets from files (*_FILE): container orchestrators mount them instead of environment values."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import database_config, env_str

GOOD_SECRET = "x7!Kp2#vQ9@mL4$wR8^tY6&uI3*oP1(aS5)dF0_gH-jZ+cV=bN"
GOOD_AUDIT_KEY = "audit-key-for-tests-0123456789abcdef"


@pytest.fixture
def secret_file(tmp_path):
    def write(content: str):
        path = tmp_path / "secret"
        path.write_text(content, encoding="utf-8")
        return path

    return write


def test_a_variable_is_read_from_its_file(monkeypatch, secret_file):
    monkeypatch.delenv("SOME_SECRET", raising=False)
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret_file("s3cr3t-value\n")))
    assert env_str("SOME_SECRET") == "s3cr3t-value"  # the trailing newline of `echo` is dropped


def test_inner_whitespace_is_kept(monkeypatch, secret_file):
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret_file("  two words \r\n")))
    assert env_str("SOME_SECRET") == "  two words "


def test_the_plain_variable_still_works_and_the_default_too(monkeypatch):
    monkeypatch.delenv("SOME_SECRET_FILE", raising=False)
    monkeypatch.setenv("SOME_SECRET", "plain")
    assert env_str("SOME_SECRET") == "plain"
    monkeypatch.delenv("SOME_SECRET")
    assert env_str("SOME_SECRET", "fallback") == "fallback"


def test_both_at_once_are_refused(monkeypatch, secret_file):
    monkeypatch.setenv("SOME_SECRET", "plain")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret_file("from-file")))
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET and SOME_SECRET_FILE"):
        env_str("SOME_SECRET")


def test_a_missing_file_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("SOME_SECRET", raising=False)
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "nope"))
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE: cannot read"):
        env_str("SOME_SECRET")


def test_an_empty_file_is_refused(monkeypatch, secret_file):
    monkeypatch.delenv("SOME_SECRET", raising=False)
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret_file("\n")))
    with pytest.raises(ImproperlyConfigured, match="is empty"):
        env_str("SOME_SECRET")


def test_errors_never_show_the_content(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_bytes(b"\xff\xfe-secret-bytes")  # not UTF-8
    monkeypatch.delenv("SOME_SECRET", raising=False)
    monkeypatch.setenv("SOME_SECRET_FILE", str(path))
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE") as error:
        env_str("SOME_SECRET")
    assert "secret-bytes" not in str(error.value)


def test_the_database_password_joins_the_url():
    config = database_config("postgres://portal@db.example:5432/portal", pool=False, password="pw")
    assert (config["USER"], config["PASSWORD"], config["HOST"]) == ("portal", "pw", "db.example")


def test_a_password_in_both_places_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PASSWORD"):
        database_config("postgres://portal:inurl@db.example/portal", pool=False, password="pw")


def test_a_password_for_sqlite_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not PostgreSQL"):
        database_config("sqlite:////tmp/x.sqlite3", pool=False, password="pw")


def _run_prod(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not k.startswith("AUDIT_HMAC_")
    }
    # A real audit key unless the test says otherwise ("" leaves it unset).
    environment["AUDIT_HMAC_KEY"] = GOOD_AUDIT_KEY
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.prod", **env)
    environment = {k: v for k, v in environment.items() if v != ""}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_takes_its_secret_key_and_database_password_from_files(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_SECRET + "\n", encoding="utf-8")
    password_file = tmp_path / "db_password"
    password_file.write_text("db-pw-from-file\n", encoding="utf-8")
    probe = (
        "from django.conf import settings;"
        "print(settings.SECRET_KEY == " + repr(GOOD_SECRET) + ");"
        "print(settings.DATABASES['default']['PASSWORD'])"
    )
    result = _run_prod(
        "shell",
        "-c",
        probe,
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="portal.example.cn",
        DATABASE_URL="postgres://portal@db.example:5432/portal",
        DATABASE_PASSWORD_FILE=str(password_file),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "db-pw-from-file"]


def test_production_refuses_an_unreadable_secret_key_file(tmp_path):
    result = _run_prod(
        "check",
        SECRET_KEY_FILE=str(tmp_path / "missing"),
        ALLOWED_HOSTS="portal.example.cn",
    )
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr
