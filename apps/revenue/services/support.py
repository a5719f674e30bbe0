"""Large-transaction support (Guiyang programme, ../shared/seeds/004_*.txt item 7).

The text: a locally tax-paying market player whose annual transaction amount, certified by the
data exchange, exceeds 5 million yuan gets 1% of it as financial support, at most 1 million yuan
in total, "for a period of 1 year". The rule as implemented, precisely:

1. Eligible for a year: the operator pays tax locally (its LocalTaxStatus) and its certified
   amount for that year is strictly greater than REVENUE_SUPPORT_THRESHOLD (exactly 5,000,000.00
   is not "more than 5 million").
2. The one-year window counts from the date the operator first qualified: the ``certified_on``
   date of its earliest certification above the threshold. A certification dated before the same
   calendar day one year later (29 February → 1 March) still counts; one dated later does not.
   So a certification for the next year issued within the year can add support, and the cap can
   be reached across two years.
3. Support for a year = REVENUE_SUPPORT_RATE × the certified amount, to the fen (money.to_fen),
   limited to what is left of REVENUE_SUPPORT_CAP after the support recorded for other years.
4. A computed year is recorded once (TransactionSupport, unique per operator and year) and never
   changed: computing the same year again lists the recorded rows and adds only newly eligible
   operators.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from ..choices import SupportOutcome
from ..models import CertifiedTransactionAmount, LocalTaxStatus, TransactionSupport
from ..money import to_fen
from ..selectors import fen_sum

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SupportDecision:
    operator: Operator
    year: int
    certified_amount: Decimal
    outcome: str  # a SupportOutcome
    support_amount: Decimal
    record: TransactionSupport | None


def one_year_after(day: date) -> date:
    """The same calendar day a year later; 29 February is followed by 1 March."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, month=3, day=1)


def first_qualification(operator: Operator) -> CertifiedTransactionAmount | None:
    return (
        CertifiedTransactionAmount.objects.filter(
            operator=operator, amount__gt=settings.REVENUE_SUPPORT_THRESHOLD
        )
        .order_by("certified_on", "year")
        .first()
    )


@transaction.atomic
def transaction_support_compute(*, year: int, actor: User | None) -> list[SupportDecision]:
    """Decide and record the support of every operator with a certified amount for ``year``."""
    if actor is not None and (
        actor.bureau_id is None or not actor.has_perm("revenue.compute_transactionsupport")
    ):
        raise NotAllowed(_("Only bureau approvers may compute large-transaction support."))
    certifications = (
        CertifiedTransactionAmount.objects.filter(year=year)
        .select_related("operator")
        .order_by("operator__name", "pk")
    )
    return [_decide(certification, actor) for certification in certifications]


def _decide(certification: CertifiedTransactionAmount, actor: User | None) -> SupportDecision:
    operator, year, amount = certification.operator, certification.year, certification.amount

    def decision(outcome: str, record: TransactionSupport | None = None) -> SupportDecision:
        support = record.support_amount if record else ZERO
        return SupportDecision(operator, year, amount, outcome, support, record)

    recorded = TransactionSupport.objects.filter(operator=operator, year=year).first()
    if recorded is not None:
        return decision(SupportOutcome.ALREADY_RECORDED, recorded)
    # Locking the operator's tax status serialises computations of its years: the cap is shared.
    status = LocalTaxStatus.objects.select_for_update().filter(operator=operator).first()
    if status is None or not status.pays_tax_locally:
        return decision(SupportOutcome.NOT_LOCAL)
    if amount <= settings.REVENUE_SUPPORT_THRESHOLD:
        return decision(SupportOutcome.NOT_ABOVE_THRESHOLD)
    first = first_qualification(operator)
    if first is None or certification.certified_on >= one_year_after(first.certified_on):
        return decision(SupportOutcome.OUTSIDE_WINDOW)
    earlier = fen_sum(
        TransactionSupport.objects.filter(operator=operator).aggregate(total=Sum("support_amount"))[
            "total"
        ]
    )
    support = min(to_fen(amount * settings.REVENUE_SUPPORT_RATE),
                  settings.REVENUE_SUPPORT_CAP - earlier)  # fmt: skip
    if support <= 0:
        return decision(SupportOutcome.CAP_REACHED)
    record = TransactionSupport(
        operator=operator, year=year, certified_amount=amount, support_amount=support,
        cumulative=earlier + support, first_qualified_year=first.year,
        first_qualified_on=first.certified_on, computed_by=actor, computed_at=timezone.now(),
    )  # fmt: skip
    history_attribute(record, user=actor)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # computed at the same moment elsewhere: that one is the record
        recorded = TransactionSupport.objects.get(operator=operator, year=year)
        return decision(SupportOutcome.ALREADY_RECORDED, recorded)
    return decision(SupportOutcome.GRANTED, record)


def support_window_end(first_qualified_on: date) -> date:
    """The last day a certification still counts (for pages and the admin)."""
    return one_year_after(first_qualified_on) - timedelta(days=1)
