"""The authorization gate: with REGISTRATION_REQUIRED_FOR_AUTHORIZATION on (the default; the test
profile turns it off for the other apps' tests), no approval without a registration in force."""

import pytest
from django.core.exceptions import ValidationError

from apps.authorizations import services as authorization_services
from tests.authorizations.conftest import AGREEMENT, scope

from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _gate_on(settings):
    settings.REGISTRATION_REQUIRED_FOR_AUTHORIZATION = True


def test_the_default_is_on():
    from config.settings import base

    assert base.REGISTRATION_REQUIRED_FOR_AUTHORIZATION is True


def test_an_unregistered_entry_is_not_approved(recommended, approver):
    with pytest.raises(ValidationError) as error:
        authorization_services.application_approve(
            application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
        )
    assert recommended.entry.identifier in str(error.value) and "没有有效的登记" in str(error.value)
    recommended.refresh_from_db()
    assert recommended.status == "recommended"


def test_a_registered_entry_is_approved(
    recommended, approver, entry, department_member, reviewer, today
):
    register(entry, department_member, reviewer, today)
    authorization = authorization_services.application_approve(
        application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
    )
    assert authorization.entry == entry


def test_an_expired_registration_does_not_open_the_gate(
    recommended, approver, entry, department_member, reviewer, today
):
    from apps.registration.models import Registration

    register(entry, department_member, reviewer, today)
    today.set(Registration.objects.get().valid_until.replace(day=1).replace(month=12))
    today.move(400)
    with pytest.raises(ValidationError):
        authorization_services.application_approve(
            application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
        )


def test_the_gate_off_lets_the_approval_through(recommended, approver, settings):
    settings.REGISTRATION_REQUIRED_FOR_AUTHORIZATION = False
    authorization = authorization_services.application_approve(
        application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
    )
    assert authorization.pk is not None


def test_the_decision_page_says_so_before_the_form(client, recommended, approver):
    client.force_login(approver)
    response = client.get(f"/admin/authorizations/application/{recommended.pk}/approve/")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="approval-refusals"' in content
    decision_form = content.index("novalidate>")
    assert content.index('id="approval-refusals"') < decision_form
    assert "没有有效的登记" in content
