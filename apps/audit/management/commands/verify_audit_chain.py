"""Check that no audit entry was edited or deleted, against the key and the checkpoints; exits
non-zero naming the first broken one.

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
        if check.checkpoint is None:
            self.stdout.write(_("No checkpoint yet: run audit_checkpoint."))
        else:
            self.stdout.write(
                _("Newest checkpoint: entry #%(number)d at %(time)s (%(name)s).")
                % {
                    "number": check.checkpoint.sequence,
                    "time": check.checkpoint.time,
                    "name": check.checkpoint.name,
                }
            )
