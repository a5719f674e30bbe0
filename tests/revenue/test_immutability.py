"""A settled revenue-share record is never edited or deleted: not through the ORM, not in the
admin, not through the API. Corrections are adjusting records."""

from decimal import Decimal

import pytest

from apps.api import services as api_services
from apps.revenue import services
from apps.revenue.models import ImmutableRecord, RevenueShareRecord, TransactionSupport
from apps.revenue.money import period_label
from tests.revenue.conftest import LAST_MONTH, TWO_MONTHS_AGO, verified


@pytest.fixture
def settled(authorization, operator_member, reviewer):
    verified(authorization, operator_member, reviewer, TWO_MONTHS_AGO, "1000.00")
    services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer)
    return RevenueShareRecord.objects.get()


def test_save_refuses_to_edit_a_settled_record(settled):
    settled.share = Decimal("999.99")
    with pytest.raises(ImmutableRecord):
        settled.save()
    settled.refresh_from_db()
    assert settled.share == Decimal("300.00")


def test_delete_is_refused_on_the_record_and_the_queryset(settled):
    with pytest.raises(ImmutableRecord):
        settled.delete()
    with pytest.raises(ImmutableRecord):
        RevenueShareRecord.objects.filter(pk=settled.pk).delete()
    with pytest.raises(ImmutableRecord):
        RevenueShareRecord.objects.all().update(share=0)
    assert RevenueShareRecord.objects.get().share == Decimal("300.00")


def test_an_adjustment_is_immutable_once_settled(settled, approver, reviewer):
    adjustment = services.revenue_share_adjust(
        record=settled, corrected_amount=Decimal("900"), reason="退款", actor=approver
    )
    services.settlement_run(period=LAST_MONTH, actor=reviewer)
    adjustment.refresh_from_db()
    adjustment.reason = "改写"
    with pytest.raises(ImmutableRecord):
        adjustment.save()


def test_recorded_support_is_immutable(db, operator):
    from django.utils import timezone

    support = TransactionSupport.objects.create(
        operator=operator, year=2025, certified_amount=Decimal("6000000"),
        support_amount=Decimal("60000"), cumulative=Decimal("60000"), first_qualified_year=2025,
        first_qualified_on=timezone.localdate(), computed_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(ImmutableRecord):
        support.save()
    with pytest.raises(ImmutableRecord):
        TransactionSupport.objects.all().update(support_amount=0)
    with pytest.raises(ImmutableRecord):
        support.delete()


@pytest.mark.parametrize("who", ["reviewer", "approver", "admin_user"])
def test_the_admin_offers_no_change_or_delete(settled, client, who, request, admin_user):
    user = admin_user if who == "admin_user" else request.getfixturevalue(who)
    client.force_login(user)
    change = client.get(f"/admin/revenue/revenuesharerecord/{settled.pk}/change/")
    assert change.status_code == 200
    assert b'name="share"' not in change.content and b"deletelink" not in change.content
    assert (
        client.post(
            f"/admin/revenue/revenuesharerecord/{settled.pk}/change/", {"share": "1"}
        ).status_code
        == 403
    )
    assert client.get(f"/admin/revenue/revenuesharerecord/{settled.pk}/delete/").status_code == 403
    assert client.get("/admin/revenue/revenuesharerecord/add/").status_code == 403
    changelist = client.get("/admin/revenue/revenuesharerecord/")
    assert b"delete_selected" not in changelist.content
    assert RevenueShareRecord.objects.get().share == Decimal("300.00")


def test_the_api_cannot_touch_a_settled_report(settled, client, operator_admin):
    _key, raw = api_services.api_key_create(actor=operator_admin, name="k")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    body = {"authorization": settled.authorization_id, "period": period_label(TWO_MONTHS_AGO),
            "amount": "1.00", "reference": "x"}  # fmt: skip
    assert client.post("/api/v1/revenue-reports/", body, content_type="application/json"
                       ).status_code == 409  # fmt: skip
    for method in (client.put, client.patch, client.delete):
        response = method("/api/v1/revenue-reports/", body, content_type="application/json")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"
    assert RevenueShareRecord.objects.get().amount == Decimal("1000.00")
