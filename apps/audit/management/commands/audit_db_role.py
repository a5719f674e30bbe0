"""Set up the application's PostgreSQL role so it can append to the audit log but never change
or delete an entry. Run as the tables' owner (the role migrations run as), after each migrate."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audit.database_role import DatabaseRoleRefused, audit_database_role_grant


class Command(BaseCommand):
    help = (
        "Create or update the application's database role: the portal's tables, and only "
        "SELECT and INSERT on the audit log (PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", default="portal_app", help="the role the portal runs as")
        parser.add_argument(
            "--password-file", type=Path, help="set the role's password from this file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password_file: Path | None = options["password_file"]
        password = password_file.read_text(encoding="utf-8").strip() if password_file else ""
        try:
            done = audit_database_role_grant(role=options["role"], password=password)
        except DatabaseRoleRefused as error:
            raise CommandError(str(error)) from None
        for line in done:
            self.stdout.write(line)
