from django.core.management import call_command

from apps.catalog.choices import Grade, Openness, Status
from apps.catalog.models import CatalogEntry


def test_seed_demo_fills_the_catalog_once(db):
    call_command("seed_demo", verbosity=0)
    count = CatalogEntry.objects.count()
    call_command("seed_demo", verbosity=0)
    assert CatalogEntry.objects.count() == count

    published = CatalogEntry.objects.published()
    assert published.count() >= 30
    assert {e.grade for e in CatalogEntry.objects.all()} == set(Grade.values)
    assert {e.openness for e in CatalogEntry.objects.all()} == set(Openness.values)
    assert set(CatalogEntry.objects.values_list("status", flat=True)) == set(Status.values)
    assert published.values("department").distinct().count() >= 6
    assert all(entry.fields.exists() for entry in CatalogEntry.objects.all())
