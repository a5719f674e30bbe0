"""What the entries of the newer decisions say: revenue, data versions, the catalog's own writes,
operators; and that the admin shows their kinds in Chinese."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent, EventKind
from apps.organisations import services as organisation_services
from apps.revenue import services as revenue_services
from apps.revenue.models import RevenueShareRecord
from tests.factories import make_credit_code, make_entry
from tests.revenue.conftest import LAST_MONTH, grant, submit  # noqa: F401 - grant is a fixture


@pytest.fixture
def revenue_authorization(grant, qualified, operator_member, entry):  # noqa: F811
    return grant(qualified, operator_member, entry)


def _only(kind: str) -> AuditEvent:
    return AuditEvent.objects.get(kind=kind)


def test_revenue_reports_settlement_and_adjustment(
    revenue_authorization, operator_member, reviewer, approver, commit
):
    with commit():
        report = submit(revenue_authorization, operator_member, amount="1000.00")
    submitted = _only(EventKind.REVENUE_REPORT_CHANGED)
    assert submitted.actor == operator_member and submitted.object_id == str(report.pk)
    assert submitted.details["status"] == "submitted"
    assert submitted.details["amount"] == "1000.00"
    with commit():
        revenue_services.revenue_report_return(report=report, actor=reviewer, reason="发票不清")
    returned = AuditEvent.objects.filter(kind=EventKind.REVENUE_REPORT_CHANGED).first()
    assert (returned.actor, returned.details["status"], returned.details["previous_status"]) == (
        reviewer, "returned", "submitted",
    )  # fmt: skip
    assert returned.details["reason"] == "发票不清"
    revenue_services.revenue_report_correct(
        report=report, actor=operator_member, amount=Decimal("1000.00"), reference="INV-2"
    )
    revenue_services.revenue_report_verify(report=report, actor=reviewer)
    with commit():
        revenue_services.settlement_run(period=LAST_MONTH, actor=reviewer)
    settled = _only(EventKind.SETTLEMENT_RUN)
    assert settled.actor == reviewer and settled.object_type == "revenue.settlement"
    assert settled.details == {
        "period": LAST_MONTH.isoformat(), "reports": 1, "adjustments": 0,
        "total_amount": "1000.00", "total_share": "300.00", "total_retained": "700.00",
    }  # fmt: skip
    original = RevenueShareRecord.objects.get()
    with commit():
        revenue_services.revenue_share_adjust(
            record=original, corrected_amount=Decimal("1500.00"), reason="发票更正", actor=approver
        )
    adjusted = _only(EventKind.REVENUE_SHARE_ADJUSTED)
    assert adjusted.actor == approver
    assert adjusted.details == {
        "adjusts": original.pk, "report": report.pk, "amount": "500.00", "share": "150.00",
        "retained": "350.00", "reason": "发票更正",
    }  # fmt: skip


def test_a_second_settlement_of_the_month_writes_nothing(
    revenue_authorization, operator_member, reviewer, commit
):
    report = submit(revenue_authorization, operator_member)
    revenue_services.revenue_report_verify(report=report, actor=reviewer)
    with commit():
        revenue_services.settlement_run(period=LAST_MONTH, actor=reviewer)
        revenue_services.settlement_run(period=LAST_MONTH, actor=reviewer)
    assert AuditEvent.objects.filter(kind=EventKind.SETTLEMENT_RUN).count() == 1


def test_catalog_entries_created_edited_and_submitted(department, department_member, commit):
    from apps.catalog import services as catalog_services
    from tests.factories import DEFAULT_FIELDS, entry_data

    with commit():
        entry = make_entry(department=department, actor=department_member)
    with commit():
        catalog_services.catalog_entry_update(
            entry=entry, actor=department_member, data=entry_data(title="新标题"),
            fields=DEFAULT_FIELDS,
        )  # fmt: skip
    with commit():
        catalog_services.catalog_entry_submit(entry=entry, actor=department_member)
    changes = AuditEvent.objects.filter(kind=EventKind.CATALOG_ENTRY_CHANGED).order_by("sequence")
    assert [e.details["change"] for e in changes] == ["created", "updated", "submitted"]
    assert changes[1].details["fields"] == ["title"]
    assert {e.actor for e in changes} == {department_member}
    assert not AuditEvent.objects.filter(kind=EventKind.CATALOG_ENTRY_DECIDED).exists()


def test_operators_created_in_the_admin(db, admin_client, admin_user, commit):
    with commit():
        admin_client.post(
            "/admin/organisations/operator/add/",
            {"name": "好公司", "credit_code": "91350100M000100Y43", "is_active": "on"},
        )
    event = _only(EventKind.OPERATOR_CREATED)
    assert event.actor == admin_user and event.object_type == "organisations.operator"
    assert event.details["credit_code"] == "91350100M000100Y43"


def test_an_operator_created_in_a_rolled_back_transaction_leaves_no_entry(db, commit):
    from django.db import transaction

    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        organisation_services.operator_create(name="好公司", credit_code=make_credit_code())
        raise RuntimeError
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("kind", "label"),
    [(EventKind.SETTLEMENT_RUN, "收益结算"), (EventKind.REVENUE_SHARE_ADJUSTED, "收益分配调整"),
     (EventKind.DATA_VERSION_CHANGED, "数据版本变更"), (EventKind.TWOFACTOR_PASSED, "双因素认证通过")],
)  # fmt: skip
def test_the_admin_names_the_new_kinds_in_chinese(client, auditor, kind, label):
    from apps.audit.services import audit_record

    audit_record(kind=kind)
    client.force_login(auditor)
    response = client.get(reverse("admin:audit_auditevent_changelist"), {"kind__exact": kind})
    assert response.status_code == 200
    assert label in response.content.decode()
