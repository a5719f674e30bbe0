"""The data-zone worker: loads queued uploads one after another. Run it beside the server:

python manage.py datazone_worker            # until SIGTERM / Ctrl-C
python manage.py datazone_worker --once     # load what is queued now, then exit
"""

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

from apps.datazone import services
from apps.datazone.models import DataVersion

# How often the worker looks for loads abandoned by a worker on another host.
RECOVERY_INTERVAL_SECONDS = 60.0


class Command(BaseCommand):
    help = "Load queued data-zone uploads (validation, table, indexes, live switch)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between polls of an empty queue."
        )

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        stop = threading.Event()
        previous = {
            number: signal.signal(number, lambda *_: stop.set())
            for number in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self._run(stop, once=once, interval=interval)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _run(self, stop: threading.Event, *, once: bool, interval: float) -> None:
        self._recover()
        recovered_at = time.monotonic()
        while not stop.is_set():
            if not connection.in_atomic_block:
                close_old_connections()  # a connection the database dropped while we waited
            if time.monotonic() - recovered_at > RECOVERY_INTERVAL_SECONDS:
                self._recover()
                recovered_at = time.monotonic()
            try:
                version = services.data_version_claim_next()
            except DatabaseError as error:  # the database restarting: wait and try again
                self.stderr.write(f"cannot reach the queue: {error}")
                stop.wait(interval)
                continue
            if version is None:
                if once:
                    return
                stop.wait(interval)
                continue
            self.stdout.write(f"loading {version} ({version.original_filename})")
            version = services.data_version_process(version=version, should_stop=stop.is_set)
            self._report(version)
        self.stdout.write("stopped")

    def _recover(self) -> None:
        recovered = services.data_versions_recover_abandoned()
        if recovered:
            self.stdout.write(f"marked {recovered} abandoned load(s) failed")

    def _report(self, version: DataVersion) -> None:
        if version.status == "failed":
            self.stdout.write(f"{version}: refused, {version.error_count} error(s)")
        else:
            self.stdout.write(
                f"{version}: {version.get_status_display()}, {version.row_count} rows"
            )
