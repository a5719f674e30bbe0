"""A bureau approver signs in to the admin with a password and a TOTP code; five wrong passwords
lock another account out with a clear message."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from apps.audit.models import AuditEvent, EventKind
from apps.twofactor.demo import demo_totp_code, give_demo_authenticator
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def protected(settings):
    """What the test profile turns off: staff 2FA and the login lockout."""
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    settings.AXES_ENABLED = True


def _submit(page, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} [type=submit]")


def _password(page, username: str, password: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # The admin's form or the portal's (whose header also holds the language form).
    _submit(page, "#login-form" if "/admin/" in page.url else "main form")


def test_an_approver_passes_the_second_factor_to_reach_the_admin(page, protected, approver):
    give_demo_authenticator(approver)  # the secret seed_demo gives the demo staff
    page.goto("/admin/login/")
    _password(page, "approver", PASSWORD)

    assert "/accounts/two-factor/verify/" in page.url
    assert page.locator("#verify-form").is_visible()
    wrong = f"{(int(demo_totp_code()) + 1) % 1_000_000:06d}"
    page.fill("input[name=code]", wrong)  # a wrong code first
    _submit(page, "#verify-form")
    assert page.locator(".field-error").is_visible()
    assert "/accounts/two-factor/verify/" in page.url

    page.wait_for_timeout(1_100)  # the one-second pause after a wrong code
    page.fill("input[name=code]", demo_totp_code())
    _submit(page, "#verify-form")
    assert page.url.endswith("/admin/")
    assert page.locator("#site-name").is_visible()
    assert page.locator("#content").is_visible()
    assert AuditEvent.objects.filter(kind=EventKind.TWOFACTOR_FAILED, actor=approver).exists()
    assert AuditEvent.objects.filter(kind=EventKind.LOGIN, actor=approver).exists()


def test_five_wrong_passwords_lock_an_account_out(page, protected, reviewer):
    page.goto("/admin/login/")
    for _ in range(4):
        _password(page, "reviewer", "not-the-password")
        assert page.locator(".errornote").is_visible()
    _password(page, "reviewer", "not-the-password")
    assert page.locator("#lockout-message").is_visible()
    assert page.locator("#lockout-cooloff").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Even the right password is refused now, on the portal's own log-in page too.
    page.goto("/accounts/login/")
    _password(page, "reviewer", PASSWORD)
    assert page.locator("#lockout-message").is_visible()
    assert AuditEvent.objects.filter(kind=EventKind.LOCKOUT, details__username="reviewer").exists()


def test_a_reviewer_sets_up_an_authenticator_and_gets_recovery_codes(page, protected, reviewer):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/admin/login/")
    _password(page, "reviewer", PASSWORD)

    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator("#totp-qr-code svg").is_visible()  # drawn inline, nothing fetched
    secret = page.locator("#totp-secret").inner_text()
    page.fill("input[name=code]", f"{totp(b32decode(secret)):06d}")  # what the phone app shows
    _submit(page, "main form")

    assert page.locator("#shown-once").is_visible()
    assert page.locator("#recovery-codes li").count() == 10
    with page.expect_navigation():
        page.click("main a.button.primary")
    assert page.url.endswith("/admin/")
    assert violations == []
