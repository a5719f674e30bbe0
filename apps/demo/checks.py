"""``check --deploy`` fails while any public demo secret is in the database: the demo API key,
the demo TOTP secret, or a demo user who still has the password the README publishes."""

import json
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError

from apps.api.demo import DEMO_SECRET
from apps.api.keys import hash_secret
from apps.api.models import ApiKey
from apps.organisations.demo import FIXTURE
from apps.twofactor.demo import DEMO_TOTP_KEY_HEX

HINT = "Delete the demo data, or start from a new database; never run seed_demo in production."


def _demo_users_with_published_passwords() -> list[str]:
    from apps.accounts.models import User

    published = {u["username"]: u["password"] for u in json.loads(FIXTURE.read_text())["users"]}
    users = User.objects.filter(username__in=published, is_active=True)
    return sorted(u.username for u in users if u.check_password(published[u.username]))


def _demo_secrets_found() -> list[str]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    found = []
    if ApiKey.objects.usable().filter(secret_hash=hash_secret(DEMO_SECRET)).exists():
        found.append("the demo API key (its secret is public)")
    if TOTPDevice.objects.filter(key=DEMO_TOTP_KEY_HEX).exists():
        found.append("an authenticator with the demo TOTP secret (it is public)")
    users = _demo_users_with_published_passwords()
    if users:
        found.append(f"demo users with their published passwords: {', '.join(users)}")
    return found


@register(Tags.security, deploy=True)
def demo_secrets_check(**kwargs: Any) -> list[CheckMessage]:
    try:
        found = _demo_secrets_found()
    except DatabaseError:  # no database yet, or not migrated: no demo data either
        return []
    return [
        Error(f"Demo data in the database: {what}.", hint=HINT, id="demo.E001") for what in found
    ]
