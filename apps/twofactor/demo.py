"""Demo authenticators for the demo bureau users, with one fixed, public secret.

The secret is in this file and in the README so that a person (with any authenticator app, or
``python manage.py demo_totp <username>``) and the browser tests can pass the second factor of
the demo users. Never seed demo data into a production database.
"""

from base64 import b32decode

from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User

DEMO_USERNAMES = ("admin", "reviewer", "approver", "auditor")
# What an authenticator app asks for (base32, 20 bytes like a real TOTP secret).
DEMO_TOTP_SECRET = "PORTALDEMOTOTPSECRETFORDEMOONLY2"  # noqa: S105 - public by design
DEMO_TOTP_KEY = b32decode(DEMO_TOTP_SECRET)
DEMO_TOTP_KEY_HEX = DEMO_TOTP_KEY.hex()


def demo_totp_code() -> str:
    """The code an authenticator app with the demo secret shows right now."""
    return f"{totp(DEMO_TOTP_KEY):06d}"


def give_demo_authenticator(user: User) -> TOTPDevice:
    """Make the demo secret the user's only authenticator (kept if it already is)."""
    device = TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY_HEX, confirmed=True).first()
    if device is not None:
        return device
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)


@transaction.atomic
def seed_two_factor() -> int:
    """Give the demo bureau users the demo authenticator; returns how many have it."""
    users = User.objects.filter(username__in=DEMO_USERNAMES, is_staff=True)
    for user in users:
        give_demo_authenticator(user)
    return len(users)
