"""Record the expiry of every authorization past its end; run it from cron (e.g. every minute).

Access already stops at valid-until without it (the access check compares the time); this puts
the expiry on the record and takes the object permission away. Safe to run any number of times.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from apps.authorizations import services


class Command(BaseCommand):
    help = "Record the expiry of every authorization whose validity has ended."

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.authorizations_expire()
        message = ngettext(
            "%(count)d authorization recorded as expired.",
            "%(count)d authorizations recorded as expired.",
            count,
        ) % {"count": count}
        self.stdout.write(message)
