"""Check that no audit entry was edited or deleted; exits non-zero naming the first broken one.

Run it from cron (e.g. nightly) and alert on failure.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.audit.selectors import audit_chain_check


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit status 1 at the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        check = audit_chain_check()
        if not check.intact:
            raise CommandError(
                _("Audit chain broken at entry #%(number)d: %(reason)s.")
                % {"number": check.broken_at, "reason": check.reason}
            )
        self.stdout.write(
            _("Audit chain intact: %(count)d entries checked.") % {"count": check.entries}
        )
