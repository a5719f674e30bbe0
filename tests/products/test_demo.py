from django.core.management import call_command

from apps.products.models import (
    ActualPrice,
    AnnualDisclosure,
    CapPrice,
    MaximumAllowedRevenue,
    Product,
    RevenueCeilingDeduction,
)


def test_seed_demo_shows_products_prices_ceilings_and_disclosures_once(db):
    call_command("seed_demo", verbosity=0)
    counts = (Product.objects.count(), CapPrice.objects.count(), ActualPrice.objects.count(),
              AnnualDisclosure.objects.count())  # fmt: skip
    call_command("seed_demo", verbosity=0)
    assert (Product.objects.count(), CapPrice.objects.count(), ActualPrice.objects.count(),
            AnnualDisclosure.objects.count()) == counts  # fmt: skip

    statuses = set(Product.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "offered", "refused", "withdrawn"}
    # One product has its security review and waits for the compliance review.
    assert Product.objects.filter(status="submitted", reviews__kind="security").exists()
    assert ActualPrice.objects.filter(trial=True).count() == 1
    assert MaximumAllowedRevenue.objects.filter(status="approved", trial=False).exists()
    deduction = RevenueCeilingDeduction.objects.get()
    assert deduction.reported > deduction.allowed and deduction.amount > 0
    years = dict(AnnualDisclosure.objects.filter(operator=None).values_list("year", "status"))
    last_year = deduction.excess_year
    assert years == {last_year: "published", last_year + 1: "draft"}
