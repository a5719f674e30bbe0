from decimal import Decimal

from django.core.management import call_command
from django.db.models import Sum

from apps.revenue.models import (
    RevenueReport,
    RevenueShareRecord,
    Settlement,
    TransactionSupport,
)


def test_seed_demo_creates_settled_revenue_once(db):
    call_command("seed_demo", verbosity=0)
    counts = (RevenueReport.objects.count(), RevenueShareRecord.objects.count(),
              TransactionSupport.objects.count())  # fmt: skip
    call_command("seed_demo", verbosity=0)
    assert (RevenueReport.objects.count(), RevenueShareRecord.objects.count(),
            TransactionSupport.objects.count()) == counts  # fmt: skip

    statuses = list(RevenueReport.objects.values_list("status", flat=True))
    assert statuses.count("returned") == 1 and statuses.count("submitted") == 1
    assert statuses.count("settled") >= 8
    assert Settlement.objects.count() == 5
    assert (
        RevenueShareRecord.objects.filter(adjusts__isnull=False, settlement__isnull=False).count()
        == 1
    )
    assert RevenueReport.objects.below_metered_fee().exists()
    assert RevenueReport.objects.filter(metered_fee__gt=0).count() >= 8
    for settlement in Settlement.objects.all():
        sums = settlement.share_records.aggregate(
            amount=Sum("amount"), share=Sum("share"), retained=Sum("retained")
        )
        assert sums["share"] + sums["retained"] == sums["amount"] == settlement.total_amount
    support = TransactionSupport.objects.get()
    assert support.operator.name == "城市数据运营有限公司"
    assert support.support_amount == Decimal("68000.00")
