"""Settlement of a month and adjustments of settled shares.

Settling writes, for every verified report, one revenue-share record crediting the providing
department the ratio recorded on the authorization (../shared/domain.md), and takes up the
adjustments waiting for a later period. The Settlement row is the period's lock: it is created
in the same transaction, and its unique period makes a second settlement — later or at the same
moment — find it and change nothing.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from apps.accounts.models import User
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute, system_reason

from ..choices import ReportStatus
from ..models import RevenueReport, RevenueShareRecord, Settlement
from ..money import adjustment_split, current_period, period_label, split_share
from ..notify import settlement_recorded
from ..selectors import fen_sum
from .reports import validate_amount


@dataclass(frozen=True)
class SettlementResult:
    settlement: Settlement
    created: bool  # False: the period was already settled and nothing changed


def _require(actor: User | None, permission: str, message: str) -> None:
    # ``actor`` is None only for the management command, run by whoever runs the server.
    if actor is not None and (actor.bureau_id is None or not actor.has_perm(permission)):
        raise NotAllowed(message)


@transaction.atomic
def settlement_run(*, period: date, actor: User | None) -> SettlementResult:
    _require(actor, "revenue.settle_settlement", _("Only bureau staff may settle revenue."))
    if period.day != 1:
        raise ValidationError({"period": _("A period is a calendar month.")})
    if period >= current_period():
        raise ValidationError({"period": _("A month can be settled once it is over.")})
    settlement, created = Settlement.objects.select_for_update().get_or_create(
        period=period, defaults={"settled_by": actor, "settled_at": timezone.now()}
    )
    if not created:
        return SettlementResult(settlement, False)
    for report in _reports_to_settle(period):
        _settle_report(report, settlement, actor)
    for adjustment in _adjustments_to_settle(period):
        adjustment.settlement, adjustment.period = settlement, period
        history_attribute(
            adjustment,
            user=actor,
            reason=system_reason(
                gettext_noop("settled in %(period)s"), period=period_label(period)
            ),
        )
        adjustment.save(update_fields=["settlement", "period"])
    _record_totals(settlement, actor)
    settlement_recorded(settlement=settlement)
    return SettlementResult(settlement, True)


def _reports_to_settle(period: date) -> list[RevenueReport]:
    # Verified reports of this month and of earlier months verified after those were settled
    # (late reports are credited in the next settlement, not lost). Row locks keep a report
    # from being returned or settled twice while this transaction runs.
    return list(
        RevenueReport.objects.select_for_update(of=("self",))
        .filter(status=ReportStatus.VERIFIED, period__lte=period)
        .select_related("authorization__entry")
        .order_by("period", "pk")
    )


def _settle_report(report: RevenueReport, settlement: Settlement, actor: User | None) -> None:
    authorization = report.authorization
    split = split_share(report.amount, authorization.revenue_share_ratio)
    record = RevenueShareRecord(
        report=report, authorization=authorization, department_id=authorization.entry.department_id,
        operator_id=report.operator_id, period=settlement.period, settlement=settlement,
        amount=report.amount, ratio=authorization.revenue_share_ratio, share=split.share,
        retained=split.retained, created_by=actor, created_at=timezone.now(),
    )  # fmt: skip
    history_attribute(record, user=actor)
    record.save()
    report.status, report.settlement = ReportStatus.SETTLED, settlement
    history_attribute(
        report,
        user=actor,
        reason=system_reason(gettext_noop("settled in %(period)s"), period=settlement.period_label),
    )
    report.save(update_fields=["status", "settlement"])


def _adjustments_to_settle(period: date) -> list[RevenueShareRecord]:
    return list(
        RevenueShareRecord.objects.pending()
        .select_for_update(of=("self",))
        .filter(adjusts__period__lt=period)
        .order_by("pk")
    )


def _record_totals(settlement: Settlement, actor: User | None) -> None:
    sums = settlement.share_records.order_by().aggregate(
        reports=Count("id", filter=Q(adjusts__isnull=True)),
        adjustments=Count("id", filter=Q(adjusts__isnull=False)),
        amount=Sum("amount"), share=Sum("share"), retained=Sum("retained"),
    )  # fmt: skip
    settlement.report_count, settlement.adjustment_count = sums["reports"], sums["adjustments"]
    settlement.total_amount = fen_sum(sums["amount"])
    settlement.total_share = fen_sum(sums["share"])
    settlement.total_retained = fen_sum(sums["retained"])
    history_attribute(settlement, user=actor, reason=gettext_lazy("settled"))
    settlement.save()


@transaction.atomic
def revenue_share_adjust(
    *, record: RevenueShareRecord, corrected_amount: Decimal, reason: str, actor: User
) -> RevenueShareRecord:
    """Correct a settled report's proceeds with a new record that points at the original.

    The adjusting record carries the difference: its share is what makes the original and all
    its adjustments together equal the rounding rule applied to the corrected amount, so the
    department is credited exactly what a correct first report would have given it.
    """
    _require(actor, "revenue.adjust_revenuesharerecord",
             _("Only bureau approvers may adjust settled revenue shares."))  # fmt: skip
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")}, code="reason")
    corrected_amount = validate_amount(corrected_amount, field="corrected_amount")
    original = RevenueShareRecord.objects.select_for_update().get(pk=record.pk)
    if original.adjusts_id is not None or original.settlement_id is None:
        raise IllegalTransition(_("Only a settled original record can be adjusted."))
    so_far = original.adjustments.order_by().aggregate(amount=Sum("amount"), share=Sum("share"))
    amount = original.amount + fen_sum(so_far["amount"])
    share = original.share + fen_sum(so_far["share"])
    difference, split = adjustment_split(
        corrected_amount=corrected_amount, ratio=original.ratio, amount_so_far=amount,
        share_so_far=share,
    )  # fmt: skip
    if difference == 0:
        raise ValidationError(
            {"corrected_amount": _("The corrected amount is what is already on record.")}
        )
    adjustment = RevenueShareRecord(
        report_id=original.report_id, authorization_id=original.authorization_id,
        department_id=original.department_id, operator_id=original.operator_id,
        amount=difference, ratio=original.ratio, share=split.share, retained=split.retained,
        adjusts=original, reason=reason, created_by=actor, created_at=timezone.now(),
    )  # fmt: skip
    history_attribute(adjustment, user=actor, reason=reason)
    adjustment.save()
    return adjustment
