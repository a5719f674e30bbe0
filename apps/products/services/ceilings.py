"""The maximum allowed revenue (65号, first tier; the formula and its rule are in pricing.py):
proposed by the operator with its cost items, checked by a bureau reviewer, approved by a
different person (four eyes); and the carry-over of revenue above it into the next year."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from .. import notify
from ..choices import CEILING_TRANSITIONS, CeilingStatus
from ..models import MaximumAllowedRevenue, RevenueCeilingDeduction
from ..pricing import PROFIT_MARGIN_POINTS, ceiling_compute, profit_rate_ceiling
from ..selectors import deduction_into, reported_revenue

CHECK = "products.check_maximumallowedrevenue"
APPROVE = "products.approve_maximumallowedrevenue"
COST_FIELDS = ("cost_platform", "cost_transmission", "cost_processing", "cost_labour", "cost_other")
MONEY_FIELDS = (*COST_FIELDS, "subsidies", "tax")
FIGURE_FIELDS = (*MONEY_FIELDS, "treasury_yield", "yield_date", "profit_rate", "trial")


def check_ceiling_figures(*, figures: dict[str, Any]) -> None:
    """The figures' own rules, with the field each error belongs to."""
    errors: dict[str, str] = {}
    for name in (*MONEY_FIELDS, "treasury_yield", "profit_rate"):
        if figures[name] < 0:
            errors[name] = _("An amount or rate is not negative.")
    if figures["profit_rate"] > profit_rate_ceiling(figures["treasury_yield"]):
        errors["profit_rate"] = _(
            "The allowed profit rate is at most the 10-year treasury bond yield plus "
            "%(points)s percentage points: %(ceiling)s%% here."
        ) % {"points": PROFIT_MARGIN_POINTS,
             "ceiling": localize(profit_rate_ceiling(figures["treasury_yield"]))}  # fmt: skip
    if not errors and figures["subsidies"] > sum(figures[name] for name in COST_FIELDS):
        errors["subsidies"] = _("Subsidies above the reasonable cost leave no pricing cost.")
    if errors:
        raise ValidationError(errors)


def _apply(ceiling: MaximumAllowedRevenue, figures: dict[str, Any]) -> None:
    check_ceiling_figures(figures=figures)
    for name in FIGURE_FIELDS:
        setattr(ceiling, name, figures[name])
    result = ceiling_compute(
        costs=[figures[name] for name in COST_FIELDS], subsidies=figures["subsidies"],
        profit_rate=figures["profit_rate"], tax=figures["tax"],
    )  # fmt: skip
    ceiling.pricing_cost = result.pricing_cost
    ceiling.allowed_profit = result.allowed_profit
    ceiling.maximum = result.maximum


@transaction.atomic
def ceiling_propose(
    *, operator: Operator, actor: User, year: int, figures: dict[str, Any]
) -> MaximumAllowedRevenue:
    if actor.operator_id is None or actor.operator_id != operator.pk:
        raise NotAllowed(_("Only the operator's own members may propose its figures."))
    if MaximumAllowedRevenue.objects.filter(operator=operator, year=year).exists():
        raise ValidationError(
            {"year": _("This operator already has a maximum allowed revenue for this year.")}
        )
    ceiling = MaximumAllowedRevenue(
        operator=operator, year=year, proposed_by=actor, proposed_at=timezone.now()
    )
    _apply(ceiling, figures)
    history_attribute(ceiling, user=actor, reason=_("proposed"))
    ceiling.save()
    notify.ceiling_moved(ceiling=ceiling)
    return ceiling


@transaction.atomic
def ceiling_correct(
    *, ceiling: MaximumAllowedRevenue, actor: User, figures: dict[str, Any]
) -> MaximumAllowedRevenue:
    """The operator corrects a returned proposal and proposes it again."""
    if actor.operator_id is None or actor.operator_id != ceiling.operator_id:
        raise NotAllowed(_("Only the operator's own members may propose its figures."))
    ceiling = MaximumAllowedRevenue.objects.select_for_update().get(pk=ceiling.pk)
    _apply(ceiling, figures)
    ceiling.proposed_at = timezone.now()
    return _move(ceiling, actor=actor, to_status=CeilingStatus.PROPOSED, reason=_("corrected"))


def _move(
    ceiling: MaximumAllowedRevenue, *, actor: User, to_status: str, reason: str
) -> MaximumAllowedRevenue:
    if to_status not in CEILING_TRANSITIONS[ceiling.status]:
        raise IllegalTransition(
            _("A maximum allowed revenue %(current)s cannot become %(target)s.")
            % {"current": ceiling.get_status_display(), "target": CeilingStatus(to_status).label}
        )
    ceiling.status = to_status
    if reason:
        ceiling.review_reason = reason
    history_attribute(ceiling, user=actor, reason=reason or CeilingStatus(to_status).label)
    ceiling.save()
    notify.ceiling_moved(ceiling=ceiling)
    return ceiling


def _bureau(actor: User, permission: str) -> None:
    if actor.bureau_id is None or not actor.has_perm(permission):
        raise NotAllowed(_("This decision belongs to other bureau staff."))


@transaction.atomic
def ceiling_check(
    *, ceiling: MaximumAllowedRevenue, actor: User, reason: str = ""
) -> MaximumAllowedRevenue:
    _bureau(actor, CHECK)
    ceiling = MaximumAllowedRevenue.objects.select_for_update().get(pk=ceiling.pk)
    ceiling.checked_by = actor
    return _move(ceiling, actor=actor, to_status=CeilingStatus.CHECKED, reason=reason.strip())


@transaction.atomic
def ceiling_approve(
    *, ceiling: MaximumAllowedRevenue, actor: User, reason: str = ""
) -> MaximumAllowedRevenue:
    _bureau(actor, APPROVE)
    ceiling = MaximumAllowedRevenue.objects.select_for_update().get(pk=ceiling.pk)
    if ceiling.checked_by_id == actor.pk:
        raise NotAllowed(_("Four eyes: who checked the figures does not approve them too."))
    ceiling.approved_by, ceiling.approved_at = actor, timezone.now()
    return _move(ceiling, actor=actor, to_status=CeilingStatus.APPROVED, reason=reason.strip())


@transaction.atomic
def ceiling_return(
    *, ceiling: MaximumAllowedRevenue, actor: User, reason: str
) -> MaximumAllowedRevenue:
    if not (actor.has_perm(CHECK) or actor.has_perm(APPROVE)) or actor.bureau_id is None:
        raise NotAllowed(_("This decision belongs to other bureau staff."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for this decision.")}, code="reason")
    ceiling = MaximumAllowedRevenue.objects.select_for_update().get(pk=ceiling.pk)
    ceiling.checked_by = None
    return _move(ceiling, actor=actor, to_status=CeilingStatus.RETURNED, reason=reason.strip())


def carry_over_rule() -> str:
    return _(
        "Revenue above the year's allowed revenue (its maximum allowed revenue less any "
        "deduction carried into it) is deducted from the next year's maximum allowed revenue "
        "(发改价格〔2025〕65号)."
    )


@transaction.atomic
def revenue_ceiling_carry_over(
    *, ceiling: MaximumAllowedRevenue, actor: User | None
) -> RevenueCeilingDeduction | None:
    """Record the deduction from the next year that revenue above ``ceiling`` causes, or None
    when the year stayed within it. Recording twice returns the first record."""
    if actor is not None:
        _bureau(actor, APPROVE)
    ceiling = MaximumAllowedRevenue.objects.select_for_update().get(pk=ceiling.pk)
    if ceiling.status != CeilingStatus.APPROVED:
        raise IllegalTransition(_("Only an approved maximum allowed revenue is carried over."))
    existing = RevenueCeilingDeduction.objects.filter(
        operator_id=ceiling.operator_id, year=ceiling.year + 1
    ).first()
    if existing is not None:
        return existing
    allowed = ceiling.maximum - deduction_into(operator_id=ceiling.operator_id, year=ceiling.year)
    reported = reported_revenue(operator_id=ceiling.operator_id, year=ceiling.year)
    if reported <= allowed:
        return None
    deduction = RevenueCeilingDeduction(
        operator_id=ceiling.operator_id, year=ceiling.year + 1, excess_year=ceiling.year,
        ceiling=ceiling, allowed=allowed, reported=reported, amount=reported - allowed,
        rule=carry_over_rule(), recorded_by=actor, recorded_at=timezone.now(),
    )  # fmt: skip
    history_attribute(deduction, user=actor, reason=_("revenue above the maximum carried over"))
    deduction.save()
    return deduction
