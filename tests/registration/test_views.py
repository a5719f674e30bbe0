"""Public and department registration pages: who may, who may not, bad input, query counts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.registration.choices import ApplicationStatus
from apps.registration.models import Objection, Registration, RegistrationApplication
from tests.factories import make_entry

from .conftest import apply, pdf, register, to_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(entry, department_member, reviewer, today):
    return to_notice(apply(entry, department_member), reviewer)


def _objection(**overrides):
    data = {"name": "李四", "organisation": "某研究院", "contact": "13800000000",
            "email": "lisi@example.cn", "reasons": "摘要与实际数据范围不符。"}  # fmt: skip
    data.update(overrides)
    return data


def _post_objection(client, application, **overrides):
    prefix = f"objection-{application.pk}"
    data = {f"{prefix}-{key}": value for key, value in _objection(**overrides).items()}
    return client.post(reverse("registration:object", args=[application.pk]), data)


def test_the_public_page_shows_notices_and_registrations(
    client, notice, department, department_member, reviewer, today, django_assert_max_num_queries
):
    other = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        title="学生人数统计",
    )  # fmt: skip
    register(other, department_member, reviewer, today)
    today.set(notice.notice_starts)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registration:list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert notice.summary in content and department.name in content
    assert Registration.objects.get().code in content
    assert 'class="form objection-form"' in content


def test_an_anonymous_visitor_objects_and_the_notice_pauses(client, notice):
    response = _post_objection(client, notice)
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == ApplicationStatus.OBJECTED
    assert Objection.objects.get().contact == "13800000000"


def test_an_objection_without_reasons_is_refused_with_the_field(client, notice):
    response = _post_objection(client, notice, reasons="")
    assert response.status_code == 400
    assert "objection-form" in response.content.decode()
    assert not Objection.objects.exists()


def test_an_objection_after_the_notice_is_refused_with_the_dates(client, notice, today):
    today.set(notice.notice_ends + timedelta(days=1))
    response = _post_objection(client, notice)
    assert response.status_code == 400
    assert str(notice.notice_ends) in response.content.decode()


def test_evidence_of_the_wrong_type_is_refused(client, notice):
    prefix = f"objection-{notice.pk}"
    data = {f"{prefix}-{key}": value for key, value in _objection().items()}
    data[f"{prefix}-evidence"] = SimpleUploadedFile("证据.pdf", b"MZ\x90 not a pdf")
    response = client.post(reverse("registration:object", args=[notice.pk]), data)
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_objector_contact_details_are_for_the_bureau_only(
    client, notice, department_member, reviewer
):
    _post_objection(client, notice)
    public = client.get(reverse("registration:list")).content.decode()
    assert "13800000000" not in public and "lisi@example.cn" not in public
    client.force_login(department_member)
    own = client.get(reverse("department_registration:detail", args=[notice.pk]))
    assert "李四" in own.content.decode()
    assert "13800000000" not in own.content.decode()
    client.force_login(reviewer)
    objection = Objection.objects.get()
    admin = client.get(reverse("admin:registration_objection_change", args=[objection.pk]))
    assert "13800000000" in admin.content.decode()


def test_the_csv_lists_registrations_in_force(client, entry, department_member, reviewer, today):
    register(entry, department_member, reviewer, today)
    response = client.get(reverse("registration:csv"))
    body = b"".join([response.content]).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert Registration.objects.get().code in body


def test_the_filters_narrow_the_list(client, entry, department_member, reviewer, today):
    register(entry, department_member, reviewer, today)
    code = Registration.objects.get().code
    assert code in client.get(reverse("registration:list"), {"q": "学校"}).content.decode()
    assert code not in client.get(reverse("registration:list"), {"q": "无此条目"}).content.decode()


def test_the_lookup_answers_a_result_lookup_code(client, entry, department_member, reviewer, today):
    register(entry, department_member, reviewer, today)
    registration = Registration.objects.get()
    response = client.get(reverse("registration:lookup"), {"code": registration.lookup_code})
    assert registration.code in response.content.decode()
    response = client.get(reverse("registration:lookup"), {"code": "NOSUCHCODE"})
    assert 'id="lookup-none"' in response.content.decode()


def test_the_certificate_shows_the_code_and_an_ended_status(
    client, entry, department_member, reviewer, today
):
    register(entry, department_member, reviewer, today)
    registration = Registration.objects.get()
    url = reverse("registration:certificate", args=[registration.code])
    content = client.get(url).content.decode()
    assert registration.code in content and "registration_print.css" in content
    assert "certificate-ended" not in content
    today.set(registration.valid_until + timedelta(days=1))
    assert "certificate-ended" in client.get(url).content.decode()
    assert client.get(reverse("registration:certificate", args=["nope"])).status_code == 404


def test_a_department_member_applies_from_the_page(client, entry, department_member, today):
    client.force_login(department_member)
    response = client.post(
        reverse("department_registration:create"),
        {"entry": entry.pk, "kind": "first", "summary": "摘要", "documents": pdf()},
    )
    application = RegistrationApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("department_registration:detail", args=[application.pk])
    page = client.get(response["Location"]).content.decode()
    assert str(application.due_on.year) in page


def test_materials_over_the_limit_or_of_the_wrong_type_are_refused(
    client, entry, department_member, today, settings
):
    client.force_login(department_member)
    url = reverse("department_registration:create")
    data = {"entry": entry.pk, "kind": "first", "summary": "摘要"}
    wrong = client.post(url, {**data, "documents": SimpleUploadedFile("a.exe", b"MZ")})
    assert wrong.status_code == 200 and "documents" in wrong.context["form"].errors
    settings.DOCUMENT_MAX_BYTES = 10
    large = client.post(url, {**data, "documents": pdf()})
    assert "documents" in large.context["form"].errors
    assert not RegistrationApplication.objects.exists()


def test_a_duplicate_application_is_refused_on_the_page(client, entry, department_member, today):
    first = apply(entry, department_member)
    client.force_login(department_member)
    response = client.post(
        reverse("department_registration:create"),
        {"entry": entry.pk, "kind": "first", "summary": "摘要", "documents": pdf()},
    )
    assert f"#{first.pk}" in response.content.decode()


def test_other_organisations_do_not_see_the_department_pages(
    client, notice, other_department_member, operator_member
):
    url = reverse("department_registration:detail", args=[notice.pk])
    client.force_login(other_department_member)
    assert client.get(url).status_code == 404
    client.force_login(operator_member)
    assert client.get(url).status_code == 403
    assert client.get(reverse("department_registration:list")).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_department_answers_the_materials_notice(
    client, entry, department_member, reviewer, today
):
    from apps.registration import services

    application = apply(entry, department_member)
    services.registration_request_materials(
        application=application, actor=reviewer, reason="缺少安全评估报告"
    )
    client.force_login(department_member)
    url = reverse("department_registration:detail", args=[application.pk])
    assert "缺少安全评估报告" in client.get(url).content.decode()
    client.post(url, {"summary": "", "documents": pdf("评估.pdf")})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.resubmitted


def test_the_department_list_counts_its_queries(
    client, entry, department_member, today, django_assert_max_num_queries
):
    apply(entry, department_member)
    client.force_login(department_member)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("department_registration:list")).status_code == 200
