"""Demo revenue: six months of reports of the demo operator, most verified and settled, one
returned, one awaiting verification, one adjustment, usage behind the metered fees, and the
large-transaction support of last year. Everything after the usage goes through the services.

Safe to run again: an operator that already has reports is left as it is.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.api.models import UsageRecord
from apps.authorizations.choices import FeeBasis
from apps.authorizations.models import Authorization
from apps.organisations.models import Operator

from . import services
from .models import CertifiedTransactionAmount, LocalTaxStatus, RevenueReport, RevenueShareRecord
from .money import completed_periods

DEMO_OPERATOR = "91520100MA6DKR4Q1N"  # 城市数据运营有限公司: pays tax locally, above the threshold
BELOW_THRESHOLD_OPERATOR = "91520115MA6H8G2L7M"  # 黔智交通: pays tax locally, just below
MONTHS = 6
CALLS_PER_MONTH = 20


def _at(period: date, day: int) -> datetime:
    return datetime.combine(
        period.replace(day=day), time(10), tzinfo=timezone.get_current_timezone()
    )


def _cover(authorizations: list[Authorization], first: date) -> None:
    """The demo authorizations were approved a month ago; let them start before the first demo
    month so that its proceeds may be reported (as apps/api/demo.py adjusts its key, demo only)."""
    start = _at(first, 1) - timedelta(hours=10)
    for authorization in authorizations:
        if authorization.valid_from > start:
            Authorization.objects.filter(pk=authorization.pk).update(valid_from=start)
            authorization.history.update(valid_from=start)
            authorization.valid_from = start


def _usage(authorization: Authorization, periods: list[date], index: int) -> None:
    """Usage records are plain rows: created directly, refused calls included."""
    UsageRecord.objects.bulk_create(
        UsageRecord(
            operator_id=authorization.operator_id,
            authorization=authorization,
            endpoint="records",
            method="GET",
            path=f"/api/v1/datasets/{authorization.entry.identifier}/records/",
            status_code=200 if call % 10 else 429,
            rows=2000 + 150 * call + 900 * month + 3000 * index,
            created_at=_at(period, call % 27 + 1),
        )
        for month, period in enumerate(periods)
        for call in range(CALLS_PER_MONTH)
    )


def _amount(index: int, month: int) -> Decimal:
    base = (Decimal("12000.35"), Decimal("8600.80"))[index % 2]
    return base + Decimal(850 if index % 2 == 0 else 420) * month


@transaction.atomic
def seed_revenue() -> int:
    operator = Operator.objects.get(credit_code=DEMO_OPERATOR)
    if not RevenueReport.objects.filter(operator=operator).exists():
        _reports(operator)
    _support()
    return RevenueReport.objects.count()


def _reports(operator: Operator) -> None:
    people = {
        name: User.objects.get(username=name) for name in ("op_member", "reviewer", "approver")
    }
    periods = list(reversed(completed_periods(MONTHS)))  # oldest first
    authorizations = list(
        Authorization.objects.in_force().filter(operator=operator)
        .exclude(fee_basis=FeeBasis.FREE).select_related("entry").order_by("pk")
    )  # fmt: skip
    _cover(authorizations, periods[0])
    for index, authorization in enumerate(authorizations):
        _usage(authorization, periods, index)
    for month, period in enumerate(periods):
        for index, authorization in enumerate(authorizations):
            # One month of the second authorization is reported below its metered fee.
            amount = Decimal("95.00") if (month, index) == (2, 1) else _amount(index, month)
            report = services.revenue_report_submit(
                operator=operator, actor=people["op_member"], authorization=authorization,
                period=period, amount=amount, reference=f"FP-{period:%Y%m}-{index + 1:03d}",
            )  # fmt: skip
            if month < len(periods) - 1:
                services.revenue_report_verify(report=report, actor=people["reviewer"])
            elif index == 0:
                services.revenue_report_return(
                    report=report, actor=people["reviewer"],
                    reason="发票金额与合同约定不一致，请核对后重新提交。",
                )  # fmt: skip
        if month == 2:  # a refund on the first month, settled with this one
            original = (
                RevenueShareRecord.objects.filter(
                    period=periods[0], adjusts__isnull=True, operator=operator
                )
                .order_by("pk")
                .first()
            )
            if original is not None:
                services.revenue_share_adjust(
                    record=original, corrected_amount=original.amount - Decimal("1200.00"),
                    reason="客户部分退款，冲减当月收入。", actor=people["approver"],
                )  # fmt: skip
        if month < len(periods) - 1:
            services.settlement_run(period=period, actor=people["reviewer"])


def _support() -> None:
    year = timezone.localdate().year - 1
    certified_on = min(date(year + 1, 1, 20), timezone.localdate())
    for code, amount in ((DEMO_OPERATOR, "6800000.00"), (BELOW_THRESHOLD_OPERATOR, "4980000.00")):
        operator = Operator.objects.get(credit_code=code)
        LocalTaxStatus.objects.get_or_create(
            operator=operator,
            defaults={"pays_tax_locally": True, "evidence": "税务登记证明（演示）"},
        )
        CertifiedTransactionAmount.objects.get_or_create(
            operator=operator, year=year,
            defaults={"amount": Decimal(amount), "certified_on": certified_on,
                      "reference": f"GYDEX-{year}-{code[-4:]}"},
        )  # fmt: skip
    services.transaction_support_compute(year=year, actor=User.objects.get(username="approver"))
