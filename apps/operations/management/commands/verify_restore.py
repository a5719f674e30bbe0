"""``python manage.py verify_restore``: after a restore, prove the portal is whole; exit status 1
naming every problem found (audit chain, live data-zone tables and their row counts, files)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.operations.backup import restore_check


class Command(BaseCommand):
    help = "Check a restored portal: audit chain, live data-zone tables, referenced files."

    def handle(self, *args: Any, **options: Any) -> None:
        result = restore_check()
        for warning in result.warnings:
            self.stdout.write(_("Warning: %(warning)s") % {"warning": warning})
        for problem in result.problems:
            self.stderr.write(problem)
        summary = _(
            "%(entries)s audit entries, %(versions)s live data versions, %(files)s files checked."
        ) % {"entries": result.audit_entries, "versions": result.live_versions,
             "files": result.files}  # fmt: skip
        if not result.ok:
            raise CommandError(
                _("The restore is incomplete: %(count)s problems. %(summary)s")
                % {"count": len(result.problems), "summary": summary}
            )
        self.stdout.write(_("The restore is complete: %(summary)s") % {"summary": summary})
