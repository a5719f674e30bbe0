"""The products work queues (apps/core/queues.py): products awaiting the bureau's reviews,
maximum allowed revenues awaiting a check or an approval, and annual disclosures due within 30
days or overdue (the bureau's own for its approvers, each operator's for its members)."""

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from apps.accounts.models import Role, User
from apps.core.queues import (
    QueueItem,
    QueueKind,
    WorkQueue,
    own,
    queue_from_rows,
    work_queue_register,
)

from .choices import CeilingStatus, DisclosureStatus, ProductStatus
from .models import AnnualDisclosure, MaximumAllowedRevenue, Product

DUE_WITHIN_DAYS = 30


def _bureau_may(permission: str) -> Callable[[User], bool]:
    return lambda user: user.role == Role.BUREAU and user.has_perm(permission)


def _operator_member(user: User) -> bool:
    return user.role == Role.OPERATOR


def _products_to_review(user: User) -> WorkQueue:
    rows = (
        Product.objects.filter(status=ProductStatus.SUBMITTED)
        .select_related("operator").order_by("submitted_at", "pk")
    )  # fmt: skip
    return queue_from_rows(
        rows,
        key="products_to_review",
        title=lambda n: ngettext(
            "%(count)d data product awaiting review", "%(count)d data products awaiting review", n
        ) % {"count": n},
        list_url=reverse("admin:products_product_changelist") + "?status__exact=submitted",
        item=lambda product: QueueItem(
            label=f"{product.name} · {product.operator.name}",
            url=reverse("admin:products_product_change", args=[product.pk]),
            when=product.submitted_at,
        ),
    )  # fmt: skip


def _ceilings(status: str, key: str, title: Callable[[int], str]) -> Callable[[User], WorkQueue]:
    def read(user: User) -> WorkQueue:
        rows = (
            MaximumAllowedRevenue.objects.filter(status=status)
            .select_related("operator").order_by("proposed_at", "pk")
        )  # fmt: skip
        return queue_from_rows(
            rows, key=key, title=title,
            list_url=reverse("admin:products_maximumallowedrevenue_changelist")
            + f"?status__exact={status}",
            item=lambda ceiling: QueueItem(
                label=f"{ceiling.operator.name} · {ceiling.year}",
                url=reverse("admin:products_maximumallowedrevenue_change", args=[ceiling.pk]),
                when=ceiling.proposed_at,
            ),
        )  # fmt: skip

    return read


def _due(rows: "Q", key: str, list_url: str, link: Callable[[AnnualDisclosure], str]) -> WorkQueue:
    today = timezone.localdate()
    drafts = (
        AnnualDisclosure.objects.filter(rows, status=DisclosureStatus.DRAFT,
                                        due_on__lte=today + timedelta(days=DUE_WITHIN_DAYS))
        .select_related("operator").order_by("due_on", "pk")
    )  # fmt: skip
    return queue_from_rows(
        drafts, key=key,
        title=lambda n: ngettext(
            "%(count)d annual disclosure due within 30 days or overdue",
            "%(count)d annual disclosures due within 30 days or overdue", n,
        ) % {"count": n},
        list_url=list_url,
        item=lambda disclosure: QueueItem(
            label=str(disclosure), url=link(disclosure), when=disclosure.due_on,
            overdue=disclosure.due_on < today,
        ),
        overdue=Q(due_on__lt=today),
        note=gettext_lazy("dates are when each is due"),
    )  # fmt: skip


def _bureau_disclosures_due(user: User) -> WorkQueue:
    return _due(
        Q(operator__isnull=True), "products_bureau_disclosures_due",
        reverse("admin:products_annualdisclosure_changelist"),
        lambda d: reverse("admin:products_annualdisclosure_change", args=[d.pk]),
    )  # fmt: skip


def _operator_disclosures_due(user: User) -> WorkQueue:
    return _due(
        Q(operator_id=own(user.operator_id)), "products_operator_disclosures_due",
        reverse("operator_products:disclosures"),
        lambda d: reverse("operator_products:disclosure", args=[d.pk]),
    )  # fmt: skip


def work_queues_register() -> None:
    work_queue_register(QueueKind(
        "products_to_review", _bureau_may("products.review_product"), _products_to_review, 45,
    ))  # fmt: skip
    work_queue_register(QueueKind(
        "products_ceilings_to_check", _bureau_may("products.check_maximumallowedrevenue"),
        _ceilings(CeilingStatus.PROPOSED, "products_ceilings_to_check", lambda n: ngettext(
            "%(count)d maximum allowed revenue to check",
            "%(count)d maximum allowed revenues to check", n) % {"count": n}),
        46,
    ))  # fmt: skip
    work_queue_register(QueueKind(
        "products_ceilings_to_approve", _bureau_may("products.approve_maximumallowedrevenue"),
        _ceilings(CeilingStatus.CHECKED, "products_ceilings_to_approve", lambda n: ngettext(
            "%(count)d maximum allowed revenue to approve",
            "%(count)d maximum allowed revenues to approve", n) % {"count": n}),
        47,
    ))  # fmt: skip
    work_queue_register(QueueKind(
        "products_bureau_disclosures_due", _bureau_may("products.publish_annualdisclosure"),
        _bureau_disclosures_due, 48,
    ))  # fmt: skip
    work_queue_register(QueueKind(
        "products_operator_disclosures_due", _operator_member, _operator_disclosures_due, 25,
    ))  # fmt: skip
