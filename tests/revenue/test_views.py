"""Operator, department and bureau revenue pages: who may see what, forms, exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.revenue import services
from apps.revenue.models import RevenueReport
from apps.revenue.money import period_label
from tests.factories import UserFactory
from tests.revenue.conftest import (
    LAST_MONTH,
    PDF,
    TWO_MONTHS_AGO,
    at,
    pdf,
    record_usage,
    submit,
    verified,
)


@pytest.fixture
def ledger(grant, authorization, qualified, operator_member, entry, reviewer, rival):
    """Two settled months, two operators; one record is the rival's."""
    other, member = rival
    theirs = grant(other, member, entry, revenue_share_ratio=Decimal("0.2500"))
    verified(authorization, operator_member, reviewer, TWO_MONTHS_AGO, "1000.01")
    verified(theirs, member, reviewer, TWO_MONTHS_AGO, "333.33")
    services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer)
    verified(authorization, operator_member, reviewer, LAST_MONTH, "2000.00")
    services.settlement_run(period=LAST_MONTH, actor=reviewer)
    return authorization, theirs


# Operator ---------------------------------------------------------------------------------


def test_an_operator_reports_through_the_form(client, operator_member, authorization):
    record_usage(authorization, at(LAST_MONTH), rows=100)
    client.force_login(operator_member)
    page = client.get(reverse("operator_revenue:report-create"))
    assert page.status_code == 200
    assert f'data-period="{period_label(LAST_MONTH)}">1.00' in page.content.decode()
    response = client.post(reverse("operator_revenue:report-create"), {
        "authorization": authorization.pk, "period": period_label(LAST_MONTH),
        "amount": "0.50", "reference": "INV-7", "attachment": pdf(),
    })  # fmt: skip
    report = RevenueReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("operator_revenue:report-detail", args=[report.pk])
    detail = client.get(response.url).content.decode()
    assert "0.50" in detail and "1.00" in detail and "below-metered" in detail
    download = client.get(reverse("operator_revenue:report-attachment", args=[report.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_the_form_shows_the_services_refusal(client, operator_member, authorization):
    client.force_login(operator_member)
    submit(authorization, operator_member)
    response = client.post(reverse("operator_revenue:report-create"), {
        "authorization": authorization.pk, "period": period_label(LAST_MONTH),
        "amount": "1.00", "reference": "x",
    })  # fmt: skip
    assert response.status_code == 200
    assert RevenueReport.objects.count() == 1
    assert response.context["form"].errors


def test_the_form_refuses_a_file_that_is_not_a_document(client, operator_member, authorization):
    client.force_login(operator_member)
    response = client.post(reverse("operator_revenue:report-create"), {
        "authorization": authorization.pk, "period": period_label(LAST_MONTH), "amount": "1",
        "reference": "x", "attachment": io.BytesIO(b"MZ not a pdf"),
    })  # fmt: skip
    assert response.status_code == 200 and not RevenueReport.objects.exists()


def test_an_operator_corrects_a_returned_report(client, operator_member, authorization, reviewer):
    report = submit(authorization, operator_member)
    services.revenue_report_return(report=report, actor=reviewer, reason="请附发票")
    client.force_login(operator_member)
    page = client.get(reverse("operator_revenue:report-detail", args=[report.pk]))
    assert "请附发票" in page.content.decode()
    client.post(reverse("operator_revenue:report-correct", args=[report.pk]),
                {"amount": "1500.00", "reference": "INV-2"})  # fmt: skip
    report.refresh_from_db()
    assert (report.status, report.amount) == ("submitted", Decimal("1500.00"))


def test_another_operators_report_answers_404(client, ledger, rival):
    _other, member = rival
    mine = RevenueReport.objects.exclude(operator=member.operator).first()
    client.force_login(member)
    for name in ("report-detail", "report-attachment"):
        assert client.get(reverse(f"operator_revenue:{name}", args=[mine.pk])).status_code == 404
    assert client.post(reverse("operator_revenue:report-correct", args=[mine.pk]),
                       {"amount": "1", "reference": "x"}).status_code == 404  # fmt: skip


def test_the_operator_list_shows_reports_and_settled_shares(
    client, ledger, operator_member, django_assert_max_num_queries
):
    client.force_login(operator_member)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("operator_revenue:reports"))
    content = page.content.decode()
    assert "¥1,000.01" in content and "¥2,000.00" in content  # money as people read it
    assert "333.33" not in content  # the rival's report
    assert page.context["totals"].overall.share == Decimal("900.00")


@pytest.mark.parametrize("who", ["department_member", "reviewer", "outsider"])
def test_only_operators_have_operator_pages(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("operator_revenue:reports")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db):
    for url in (reverse("operator_revenue:reports"), reverse("department_revenue:index"),
                reverse("bureau_revenue:index")):  # fmt: skip
        assert client.get(url).status_code == 302


# Department -------------------------------------------------------------------------------


def test_the_department_sees_its_shares_totals_and_chart(
    client, ledger, department_member, django_assert_max_num_queries
):
    client.force_login(department_member)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("department_revenue:index"))
    content = page.content.decode()
    totals = page.context["totals"]
    # 1000.01 × 0.3 = 300.00; 333.33 × 0.25 = 83.3325 → 83.33; 2000 × 0.3 = 600.00
    assert totals.overall.share == Decimal("983.33")
    assert [t.share for t in totals.by_period] == [
        Decimal("600.00"),
        Decimal("300.00") + Decimal("83.33"),
    ]
    assert "<svg" in content and "983.33" in content
    assert {t.key for t in totals.by_operator} == {"城市数据运营有限公司", "另一家运营公司"}
    for total in (totals.by_period, totals.by_operator):
        assert sum(t.share for t in total) == totals.overall.share


def test_another_department_sees_none_of_it(client, ledger, other_department_member):
    client.force_login(other_department_member)
    page = client.get(reverse("department_revenue:index"))
    assert page.context["totals"].overall.records == 0
    csv_rows = _csv(client.get(reverse("department_revenue:export-csv")))
    assert len(csv_rows) == 2  # the header and the zero total


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_exports_match_the_page(client, ledger, department_member):
    client.force_login(department_member)
    totals = client.get(reverse("department_revenue:index")).context["totals"]
    rows = _csv(client.get(reverse("department_revenue:export-csv")))
    body, total = rows[1:-1], rows[-1]
    share = 9  # the "Department share (yuan)" column
    assert len(body) == totals.overall.records == 3
    assert sum(Decimal(row[share]) for row in body) == totals.overall.share
    assert Decimal(total[share]) == totals.overall.share
    assert Decimal(total[7]) == totals.overall.amount
    workbook = load_workbook(io.BytesIO(
        client.get(reverse("department_revenue:export-xlsx")).content))  # fmt: skip
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet) == len(rows)
    assert Decimal(str(sheet[-1][9])) == totals.overall.share
    assert sum(Decimal(str(row[9])) for row in sheet[1:-1]) == totals.overall.share


# Bureau -----------------------------------------------------------------------------------


def test_the_bureau_sees_every_total_and_exports_the_ledger(client, ledger, auditor):
    client.force_login(auditor)
    page = client.get(reverse("bureau_revenue:index"))
    assert page.status_code == 200
    totals = page.context["totals"]
    assert totals.overall.records == 3
    assert totals.overall.amount == totals.overall.share + totals.overall.retained
    assert sum(t.share for t in totals.by_department) == totals.overall.share
    rows = _csv(client.get(reverse("bureau_revenue:ledger-csv")))
    assert Decimal(rows[-1][9]) == totals.overall.share
    xlsx = client.get(reverse("bureau_revenue:ledger-xlsx"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("who", ["department_member", "operator_member", "outsider"])
def test_only_bureau_staff_see_the_ledger(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("bureau_revenue:index")).status_code == 403
    assert client.get(reverse("bureau_revenue:ledger-csv")).status_code == 403


def test_staff_without_the_view_permission_are_refused(client, db):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("bureau_revenue:index")).status_code == 403


# Annual business report -------------------------------------------------------------------


def test_the_annual_report_sums_revenue_usage_fees_and_shares(
    client, ledger, operator_member, auditor, operator
):
    authorization, _theirs = ledger
    record_usage(authorization, at(LAST_MONTH), rows=300, calls=2)
    year = LAST_MONTH.year
    client.force_login(operator_member)
    page = client.get(reverse("operator_revenue:annual-report", args=[year]))
    report = page.context["report"]
    line = next(line for line in report.lines if line.authorization == authorization)
    in_year = [p for p in (TWO_MONTHS_AGO, LAST_MONTH) if p.year == year]
    expected = {TWO_MONTHS_AGO: (Decimal("1000.01"), Decimal("300.00")),
                LAST_MONTH: (Decimal("2000.00"), Decimal("600.00"))}  # fmt: skip
    assert line.revenue == sum((expected[p][0] for p in in_year), Decimal(0))
    assert line.shares_paid == sum((expected[p][1] for p in in_year), Decimal(0))
    assert (line.calls, line.rows, line.fees) == (2, 600, Decimal("6.00"))
    workbook = load_workbook(io.BytesIO(
        client.get(reverse("operator_revenue:annual-report-xlsx", args=[year])).content))  # fmt: skip
    rows = list(workbook.active.iter_rows(values_only=True))
    assert Decimal(str(rows[-1][5])) == report.revenue
    client.force_login(auditor)
    bureau = client.get(reverse("bureau_revenue:annual-report", args=[operator.pk, year]))
    assert bureau.context["report"].revenue == report.revenue
    pick = client.get(reverse("bureau_revenue:annual-report-pick"),
                      {"operator": operator.pk, "year": year})  # fmt: skip
    assert pick.url == reverse("bureau_revenue:annual-report", args=[operator.pk, year])


def test_the_annual_report_of_an_unknown_operator_is_not_found(client, auditor, operator):
    client.force_login(auditor)
    missing = operator.pk + 1000
    assert (
        client.get(reverse("bureau_revenue:annual-report", args=[missing, 2026])).status_code == 404
    )
