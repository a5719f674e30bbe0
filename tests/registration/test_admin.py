"""The bureau's registration queue and decisions in the admin (apps/core/admin_decisions)."""

from datetime import date

import pytest
from django.urls import reverse

from apps.registration.choices import ApplicationStatus
from apps.registration.models import RegistrationApplication
from apps.registration.selectors import registration_queue
from tests.factories import make_entry

from .conftest import apply

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:registration_registrationapplication_changelist"


@pytest.fixture
def two(department, department_member, reviewer, today):
    later = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        title="学生人数统计",
    )  # fmt: skip
    first = apply(later, department_member)  # due 4 June
    today.set(date(2026, 6, 3))
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        title="教师名录",
    )  # fmt: skip
    second = apply(entry, department_member)  # due 8 June
    return first, second


def test_the_queue_is_sorted_by_due_date_and_flags_the_overdue(two, today):
    first, second = two
    today.set(date(2026, 6, 5))
    queue = registration_queue()
    assert [(item.application, item.overdue) for item in queue.items] == [
        (first, True), (second, False),
    ]  # fmt: skip
    assert queue.missing_calendar_year is None


def test_from_1_december_the_queue_says_next_years_calendar_is_missing(db, today, client, reviewer):
    today.set(date(2026, 11, 30))
    assert registration_queue().missing_calendar_year is None
    today.set(date(2026, 12, 1))
    assert registration_queue().missing_calendar_year == 2027
    client.force_login(reviewer)
    response = client.get(reverse(CHANGELIST), follow=True)
    assert "2027" in response.content.decode()


def test_the_admin_list_orders_by_due_date_and_filters_the_overdue(
    two, today, client, reviewer, django_assert_max_num_queries
):
    first, second = two
    today.set(date(2026, 6, 5))
    client.force_login(reviewer)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(CHANGELIST))
    shown = list(response.context["cl"].result_list)
    assert shown == [first, second]
    overdue = client.get(reverse(CHANGELIST), {"overdue": "yes"})
    assert list(overdue.context["cl"].result_list) == [first]


def test_a_reviewer_accepts_in_bulk_and_refusals_are_reported(two, today, client, reviewer):
    first, second = two
    from apps.registration import services

    services.registration_refuse(application=second, actor=reviewer, reason="不予登记")
    client.force_login(reviewer)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "accept_selected", "_selected_action": [first.pk, second.pk], "apply": "1",
         "reason": ""},
        follow=True,
    )  # fmt: skip
    first.refresh_from_db()
    assert first.status == ApplicationStatus.IN_REVIEW
    messages = [str(message) for message in response.context["messages"]]
    assert any(f"#{second.pk}" in message for message in messages)


def test_a_refusal_from_the_change_page_needs_a_reason(two, client, reviewer):
    first, _second = two
    client.force_login(reviewer)
    url = reverse("admin:registration_registrationapplication_decide", args=[first.pk, "refuse"])
    client.post(url, {"reason": ""})
    first.refresh_from_db()
    assert first.status == ApplicationStatus.SUBMITTED
    client.post(url, {"reason": "不属于授权运营范围"})
    first.refresh_from_db()
    assert first.status == ApplicationStatus.REFUSED
    assert first.history.first().history_user == reviewer


def test_an_auditor_sees_but_does_not_decide(two, client, auditor):
    first, _second = two
    client.force_login(auditor)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    url = reverse("admin:registration_registrationapplication_decide", args=[first.pk, "accept"])
    assert client.post(url, {"reason": ""}).status_code == 403
    assert RegistrationApplication.objects.get(pk=first.pk).status == ApplicationStatus.SUBMITTED


def test_the_calendar_is_entered_in_the_admin(db, client, reviewer):
    from apps.registration.calendar import year_is_covered

    client.force_login(reviewer)
    response = client.post(
        reverse("admin:registration_yeararrangement_add"),
        {"year": 2027, "holidays": '["2027-01-01"]', "working_days": "[]",
         "announcement": "国务院办公厅通知"},
    )  # fmt: skip
    assert response.status_code == 302
    assert year_is_covered(2027)
