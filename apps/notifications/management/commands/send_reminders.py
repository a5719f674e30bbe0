"""Expiry and deadline warnings: run daily (cron or a systemd timer), any number of times.

Every reminder names its event by the object, the threshold and the date it is about, so a
second run the same day tells nobody twice (apps/notifications/registry.py).
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.notifications.registry import registered_reminders


class Command(BaseCommand):
    help = "Warn of expiries in 30 and 7 days, quotas above 80% today and overdue bureau work."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for name, reminder in sorted(registered_reminders().items()):
            self.stdout.write(f"{name}: {reminder(today)} notifications")
