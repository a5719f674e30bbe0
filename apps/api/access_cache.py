"""A per-process cache of what the access checks found, dropped the moment anything they read
changes in the database.

Every API call checks key → qualification → authorization → permission → live version; done in
full that is four or five queries and most of a call's time. Their answers change rarely (a
decision, a suspension, a revoked key, a new version), so each worker keeps the answers it found
and PostgreSQL tells it when to forget them:

- triggers on every table the checks read (migration ``0002_access_change_notify``) send
  ``NOTIFY portal_api_access`` — delivered only when the changing transaction commits, and
  only the columns that matter fire (a key's last use or a user's last login do not);
- one thread per worker process LISTENs and, on each notification, drops every entry;
- every entry carries the *epoch* that was current before its answer was read from the
  database, and is used only while that epoch is still current, so an answer read while a
  change was committing is never kept past the change's notification.

Entries also expire after ``API_ACCESS_CACHE_SECONDS`` (default 60): a bound on staleness
should a notification ever be lost (LISTEN needs a direct connection; behind a transaction-pooling
pgbouncer notifications do not arrive). What depends on the clock is never cached as a fact:
callers re-check validity periods and key expiry on every call and store the day a qualification
answer is for. The cache is used only on PostgreSQL, only with ``API_ACCESS_CACHE`` on, and only
while the listener is connected; when it is not (SQLite, the listener reconnecting), every call
takes the full path.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "portal_api_access"
# More entries than this (keys × datasets a worker has seen) and the cache starts again.
MAX_ENTRIES = 10_000
# How often the listener proves its connection is alive when no notification arrives.
HEALTH_CHECK_SECONDS = 5.0
RECONNECT_SECONDS = 1.0


class AccessCache:
    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[int, float, Any]] = {}  # epoch, read at, value
        self._epoch = 0
        self._listening = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # Use ---------------------------------------------------------------------------------------

    def enabled(self) -> bool:
        return bool(settings.API_ACCESS_CACHE) and connections["default"].vendor == "postgresql"

    def fetch(
        self, key: Hashable, load: Callable[[], T], fresh: Callable[[T], bool] | None = None
    ) -> T:
        """The value found before under ``key`` if it is still ``fresh``, else ``load()``'s,
        kept for next time (a None is never kept). Without the cache, always ``load()``."""
        if not self.enabled():
            return load()
        found = self.get(key)
        if found is not None and (fresh is None or fresh(found)):
            return found
        epoch = self.epoch()  # before reading: a change committed meanwhile voids the answer
        value = load()
        if value is not None:
            self.put(key, value, epoch)
        return value

    def epoch(self) -> int:
        """Take this before reading what will be stored; pass it to ``put``."""
        self._start()
        return self._epoch

    def get(self, key: Hashable) -> Any:
        if not self._listening:
            return None
        found = self._entries.get(key)
        if found is None or found[0] != self._epoch:
            return None
        if time.monotonic() - found[1] > settings.API_ACCESS_CACHE_SECONDS:
            return None  # a safety net: no answer outlives this, announced change or not
        return found[2]

    def put(self, key: Hashable, value: Any, epoch: int) -> None:
        if not self._listening or epoch != self._epoch:
            return  # something changed while the answer was being read
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (epoch, time.monotonic(), value)

    # Invalidation ------------------------------------------------------------------------------

    def invalidate(self) -> None:
        with self._changed:
            self._epoch += 1
            self._entries.clear()
            self._changed.notify_all()

    def wait_for_change(self, since: int, timeout: float = 5.0) -> bool:
        """Block until the epoch has moved past ``since`` (tests, and callers that must see a
        change they just committed reflected here)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._epoch > since, timeout)

    def is_listening(self) -> bool:
        return self._listening

    def wait_until_listening(self, timeout: float = 5.0) -> bool:
        self._start()
        deadline = time.monotonic() + timeout
        while not self._listening and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._listening

    def stop(self) -> None:
        """Stop this process's listener and forget everything (tests: the test database cannot
        be dropped while the listener holds a connection to it)."""
        thread = self._thread
        if thread is None or self._pid != os.getpid():
            return
        self._stopping = True
        try:
            try:
                with self._connect() as connection:  # wake the listener up
                    connection.execute("SELECT pg_notify(%s, 'stop')", [CHANNEL])
            except Exception:  # not connected either: it sees the flag when it next wakes
                logger.info("API access cache listener stopping without a wake-up")
            thread.join(timeout=HEALTH_CHECK_SECONDS + RECONNECT_SECONDS + 1)
        finally:
            self._stopping = False
            self._thread = self._pid = None
            self._listening = False
            self.invalidate()

    def start(self) -> None:
        """Listen from now on (a server's start), rather than from the first call."""
        if self.enabled():
            self._start()

    # The listener ------------------------------------------------------------------------------

    def _start(self) -> None:
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            # A forked worker inherits neither the thread nor a trustworthy copy of the entries.
            self._entries.clear()
            self._epoch += 1
            self._listening = False
            self._pid = pid
            self._thread = threading.Thread(
                target=self._listen_forever, name="api-access-cache", daemon=True
            )
            self._thread.start()

    def _listen_forever(self) -> None:
        while not self._stopping:
            try:
                self._listen()
            except Exception:  # the listener must outlive any database trouble
                logger.warning("API access cache listener lost its connection", exc_info=True)
            finally:
                self._listening = False
                self.invalidate()
            if not self._stopping:
                time.sleep(RECONNECT_SECONDS)

    def _connect(self) -> Any:
        import psycopg

        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        return psycopg.connect(**params, autocommit=True)

    def _listen(self) -> None:
        with self._connect() as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            # Whatever committed before LISTEN was not announced: start from nothing.
            self.invalidate()
            self._listening = True
            while not self._stopping:
                for _notification in connection.notifies(timeout=HEALTH_CHECK_SECONDS):
                    self.invalidate()
                    if self._stopping:
                        return
                connection.execute("SELECT 1")  # raises when the connection is gone


access_cache = AccessCache()
