"""Registration of data products and services (数据产品登记): the operator registers its own
offered product through the same procedure as a department's catalog entry."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.authorizations.models import Authorization
from apps.core.errors import NotAllowed
from apps.registration import registrants, services
from apps.registration.choices import ApplicationStatus, Kind, RegistrationStatus, SubjectKind
from apps.registration.models import Registration, RegistrationApplication
from tests.products.conftest import offer, submit_product

from .conftest import pdf, register, to_notice

pytestmark = pytest.mark.django_db


def apply_product(product, actor, *, kind: str = Kind.FIRST, **overrides):
    data = {"summary": "按地址查询所属学区的数据服务。", "documents": [pdf()]}
    data.update(overrides)
    return services.registration_apply(product=product, actor=actor, kind=kind, **data)


def conclude(application, reviewer, today) -> None:
    """Accept, open the notice, let it run out, conclude."""
    application = to_notice(application, reviewer)
    today.set(application.notice_ends + timedelta(days=1))
    services.registration_conclude(application=application, actor=reviewer)


def register_product(product, member, reviewer, today) -> Registration:
    application = apply_product(product, member)
    conclude(application, reviewer, today)
    return Registration.objects.get(application=application)


# The procedure ------------------------------------------------------------------------------


def test_it_registers_an_offered_product_with_its_operator_as_registrant(
    offered,
    operator,
    operator_member,
    reviewer,
    today,
):
    application = apply_product(offered, operator_member)
    assert application.status == ApplicationStatus.SUBMITTED
    assert (application.operator, application.department) == (operator, None)
    assert application.subject_kind == SubjectKind.PRODUCT
    conclude(application, reviewer, today)
    registration = Registration.objects.get(application=application)
    year = today.day.year
    pattern = rf"^{re.escape(settings.REGISTRATION_REGION_CODE)}-{year}-S-\d{{6}}$"
    assert re.match(pattern, registration.code)
    assert registration.lookup_code
    assert registration.product == offered and registration.operator == operator
    assert registration.entry is None and registration.department is None
    assert registration.registrant == operator
    assert registration.subject_name == offered.name
    assert registration.subject_code == f"P{offered.pk}"
    assert registration.history.filter(history_type="+").exists()


def test_the_validity_ends_with_the_earliest_authorization_the_product_draws_on(
    offered,
    authorization,
    operator_member,
    reviewer,
    today,
):
    registration = register_product(offered, operator_member, reviewer, today)
    # The authorization ends within a year and a half of the clock: sooner than 3 years.
    assert registration.valid_until == timezone.localtime(authorization.valid_until).date()
    assert registration.authorization == authorization


def test_the_validity_is_three_years_when_the_authorizations_last_longer(
    offered,
    authorization,
    operator_member,
    reviewer,
    today,
):
    Authorization.objects.filter(pk=authorization.pk).update(
        valid_until=timezone.now() + timedelta(days=3650)
    )
    registration = register_product(offered, operator_member, reviewer, today)
    assert registration.valid_until == registration.registered_on.replace(
        year=registration.registered_on.year + 3
    )


def test_a_cancellation_ends_the_product_registration(offered, operator_member, reviewer, today):
    registration = register_product(offered, operator_member, reviewer, today)
    application = apply_product(offered, operator_member, kind=Kind.CANCELLATION)
    assert application.acts_on == registration
    conclude(application, reviewer, today)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


# Who may, and what may be registered -------------------------------------------------------


def test_another_operator_may_not_register_the_product(offered, rival, today):
    _other, rival_member = rival
    with pytest.raises(NotAllowed):
        apply_product(offered, rival_member)
    assert not RegistrationApplication.objects.exists()


def test_a_product_not_offered_is_refused_with_its_status(product, operator_member, today):
    with pytest.raises(ValidationError) as refused:
        apply_product(product, operator_member)
    assert "product" in refused.value.message_dict
    assert product.get_status_display() in refused.value.message_dict["product"][0]


def test_a_department_may_not_register_a_product(offered, department_member, today):
    with pytest.raises(NotAllowed):
        apply_product(offered, department_member)


def test_an_operator_may_not_register_a_catalog_entry(entry, operator_member, today):
    with pytest.raises(NotAllowed):
        services.registration_apply(
            entry=entry, actor=operator_member, kind=Kind.FIRST, summary="摘要",
            documents=[pdf()],
        )  # fmt: skip


def test_an_application_names_one_subject(offered, entry, operator_member, today):
    with pytest.raises(ValidationError):
        services.registration_apply(
            entry=entry, product=offered, actor=operator_member, kind=Kind.FIRST,
            summary="摘要", documents=[pdf()],
        )  # fmt: skip


def test_a_second_open_application_is_refused_naming_the_open_one(offered, operator_member, today):
    first = apply_product(offered, operator_member)
    with pytest.raises(ValidationError) as refused:
        apply_product(offered, operator_member)
    assert f"#{first.pk}" in str(refused.value)
    assert RegistrationApplication.objects.count() == 1


def test_a_registered_product_is_not_registered_twice(offered, operator_member, reviewer, today):
    registration = register_product(offered, operator_member, reviewer, today)
    with pytest.raises(ValidationError) as refused:
        apply_product(offered, operator_member)
    assert registration.code in str(refused.value)


def test_the_database_keeps_one_subject_and_its_matching_registrant(
    offered,
    entry,
    operator,
    department,
    operator_member,
    today,
):
    application = apply_product(offered, operator_member)
    base = {
        "kind": Kind.CHANGE, "summary": "摘要", "applicant": operator_member,
        "submitted_on": today.day,
    }  # fmt: skip
    wrong = [
        {"product": offered, "entry": entry, "operator": operator},  # two subjects
        {"product": offered, "department": department},  # a department for a product
        {"entry": entry, "operator": operator},  # an operator for an entry
        {"product": offered},  # no registrant
    ]
    for fields in wrong:
        with pytest.raises(IntegrityError), transaction.atomic():
            RegistrationApplication.objects.create(**base, **fields)
    # One open application per product and kind, in the database too.
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationApplication.objects.create(
            **{**base, "kind": application.kind}, product=offered, operator=operator
        )


def test_the_database_keeps_one_registration_in_force_per_product(
    offered,
    operator_member,
    reviewer,
    today,
):
    registration = register_product(offered, operator_member, reviewer, today)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            code="X-1", lookup_code="X1", application=apply_product(
                offered, operator_member, kind=Kind.CHANGE, changes="名称", change_reason="更名"
            ),
            product=offered, operator=registration.operator, kind=Kind.CHANGE, summary="摘要",
            registered_on=today.day, valid_until=today.day,
        )  # fmt: skip


# Pages --------------------------------------------------------------------------------------


def test_the_public_pages_show_the_product_registration(
    client,
    offered,
    operator,
    operator_member,
    reviewer,
    today,
):
    registration = register_product(offered, operator_member, reviewer, today)
    content = client.get(reverse("registration:list")).content.decode()
    assert registration.code in content and offered.name in content and operator.name in content
    assert str(SubjectKind.PRODUCT.label) in content
    csv = client.get(reverse("registration:csv")).content.decode("utf-8-sig")
    assert registration.code in csv and offered.name in csv and operator.name in csv
    certificate = client.get(reverse("registration:certificate", args=[registration.code]))
    assert offered.name in certificate.content.decode()
    lookup = client.get(reverse("registration:lookup"), {"code": registration.lookup_code})
    assert registration.code in lookup.content.decode()


def test_the_public_list_filters_by_subject_kind(
    client,
    offered,
    entry,
    department_member,
    operator_member,
    reviewer,
    today,
):
    product_registration = register_product(offered, operator_member, reviewer, today)
    register(entry, department_member, reviewer, today)
    entry_code = Registration.objects.get(entry=entry).code
    products_only = client.get(reverse("registration:list"), {"subject_kind": "product"})
    content = products_only.content.decode()
    assert product_registration.code in content and entry_code not in content
    by_operator = client.get(reverse("registration:list"), {"operator": offered.operator_id})
    content = by_operator.content.decode()
    assert product_registration.code in content and entry_code not in content
    entries_only = client.get(reverse("registration:list"), {"subject_kind": "entry"})
    content = entries_only.content.decode()
    assert entry_code in content and product_registration.code not in content


def test_an_operator_applies_on_its_pages(client, offered, operator_member, today):
    client.force_login(operator_member)
    form = client.get(reverse("operator_registration:create"), {"product": offered.pk})
    assert form.status_code == 200 and offered.name in form.content.decode()
    response = client.post(
        reverse("operator_registration:create"),
        {"product": offered.pk, "kind": Kind.FIRST, "summary": "学区查询服务。",
         "documents": pdf()},
    )  # fmt: skip
    application = RegistrationApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("operator_registration:detail", args=[application.pk])
    assert application.product == offered and application.applicant == operator_member
    detail = client.get(response["Location"]).content.decode()
    assert offered.name in detail


def test_the_operator_form_offers_only_its_offered_products(
    client,
    offered,
    authorization,
    operator_member,
    rival,
    today,
):
    waiting = submit_product(authorization, operator_member, name="待审产品")
    client.force_login(operator_member)
    response = client.post(
        reverse("operator_registration:create"),
        {"product": waiting.pk, "kind": Kind.FIRST, "summary": "摘要", "documents": pdf()},
    )
    assert response.status_code == 200
    assert "product" in response.context["form"].errors
    assert not RegistrationApplication.objects.exists()


def test_another_operator_does_not_see_the_application(client, offered, operator_member, rival):
    application = apply_product(offered, operator_member)
    _other, rival_member = rival
    client.force_login(rival_member)
    detail = reverse("operator_registration:detail", args=[application.pk])
    assert client.get(detail).status_code == 404
    listing = client.get(reverse("operator_registration:list")).content.decode()
    assert offered.name not in listing


def test_a_department_member_is_refused_the_operator_pages(client, department_member):
    client.force_login(department_member)
    assert client.get(reverse("operator_registration:list")).status_code == 403


def test_the_product_page_links_the_registration(client, offered, operator_member):
    client.force_login(operator_member)
    page = client.get(reverse("operator_products:detail", args=[offered.pk])).content.decode()
    assert f"{reverse('operator_registration:create')}?product={offered.pk}" in page


# Query counts --------------------------------------------------------------------------------


def _offered_products(authorization, member, reviewer, count: int):
    return [
        offer(submit_product(authorization, member, name=f"产品{number}"), reviewer)
        for number in range(count)
    ]


def test_the_list_pages_count_their_queries(
    client,
    authorization,
    operator_member,
    reviewer,
    today,
    django_assert_max_num_queries,
):
    for product_ in _offered_products(authorization, operator_member, reviewer, 3):
        register_product(product_, operator_member, reviewer, today)
    for product_ in _offered_products(authorization, operator_member, reviewer, 2):
        apply_product(product_, operator_member)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("registration:list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("registration:csv")).status_code == 200
    client.force_login(operator_member)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("operator_registration:list")).status_code == 200


# Who is told --------------------------------------------------------------------------------


def test_the_registrant_members_are_the_operators_for_a_product(
    offered, entry, operator_member, operator_admin, department_member, rival, today
):
    product_application = apply_product(offered, operator_member)
    entry_application = services.registration_apply(
        entry=entry, actor=department_member, kind=Kind.FIRST, summary="摘要", documents=[pdf()]
    )
    _other, rival_member = rival
    told = set(registrants.registrant_members(subject=product_application))
    assert told == {operator_member, operator_admin}
    assert rival_member not in told and department_member not in told
    department_told = set(registrants.registrant_members(subject=entry_application))
    assert department_member in department_told and operator_member not in department_told
    assert registrants.registrant_page(application=product_application) == reverse(
        "operator_registration:detail", args=[product_application.pk]
    )
    assert registrants.registrant_page(application=entry_application) == reverse(
        "department_registration:detail", args=[entry_application.pk]
    )


def test_the_operator_hears_its_product_registered_and_the_department_does_not(
    offered, operator_member, department_member, reviewer, rival, today
):
    from apps.notifications.kinds import Kind as Told
    from apps.notifications.models import Notification

    registration = register_product(offered, operator_member, reviewer, today)
    [registered] = Notification.objects.filter(
        kind=Told.REGISTRATION_REGISTERED, recipient=operator_member
    )
    assert registered.params["code"] == registration.code
    assert registered.params["title"] == offered.name
    assert registered.params["department"] == offered.operator.name
    in_notice = Notification.objects.get(
        kind=Told.REGISTRATION_IN_NOTICE, recipient=operator_member
    )
    assert in_notice.url == reverse(
        "operator_registration:detail", args=[registration.application.pk]
    )
    _other, rival_member = rival
    for outsider in (department_member, rival_member):
        assert not Notification.objects.filter(
            recipient=outsider, kind__startswith="registration_"
        ).exists()


# The bureau's admin -------------------------------------------------------------------------


def test_the_bureau_decides_a_product_application_in_the_admin(
    client, offered, entry, department_member, operator, operator_member, reviewer, today,
    django_assert_max_num_queries,
):  # fmt: skip
    application = apply_product(offered, operator_member)
    services.registration_apply(
        entry=entry, actor=department_member, kind=Kind.FIRST, summary="摘要", documents=[pdf()]
    )
    client.force_login(reviewer)
    changelist = reverse("admin:registration_registrationapplication_changelist")
    with django_assert_max_num_queries(15):
        response = client.get(changelist, {"subject": "product"})
    assert list(response.context["cl"].result_list) == [application]
    content = response.content.decode()
    assert offered.name in content and operator.name in content
    decide = reverse(
        "admin:registration_registrationapplication_decide", args=[application.pk, "accept"]
    )
    client.post(decide, {"reason": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.history.first().history_user == reviewer
