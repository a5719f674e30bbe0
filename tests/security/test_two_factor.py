"""Bureau staff need a second factor (TOTP or a recovery code); nobody else is asked."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AuditEvent, EventKind
from apps.twofactor.demo import DEMO_TOTP_KEY, demo_totp_code, give_demo_authenticator
from apps.twofactor.models import RecoveryCode, RecoveryCodeDevice
from apps.twofactor.recovery import hash_recovery_code
from tests.factories import UserFactory

from .conftest import verified_client

pytestmark = pytest.mark.usefixtures("staff_2fa")

ADMIN = reverse("admin:index")
SETUP = reverse("twofactor:setup")
VERIFY = reverse("twofactor:verify")
ONE_MINUTE = timedelta(minutes=1)


def _set_up(client, user) -> list[str]:
    """Go through the set-up page; returns the recovery codes it shows."""
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": f"{totp(device.bin_key):06d}", "next": ADMIN})
    assert response.status_code == 200
    return re.findall(r"<code>([a-z0-9-]{19})</code>", response.content.decode())


def test_staff_without_an_authenticator_are_sent_to_set_up(client, reviewer):
    client.force_login(reviewer)
    for path in (ADMIN, "/admin/catalog/catalogentry/", "/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"{SETUP}?next={path.replace('/', '%2F')}"


def test_staff_with_an_authenticator_are_asked_for_the_code(client, approver):
    give_demo_authenticator(approver)
    client.force_login(approver)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_department_and_operator_users_are_never_asked(
    client, department_member, operator_admin, outsider
):
    for user, path in (
        (department_member, reverse("department_catalog:list")),
        (operator_admin, reverse("api_keys:list")),
        (outsider, reverse("home")),
    ):
        client.force_login(user)
        assert client.get(path).status_code == 200
    assert client.get(SETUP).status_code == 403  # and they cannot set one up


def test_signing_in_and_out_and_the_language_switch_stay_open(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("admin:login")).status_code in (200, 302)
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] != SETUP


def test_setup_shows_a_qr_code_inline_and_the_key(client, reviewer):
    client.force_login(reviewer)
    response = client.get(SETUP)
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<figure id="totp-qr-code"><svg' in page
    assert "otpauth://totp/" in page and "Public%20Data%20Portal" in page
    assert re.search(r'id="totp-secret">[A-Z2-7]{32}<', page)
    assert "<img" not in page.split('id="totp-qr-code"')[1].split("</figure>")[0]
    assert "no-store" in response["Cache-Control"]
    # The same pending authenticator on the next visit, so a scanned code keeps working.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1
    assert device.confirmed is False


def test_setup_refuses_a_wrong_first_code(client, reviewer):
    client.force_login(reviewer)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


def test_setup_confirms_with_a_first_code_and_shows_ten_hashed_recovery_codes(
    client, reviewer, commit
):
    with commit():
        codes = _set_up(client, reviewer)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(
        RecoveryCode.objects.filter(device__user=reviewer).values_list("code_hash", flat=True)
    )
    assert stored == {hash_recovery_code(code) for code in codes}
    assert not any(
        code in value or code.replace("-", "") in value for code in codes for value in stored
    )
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    assert client.get(ADMIN).status_code == 200  # this session is verified
    event = AuditEvent.objects.get(kind=EventKind.TWOFACTOR_CHANGED)
    assert event.actor == reviewer and event.details["change"] == "authenticator set up"
    assert client.get(SETUP).status_code == 302  # set-up is done; it cannot be redone


def test_the_authenticator_code_opens_the_admin_and_cannot_be_replayed(client, approver):
    give_demo_authenticator(approver)
    client.force_login(approver)
    code = demo_totp_code()
    response = client.post(f"{VERIFY}?next=/admin/catalog/catalogentry/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/admin/catalog/catalogentry/"
    assert client.get(ADMIN).status_code == 200
    client.logout()
    client.force_login(approver)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_a_wrong_code_is_refused_recorded_and_throttled(client, approver):
    device = give_demo_authenticator(approver)
    client.force_login(approver)
    wrong = f"{(int(demo_totp_code()) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert AuditEvent.objects.filter(kind=EventKind.TWOFACTOR_FAILED, actor=approver).exists()
    # Right away, even the right code waits: brute force gets one try per growing delay.
    response = client.post(VERIFY, {"code": demo_totp_code()})
    assert response.context["form"].errors.as_data()["code"][0].code == "throttled"
    assert client.get(ADMIN).status_code == 302


def test_a_recovery_code_works_once(client, reviewer):
    codes = _set_up(client, reviewer)
    client.logout()
    client.force_login(reviewer)
    response = client.post(VERIFY, {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200
    client.logout()
    client.force_login(reviewer)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert client.get(ADMIN).status_code == 302
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 9
    event = AuditEvent.objects.filter(kind=EventKind.TWOFACTOR_CHANGED).first()
    assert event.details == {"change": "recovery code used", "codes_left": 9}


def test_new_recovery_codes_need_a_verified_session_and_replace_the_old(client, reviewer, settings):
    old = _set_up(client, reviewer)
    url = reverse("twofactor:recovery-codes")
    new = re.findall(r"<code>([a-z0-9-]{19})</code>", client.post(url).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.logout()
    client.force_login(reviewer)
    assert client.post(url)["Location"].startswith(VERIFY)
    settings.PORTAL_REQUIRE_STAFF_2FA = False  # the page itself refuses too
    assert client.post(url).status_code == 403
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    assert client.post(VERIFY, {"code": old[1]}).status_code == 200  # old codes are dead
    # (past the throttling delay the wrong code started)
    RecoveryCodeDevice.objects.update(throttling_failure_timestamp=timezone.now() - ONE_MINUTE)
    assert client.post(VERIFY, {"code": new[1]}).status_code == 302


def test_manage_page_shows_what_is_left(client, reviewer):
    _set_up(client, reviewer)
    response = client.get(reverse("twofactor:manage"))
    assert response.status_code == 200
    assert response.context["codes_left"] == 10


def test_next_never_leaves_the_site(client, approver):
    give_demo_authenticator(approver)
    client.force_login(approver)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": demo_totp_code()})
    assert response["Location"] == ADMIN


def test_the_admin_never_shows_a_staff_members_secret(client, approver):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    verified_client(client, admin_user)
    device = give_demo_authenticator(approver)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    detail = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert listing.status_code == detail.status_code == 200
    for response in (listing, detail):
        page = response.content.decode()
        assert DEMO_TOTP_KEY.hex() not in page and "otpauth" not in page
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403


def test_a_superuser_removes_a_lost_authenticator_and_it_is_recorded(client, approver, commit):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    verified_client(client, admin_user)
    device = give_demo_authenticator(approver)
    with commit():
        client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(user=approver).exists()
    removed = AuditEvent.objects.get(kind=EventKind.TWOFACTOR_CHANGED)
    assert removed.details["change"] == "authenticator removed"
    assert removed.actor == admin_user and removed.object_id == str(approver.pk)


def test_seed_demo_gives_the_demo_staff_the_documented_secret(db):
    call_command("seed_demo", stdout=StringIO())
    devices = TOTPDevice.objects.filter(confirmed=True, key=DEMO_TOTP_KEY.hex())
    assert sorted(devices.values_list("user__username", flat=True)) == [
        "admin",
        "approver",
        "auditor",
        "reviewer",
    ]
    out = StringIO()
    call_command("demo_totp", "reviewer", stdout=out)
    assert out.getvalue().strip() == demo_totp_code()
    with pytest.raises(CommandError, match="op_admin"):
        call_command("demo_totp", "op_admin")


def test_demo_totp_refuses_a_real_authenticator(reviewer):
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    with pytest.raises(CommandError):
        call_command("demo_totp", "reviewer")
