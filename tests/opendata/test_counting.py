"""Uses of open data in the department's usage page and in the CDO supply assessment; the
assessment's rows supplied count each entry's version live at the end of the period only."""

from django.urls import reverse
from django.utils import timezone

from apps.opendata.models import OpenDataUse
from apps.reporting.assessment import column_titles, parse_period, supply_assessment

from .conftest import ROWS, load_rows_open, open_rows


def use(entry, format: str, rows: int = 1) -> None:
    OpenDataUse.objects.create(
        entry=entry, version=entry.versions.filter(is_live=True).first(), format=format,
        rows=rows, address_hash="h", used_at=timezone.now(),
    )  # fmt: skip


def this_year():
    return parse_period(f"{timezone.localdate().year}")


def test_the_assessment_counts_downloads_and_open_api_calls(loaded_open, department):
    for format in ("csv", "xlsx", "jsonl", "api_json", "api_schema"):
        use(loaded_open, format)
    row = next(r for r in supply_assessment(period=this_year()) if r.department == department)
    assert (row.open_downloads, row.open_api_calls) == (3, 2)
    assert row.as_row()[-2:] == [3, 2]
    assert len(column_titles()) == len(row.as_row())


def test_rows_supplied_count_only_the_version_live_at_the_end_of_the_period(
    loaded_open, department, tmp_path
):
    load_rows_open(loaded_open, open_rows(7), tmp_path, name="replacement.csv")
    row = next(r for r in supply_assessment(period=this_year()) if r.department == department)
    assert row.rows_supplied == 7  # not 7 + the replaced version's ROWS
    assert ROWS != 7


def test_the_department_usage_page_shows_its_open_entries(
    client, loaded_open, department_member, other_department_member
):
    use(loaded_open, "csv", rows=ROWS)
    use(loaded_open, "api_json", rows=5)
    client.force_login(department_member)
    html = client.get(reverse("department_usage:index")).content.decode()
    assert 'id="open-data-usage-table"' in html
    assert f"<td>1</td><td>1</td><td>{ROWS + 5}</td>" in html
    client.force_login(other_department_member)
    html = client.get(reverse("department_usage:index")).content.decode()
    assert loaded_open.identifier not in html
