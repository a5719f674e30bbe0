"""What products tell (called inside each write's transaction): the operator how its products and
its maximum allowed revenue were decided, the bureau what waits for it, and every operator and the
bureau that an annual disclosure falls due (a reminder run by ``manage.py send_reminders``)."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.registry import expiry_threshold, reminder_register
from apps.notifications.services import event_key_for, notification_send

from .choices import CeilingStatus, DisclosureStatus, ProductStatus
from .models import AnnualDisclosure, MaximumAllowedRevenue, Product

REVIEW = "products.review_product"
CHECK = "products.check_maximumallowedrevenue"
APPROVE = "products.approve_maximumallowedrevenue"
PUBLISH = "products.publish_annualdisclosure"

TO_OPERATOR = {
    ProductStatus.OFFERED: Kind.PRODUCT_OFFERED,
    ProductStatus.REFUSED: Kind.PRODUCT_REFUSED,
    ProductStatus.WITHDRAWN: Kind.PRODUCT_WITHDRAWN,
}


def _money(amount: Decimal | None) -> str:
    return f"{amount or 0:,.2f}"


def product_moved(*, product: Product) -> None:
    params = {
        "name": product.name,
        "operator": product.operator.name,
        "reason": product.status_reason,
    }
    if product.status == ProductStatus.SUBMITTED:
        notification_send(
            kind=Kind.PRODUCT_SUBMITTED,
            recipients=audiences.bureau_staff_with(permission=REVIEW),
            obj=product, params=params,
            url=reverse("admin:products_product_change", args=[product.pk]),
        )  # fmt: skip
        return
    kind = TO_OPERATOR.get(ProductStatus(product.status))
    if kind is not None:
        notification_send(
            kind=kind,
            recipients=audiences.operator_members(operator=product.operator_id),
            obj=product, params=params,
            url=reverse("operator_products:detail", args=[product.pk]),
        )  # fmt: skip


def ceiling_moved(*, ceiling: MaximumAllowedRevenue) -> None:
    params = {
        "year": ceiling.year,
        "operator": ceiling.operator.name,
        "maximum": _money(ceiling.maximum),
        "reason": ceiling.review_reason,
    }
    admin_url = reverse("admin:products_maximumallowedrevenue_change", args=[ceiling.pk])
    operator_url = reverse("operator_products:ceiling-year", args=[ceiling.year])
    status = ceiling.status
    if status == CeilingStatus.PROPOSED:
        kind, recipients, url = (
            Kind.CEILING_TO_CHECK, audiences.bureau_staff_with(permission=CHECK), admin_url,
        )  # fmt: skip
    elif status == CeilingStatus.CHECKED:
        approvers = audiences.bureau_staff_with(permission=APPROVE)
        if ceiling.checked_by_id is not None:  # four eyes: not the one who checked it
            approvers = approvers.exclude(pk=ceiling.checked_by_id)
        kind, recipients, url = Kind.CEILING_TO_APPROVE, approvers, admin_url
    elif status == CeilingStatus.APPROVED:
        kind, url = Kind.CEILING_APPROVED, operator_url
        recipients = audiences.operator_members(operator=ceiling.operator_id)
    elif status == CeilingStatus.RETURNED:
        kind, url = Kind.CEILING_RETURNED, operator_url
        recipients = audiences.operator_members(operator=ceiling.operator_id)
    else:
        return
    notification_send(kind=kind, recipients=recipients, obj=ceiling, params=params, url=url)


def disclosures_due_remind(today: date) -> int:
    """Drafts due within 30 days (and again within 7): the operator's members, or for the
    bureau's own disclosure the staff who may publish it. Once per threshold and due date."""
    told = 0
    due = AnnualDisclosure.objects.filter(
        status=DisclosureStatus.DRAFT, due_on__gte=today
    ).select_related("operator")
    for disclosure in due:
        days_left = (disclosure.due_on - today).days
        threshold = expiry_threshold(days_left)
        if threshold is None:
            continue
        if disclosure.operator_id is None:
            recipients = list(audiences.bureau_staff_with(permission=PUBLISH))
            url = reverse("admin:products_annualdisclosure_change", args=[disclosure.pk])
        else:
            recipients = list(audiences.operator_members(operator=disclosure.operator_id))
            url = reverse("operator_products:disclosure", args=[disclosure.pk])
        told += len(notification_send(
            kind=Kind.DISCLOSURE_DUE, recipients=recipients, obj=disclosure, url=url,
            event_key=event_key_for(Kind.DISCLOSURE_DUE, disclosure, threshold, disclosure.due_on),
            params={"year": disclosure.year, "days": days_left,
                    "due_on": disclosure.due_on.isoformat()},
        ))  # fmt: skip
    return told


def reminders_register() -> None:
    reminder_register(name="annual disclosures due", reminder=disclosures_due_remind)
