"""Record the expiry of registrations past their date (run daily, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.registration.services import registration_expire


class Command(BaseCommand):
    help = "Record the expiry of every registration whose validity has ended."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"registrations expired: {registration_expire()}")
