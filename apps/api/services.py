"""Writes of the operator API: keys, quota reservations and usage records."""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Model, sql
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import OrganisationRole, User
from apps.authorizations.models import Authorization
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.core.outage import is_database_unavailable

from .keys import new_key
from .models import ApiKey, DailyUsage, LostUsage, UsageRecord
from .notify import api_key_created
from .usage_buffer import Pending, usage_buffer

logger = logging.getLogger(__name__)


def _require_operator_admin(actor: User, operator_id: int) -> None:
    if actor.operator_id != operator_id or actor.organisation_role != OrganisationRole.ADMIN:
        raise NotAllowed(_("Only the operator's administrators manage its API keys."))


@transaction.atomic
def api_key_create(
    *,
    actor: User,
    name: str,
    expires_at: datetime | None = None,
    authorizations: Iterable[Authorization] = (),
) -> tuple[ApiKey, str]:
    """Create a key for the actor's operator; the full key is returned once and never stored."""
    if actor.operator_id is None:
        raise NotAllowed(_("Only operators have API keys."))
    _require_operator_admin(actor, actor.operator_id)
    chosen = list(authorizations)
    if any(a.operator_id != actor.operator_id for a in chosen):
        raise NotAllowed(_("A key can only be limited to the operator's own authorizations."))
    raw, prefix, secret_hash = new_key()
    key = ApiKey(
        operator_id=actor.operator_id, name=name, prefix=prefix, secret_hash=secret_hash,
        created_by=actor, expires_at=expires_at,
    )  # fmt: skip
    history_attribute(key, user=actor, reason=gettext_lazy("created"))
    key.save()
    key.authorizations.set(chosen)
    api_key_created(key=key, actor=actor)
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    _require_operator_admin(actor, key.operator_id)
    if key.revoked_at is not None:
        raise IllegalTransition(_("This key is already revoked."))
    key.revoked_at = timezone.now()
    key.revoked_by = actor
    history_attribute(key, user=actor, reason=gettext_lazy("revoked"))
    key.save(update_fields=["revoked_at", "revoked_by"])
    return key


class QuotaExceeded(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("daily row quota exceeded")
        self.retry_after = retry_after


def _day_row(authorization: Authorization, day: date) -> None:
    try:
        with transaction.atomic():
            DailyUsage.objects.get_or_create(authorization=authorization, day=day)
    except IntegrityError:  # created by a concurrent call between the get and the create
        pass


def seconds_until_tomorrow(now: datetime | None = None) -> int:
    now = timezone.localtime(now)
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


def _counter_update(
    authorization: Authorization,
    day: date,
    *,
    rows: int,
    calls: int,
    rows_at_most: int | None = None,
    rows_at_least: int | None = None,
) -> bool:
    """One UPDATE of the day's counter row: add ``rows`` and ``calls`` if the rows counted so
    far are within the bounds given. False when no row was changed (missing or out of bounds)."""
    quote = connection.ops.quote_name
    counted, called = quote("rows"), quote("calls")
    table = quote(DailyUsage._meta.db_table)
    # Quoted names from the model only; every value is a parameter.
    statement = (
        f"UPDATE {table} "  # noqa: S608 - quoted names only
        f"SET {counted} = {counted} + %s, {called} = {called} + %s "
        f"WHERE {quote('authorization_id')} = %s AND {quote('day')} = %s"
    )
    params: list[Any] = [rows, calls, authorization.pk, connection.ops.adapt_datefield_value(day)]
    if rows_at_most is not None:
        statement += f" AND {counted} <= %s"
        params.append(rows_at_most)
    if rows_at_least is not None:
        statement += f" AND {counted} >= %s"
        params.append(rows_at_least)
    return metering_execute(statement, params) > 0


def _take(authorization: Authorization, day: date, rows: int) -> bool:
    """Count the call and take ``rows`` only if they fit in the quota."""
    return _counter_update(
        authorization, day, rows=rows, calls=1, rows_at_most=authorization.daily_row_quota - rows
    )


def quota_reserve(*, authorization: Authorization, rows: int) -> int:
    """Reserve up to ``rows`` of today's quota, atomically; returns how many were reserved.

    The common case is one conditional UPDATE, so concurrent calls can never overshoot the quota.
    A call that finds no room raises QuotaExceeded; one that finds some room gets what is left.
    """
    day = timezone.localdate()
    if _take(authorization, day, rows):
        return rows
    _day_row(authorization, day)  # the first call of the day creates the counter
    if _take(authorization, day, rows):
        return rows
    # Not enough for the whole page: take what is left, if anything, in a locked read-modify.
    with transaction.atomic():
        usage = DailyUsage.objects.filter(authorization=authorization, day=day)
        current = usage.select_for_update().get()
        left = max(0, authorization.daily_row_quota - current.rows)
        if left == 0:
            raise QuotaExceeded(seconds_until_tomorrow())
        current.rows += left
        current.calls += 1
        current.save(update_fields=["rows", "calls"])
        return left


def quota_release(*, authorization: Authorization, rows: int) -> None:
    """Give back the part of a reservation that the call did not use."""
    if rows > 0:
        day = timezone.localdate()
        _counter_update(authorization, day, rows=-rows, calls=0, rows_at_least=rows)


def count_call(*, authorization: Authorization) -> None:
    """Count a call that returns no rows (aggregate, verify)."""
    day = timezone.localdate()
    if not _counter_update(authorization, day, rows=0, calls=1):
        _day_row(authorization, day)  # the first call of the day creates the counter
        _counter_update(authorization, day, rows=0, calls=1)


def metering_execute(statement: str, params: list[Any]) -> int:
    """Run one metering write without waiting for the WAL flush; returns the rows it touched.

    Every API call commits a quota update and a usage record; waiting for each WAL flush cost
    more than the call's own query. With synchronous_commit off for these writes alone,
    PostgreSQL stays consistent and a crash can lose at most the last fraction of a second of
    counters (wal_writer_delay), never reorder them; decisions, grants and money are committed
    normally elsewhere. ``SET LOCAL`` and the write go in one message, which the server runs as
    one implicit transaction: one round trip instead of BEGIN, SET, the write and COMMIT."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(statement, params)
            return cursor.rowcount
        cursor.execute(f"SET LOCAL synchronous_commit TO OFF; {statement}", params)
        cursor.nextset()
        return cursor.rowcount


def usage_record(**fields: Any) -> UsageRecord:
    """Write one usage record now; the database's errors reach the caller. Calls are metered
    through ``usage_record_or_buffer``, which keeps the record when the database is away."""
    record = UsageRecord(**fields)
    _metering_insert([record])
    return record


# PostgreSQL takes at most 65,535 parameters in one statement; a usage record has 15.
INSERT_BATCH = 1000


def _metering_insert(objects: list[Model]) -> None:
    """INSERT rows of one model as metering writes (``metering_execute``), in batches."""
    model = type(objects[0])
    columns = [field for field in model._meta.concrete_fields if not field.primary_key]
    for start in range(0, len(objects), INSERT_BATCH):
        insert = sql.InsertQuery(model)
        insert.insert_values(columns, objects[start : start + INSERT_BATCH])
        for statement, params in insert.get_compiler(connection=connection).as_sql():
            metering_execute(statement, list(params))


def usage_record_or_buffer(*, fields: dict[str, Any], database_down: bool = False) -> None:
    """Record one call, whatever state the database is in (issue 22: every call leaves a record).

    ``fields`` are UsageRecord's; ``created_at`` is the time of the call (now if absent), kept
    when the record has to wait. While the database is unreachable (``database_down`` says it
    is known to be, so no connection is tried) the record waits in the process's buffer
    (apps/api/usage_buffer.py); the next successful write flushes what waits. Errors that are not
    an outage (a bad value) still raise."""
    fields = {"created_at": timezone.now(), **fields}
    if not database_down:
        try:
            usage_record(**fields)
        except (OperationalError, InterfaceError) as error:
            if not is_database_unavailable(error):
                raise
        else:
            if usage_buffer.pending:
                usage_buffer_flush()
            return
    usage_buffer.add(fields, flush=_usage_buffer_flush_in_thread)


def usage_buffer_flush() -> int:
    """Write the buffered usage records, and the count of lost ones, in one transaction;
    returns how many records were written (0, and all kept, while the database is away)."""
    pending = usage_buffer.take()
    if not pending.records and pending.lost is None:
        return 0
    try:
        _pending_write(pending)
    except (OperationalError, InterfaceError) as error:
        if not is_database_unavailable(error):
            return _pending_refused(pending)
        usage_buffer.give_back(pending)
        return 0
    except DatabaseError:
        return _pending_refused(pending)
    except BaseException:
        usage_buffer.give_back(pending)
        raise
    if pending.lost is not None:
        logger.error(
            "%d usage records were lost between %s and %s (the buffer was full)",
            pending.lost.count,
            pending.lost.first_at.isoformat(),
            pending.lost.last_at.isoformat(),
        )
    return len(pending.records)


def _pending_refused(pending: Pending) -> int:
    logger.exception("buffered usage records refused by the database; counted as lost")
    usage_buffer.drop(pending)
    return 0


def _pending_write(pending: Pending) -> None:
    with transaction.atomic():
        if pending.records:
            _metering_insert([UsageRecord(**fields) for fields in pending.records])
        if pending.lost is not None:
            lost = LostUsage(
                count=pending.lost.count,
                first_lost_at=pending.lost.first_at,
                last_lost_at=pending.lost.last_at,
            )
            _metering_insert([lost])


def _usage_buffer_flush_in_thread() -> None:
    """The periodic flush runs in its own thread, so on its own connection: given back after."""
    try:
        usage_buffer_flush()
    finally:
        connection.close()
