"""Deliver the email outbox. Run it beside the server and the data-zone worker:

python manage.py send_notifications          # until SIGTERM / Ctrl-C
python manage.py send_notifications --once   # deliver what is due now (and purge), then exit

A message the mail server refuses or cannot take stays in the outbox and is tried again later
(backoff doubling up to NOTIFICATION_RETRY_MAX_SECONDS); nothing is lost while the server is down.
"""

import logging
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from apps.notifications.services import digests_deliver, notifications_purge, outbox_deliver

logger = logging.getLogger(__name__)

# Notifications past their retention are deleted at most this often.
PURGE_INTERVAL_SECONDS = 3600.0


class Command(BaseCommand):
    help = "Send due notification emails and daily digests; delete expired notifications."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver what is due, then exit.")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        if once:
            self._tick(purge=True)
            return
        stop = threading.Event()
        previous = {
            number: signal.signal(number, lambda *_: stop.set())
            for number in (signal.SIGTERM, signal.SIGINT)
        }
        purged_at = 0.0
        try:
            while not stop.is_set():
                purge = time.monotonic() - purged_at > PURGE_INTERVAL_SECONDS
                try:
                    self._tick(purge=purge)
                except Exception:  # the sender outlives every failure and tries again
                    logger.exception("send_notifications: this round failed")
                    close_old_connections()
                else:
                    if purge:
                        purged_at = time.monotonic()
                stop.wait(settings.NOTIFICATION_SEND_INTERVAL)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _tick(self, *, purge: bool) -> None:
        immediate = outbox_deliver()
        digests = digests_deliver()
        purged = notifications_purge() if purge else 0
        if immediate.sent or immediate.failed or digests.sent or digests.failed or purged:
            self.stdout.write(
                f"sent {immediate.sent} emails and {digests.sent} digests; "
                f"{immediate.failed + digests.failed} waiting for a retry; purged {purged}"
            )
