import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.api.models import UsageRecord
from apps.cdo import services
from apps.datazone.models import DataVersion
from apps.reporting.assessment import parse_period, supply_assessment
from tests.factories import make_entry


def test_periods_are_years_quarters_and_months():
    assert (parse_period("2026").start.isoformat(), parse_period("2026").end.isoformat()) == (
        "2026-01-01",
        "2027-01-01",
    )
    quarter = parse_period("2026-Q4")
    assert (quarter.start.isoformat(), quarter.end.isoformat()) == ("2026-10-01", "2027-01-01")
    month = parse_period("2026-12")
    assert (month.start.isoformat(), month.end.isoformat()) == ("2026-12-01", "2027-01-01")
    for bad in ("2026-13", "26", "2026-Q5", "x"):
        with pytest.raises(ValueError):
            parse_period(bad)


def _version(entry, user, *, rows, finished_at, number):
    return DataVersion.objects.create(
        entry=entry,
        number=number,
        status="superseded",
        file="datazone/x.csv",
        original_filename="x.csv",
        file_format="csv",
        size_bytes=10,
        row_count=rows,
        uploaded_by=user,
        finished_at=finished_at,
    )


@pytest.fixture
def figures_world(department, other_department, department_member, reviewer):
    """Two organisations with hand-counted records in the current year."""
    now = timezone.now()
    monthly = make_entry(
        department=department,
        actor=department_member,
        status="published",
        reviewer=reviewer,
        update_frequency="monthly",
    )
    annual = make_entry(
        department=department,
        actor=department_member,
        status="published",
        reviewer=reviewer,
        update_frequency="annual",
    )
    make_entry(
        department=department,
        actor=department_member,
        status="published",
        reviewer=reviewer,
        update_frequency="irregular",
    )
    make_entry(department=department, actor=department_member, status="draft")
    _version(monthly, department_member, rows=1000, finished_at=now - timedelta(days=3), number=1)
    _version(annual, department_member, rows=250, finished_at=now - timedelta(days=600), number=1)
    return monthly


def test_figures_match_hand_counts(figures_world, department, other_department, authorization):
    year = parse_period(f"{timezone.localdate().year}")
    UsageRecord.objects.create(
        authorization=authorization,
        endpoint="records",
        method="GET",
        path="/",
        status_code=200,
        rows=70,
    )
    UsageRecord.objects.create(
        authorization=authorization,
        endpoint="records",
        method="GET",
        path="/",
        status_code=404,
        rows=0,
    )
    rows = {row.department.code: row for row in supply_assessment(period=year)}
    mine = rows[department.code]
    assert mine.entries_published == 3 + 1  # three here, plus the authorization's entry
    assert (mine.entries_due, mine.entries_on_time) == (
        3,
        1,
    )  # monthly fresh, annual stale, authorization entry unloaded
    assert mine.rows_supplied == 1000  # the annual load finished before this year
    assert mine.authorizations_served == 1
    assert mine.api_rows_served == 70
    assert mine.revenue_shared == Decimal("0.00")
    assert rows[other_department.code].entries_published == 0


@pytest.fixture
def authorization(
    department,
    department_member,
    reviewer,
    approver,
    operator,
    operator_member,
    department_admin,
    settings,
    tmp_path,
):
    from apps.authorizations import services as authorization_services
    from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope

    settings.MEDIA_ROOT = tmp_path
    qualify(operator, operator_member, reviewer)
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    scenario = authorization_services.scenario_create(
        operator=operator,
        actor=operator_member,
        data={
            "title": "s",
            "sector": "education",
            "description": "d",
            "expected_product": "p",
            "use": "industry",
        },
    )
    application = apply(operator, operator_member, entry, scenario)
    authorization_services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    authorization_services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )
    return authorization_services.application_approve(
        application=application, actor=approver, scope=scope(), agreement=AGREEMENT
    )


def test_the_bureau_page_and_its_exports_show_the_same_numbers(
    client, figures_world, reviewer, department, django_assert_max_num_queries
):
    client.force_login(reviewer)
    url = reverse("reporting:bureau-assessment")
    with django_assert_max_num_queries(12):
        page = client.get(url)
    row = next(r for r in page.context["rows"] if r.department == department)
    assert row.rows_supplied == 1000
    lines = list(
        csv.reader(io.StringIO(client.get(url, {"export": "csv"}).content.decode("utf-8-sig")))
    )
    exported = next(line for line in lines if line[0] == department.code)
    assert exported[8] == "1000" and exported[5] == "1"
    sheet = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    cells = next(r for r in sheet.iter_rows(values_only=True) if r[0] == department.code)
    assert cells[8] == 1000 and cells[5] == 1


def test_a_bad_period_falls_back_with_a_message(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("reporting:bureau-assessment"), {"period": "2026-99"})
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_only_the_bureau_sees_all_organisations(client, department_member, operator_member):
    for user in (department_member, operator_member):
        client.force_login(user)
        assert client.get(reverse("reporting:bureau-assessment")).status_code == 403


def test_the_cdo_sees_the_organisations_own_report(
    client, figures_world, department, department_member, reviewer
):
    services.cdo_appoint(
        department=department,
        user=department_member,
        actor=reviewer,
        title="首席数据官",
        document_number="1",
    )
    client.force_login(department_member)
    response = client.get(reverse("reporting:department-assessment"))
    assert [row.department for row in response.context["rows"]] == [department]


def test_a_member_who_is_not_the_cdo_does_not(
    client, department, department_member, other_department_member
):
    client.force_login(other_department_member)
    assert client.get(reverse("reporting:department-assessment")).status_code == 403
