"""``python manage.py archive_versions [--keep N] [--dry-run]``: delete the rows and files of
earlier data versions beyond the newest N per entry (default DATAZONE_KEEP_VERSIONS); the live
version and the records of every version stay; files still kept by refused uploads are deleted.
Run it daily from cron or a timer."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from apps.datazone import services


class Command(BaseCommand):
    help = "Archive earlier data versions beyond the newest N per entry (their rows and files)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.DATAZONE_KEEP_VERSIONS,
            help="Earlier complete versions kept per entry for rollback (default %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list what would be archived."
        )

    def handle(self, *args: Any, keep: int, dry_run: bool, **options: Any) -> None:
        if keep < 0:
            self.stderr.write(_("Keep zero or more earlier versions."))
            raise SystemExit(2)
        versions = services.data_versions_archive(keep=keep, dry_run=dry_run)
        for version in versions:
            self.stdout.write(f"{version.entry.identifier} v{version.number} ({version.row_count})")
        summary = (
            _("%(count)d versions would be archived (dry run).")
            if dry_run
            else _("%(count)d versions archived.")
        )
        self.stdout.write(summary % {"count": len(versions)})
        files = services.data_versions_failed_files_delete(dry_run=dry_run)
        leftovers = (
            _("%(count)d files of refused uploads would be deleted (dry run).")
            if dry_run
            else _("%(count)d files of refused uploads deleted.")
        )
        self.stdout.write(leftovers % {"count": files})
