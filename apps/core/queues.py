"""Work queues: what waits for each user, with counts, on the home page and the admin index.

The queues belong to the apps whose objects wait (catalog entries, applications, reports …), and
those apps sit above this one: each registers its queues when it loads (``AppConfig.ready``) with
``work_queue_register``, the way page sections (sections.py) and audit hooks are registered.
Later features (registrations, products, notifications) plug their queues in the same way.

A queue is read with ONE query whatever the data size: ``queue_from_rows`` fetches the first few
items (oldest or most urgent first, as the queryset is ordered) and, in the same query, the total
and the overdue count as window aggregates over the whole filtered set.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Window
from django.utils.functional import Promise

from apps.accounts.models import User

# How many items a queue shows; its list page has the rest.
QUEUE_PREVIEW = 5


@dataclass(frozen=True)
class QueueItem:
    label: str
    url: str  # the page that resolves it
    when: date | datetime | None = None  # submitted, or due
    overdue: bool = False


@dataclass(frozen=True)
class WorkQueue:
    key: str
    title: str  # with its count: "1 application awaiting your opinion"
    count: int
    list_url: str
    items: list[QueueItem] = field(default_factory=list)
    overdue: int = 0
    note: "str | Promise" = ""  # what the items' dates are when not their submission


@dataclass(frozen=True)
class QueueKind:
    """``shown_to`` decides without a query (role, organisation role, permissions) whether the
    user has this queue at all; ``read`` builds it in one query (the queue may still hold
    nothing). ``staff`` queues are also shown on the admin index."""

    key: str
    shown_to: Callable[[User], bool]
    read: Callable[[User], WorkQueue]
    order: int = 100


_kinds: dict[str, QueueKind] = {}


def work_queue_register(kind: QueueKind) -> None:
    _kinds[kind.key] = kind


def work_queue_kinds() -> list[QueueKind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.key))


def work_queue_kind(key: str) -> QueueKind:
    return _kinds[key]


def work_queues_for(user: User, *, only_waiting: bool = False) -> list[WorkQueue]:
    """The queues of the user's role, in a stable order; ``only_waiting`` leaves out the empty
    ones (the admin index)."""
    if not user.is_authenticated or not user.is_active:
        return []
    queues = [kind.read(user) for kind in work_queue_kinds() if kind.shown_to(user)]
    return [queue for queue in queues if queue.count or not only_waiting]


def own(organisation_id: int | None) -> int:
    """The user's department or operator id for a queue's filter: ``shown_to`` has checked the
    role, and a user without one matches no row (no primary key is 0)."""
    return organisation_id if organisation_id is not None else 0


def queue_from_rows[M: Any](
    rows: QuerySet[M],
    *,
    key: str,
    title: Callable[[int], str],
    list_url: str,
    item: Callable[[M], QueueItem],
    overdue: Q | None = None,
    note: "str | Promise" = "",
) -> WorkQueue:
    """One query: the first ``QUEUE_PREVIEW`` rows as ordered, the total and the overdue count
    (rows matching ``overdue``) of the whole filtered set."""
    annotated = rows.annotate(queue_total=Window(Count("pk")))
    if overdue is not None:
        annotated = annotated.annotate(queue_overdue=Window(Count("pk", filter=overdue)))
    first = list(annotated[:QUEUE_PREVIEW])
    count = first[0].queue_total if first else 0
    late = first[0].queue_overdue if first and overdue is not None else 0
    return WorkQueue(
        key=key,
        title=title(count),
        count=count,
        list_url=list_url,
        items=[item(row) for row in first],
        overdue=late,
        note=note,
    )
