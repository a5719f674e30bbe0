"""API keys and recovery codes are shown once and then exist only as hashes: never in a log line,
a stored query parameter or the audit log."""

import logging
import re

import pytest
from django.db import connection
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AuditEvent


@pytest.fixture
def everything_logged(caplog):
    """Every logger at DEBUG, SQL statements with their parameters included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django's own config stops at INFO
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


def _audit_text() -> str:
    return "\n".join(event.canonical().decode() for event in AuditEvent.objects.all())


def test_a_new_api_key_is_in_no_log_and_no_audit_entry(
    client, operator_admin, everything_logged, commit
):
    client.force_login(operator_admin)
    with commit():
        response = client.post(reverse("api_keys:create"), {"name": "系统A"})
    raw = re.search(r'id="new-api-key"[^>]*>([^<]+)<', response.content.decode()).group(1)
    secret = raw.split("_", 2)[2]
    assert len(secret) > 20
    assert "SELECT" in everything_logged.text  # the SQL really was logged
    assert secret not in everything_logged.text
    assert AuditEvent.objects.filter(kind="api_key_created").exists()
    assert secret not in _audit_text()


def test_recovery_codes_are_in_no_log_and_no_audit_entry(
    client, reviewer, everything_logged, commit, staff_2fa
):
    client.force_login(reviewer)
    client.get(reverse("twofactor:setup"))
    device = TOTPDevice.objects.get(user=reviewer)
    with commit():
        response = client.post(reverse("twofactor:setup"), {"code": f"{totp(device.bin_key):06d}"})
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", response.content.decode())
    assert len(codes) == 10
    with commit():
        client.logout()
        client.force_login(reviewer)
        client.post(reverse("twofactor:verify"), {"code": codes[0]})
    logged, audited = everything_logged.text, _audit_text()
    assert "INSERT" in logged
    for code in codes:
        for form in (code, code.replace("-", "")):
            assert form not in logged and form not in audited
    assert AuditEvent.objects.filter(details__change="recovery code used").exists()


def test_the_totp_secret_is_in_no_audit_entry(client, reviewer, commit, staff_2fa):
    client.force_login(reviewer)
    client.get(reverse("twofactor:setup"))
    device = TOTPDevice.objects.get(user=reviewer)
    with commit():
        client.post(reverse("twofactor:setup"), {"code": f"{totp(device.bin_key):06d}"})
    assert device.key not in _audit_text()
