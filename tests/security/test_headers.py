"""HTTP hardening: the security headers on every kind of page, HSTS and secure cookies in prod."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

GOOD_SECRET = "x7!Kp2#vQ9@mL4$wR8^tY6&uI3*oP1(aS5)dF0_gH-jZ+cV=bN"

PAGES = [reverse("home"), reverse("catalog:list"), reverse("login"), reverse("admin:login")]


def _directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in policy.split(";")
    }


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_security_headers(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    # Scripts only from the site itself or with the page's nonce; never inline by default.
    assert policy["script-src"].startswith("'self'")
    assert "unsafe-inline" not in policy["script-src"] and "*" not in policy["script-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_script_without_the_nonce(db, client, path):
    response = client.get(path)
    page = response.content.decode()
    for tag in page.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        if "src=" not in opening:
            nonce = _directives(response["Content-Security-Policy"])["script-src"]
            assert 'nonce="' in opening and opening.split('nonce="')[1].split('"')[0] in nonce


def test_the_lockout_and_2fa_pages_carry_them_too(client, reviewer, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    client.force_login(reviewer)
    response = client.get(reverse("twofactor:setup"))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


PROBE = """
import json
from django.conf import settings
from django.test import Client
response = Client().get("/accounts/logout/", secure=True, HTTP_HOST="portal.example.cn")
print(json.dumps({
    "status": response.status_code,
    "headers": dict(response.headers),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
}))
"""


def test_production_sends_hsts_and_keeps_cookies_secure():
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.cn",
        AUDIT_HMAC_KEY="audit-key-for-tests-0123456789abcdef",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = probe["headers"]
    assert probe["status"] == 405  # logout is POST only; the headers are what matters
    hsts = headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert probe["session_cookie_secure"] and probe["csrf_cookie_secure"]
    assert probe["session_cookie_httponly"]


def test_plain_http_is_sent_to_https_in_production():
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.cn",
        AUDIT_HMAC_KEY="audit-key-for-tests-0123456789abcdef",
    )
    probe = (
        "from django.test import Client;"
        "r = Client().get('/', HTTP_HOST='portal.example.cn');"
        "print(r.status_code, r['Location'])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "301 https://portal.example.cn/"
