"""Write the audit chain's head, signed, to a new file in AUDIT_CHECKPOINT_DIR and print it.

Run it from cron (e.g. hourly, after verify_audit_chain) and send the printed line to an
external notary, so a deleted tail is detected even if the folder is lost.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.audit.services import AuditChainBroken, audit_checkpoint_create


class Command(BaseCommand):
    help = "Sign the audit chain's head into a new checkpoint file and print it for notarisation."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint, path = audit_checkpoint_create()
        except AuditChainBroken as error:
            raise CommandError(
                _("No checkpoint written: the audit chain is broken (%(reason)s).")
                % {"reason": error}
            ) from None
        self.stdout.write(
            _("Checkpoint of entry #%(number)d written to %(path)s:")
            % {"number": checkpoint.sequence, "path": path}
        )
        self.stdout.write(checkpoint.line())
