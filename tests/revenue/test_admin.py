"""The bureau's admin: verify, return, settle, adjust, keep tax facts, compute support."""

from datetime import date
from decimal import Decimal

import pytest

from apps.revenue.models import (
    CertifiedTransactionAmount,
    LocalTaxStatus,
    RevenueReport,
    RevenueShareRecord,
    Settlement,
    TransactionSupport,
)
from tests.revenue.conftest import LAST_MONTH, PDF, at, pdf, record_usage, submit, verified

REPORTS = "/admin/revenue/revenuereport/"


@pytest.fixture
def report(authorization, operator_member):
    record_usage(authorization, at(LAST_MONTH), rows=100_000)
    return submit(authorization, operator_member, amount="500.00", attachment=pdf())


def test_a_reviewer_verifies_from_the_change_page(client, reviewer, report):
    client.force_login(reviewer)
    page = client.get(f"{REPORTS}{report.pk}/change/").content.decode()
    assert "decision-verify" in page and "decision-return" in page
    response = client.post(f"{REPORTS}{report.pk}/decide/verify/", {"reason": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == ("verified", reviewer)


def test_returning_in_bulk_asks_one_reason_for_all(client, reviewer, report):
    client.force_login(reviewer)
    selected = {"action": "return_selected", "_selected_action": [report.pk]}
    form = client.post(REPORTS, selected)
    assert form.status_code == 200 and b"reason" in form.content
    refused = client.post(REPORTS, {**selected, "apply": "1", "reason": ""})
    assert refused.status_code == 200
    report.refresh_from_db()
    assert report.status == "submitted"
    client.post(REPORTS, {**selected, "apply": "1", "reason": "合同编号有误"})
    report.refresh_from_db()
    assert (report.status, report.review_reason) == ("returned", "合同编号有误")


def test_the_list_flags_reports_below_the_metered_fee(client, auditor, report):
    client.force_login(auditor)
    flagged = client.get(REPORTS, {"below_metered": "1"})
    assert flagged.status_code == 200
    assert list(flagged.context["cl"].result_list) == [report]  # 500.00 < 1000.00 metered
    assert b"icon-yes" in flagged.content
    attachment = client.get(f"{REPORTS}{report.pk}/attachment/")
    assert b"".join(attachment.streaming_content) == PDF
    assert b"decision-verify" not in client.get(f"{REPORTS}{report.pk}/change/").content


def test_a_reviewer_settles_the_month_from_the_report_list(
    client, reviewer, authorization, operator_member
):
    report = verified(authorization, operator_member, reviewer)
    client.force_login(reviewer)
    selected = {"action": "settle_selected", "_selected_action": [report.pk]}
    # First a page says what settling writes, with figures; nothing is settled yet.
    confirmation = client.post(REPORTS, selected)
    assert confirmation.status_code == 200
    assert not Settlement.objects.exists()
    assert "1 条收益分配记录" in confirmation.text
    selected["confirm"] = "yes"
    response = client.post(REPORTS, selected, follow=True)
    assert response.status_code == 200
    assert Settlement.objects.get().period == LAST_MONTH
    assert RevenueShareRecord.objects.get().report == report
    client.post(REPORTS, selected)  # a second time: nothing changes
    assert RevenueShareRecord.objects.count() == 1


def test_an_auditor_can_neither_decide_nor_settle(client, auditor, report):
    client.force_login(auditor)
    assert client.post(f"{REPORTS}{report.pk}/decide/verify/", {}).status_code == 403
    for confirm in ("", "yes"):
        client.post(
            REPORTS,
            {"action": "settle_selected", "_selected_action": [report.pk], "confirm": confirm},
        )
    assert not Settlement.objects.exists()


def test_an_approver_adjusts_a_settled_record(client, approver, reviewer, authorization,
                                              operator_member):  # fmt: skip
    verified(authorization, operator_member, reviewer, amount="100.00")
    from apps.revenue import services

    services.settlement_run(period=LAST_MONTH, actor=reviewer)
    record = RevenueShareRecord.objects.get()
    client.force_login(reviewer)
    assert b"decision-adjust" not in client.get(
        f"/admin/revenue/revenuesharerecord/{record.pk}/change/").content  # fmt: skip
    assert client.get(f"/admin/revenue/revenuesharerecord/{record.pk}/adjust/").status_code == 403
    client.force_login(approver)
    url = f"/admin/revenue/revenuesharerecord/{record.pk}/adjust/"
    assert client.post(url, {"corrected_amount": "90.00", "reason": ""}).status_code == 200
    response = client.post(url, {"corrected_amount": "90.00", "reason": "部分退款"})
    assert response.status_code == 302
    adjustment = RevenueShareRecord.objects.get(adjusts=record)
    assert (adjustment.amount, adjustment.share, adjustment.reason) == (
        Decimal("-10.00"), Decimal("-3.00"), "部分退款",
    )  # fmt: skip


def test_an_approver_keeps_tax_facts_and_computes_support(client, approver, operator):
    client.force_login(approver)
    response = client.post("/admin/revenue/localtaxstatus/add/", {
        "operator": operator.pk, "pays_tax_locally": "on", "evidence": "完税证明",
    })  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    status = LocalTaxStatus.objects.get()
    assert status.history.get().history_user == approver
    client.post("/admin/revenue/certifiedtransactionamount/add/", {
        "operator": operator.pk, "year": 2025, "amount": "6000000.00",
        "certified_on": "2026-01-20", "reference": "GYDEX-2025-1",
    })  # fmt: skip
    certification = CertifiedTransactionAmount.objects.get()
    client.post("/admin/revenue/certifiedtransactionamount/", {
        "action": "compute_support_selected", "_selected_action": [certification.pk],
    })  # fmt: skip
    support = TransactionSupport.objects.get()
    assert (support.support_amount, support.computed_by) == (Decimal("60000.00"), approver)
    assert client.get(f"/admin/revenue/transactionsupport/{support.pk}/delete/").status_code == 403
    assert client.get(f"/admin/revenue/certifiedtransactionamount/{certification.pk}/delete/"
                      ).status_code == 403  # fmt: skip


def test_a_reviewer_cannot_compute_support(client, reviewer, operator):
    LocalTaxStatus.objects.create(operator=operator, pays_tax_locally=True)
    certification = CertifiedTransactionAmount.objects.create(
        operator=operator, year=2025, amount=Decimal("6000000"), certified_on=date(2026, 1, 20)
    )
    client.force_login(reviewer)
    client.post("/admin/revenue/certifiedtransactionamount/", {
        "action": "compute_support_selected", "_selected_action": [certification.pk],
    })  # fmt: skip
    assert not TransactionSupport.objects.exists()


def test_history_pages_resolve(client, auditor, report):
    client.force_login(auditor)
    assert client.get(f"{REPORTS}{report.pk}/history/").status_code == 200
    assert client.get("/admin/revenue/settlement/").status_code == 200
    assert client.get("/admin/revenue/transactionsupport/").status_code == 200
    assert RevenueReport.objects.count() == 1


def test_the_settlement_confirmation_gives_the_figures(
    client, reviewer, authorization, operator_member
):
    report = verified(authorization, operator_member, reviewer, amount="12345.67")
    client.force_login(reviewer)
    page = client.post(REPORTS, {"action": "settle_selected", "_selected_action": [report.pk]})
    text = page.text
    assert "结算后不可撤销" in text
    assert "¥12,345.67" in text
    assert "1 个数据提供部门" in text
    report.refresh_from_db()
    assert report.status == "verified"
