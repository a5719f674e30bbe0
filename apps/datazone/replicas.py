"""Which database serves a live version's rows: a streaming replica when one is configured and
has replayed the version, else the primary (README "Scaling out").

With ``DATABASE_REPLICA_URL`` set, settings add the ``replica`` alias and this module's router.
The router keeps every model on the primary — the access checks, quotas, metering and every
write read and write what was just committed there. Only the rows of live tables, which the
operator API and the open data read with their own SQL, go to the replica, and only once the
replica has replayed the version: the commit that made it live (status complete, ``finished_at``
set) comes after every row and index of its table in the primary's log, so a replica that shows
it complete has the whole table. A version not replayed yet is waited for at most
``DATABASE_REPLICA_WAIT_MS``, then read from the primary; so is everything while the replica
cannot be reached (tried again after ``DATABASE_RETRY_SECONDS``) and a statement the replica
cancelled (a conflict with what it was replaying). Without a replica everything is as before.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.utils.connection import ConnectionDoesNotExist

from apps.core.outage import is_database_unavailable

from .choices import COMPLETE_STATUSES
from .models import DataVersion

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# How often a version not replayed yet is looked for again while waiting.
POLL_SECONDS = 0.01
# Versions this process has seen replayed (a replica never un-replays one); bounded.
KNOWN_MAX = 10_000
# SQLSTATEs of a statement the replica cancelled because of what it was replaying.
_RECOVERY_CONFLICTS = ("40001", "40P01")


class PrimaryReplicaRouter:
    """Django's router: models on the primary only; the replica is never migrated (a copy)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaState:
    """This process's view of the replica: versions seen replayed, and whether it is down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.replayed: set[int] = set()
        self.fallbacks: set[int] = set()  # versions already logged as read from the primary
        self._down_until = 0.0

    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def went_down(self, error: BaseException) -> None:
        with self._lock:
            if not self.is_down():
                logger.warning(
                    "replica unreachable, rows are read from the primary: %s",
                    str(error).strip().splitlines()[0] if str(error).strip() else error,
                )
            self._down_until = time.monotonic() + settings.DATABASE_RETRY_SECONDS

    def saw_replayed(self, version_id: int) -> None:
        with self._lock:
            if len(self.replayed) >= KNOWN_MAX:
                self.replayed.clear()
            self.replayed.add(version_id)

    def fell_back(self, version_id: int) -> None:
        with self._lock:
            if version_id in self.fallbacks:
                return
            if len(self.fallbacks) >= KNOWN_MAX:
                self.fallbacks.clear()
            self.fallbacks.add(version_id)
        logger.info("replica has not replayed data version %s: read from the primary", version_id)

    def reset(self) -> None:
        with self._lock:
            self.replayed.clear()
            self.fallbacks.clear()
            self._down_until = 0.0


replica_state = ReplicaState()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_status() -> tuple[bool, str]:
    """/readyz: the replica is reported, never required (without it the primary serves)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            (recovering,) = cursor.fetchone()
    except DatabaseError:
        return True, "unreachable (rows are read from the primary)"
    return True, "ok" if recovering else "not in recovery: a promoted replica?"


def has_replayed(version_id: int) -> bool:
    """Whether the replica shows the version complete; raises DatabaseError when unreachable."""
    complete = DataVersion.objects.using(REPLICA).filter(
        pk=version_id, status__in=COMPLETE_STATUSES, finished_at__isnull=False
    )
    return complete.exists()


def rows_database(*, version: DataVersion) -> str:
    """The alias to read this live version's rows from (see the module's docstring)."""
    if not replica_configured() or replica_state.is_down():
        return PRIMARY
    if version.pk in replica_state.replayed:
        return REPLICA
    deadline = time.monotonic() + settings.DATABASE_REPLICA_WAIT_MS / 1000
    while True:
        try:
            replayed = has_replayed(version.pk)
        except DatabaseError as error:
            _forget_connection(error)
            replica_state.went_down(error)
            return PRIMARY
        if replayed:
            replica_state.saw_replayed(version.pk)
            return REPLICA
        if time.monotonic() >= deadline:
            replica_state.fell_back(version.pk)
            return PRIMARY
        time.sleep(POLL_SECONDS)


def read_rows[T](*, version: DataVersion, read: Callable[[str], T]) -> T:
    """``read(alias)`` on the database that serves the version's rows; on the primary again when
    the replica fails under it (unreachable, or it cancelled the statement)."""
    alias = rows_database(version=version)
    if alias == PRIMARY:
        return read(PRIMARY)
    try:
        return read(alias)
    except DatabaseError as error:
        if is_database_unavailable(error):
            _forget_connection(error)
            replica_state.went_down(error)
        elif not _recovery_conflict(error):
            raise
        return read(PRIMARY)


def _recovery_conflict(error: BaseException) -> bool:
    cause = error.__cause__
    return isinstance(cause, psycopg.Error) and cause.sqlstate in _RECOVERY_CONFLICTS


def _forget_connection(error: BaseException) -> None:
    # Never hand this request's broken replica connection to a later read.
    if is_database_unavailable(error):
        with contextlib.suppress(DatabaseError, ConnectionDoesNotExist):
            connections[REPLICA].close()
