"""`python manage.py open_disclosures 2026`: draft annual disclosures of a year for the bureau and
every operator that held an authorization in it, each due by 31 March of the next year (safe to
run again; run it at the start of each year, so what is due shows in the work queues)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.products.services import disclosures_open


class Command(BaseCommand):
    help = "Prepare the annual disclosures of a year (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="the year disclosed, YYYY")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["year"]
        if not (raw.isdigit() and len(raw) == 4):
            raise CommandError(f"Give the year as YYYY (for example 2026), got {raw!r}.")
        created = disclosures_open(year=int(raw))
        self.stdout.write(f"{created} annual disclosures of {raw} prepared.")
