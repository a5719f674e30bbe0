"""Revenue reports: submission, verification, return and correction, every refused move."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import IllegalTransition, NotAllowed
from apps.revenue import services
from apps.revenue.choices import ReportStatus
from apps.revenue.money import current_period
from tests.revenue.conftest import LAST_MONTH, TWO_MONTHS_AGO, at, pdf, record_usage, submit


def test_it_submits_a_report_with_its_metered_fee(authorization, operator_member):
    record_usage(authorization, at(LAST_MONTH), rows=50_000)  # × 0.01 = 500.00
    report = submit(authorization, operator_member, amount="480.50", attachment=pdf())
    assert report.status == ReportStatus.SUBMITTED
    assert (report.metered_rows, report.metered_fee) == (50_000, Decimal("500.00"))
    assert report.below_metered_fee
    assert report.attachment.name.endswith("invoice.pdf")
    history = report.history.get()
    assert history.history_user == operator_member and history.history_change_reason


def test_it_refuses_another_operators_authorization(authorization, rival):
    other, member = rival
    with pytest.raises(NotAllowed):
        services.revenue_report_submit(
            operator=other, actor=member, authorization=authorization, period=LAST_MONTH,
            amount=Decimal("1"), reference="x",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("period", "code"),
    [(current_period(), "not_over"), (LAST_MONTH.replace(year=LAST_MONTH.year - 5), "not_valid")],
)
def test_it_refuses_a_month_not_over_or_outside_the_authorization(
    authorization, operator_member, period, code
):
    with pytest.raises(ValidationError) as refused:
        submit(authorization, operator_member, period)
    assert refused.value.error_dict["period"][0].code == code


@pytest.mark.parametrize("amount", ["-1.00", "1.005", "1000000000000.00"])
def test_it_refuses_bad_amounts(authorization, operator_member, amount):
    with pytest.raises(ValidationError) as refused:
        submit(authorization, operator_member, amount=amount)
    assert "amount" in refused.value.error_dict


def test_it_refuses_an_attachment_that_is_not_a_document(authorization, operator_member):
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError):
        submit(authorization, operator_member, attachment=fake)


def test_it_accepts_a_workbook_and_refuses_big_files(authorization, operator_member, settings):
    workbook = SimpleUploadedFile("invoice.xlsx", b"PK\x03\x04 workbook")
    assert submit(authorization, operator_member, attachment=workbook).attachment
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        submit(authorization, operator_member, TWO_MONTHS_AGO, attachment=pdf())


def test_one_report_per_authorization_and_month(authorization, operator_member):
    submit(authorization, operator_member)
    with pytest.raises(IllegalTransition):
        submit(authorization, operator_member, amount="2000.00")


def test_a_reviewer_verifies_and_returns(authorization, operator_member, reviewer):
    first = submit(authorization, operator_member)
    services.revenue_report_verify(report=first, actor=reviewer)
    first.refresh_from_db()
    assert (first.status, first.reviewed_by) == (ReportStatus.VERIFIED, reviewer)
    second = submit(authorization, operator_member, TWO_MONTHS_AGO)
    with pytest.raises(ValidationError):
        services.revenue_report_return(report=second, actor=reviewer, reason=" ")
    services.revenue_report_return(report=second, actor=reviewer, reason="发票金额不符")
    second.refresh_from_db()
    assert second.status == ReportStatus.RETURNED
    assert second.history.first().history_change_reason == "发票金额不符"


def test_only_bureau_reviewers_verify(authorization, operator_member, auditor, department_member):
    report = submit(authorization, operator_member)
    for who in (operator_member, auditor, department_member):
        with pytest.raises(NotAllowed):
            services.revenue_report_verify(report=report, actor=who)


def test_illegal_moves_are_refused(authorization, operator_member, reviewer):
    report = submit(authorization, operator_member)
    services.revenue_report_verify(report=report, actor=reviewer)
    with pytest.raises(IllegalTransition):
        services.revenue_report_return(report=report, actor=reviewer, reason="晚了")
    with pytest.raises(IllegalTransition):
        services.revenue_report_verify(report=report, actor=reviewer)
    with pytest.raises(IllegalTransition):
        services.revenue_report_correct(
            report=report, actor=operator_member, amount=Decimal("1.00"), reference="x"
        )


def test_the_operator_corrects_a_returned_report(authorization, operator_member, reviewer):
    report = submit(authorization, operator_member)
    services.revenue_report_return(report=report, actor=reviewer, reason="缺少发票")
    with pytest.raises(IllegalTransition):  # a second report is not the way to correct it
        submit(authorization, operator_member)
    corrected = services.revenue_report_correct(
        report=report, actor=operator_member, amount=Decimal("1200.00"), reference="INV-002",
        attachment=pdf("fixed.pdf"),
    )  # fmt: skip
    assert (corrected.status, corrected.amount) == (ReportStatus.SUBMITTED, Decimal("1200.00"))
    assert corrected.attachment.name.endswith("fixed.pdf")
    assert [h.status for h in corrected.history.order_by("history_id")] == [
        "submitted", "returned", "submitted",
    ]  # fmt: skip
