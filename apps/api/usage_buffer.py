"""Usage records that could not be written yet: one bounded buffer per process.

While PostgreSQL is unreachable a call still ends (with a 503, or a 200 served from caches) and
its usage record waits here, with the time of the call, until a write succeeds again
(``services.usage_record_or_buffer`` flushes after its next successful write; a background
thread tries every ``API_USAGE_FLUSH_SECONDS``). Memory is bounded by ``API_USAGE_BUFFER_SIZE``:
beyond it a record is not kept but counted, and the count is written as one ``LostUsage`` row,
so the figures say how much they are missing rather than silently under-count.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lost:
    count: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class Pending:
    records: list[dict[str, Any]]
    lost: Lost | None


class UsageBuffer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: deque[dict[str, Any]] = deque()
        self._lost = 0
        self._first_lost_at: datetime | None = None
        self._last_lost_at: datetime | None = None
        self._flusher: threading.Thread | None = None

    def __len__(self) -> int:
        return len(self._records)

    @property
    def pending(self) -> bool:
        return bool(self._records) or self._lost > 0

    def add(self, fields: dict[str, Any], *, flush: Callable[[], object] | None = None) -> None:
        """Keep one record's fields; ``flush`` is what the periodic flush calls."""
        with self._lock:
            if len(self._records) < settings.API_USAGE_BUFFER_SIZE:
                self._records.append(fields)
            else:
                self._count_lost([fields["created_at"]])
        if flush is not None:
            self._start_flusher(flush)

    def take(self) -> Pending:
        """Everything waiting, for one writer; the buffer is empty afterwards."""
        with self._lock:
            records = list(self._records)
            self._records.clear()
            lost = None
            if self._lost and self._first_lost_at and self._last_lost_at:
                lost = Lost(self._lost, self._first_lost_at, self._last_lost_at)
            self._lost, self._first_lost_at, self._last_lost_at = 0, None, None
            return Pending(records, lost)

    def give_back(self, pending: Pending) -> None:
        """A flush that failed: its records go back before those added since, within the bound."""
        with self._lock:
            merged = [*pending.records, *self._records]
            kept = merged[: settings.API_USAGE_BUFFER_SIZE]
            self._records = deque(kept)
            self._count_lost([fields["created_at"] for fields in merged[len(kept) :]])
            self._merge_lost(pending.lost)

    def _merge_lost(self, lost: Lost | None) -> None:
        if lost is not None:
            self._lost += lost.count
            self._first_lost_at = min(lost.first_at, self._first_lost_at or lost.first_at)
            self._last_lost_at = max(lost.last_at, self._last_lost_at or lost.last_at)

    def drop(self, pending: Pending) -> None:
        """A flush the database refused for its values, not for an outage: trying again would
        fail again and block every later record, so its records are counted as lost instead."""
        with self._lock:
            self._count_lost([fields["created_at"] for fields in pending.records])
            self._merge_lost(pending.lost)

    def _count_lost(self, times: list[datetime]) -> None:
        if not times:
            return
        if not self._lost:  # once per incident; the count follows when it is written
            logger.error(
                "usage buffer full (%d records) or records refused: usage records are now "
                "counted as lost",
                settings.API_USAGE_BUFFER_SIZE,
            )
        self._lost += len(times)
        self._first_lost_at = min([*times, *filter(None, [self._first_lost_at])])
        self._last_lost_at = max([*times, *filter(None, [self._last_lost_at])])

    def _start_flusher(self, flush: Callable[[], object]) -> None:
        interval = settings.API_USAGE_FLUSH_SECONDS
        with self._lock:
            if interval <= 0 or (self._flusher is not None and self._flusher.is_alive()):
                return
            self._flusher = threading.Thread(
                target=self._flush_until_empty,
                args=(flush, interval),
                name="usage-buffer-flush",
                daemon=True,
            )
            self._flusher.start()

    def _flush_until_empty(self, flush: Callable[[], object], interval: float) -> None:
        while self.pending:
            time.sleep(interval)
            try:
                flush()
            except Exception:  # the thread must outlive any error; the records stay buffered
                logger.exception("periodic flush of buffered usage records failed")


usage_buffer = UsageBuffer()
