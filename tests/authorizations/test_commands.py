"""`manage.py expire_authorizations`: records expiry once, however often cron runs it."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from guardian.shortcuts import get_perms

from apps.authorizations import services
from apps.authorizations.choices import AuthorizationStatus
from tests.authorizations.test_public_views import People, grant


@pytest.fixture
def people(qualified, operator_member, entry, department_admin, reviewer, approver) -> People:
    return People(
        operator=qualified, member=operator_member, entry=entry,
        department_admin=department_admin, reviewer=reviewer, approver=approver,
    )  # fmt: skip


def _expire() -> int:
    out = StringIO()
    call_command("expire_authorizations", stdout=out)
    numbers = re.findall(r"\d+", out.getvalue())
    assert len(numbers) == 1, out.getvalue()
    return int(numbers[0])


def test_it_records_each_ended_authorization_once(people):
    now = timezone.now()
    ended = grant(
        people, valid_from=now - timedelta(days=3), valid_until=now - timedelta(seconds=1)
    )
    in_force = grant(people)

    assert _expire() == 1
    assert _expire() == 0

    ended.refresh_from_db()
    in_force.refresh_from_db()
    assert ended.status == AuthorizationStatus.EXPIRED
    assert ended.history.first().history_user is None  # the system, not a person
    assert in_force.status == AuthorizationStatus.ACTIVE
    assert "query_catalogentry" in get_perms(in_force.operator.group, in_force.entry)


def test_it_expires_suspended_authorizations_too(people):
    now = timezone.now()
    ended = grant(
        people, valid_from=now - timedelta(days=3), valid_until=now - timedelta(seconds=1)
    )
    services.authorization_suspend(authorization=ended, actor=people.approver, reason="检查")
    assert _expire() == 1
    ended.refresh_from_db()
    assert ended.status == AuthorizationStatus.EXPIRED
    assert _expire() == 0


def test_it_runs_on_an_empty_database(db):
    assert _expire() == 0
