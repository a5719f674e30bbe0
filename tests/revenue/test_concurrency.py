"""Two settlements of the same month started at once produce one. Real concurrent transactions
need PostgreSQL's row locks; SQLite serialises every writer, so there is nothing to race."""

import pytest
from django.db import connection

from apps.revenue import services
from apps.revenue.models import RevenueShareRecord, Settlement
from tests.concurrency import race
from tests.factories import UserFactory
from tests.revenue.conftest import LAST_MONTH, TWO_MONTHS_AGO, verified

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_settlements_at_once_produce_one(authorization, operator_member, reviewer):
    verified(authorization, operator_member, reviewer)
    second = UserFactory(
        username="reviewer2", bureau=reviewer.bureau, is_staff=True,
        organisation_role="member", groups=["reviewer"],
    )  # fmt: skip
    outcomes = race(
        *[lambda who=who: services.settlement_run(period=LAST_MONTH, actor=who)
          for who in (reviewer, second)]
    )  # fmt: skip
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(o.created for o in outcomes) == [False, True]
    assert Settlement.objects.count() == 1
    assert RevenueShareRecord.objects.count() == 1


def test_settling_two_months_at_once_credits_a_report_once(
    authorization, operator_member, reviewer
):
    verified(authorization, operator_member, reviewer, TWO_MONTHS_AGO)
    outcomes = race(
        lambda: services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer),
        lambda: services.settlement_run(period=LAST_MONTH, actor=reviewer),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert RevenueShareRecord.objects.count() == 1
