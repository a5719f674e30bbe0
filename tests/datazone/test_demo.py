"""Demo rows: every published demo entry gets a live version of thousands of rows, once."""

from django.core.management import call_command

from apps.catalog.models import CatalogEntry
from apps.datazone.demo import ROWS_PER_ENTRY, seed_datazone, write_demo_csv
from apps.datazone.models import DataVersion
from tests.datazone.conftest import rows_of


def test_it_loads_rows_for_every_published_demo_entry_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)
    DataVersion.objects.all().delete()  # whatever seed_demo may already load, start afresh
    published = CatalogEntry.objects.published()
    made = seed_datazone()
    assert made == published.count() >= 30
    versions = DataVersion.objects.live()
    assert versions.count() == made
    assert all(ROWS_PER_ENTRY[0] <= v.row_count <= ROWS_PER_ENTRY[1] for v in versions)
    assert all(
        v.uploaded_by.department_id == v.entry.department_id
        for v in versions.select_related("uploaded_by", "entry")
    )
    assert seed_datazone() == 0
    districts = [row[3] for row in rows_of(versions.get(entry__title="全市中小学校基本信息"))]
    assert {"南明区", "云岩区", "花溪区"} <= set(districts)


def test_the_demo_rows_are_the_same_every_time(db, tmp_path):
    call_command("seed_demo", verbosity=0)
    entry = CatalogEntry.objects.published().get(title="出租车运营轨迹")
    write_demo_csv(entry, tmp_path / "a.csv")
    write_demo_csv(entry, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
