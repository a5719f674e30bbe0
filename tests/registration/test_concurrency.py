"""Registration codes under a real race: two registrations concluding at once on PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection

from apps.registration import services
from apps.registration.models import Registration, RegistrationCodeSequence
from tests.concurrency import race
from tests.factories import make_entry

from .conftest import apply, to_notice

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_registrations_concluding_at_once_get_different_codes(
    department, department_member, reviewer, today
):
    applications = []
    for title in ("学校名录", "学生人数统计", "教师人数统计"):
        entry = make_entry(
            department=department, actor=department_member, status="published",
            reviewer=reviewer, title=title,
        )  # fmt: skip
        applications.append(to_notice(apply(entry, department_member), reviewer))
    today.set(applications[0].notice_ends + timedelta(days=1))
    outcomes = race(*[
        lambda application=application: services.registration_conclude(
            application=application, actor=reviewer
        )
        for application in applications
    ])  # fmt: skip
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    codes = sorted(Registration.objects.values_list("code", flat=True))
    assert codes == [f"520100-2026-S-{number:06d}" for number in (1, 2, 3)]
    assert RegistrationCodeSequence.objects.get(year=2026).last_value == 3


def test_a_number_is_never_reused(department, department_member, reviewer, today):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    RegistrationCodeSequence.objects.create(year=2026, last_value=41)
    application = to_notice(apply(entry, department_member), reviewer)
    today.set(application.notice_ends + timedelta(days=1))
    services.registration_conclude(application=application, actor=reviewer)
    assert Registration.objects.get().code == "520100-2026-S-000042"
