"""Shared set-up for authorization tests: a qualified operator, a conditional entry, a scenario."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.authorizations import services
from apps.authorizations.models import Qualification, QualificationType
from tests.factories import make_entry


def qualify(operator, actor, reviewer, *, days: int = 365):
    today = timezone.localdate()
    for qualification_type in QualificationType.objects.filter(required=True):
        qualification = services.qualification_submit(
            operator=operator, actor=actor, qualification_type=qualification_type,
            number=f"NO-{qualification_type.code}",
            document=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 demo", "application/pdf"),
            valid_from=today - timedelta(days=10), valid_until=today + timedelta(days=days),
        )  # fmt: skip
        services.qualification_review(qualification=qualification, actor=reviewer, approve=True)
    return Qualification.objects.filter(operator=operator)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def department_admin_user(department_admin):
    return department_admin


@pytest.fixture
def qualified(operator, operator_member, reviewer):
    qualify(operator, operator_member, reviewer)
    return operator


@pytest.fixture
def entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )


@pytest.fixture
def scenario(operator, operator_member):
    return services.scenario_create(
        operator=operator, actor=operator_member,
        data={"title": "学区房智能推荐", "sector": "education", "description": "为家庭推荐学区",
              "expected_product": "学区查询服务", "use": "industry"},
    )  # fmt: skip


def apply(operator, actor, entry, scenario, **overrides):
    today = timezone.localdate()
    data = {
        "requested_fields": ["school_name", "district"], "purpose": "学区分析",
        "requested_from": today, "requested_until": today + timedelta(days=365),
        "expected_daily_calls": 1000,
    }  # fmt: skip
    data.update(overrides)
    return services.application_submit(
        operator=operator, actor=actor, entry=entry, scenario=scenario, **data
    )


def scope(**overrides):
    now = timezone.now()
    data = {
        "allowed_fields": ["school_name", "district"], "row_filter": [],
        "valid_from": now - timedelta(minutes=1), "valid_until": now + timedelta(days=365),
        "daily_row_quota": 10_000, "fee_basis": "per_row", "price": Decimal("0.01"),
    }  # fmt: skip
    data.update(overrides)
    return data


AGREEMENT = {"number": "GY-2026-001", "data_scope": "学校基本信息", "security_review_done": True,
             "compliance_review_done": True}  # fmt: skip


@pytest.fixture
def recommended(qualified, operator_member, entry, scenario, department_admin, reviewer):
    application = apply(qualified, operator_member, entry, scenario)
    services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    return services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )


@pytest.fixture
def authorization(recommended, approver):
    return services.application_approve(
        application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
    )
