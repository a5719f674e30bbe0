"""`python manage.py settle_period 2026-10`: settle one month (safe to run again)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.revenue.money import BadPeriod, parse_period
from apps.revenue.services import settlement_run


class Command(BaseCommand):
    help = "Settle a month (YYYY-MM): write the revenue-share records of its verified reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="the month to settle, YYYY-MM")
        parser.add_argument("--by", help="username of the bureau user recorded as settling")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["period"])
        except BadPeriod as error:
            raise CommandError(str(error)) from None
        actor = None
        if options["by"]:
            actor = User.objects.filter(username=options["by"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {options['by']!r}.")
        try:
            result = settlement_run(period=period, actor=actor)
        except (DomainError, ValidationError) as error:
            message = error.message if isinstance(error, DomainError) else " ".join(error.messages)
            raise CommandError(message) from None
        settlement = result.settlement
        if not result.created:
            self.stdout.write(f"{settlement} was already settled; nothing changed.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{settlement} settled: {settlement.report_count} reports, "
                f"{settlement.adjustment_count} adjustments, proceeds {settlement.total_amount}, "
                f"department shares {settlement.total_share}, retained {settlement.total_retained}"
            )
        )
