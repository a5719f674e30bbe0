"""Security tests run with what the test profile turns off: staff 2FA and login lockout."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.twofactor.demo import demo_totp_code, give_demo_authenticator

# A qualified operator's approved authorization, as the authorization tests build it.
from tests.authorizations.conftest import (  # noqa: F401 - fixtures
    authorization,
    entry,
    qualified,
    recommended,
    scenario,
)

# The access matrix's world of real objects, for the two-language walk (test_two_languages).
from tests.security.test_access_matrix import world as matrix_world  # noqa: F401


@pytest.fixture
def staff_2fa(settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the audit receivers write from them) inside the test."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def verified_client(client, user) -> object:
    """A client signed in as ``user`` whose session passed the second factor."""
    device: TOTPDevice = give_demo_authenticator(user)
    client.force_login(user)
    response = client.post("/accounts/two-factor/verify/", {"code": demo_totp_code()})
    assert response.status_code == 302, response.content
    device.refresh_from_db()
    return client
