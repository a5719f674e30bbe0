"""Races end in exactly one outcome. Real concurrent transactions need PostgreSQL's row locks."""

import pytest
from django.db import connection

from apps.authorizations import services
from apps.authorizations.choices import AuthorizationStatus
from apps.authorizations.models import Application, Authorization
from tests.authorizations.conftest import AGREEMENT, scope
from tests.concurrency import race
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_approvers_at_once_make_exactly_one_authorization(recommended, approver):
    second = UserFactory(
        username="approver2",
        bureau=approver.bureau,
        is_staff=True,
        organisation_role="member",
        groups=["approver"],
    )
    outcomes = race(
        *[
            lambda who=who: services.application_approve(
                application=Application.objects.get(pk=recommended.pk),
                actor=who,
                scope=scope(),
                agreement=AGREEMENT,
            )
            for who in (approver, second)
        ]
    )
    assert sum(isinstance(o, Authorization) for o in outcomes) == 1
    assert Authorization.objects.count() == 1


def test_suspend_and_revoke_at_once_end_consistent(authorization, approver):
    outcomes = race(
        lambda: services.authorization_suspend(
            authorization=authorization, actor=approver, reason="检查"
        ),
        lambda: services.authorization_revoke(
            authorization=authorization, actor=approver, reason="违规"
        ),
    )
    authorization.refresh_from_db()
    from guardian.shortcuts import get_perms

    held = "query_catalogentry" in get_perms(authorization.operator.group, authorization.entry)
    assert authorization.status in (AuthorizationStatus.SUSPENDED, AuthorizationStatus.REVOKED)
    assert held is False
    # The history tells the same story as the row: the last record is the final state.
    assert authorization.history.first().status == authorization.status
    assert any(isinstance(o, Authorization) for o in outcomes)


def test_approving_while_the_operator_is_suspended_elsewhere(
    recommended, approver, authorization_other=None
):
    """Approval and a suspension of the result can't interleave into an active grant without
    the permission: whichever wins, row and permission agree."""
    outcomes = race(
        lambda: services.application_approve(
            application=Application.objects.get(pk=recommended.pk),
            actor=approver,
            scope=scope(),
            agreement=AGREEMENT,
        ),
        lambda: services.application_withdraw(
            application=Application.objects.get(pk=recommended.pk),
            actor=recommended.applicant,
        ),
    )
    recommended.refresh_from_db()
    assert recommended.status in ("approved", "withdrawn")
    assert Authorization.objects.count() == (1 if recommended.status == "approved" else 0)
    assert len([o for o in outcomes if isinstance(o, Exception)]) == 1
