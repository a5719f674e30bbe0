"""Listing data products and services, their two reviews, and withdrawal (27号: the agreement's
product and service list, each with a security review and a business-compliance review).

Each move locks the product, checks the move and the actor, saves, and records who and why in the
history (which feeds the audit log, ../audit.py)."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.authorizations.choices import Use
from apps.authorizations.models import Authorization, Scenario
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from .. import notify
from ..choices import PRODUCT_TRANSITIONS, FeeForm, ProductStatus, ReviewKind, ReviewOutcome
from ..models import Product, ProductReview

REVIEW = "products.review_product"
PRODUCT_FIELDS = ("name", "description", "kind", "use", "fee_form", "unit")


def _require_member(actor: User, operator: Operator) -> None:
    if actor.operator_id is None or actor.operator_id != operator.pk:
        raise NotAllowed(_("Only the operator's own members may manage its products."))


def _require_bureau(actor: User, permission: str, message: str) -> None:
    if actor.bureau_id is None or not actor.has_perm(permission):
        raise NotAllowed(message)


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for this decision.")}, code="reason")
    return reason


def _locked(product: Product) -> Product:
    return Product.objects.select_for_update().get(pk=product.pk)


def _move(product: Product, *, actor: User | None, to_status: str, reason: str) -> Product:
    if to_status not in PRODUCT_TRANSITIONS[product.status]:
        raise IllegalTransition(
            _("A product %(current)s cannot become %(target)s.")
            % {"current": product.get_status_display(), "target": ProductStatus(to_status).label}
        )
    product.status = to_status
    product.status_reason = reason
    today = timezone.localdate()
    if to_status == ProductStatus.OFFERED:
        product.offered_on = today
    elif to_status == ProductStatus.WITHDRAWN:
        product.withdrawn_on = today
    history_attribute(product, user=actor, reason=reason or ProductStatus(to_status).label)
    product.save()
    notify.product_moved(product=product)
    return product


def check_product_data(
    *, operator: Operator, data: dict[str, Any], authorizations: Iterable[Authorization],
    scenario: Scenario,
) -> list[Authorization]:  # fmt: skip
    """The rules a product's description must meet; returns the authorizations drawn on."""
    drawn = list(authorizations)
    errors: dict[str, list[str]] = {}
    if not drawn:
        errors["authorizations"] = [_("Name at least one authorization the product draws on.")]
    elif any(authorization.operator_id != operator.pk for authorization in drawn):
        errors["authorizations"] = [
            _("A product may draw only on its own operator's authorizations.")
        ]
    elif any(authorization.pk not in _in_force_ids(operator) for authorization in drawn):
        errors["authorizations"] = [_("Every authorization drawn on must be in force.")]
    if scenario.operator_id != operator.pk:
        errors["scenario"] = [_("Choose one of the operator's own scenarios.")]
    free = data.get("fee_form") == FeeForm.FREE
    if data.get("use") == Use.PUBLIC_INTEREST and not free:
        errors["fee_form"] = [_("Public-interest use is free: choose the free fee form.")]
    elif data.get("use") == Use.INDUSTRY and free:
        errors["fee_form"] = [_("Industry use is charged: choose how the fee is charged.")]
    if errors:
        raise ValidationError(errors)
    return drawn


def _in_force_ids(operator: Operator) -> set[int]:
    return set(
        Authorization.objects.in_force().filter(operator=operator).values_list("pk", flat=True)
    )


@transaction.atomic
def product_submit(
    *, operator: Operator, actor: User, data: dict[str, Any],
    authorizations: Iterable[Authorization], scenario: Scenario,
) -> Product:  # fmt: skip
    """The operator lists a new product; it waits for the bureau's two reviews."""
    _require_member(actor, operator)
    drawn = check_product_data(
        operator=operator, data=data, authorizations=authorizations, scenario=scenario
    )
    product = Product(
        operator=operator, scenario=scenario, submitted_by=actor, submitted_at=timezone.now(),
        **{name: data.get(name, "") for name in PRODUCT_FIELDS},
    )  # fmt: skip
    if product.is_free:
        product.unit = ""
    product.full_clean(exclude=["operator", "scenario", "submitted_by"])
    history_attribute(product, user=actor, reason=_("submitted for review"))
    product.save()
    product.authorizations.set(drawn)
    notify.product_moved(product=product)
    return product


@transaction.atomic
def product_resubmit(*, product: Product, actor: User, description: str) -> Product:
    """A refused product, described anew, goes back for both reviews (a new review round)."""
    _require_member(actor, product.operator)
    product = _locked(product)
    if product.status != ProductStatus.REFUSED:
        raise IllegalTransition(_("Only a product refused in review is submitted again."))
    if not description.strip():
        raise ValidationError({"description": _("Describe the product as changed.")})
    product.description = description.strip()
    product.review_round += 1
    product.submitted_at = timezone.now()
    return _move(product, actor=actor, to_status=ProductStatus.SUBMITTED, reason="")


@transaction.atomic
def product_review_record(
    *, product: Product, actor: User, kind: str, outcome: str, reason: str,
    document: UploadedFile | None,
) -> ProductReview:  # fmt: skip
    """The bureau records one of the two reviews. A review not passed refuses the product; the
    second passed review offers it."""
    _require_bureau(actor, REVIEW, _("Only bureau reviewers may record product reviews."))
    product = _locked(product)
    if product.status != ProductStatus.SUBMITTED:
        raise IllegalTransition(
            _("Only a product awaiting review is reviewed (this one is %(status)s).")
            % {"status": product.get_status_display()}
        )
    reason = _require_reason(reason)
    if document is None:
        raise ValidationError({"document": _("Attach the review document.")}, code="required")
    if kind not in ReviewKind.values or outcome not in ReviewOutcome.values:
        raise ValidationError(_("Choose the review and its outcome."), code="invalid")
    if product.reviews.filter(review_round=product.review_round, kind=kind).exists():
        raise ValidationError(
            {"kind": _("This review is recorded already for this round.")}, code="duplicate"
        )
    review = ProductReview(
        product=product, review_round=product.review_round, kind=kind, outcome=outcome,
        reason=reason, document=document, reviewer=actor, reviewed_at=timezone.now(),
    )  # fmt: skip
    history_attribute(review, user=actor, reason=reason)
    review.save()
    if outcome == ReviewOutcome.FAILED:
        _move(product, actor=actor, to_status=ProductStatus.REFUSED, reason=reason)
    elif _both_passed(product):
        _move(
            product, actor=actor, to_status=ProductStatus.OFFERED, reason=_("both reviews passed")
        )
    return review


def _both_passed(product: Product) -> bool:
    passed = set(
        product.reviews.filter(
            review_round=product.review_round, outcome=ReviewOutcome.PASSED
        ).values_list("kind", flat=True)
    )
    return passed == set(ReviewKind.values)


@transaction.atomic
def product_withdraw(*, product: Product, actor: User, reason: str) -> Product:
    """The operator takes its product off the list, or the bureau does (with a reason)."""
    if actor.bureau_id is not None:
        _require_bureau(actor, REVIEW, _("Only bureau reviewers may withdraw products."))
        reason = _require_reason(reason)
    else:
        _require_member(actor, product.operator)
    product = _locked(product)
    return _move(product, actor=actor, to_status=ProductStatus.WITHDRAWN, reason=reason.strip())


def products_withdraw_with(authorization: Authorization, actor: User | None, reason: str) -> None:
    """An authorization stopped (suspended, revoked, expired): every product drawing on it is
    withdrawn with it, in the same transaction (registered in apps.py)."""
    said = _("withdrawn with authorization #%(number)s (%(status)s)") % {
        "number": authorization.pk, "status": authorization.get_status_display(),
    }  # fmt: skip
    open_products = Product.objects.select_for_update().filter(
        authorizations=authorization, status__in=[ProductStatus.SUBMITTED, ProductStatus.OFFERED,
                                                  ProductStatus.REFUSED],
    )  # fmt: skip
    for product in open_products:
        _move(product, actor=actor, to_status=ProductStatus.WITHDRAWN, reason=said)
