"""The breakdown of a revenue report by product: which of the operator's products earned what
part of it (the revenue app knows nothing of products; the lines point at its reports)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import NotAllowed
from apps.core.history import history_attribute
from apps.revenue.models import RevenueReport

from ..models import Product, ProductRevenue


@transaction.atomic
def product_revenue_record(
    *, report: RevenueReport, product: Product, actor: User, amount: Decimal
) -> ProductRevenue:
    if actor.operator_id is None or actor.operator_id != report.operator_id:
        raise NotAllowed(_("Only the operator's own members may break its reports down."))
    report = RevenueReport.objects.select_for_update().get(pk=report.pk)
    if not product.authorizations.filter(pk=report.authorization_id).exists():
        raise ValidationError(
            {"product": _("The product does not draw on this report's authorization.")}
        )
    if amount < 0:
        raise ValidationError({"amount": _("An amount is not negative.")})
    if ProductRevenue.objects.filter(report=report, product=product).exists():
        raise ValidationError({"product": _("This product's part of the report is recorded.")})
    so_far = ProductRevenue.objects.filter(report=report).aggregate(total=Sum("amount"))["total"]
    if (so_far or 0) + amount > report.amount:
        raise ValidationError(
            {"amount": _("The parts would exceed the report's %(amount)s yuan.")
                       % {"amount": localize(report.amount)}}
        )  # fmt: skip
    line = ProductRevenue(
        report=report, product=product, amount=amount, recorded_by=actor,
        recorded_at=timezone.now(),
    )  # fmt: skip
    history_attribute(line, user=actor, reason=_("revenue by product"))
    line.save()
    return line
