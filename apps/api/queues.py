"""The operator API's work queues (apps/core/queues.py): keys expiring within 30 days and
authorizations that used more than 80% of today's row quota; its key figure on the home page
(apps/core/figures.py): the calls of the last 30 days."""

from datetime import timedelta

from django.db.models import BigIntegerField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts.models import Role, User
from apps.core.figures import KeyFigure, key_figure_register
from apps.core.queues import (
    QueueItem,
    QueueKind,
    WorkQueue,
    own,
    queue_from_rows,
    work_queue_register,
)

from .models import ApiKey, DailyUsage, UsageRecord

EXPIRY_WARNING_DAYS = 30
# A quota is "nearly used" above 4/5 (80%) of it: rows × 5 > quota × 4, in whole numbers.
QUOTA_WARNING = (4, 5)


def _operator_member(user: User) -> bool:
    return user.role == Role.OPERATOR


def _keys_expiring(user: User) -> WorkQueue:
    now = timezone.now()
    rows = ApiKey.objects.filter(
        operator_id=own(user.operator_id),
        revoked_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=EXPIRY_WARNING_DAYS),
    ).order_by("expires_at", "pk")
    return queue_from_rows(
        rows,
        key="api_keys_expiring",
        title=lambda n: (
            ngettext(
                "%(count)d API key expiring within 30 days",
                "%(count)d API keys expiring within 30 days",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("api_keys:list"),
        item=lambda key: QueueItem(
            label=f"{key.name} ({key.prefix}…)",
            url=reverse("api_keys:list"),
            when=key.expires_at,
        ),
        note=_("expires"),
    )


def _quota_nearly_used(user: User) -> WorkQueue:
    share, whole = QUOTA_WARNING
    rows = (
        DailyUsage.objects.filter(
            authorization__operator_id=own(user.operator_id), day=timezone.localdate()
        )
        .filter(rows__gt=Cast("authorization__daily_row_quota", BigIntegerField()) * share / whole)
        .select_related("authorization__entry")
        .order_by("-rows", "pk")
    )
    return queue_from_rows(
        rows,
        key="api_quota_nearly_used",
        title=lambda n: (
            ngettext(
                "%(count)d authorization above 80%% of today's row quota",
                "%(count)d authorizations above 80%% of today's row quota",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("operator_usage:index"),
        item=lambda usage: QueueItem(
            label=_("%(entry)s: %(rows)s of %(quota)s rows")
            % {
                "entry": f"{usage.authorization.entry.identifier} "
                f"{usage.authorization.entry.title}",
                "rows": usage.rows,
                "quota": usage.authorization.daily_row_quota,
            },
            url=reverse("operator_usage:index"),
        ),
    )


def work_queues_register() -> None:
    work_queue_register(QueueKind("api_keys_expiring", _operator_member, _keys_expiring, 70))
    work_queue_register(
        QueueKind("api_quota_nearly_used", _operator_member, _quota_nearly_used, 10)
    )


def _calls_last_30_days() -> int:
    # The usage record of every call, refused ones included (the day counters only count the
    # calls that took rows); the figure is cached (apps/core/figures.py).
    return UsageRecord.objects.filter(created_at__gte=timezone.now() - timedelta(days=30)).count()


def key_figures_register() -> None:
    key_figure_register(
        KeyFigure("api_calls_30_days", _("API calls in the last 30 days"), _calls_last_30_days, 40)
    )
