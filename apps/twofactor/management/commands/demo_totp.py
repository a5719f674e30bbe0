"""Print the current second-factor code of a demo bureau user (README "Demo logins")."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.twofactor.demo import DEMO_TOTP_KEY_HEX, demo_totp_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (only for the public demo secret)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        # Only the public demo secret: this must never become a way around a real second factor.
        if not TOTPDevice.objects.filter(
            user__username=username, key=DEMO_TOTP_KEY_HEX, confirmed=True
        ).exists():
            raise CommandError(
                _("%(username)s has no demo authenticator (run seed_demo).")
                % {"username": username}
            )
        self.stdout.write(demo_totp_code())
