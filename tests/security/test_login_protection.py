"""Lockout after repeated wrong passwords (django-axes), strong passwords, session expiry."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent, EventKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("axes_on")

LOGIN_PAGES = [reverse("login"), reverse("admin:login")]


def _log_in(client, path: str, username: str, password: str, address: str = "10.0.0.7"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client, path: str, username: str, times: int, address: str = "10.0.0.7"):
    return [_log_in(client, path, username, "wrong-password", address) for _ in range(times)]


def test_the_configuration_is_five_tries_then_thirty_minutes():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_the_fifth_wrong_password_locks_the_account_with_a_clear_page(client, reviewer, path):
    responses = _fail(client, path, "reviewer", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    locked = responses[4]
    assert locked.status_code == 429
    page = locked.content.decode()
    assert 'id="lockout-message"' in page and 'id="lockout-cooloff"' in page
    assert "30" in page.split('id="lockout-cooloff"')[1].split("</p>")[0]
    assert '<html lang="zh-hans">' in page  # the user's language, the site's layout
    # The right password does not help while locked.
    response = _log_in(client, path, "reviewer", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_so_nobody_locks_a_colleague_out_from_elsewhere(client, reviewer):
    _fail(client, reverse("login"), "reviewer", 5, address="10.0.0.66")
    response = _log_in(client, reverse("login"), "reviewer", PASSWORD, address="10.0.0.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reviewer.pk)


def test_the_lock_ends_after_the_cool_off(client, department_member):
    _fail(client, reverse("login"), "dept_member", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    response = _log_in(client, reverse("login"), "dept_member", PASSWORD)
    assert response.status_code == 302


def test_a_successful_log_in_resets_the_count(client, department_member):
    _fail(client, reverse("login"), "dept_member", 4)
    assert _log_in(client, reverse("login"), "dept_member", PASSWORD).status_code == 302
    client.logout()
    responses = _fail(client, reverse("login"), "dept_member", 4)
    assert {r.status_code for r in responses} == {200}


def test_the_stored_attempt_keeps_no_password(client, department_member):
    _fail(client, reverse("login"), "dept_member", 1)
    attempt = AccessAttempt.objects.get()
    assert "wrong-password" not in attempt.post_data
    assert "csrfmiddlewaretoken=" not in attempt.post_data.replace("csrfmiddlewaretoken=*", "")


def test_failures_and_the_lockout_are_in_the_audit_log(client, reviewer, commit):
    with commit():
        _fail(client, reverse("login"), "reviewer", 5)
        _fail(client, reverse("admin:login"), "no-such-person", 1)
    failed = AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED)
    assert failed.count() == 6
    known = failed.filter(details__username="reviewer")
    assert known.count() == 5
    # The admin's list shows the name tried; a known account is the entry's object.
    assert {(e.object_repr, e.object_id) for e in known} == {("reviewer", str(reviewer.pk))}
    unknown = failed.get(details__unknown_username=True)
    assert unknown.details["username"] == "no-such-person"
    assert (unknown.object_repr, unknown.object_id) == ("no-such-person", "")
    lockout = AuditEvent.objects.get(kind=EventKind.LOCKOUT)
    assert lockout.details == {"username": "reviewer"} and lockout.ip == "10.0.0.7"
    assert lockout.object_repr == "reviewer"
    # The password tried is never kept, in any field of any entry.
    assert not any("wrong-password" in e.canonical().decode() for e in AuditEvent.objects.all())


def test_log_in_and_log_out_are_in_the_audit_log(client, department_member, commit):
    with commit():
        _log_in(client, reverse("login"), "dept_member", PASSWORD)
        client.post(reverse("logout"))
    login, logout = AuditEvent.objects.order_by("sequence")
    assert (login.kind, login.actor, login.ip) == (EventKind.LOGIN, department_member, "10.0.0.7")
    assert login.organisation == str(department_member.department)
    assert (logout.kind, logout.actor) == (EventKind.LOGOUT, department_member)


@pytest.mark.parametrize(
    "password",
    ["short-Pw-1", "123456789012345", "password12345", "dept_member_2026"],
    ids=["too-short", "numeric", "common", "like-the-username"],
)
def test_weak_passwords_are_refused(department_member, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=department_member)


def test_a_long_unusual_password_is_accepted(department_member):
    validate_password("violet-Harbour-lamp-42", user=department_member)


def test_the_session_ends_with_the_browser(client, department_member):
    response = _log_in(client, reverse("login"), "dept_member", PASSWORD)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600  # the server-side cap
