"""Shared set-up for revenue tests: a qualified operator holding an authorization on a department's
entry that has been valid for more than a year, so every recent month can be reported.

Personas: the operator (``operator``, ``operator_member``, ``operator_admin``), the providing
department (``department_member``), another department, a rival operator, bureau reviewer,
approver and auditor (tests/conftest.py).
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.api.models import UsageRecord
from apps.authorizations import services as authorization_services
from apps.authorizations.models import Authorization
from apps.revenue import services
from apps.revenue.models import RevenueReport
from apps.revenue.money import current_period, previous_period
from tests.authorizations.conftest import AGREEMENT, qualify, scope
from tests.factories import OperatorFactory, UserFactory, make_entry

LAST_MONTH = previous_period(current_period())
TWO_MONTHS_AGO = previous_period(LAST_MONTH)
THREE_MONTHS_AGO = previous_period(TWO_MONTHS_AGO)
PDF = b"%PDF-1.4 invoice"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )


@pytest.fixture
def qualified(operator, operator_member, reviewer):
    qualify(operator, operator_member, reviewer)
    return operator


@pytest.fixture
def grant(department_admin, reviewer, approver) -> Callable[..., Authorization]:
    """``grant(operator, member, entry, **scope)``: an authorization valid since 400 days ago."""
    count = iter(range(1, 1000))

    def make(operator, member, entry, **overrides: Any) -> Authorization:
        scenario = authorization_services.scenario_create(
            operator=operator, actor=member,
            data={"title": f"场景{next(count)}", "sector": "education", "description": "测试",
                  "expected_product": "查询服务", "use": "industry"},
        )  # fmt: skip
        today = timezone.localdate()
        application = authorization_services.application_submit(
            operator=operator, actor=member, entry=entry, scenario=scenario,
            requested_fields=["school_name", "district"], purpose="测试",
            requested_from=today, requested_until=today + timedelta(days=365),
            expected_daily_calls=100,
        )  # fmt: skip
        authorization_services.application_department_opinion(
            application=application, actor=department_admin, agree=True
        )
        authorization_services.application_recommend(
            application=application, actor=reviewer, recommendation="approve"
        )
        now = timezone.now()
        terms = {"valid_from": now - timedelta(days=400), "valid_until": now + timedelta(days=365),
                 "revenue_share_ratio": Decimal("0.3000"), **overrides}  # fmt: skip
        return authorization_services.application_approve(
            application=application, actor=approver, scope=scope(**terms), agreement=AGREEMENT
        )

    return make


@pytest.fixture
def authorization(grant, qualified, operator_member, entry) -> Authorization:
    return grant(qualified, operator_member, entry)


@pytest.fixture
def rival(db, reviewer):
    """Another qualified operator, with a member."""
    other = OperatorFactory(name="另一家运营公司")
    member = UserFactory(username="rival_member", operator=other, organisation_role="member")
    qualify(other, member, reviewer)
    return other, member


def at(period: date, day: int = 15, hour: int = 12) -> datetime:
    return datetime.combine(
        period.replace(day=day), time(hour), tzinfo=timezone.get_current_timezone()
    )


def record_usage(
    authorization: Authorization, when: datetime, *, rows: int = 0, status: int = 200,
    calls: int = 1,
) -> None:  # fmt: skip
    UsageRecord.objects.bulk_create(
        UsageRecord(
            operator_id=authorization.operator_id,
            authorization=authorization,
            endpoint="records",
            method="GET",
            path="/api/v1/",
            status_code=status,
            rows=rows,
            created_at=when,
        )
        for _ in range(calls)
    )


def submit(
    authorization: Authorization, actor, period: date = LAST_MONTH, amount: str = "1000.00",
    **extra: Any,
) -> RevenueReport:  # fmt: skip
    return services.revenue_report_submit(
        operator=authorization.operator, actor=actor, authorization=authorization, period=period,
        amount=Decimal(amount), reference=extra.pop("reference", "INV-001"), **extra,
    )  # fmt: skip


def verified(authorization, actor, reviewer, period: date = LAST_MONTH, amount: str = "1000.00"):
    report = submit(authorization, actor, period, amount)
    return services.revenue_report_verify(report=report, actor=reviewer)


def pdf(name: str = "invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")
