"""`python manage.py compute_transaction_support 2026`: large-transaction support of a year."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.revenue.choices import SupportOutcome
from apps.revenue.services import transaction_support_compute


class Command(BaseCommand):
    help = "List and record the large-transaction support of a year (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="the certified year, YYYY")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["year"]
        if not (raw.isdigit() and len(raw) == 4):
            raise CommandError(f"Give the year as YYYY (for example 2026), got {raw!r}.")
        decisions = transaction_support_compute(year=int(raw), actor=None)
        if not decisions:
            self.stdout.write(f"No certified transaction amounts for {raw}.")
        for decision in decisions:
            self.stdout.write(
                f"{decision.operator.credit_code} {decision.operator.name}: certified "
                f"{decision.certified_amount}, {SupportOutcome(decision.outcome).label}, "
                f"support {decision.support_amount}"
            )
