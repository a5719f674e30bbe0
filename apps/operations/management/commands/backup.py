"""``python manage.py backup <folder>``: the database (pg_dump -Fc) and then MEDIA_ROOT.

Restore: README, "Backup and restore"; then run ``python manage.py verify_restore``.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into a new folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("target", type=Path, help="A new (or empty) folder for the backup.")

    def handle(self, *args: Any, target: Path, **options: Any) -> None:
        try:
            manifest = backup_create(target=target)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Backup written to %(target)s: database dump and %(files)s files.")
            % {"target": target, "files": manifest["media_files"]}
        )
