"""The data-zone worker: loads queued uploads one after another. Run it beside the server:

python manage.py datazone_worker            # until SIGTERM / Ctrl-C
python manage.py datazone_worker --once     # load what is queued now, then exit
"""

import contextlib
import logging
import signal
import threading
import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from apps.core.outage import pools_reset
from apps.datazone import services
from apps.datazone.models import DataVersion

logger = logging.getLogger(__name__)

# How often the worker looks for loads abandoned by a worker on another host.
RECOVERY_INTERVAL_SECONDS = 60.0
# How often it tells the readiness probe it is alive.
HEARTBEAT_SECONDS = 10.0
# After a failure it waits interval × 2^failures seconds, at most this long, and tries again.
BACKOFF_MAX_SECONDS = 30.0


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
        started_at = timezone.now()
        due = {"recover": 0.0, "beat": 0.0}
        failures = 0
        while not stop.is_set():
            try:
                worked = self._tick(stop, started_at, due)
            except Exception as error:  # the worker outlives every failure and tries again
                if once:
                    raise
                failures += 1
                self._failed(error, failures)
                stop.wait(min(interval * 2 ** min(failures, 16), BACKOFF_MAX_SECONDS))
                continue
            if failures:
                self.stderr.write(f"working again after {failures} failed attempt(s)")
                failures = 0
            if not worked:
                if once:
                    return
                stop.wait(interval)
        self.stdout.write("stopped")

    def _tick(self, stop: threading.Event, started_at: datetime, due: dict[str, float]) -> bool:
        """One round: heartbeat, abandoned loads, then the next queued upload (False: none)."""
        if not connection.in_atomic_block:
            close_old_connections()  # a connection the database dropped while we waited
        now = time.monotonic()
        if now >= due["beat"]:
            services.worker_heartbeat_record(started_at=started_at)
            due["beat"] = now + HEARTBEAT_SECONDS
        if now >= due["recover"]:
            self._recover()
            due["recover"] = now + RECOVERY_INTERVAL_SECONDS
        version = services.data_version_claim_next()
        if version is None:
            return False
        self.stdout.write(f"loading {version} ({version.original_filename})")
        version = services.data_version_process(version=version, should_stop=stop.is_set)
        self._report(version)
        return True

    def _failed(self, error: Exception, failures: int) -> None:
        """One line per failure while it lasts; a traceback only for what is not an outage."""
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        if isinstance(error, DatabaseError | OSError):
            if failures == 1 or failures % 10 == 0:
                self.stderr.write(
                    f"cannot reach the database or the files ({failures}): {first_line}"
                )
        else:
            logger.exception("the worker's round failed; it carries on")
        if not connection.in_atomic_block:
            with contextlib.suppress(DatabaseError):
                connection.close()  # never reuse a connection that failed
            if isinstance(error, DatabaseError):
                pools_reset()  # a pool backing off would keep the worker waiting after the outage

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
