"""Bureau loading: ``python manage.py load_rows <identifier> <file> [--encoding auto]``.

The same validation as an upload, run here and now. Exits non-zero when the file is refused,
after printing its errors with their row numbers.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.core.errors import DomainError
from apps.datazone import reports, services
from apps.datazone.choices import EncodingChoice, VersionStatus
from apps.datazone.models import DataVersion


class Command(BaseCommand):
    help = "Load a CSV or XLSX file as a new data version of a catalog entry."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("identifier", help="The catalog entry's identifier, e.g. EDU-00001.")
        parser.add_argument("file", type=Path)
        parser.add_argument("--encoding", choices=EncodingChoice.values, default="auto")
        parser.add_argument("--user", help="Username recorded as the uploader (default: none).")

    def handle(
        self, *args: Any, identifier: str, file: Path, encoding: str, **options: Any
    ) -> None:
        if not file.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            services.check_upload_size(file.stat().st_size)  # before anything is read
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        entry = CatalogEntry.objects.filter(identifier=identifier).first()
        if entry is None:
            raise CommandError(_("No catalog entry %(identifier)s.") % {"identifier": identifier})
        try:
            version = services.data_version_load_file(
                entry=entry, path=file, encoding=encoding, actor=self._user(options["user"]),
                progress=self._progress,
            )  # fmt: skip
        except (ValidationError, DomainError) as error:
            message = error.message if isinstance(error, DomainError) else " ".join(error.messages)
            raise CommandError(message) from None
        self.stdout.write("")
        self._result(version)

    def _user(self, username: str | None) -> User | None:
        if username is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(username)s.") % {"username": username})
        return user

    def _progress(self, rows: int, estimate: int | None) -> None:
        if estimate:
            line = _("%(rows)s of about %(total)s rows read") % {"rows": rows, "total": estimate}
        else:
            line = _("%(rows)s rows read") % {"rows": rows}
        self.stdout.write(line, ending="\r" if sys.stdout.isatty() else "\n")
        self.stdout.flush()

    def _result(self, version: DataVersion) -> None:
        if version.status == VersionStatus.FAILED:
            for error in version.errors:
                self.stderr.write(_error_line(error))
            raise CommandError(
                _("%(version)s refused: %(count)s errors%(more)s")
                % {
                    "version": version,
                    "count": version.error_count,
                    "more": _(" (the check stopped there)") if version.errors_truncated else "",
                }
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(version)s: %(status)s, %(rows)s rows, SHA-256 %(sha256)s")
                % {
                    "version": version,
                    "status": version.get_status_display(),
                    "rows": version.row_count,
                    "sha256": version.sha256,
                }
            )
        )


def _error_line(error: dict[str, Any]) -> str:
    where = _("row %(row)s") % {"row": error["row"]} if error["row"] is not None else _("the file")
    if error["column"]:
        where += _(", column %(column)s") % {"column": error["column"]}
    value = f" {error['value']!r}" if error["value"] else ""
    return f"{where}:{value} {reports.describe(error)}"
