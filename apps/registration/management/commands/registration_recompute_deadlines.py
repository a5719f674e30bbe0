"""Count provisional deadlines again, after chinesecalendar is upgraded (a year's arrangement
entered in the admin does it by itself)."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.registration.services import registration_deadlines_recompute


class Command(BaseCommand):
    help = "Recompute every provisional registration deadline the calendar now covers."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"deadlines made final: {registration_deadlines_recompute()}")
