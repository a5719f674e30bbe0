"""``python manage.py keyset_indexes [--dry-run]``: give data-zone tables loaded before the keyset
indexes their ``(column, _row)`` indexes, built concurrently (apps/datazone/services/indexes.py).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from apps.datazone.services.indexes import data_version_indexes_upgrade


class Command(BaseCommand):
    help = "Build (column, _row) indexes for data-zone tables that lack them, concurrently."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only list what would change.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if connection.in_atomic_block:
            raise CommandError(_("Run this outside a transaction: indexes are built concurrently."))
        upgrades = data_version_indexes_upgrade(dry_run=dry_run)
        for upgrade in upgrades:
            self.stdout.write(
                _("%(table)s: (%(column)s, _row) replaces %(index)s")
                % {"table": upgrade.table, "column": upgrade.column, "index": upgrade.old_index}
            )
        if dry_run:
            summary = _("%(count)s indexes would be rebuilt.") % {"count": len(upgrades)}
        else:
            summary = _("%(count)s indexes rebuilt.") % {"count": len(upgrades)}
        self.stdout.write(summary)
