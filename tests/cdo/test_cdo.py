from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.authorizations import services as authorization_services
from apps.catalog import services as catalog_services
from apps.cdo import services
from apps.cdo.models import CdoAssignment
from apps.cdo.selectors import active_cdo_assignment, departments_without_active_cdo, is_active_cdo
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_reason
from apps.organisations.models import Department
from tests.factories import UserFactory, make_entry


@pytest.fixture
def cdo(department):
    return UserFactory(username="cdo", department=department, organisation_role="member")


@pytest.fixture
def appointed(department, cdo, reviewer):
    return services.cdo_appoint(
        department=department,
        user=cdo,
        actor=reviewer,
        title="首席数据官",
        document_number="教〔2026〕1号",
        term_start=timezone.now() - timedelta(days=10),
    )


def _raw(department, user, start, end=None, appointed_by=None):
    return CdoAssignment.objects.create(
        department=department,
        user=user,
        title="x",
        document_number="x",
        term_start=start,
        term_end=end,
        appointed_by=appointed_by or user,
    )


# The database -------------------------------------------------------------------------------


def test_the_database_refuses_overlapping_terms(department, cdo, department_admin):
    now = timezone.now()
    _raw(department, cdo, now - timedelta(days=100), now - timedelta(days=50))
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(department, department_admin, now - timedelta(days=60), now - timedelta(days=10))
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(department, department_admin, now - timedelta(days=200))  # open-ended over the first
    _raw(department, department_admin, now - timedelta(days=50))  # touching at the boundary is fine


def test_the_database_refuses_an_update_that_overlaps(department, cdo, department_admin):
    now = timezone.now()
    first = _raw(department, cdo, now - timedelta(days=100), now - timedelta(days=50))
    _raw(department, department_admin, now - timedelta(days=40))
    first.term_end = now - timedelta(days=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


def test_other_organisations_do_not_conflict(
    department, other_department, cdo, other_department_member
):
    now = timezone.now()
    _raw(department, cdo, now - timedelta(days=10))
    assert _raw(other_department, other_department_member, now - timedelta(days=10))


# Appointing and ending -------------------------------------------------------------------------


def test_a_new_appointment_ends_the_previous_term_at_its_start(
    appointed, department, department_admin, reviewer
):
    start = timezone.now()
    successor = services.cdo_appoint(
        department=department,
        user=department_admin,
        actor=reviewer,
        title="首席数据官",
        document_number="教〔2026〕9号",
        term_start=start,
    )
    appointed.refresh_from_db()
    assert appointed.term_end == start
    assert active_cdo_assignment(department=department) == successor
    latest = appointed.history.first()
    assert latest.history_user == reviewer
    assert history_reason(latest.history_change_reason) == appointed.end_reason == "由 测试 接任"
    assert successor.history.first().history_user == reviewer


def test_only_bureau_staff_appoint(department, cdo, department_admin, auditor):
    for intruder in (department_admin, auditor):
        with pytest.raises(NotAllowed):
            services.cdo_appoint(
                department=department, user=cdo, actor=intruder, title="x", document_number="x"
            )


def test_the_cdo_must_belong_to_the_organisation(department, other_department_member, reviewer):
    with pytest.raises(ValidationError) as excinfo:
        services.cdo_appoint(
            department=department,
            user=other_department_member,
            actor=reviewer,
            title="x",
            document_number="x",
        )
    assert "user" in excinfo.value.message_dict


def test_ending_needs_a_reason_and_takes_effect_at_once(appointed, cdo, department, reviewer):
    with pytest.raises(ValidationError):
        services.cdo_end(assignment=appointed, actor=reviewer, reason=" ")
    end = timezone.now()
    services.cdo_end(assignment=appointed, actor=reviewer, reason="工作调动", at=end)
    assert is_active_cdo(user=cdo, department=department, at=end - timedelta(seconds=1))
    assert not is_active_cdo(user=cdo, department=department, at=end)
    assert appointed.history.first().history_change_reason == "工作调动"
    with pytest.raises(IllegalTransition):
        services.cdo_end(assignment=appointed, actor=reviewer, reason="again")
    assert department in departments_without_active_cdo()


# Powers -------------------------------------------------------------------------------------------


@pytest.fixture
def application(
    department, department_member, reviewer, operator, operator_member, settings, tmp_path
):
    from tests.authorizations.conftest import apply, qualify

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
    return apply(operator, operator_member, entry, scenario)


def test_with_a_cdo_only_the_active_cdo_gives_the_opinion(
    application, appointed, cdo, department_admin, reviewer
):
    with pytest.raises(NotAllowed):
        authorization_services.application_department_opinion(
            application=application, actor=department_admin, agree=True
        )
    services.cdo_end(assignment=appointed, actor=reviewer, reason="离任")
    with pytest.raises(NotAllowed):  # the moment the term ends, the powers end
        authorization_services.application_department_opinion(
            application=application, actor=cdo, agree=True
        )


def test_the_active_cdo_gives_the_opinion(application, appointed, cdo):
    result = authorization_services.application_department_opinion(
        application=application, actor=cdo, agree=True
    )
    assert result.status == "department_agreed"


def test_without_any_cdo_the_administrator_gives_the_opinion(application, department_admin):
    result = authorization_services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    assert result.department_opinion_by == department_admin


@pytest.fixture
def confirming(department):
    department.submissions_need_cdo_confirmation = True
    department.save()
    return department


def test_submissions_wait_for_the_cdo_when_the_department_requires_it(
    confirming, appointed, cdo, department_member
):
    entry = make_entry(department=confirming, actor=department_member)
    entry = catalog_services.catalog_entry_submit(entry=entry, actor=department_member)
    assert entry.status == "awaiting_confirmation"
    with pytest.raises(NotAllowed):
        catalog_services.catalog_entry_confirm(entry=entry, actor=department_member)
    entry = catalog_services.catalog_entry_confirm(entry=entry, actor=cdo, comment="同意报送")
    assert entry.status == "submitted"
    assert entry.history.first().history_user == cdo


def test_the_cdo_returns_a_submission_with_a_reason(confirming, appointed, cdo, department_member):
    entry = catalog_services.catalog_entry_submit(
        entry=make_entry(department=confirming, actor=department_member), actor=department_member
    )
    with pytest.raises(ValidationError):
        catalog_services.catalog_entry_cdo_return(entry=entry, actor=cdo, comment="")
    entry = catalog_services.catalog_entry_cdo_return(
        entry=entry, actor=cdo, comment="字段说明不全"
    )
    assert (entry.status, entry.review_comment) == ("returned", "字段说明不全")


def test_an_ended_cdo_cannot_confirm(confirming, appointed, cdo, department_member, reviewer):
    entry = catalog_services.catalog_entry_submit(
        entry=make_entry(department=confirming, actor=department_member), actor=department_member
    )
    services.cdo_end(assignment=appointed, actor=reviewer, reason="离任")
    with pytest.raises(NotAllowed):
        catalog_services.catalog_entry_confirm(entry=entry, actor=cdo)


def test_without_the_requirement_submissions_go_straight_to_the_bureau(
    department, appointed, department_member
):
    entry = catalog_services.catalog_entry_submit(
        entry=make_entry(department=department, actor=department_member), actor=department_member
    )
    assert entry.status == "submitted"
    with pytest.raises(IllegalTransition):
        catalog_services.catalog_entry_transition(
            entry=make_entry(department=department, actor=department_member),
            actor=department_member,
            to_status="awaiting_confirmation",
        )


# Pages ------------------------------------------------------------------------------------------


def test_the_department_page_shows_current_and_past_terms(
    client, appointed, department, department_admin, reviewer, department_member
):
    services.cdo_appoint(
        department=department,
        user=department_admin,
        actor=reviewer,
        title="首席数据官",
        document_number="2",
    )
    client.force_login(department_member)
    response = client.get(reverse("cdo:department"))
    assert response.context["current"].user == department_admin
    assert len(response.context["assignments"]) == 2


def test_the_department_page_is_for_departments(client, operator_member, reviewer):
    for user in (operator_member, reviewer):
        client.force_login(user)
        assert client.get(reverse("cdo:department")).status_code == 403


def test_the_cdo_confirms_through_the_entry_page(
    client, confirming, appointed, cdo, department_member
):
    entry = catalog_services.catalog_entry_submit(
        entry=make_entry(department=confirming, actor=department_member), actor=department_member
    )
    client.force_login(department_member)
    assert (
        client.get(reverse("department_catalog:detail", args=[entry.identifier])).context[
            "can_confirm"
        ]
        is False
    )
    client.force_login(cdo)
    assert (
        client.get(reverse("department_catalog:detail", args=[entry.identifier])).context[
            "can_confirm"
        ]
        is True
    )
    client.post(
        reverse("department_catalog:confirm", args=[entry.identifier]),
        {"decision": "confirm", "comment": ""},
    )
    entry.refresh_from_db()
    assert entry.status == "submitted"


def test_admin_appoints_and_ends(client, department, cdo, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:cdo_cdoassignment_appoint"),
        {
            "department": department.pk,
            "user": cdo.pk,
            "title": "首席数据官",
            "document_number": "教〔2026〕3号",
        },
    )
    assert response.status_code == 302
    assignment = CdoAssignment.objects.get()
    changelist = reverse("admin:cdo_cdoassignment_changelist")
    response = client.post(
        changelist,
        {"action": "end_selected", "_selected_action": [assignment.pk], "apply": "1", "reason": ""},
    )
    assert response.status_code == 200 and response.context["form"].errors
    client.post(
        changelist,
        {
            "action": "end_selected",
            "_selected_action": [assignment.pk],
            "apply": "1",
            "reason": "换届",
        },
    )
    assignment.refresh_from_db()
    assert assignment.term_end is not None and assignment.end_reason == "换届"


def test_the_change_page_ends_a_current_term_with_a_reason(client, appointed, reviewer, auditor):
    change = reverse("admin:cdo_cdoassignment_change", args=[appointed.pk])
    decide = reverse("admin:cdo_cdoassignment_decide", args=[appointed.pk, "end"])
    client.force_login(auditor)
    assert client.get(change).context["decisions"] == []
    assert client.post(decide, {"reason": "换届"}).status_code == 403
    client.force_login(reviewer)
    assert [d["name"] for d in client.get(change).context["decisions"]] == ["end"]
    assert client.post(decide, {"reason": ""}).context["form"].errors["reason"]
    assert client.post(decide, {"reason": "换届"}).status_code == 302
    appointed.refresh_from_db()
    assert appointed.end_reason == "换届" and appointed.term_end is not None
    assert client.get(change).context["decisions"] == []  # an ended term offers nothing


def test_admin_filters_organisations_without_a_cdo(
    client, appointed, department, other_department, reviewer
):
    client.force_login(reviewer)
    url = reverse("admin:organisations_department_changelist")
    without = client.get(url, {"cdo": "no"}).context["cl"].queryset
    assert list(without) == [other_department]
    assert list(client.get(url, {"cdo": "yes"}).context["cl"].queryset) == [department]


def test_auditors_cannot_appoint(client, auditor, department, cdo):
    client.force_login(auditor)
    assert client.get(reverse("admin:cdo_cdoassignment_appoint")).status_code == 403
    assert client.get(reverse("admin:cdo_cdoassignment_changelist")).status_code == 200


def test_seed_demo_appoints_cdos(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", verbosity=0)
    departments = Department.objects.all()
    without = set(departments_without_active_cdo().values_list("code", flat=True))
    assert without == {"CIVIL"}
    water = departments.get(code="WATER")
    assert CdoAssignment.objects.filter(department=water).count() == 2
    assert water.submissions_need_cdo_confirmation


def test_the_end_of_term_page_says_what_will_happen(client, appointed, reviewer):
    decide = reverse("admin:cdo_cdoassignment_decide", args=[appointed.pk, "end"])
    client.force_login(reviewer)
    text = client.get(decide).text
    assert "此操作不可撤销" in text
    assert "将立即停止履行" in text
    assert "0 份待该部门出具意见的申请" in text
