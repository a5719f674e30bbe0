"""Set-up shared by the API key, account, usage and throttling tests.

Test modules import it with ``from tests.api.fixtures_keys import *`` (fixtures) plus the helpers
they use by name; a tests/api/conftest.py, if any, belongs to the dataset endpoint tests.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.api import services as api_services
from apps.api.models import ApiKey
from apps.authorizations import services
from apps.authorizations.models import Authorization
from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope
from tests.factories import OperatorFactory, UserFactory, make_entry

__all__ = [
    "_fresh_cache",
    "api_key",
    "authorization",
    "entry",
    "other_operator",
    "other_operator_admin",
    "qualified",
    "scenario",
    "second_authorization",
    "second_entry",
]

AUTHORIZATIONS_URL = "/api/v1/authorizations/"
USAGE_URL = "/api/v1/usage/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Throttle counters are keyed by key pk and window; SQLite hands out the same pks again.
    cache.clear()
    yield
    cache.clear()


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def make_key(actor, name: str = "测试密钥", **options) -> tuple[ApiKey, str]:
    return api_services.api_key_create(actor=actor, name=name, **options)


def grant(
    operator, entry, scenario, *, member, department_admin, reviewer, approver, **overrides
) -> Authorization:
    """An authorization made through the real services: apply → opinion → recommend → approve."""
    application = apply(operator, member, entry, scenario)
    services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )
    return services.application_approve(
        application=application, actor=approver, scope=scope(**overrides), agreement=AGREEMENT
    )


@contextmanager
def frozen_now(moment: datetime) -> Iterator[None]:
    """Make "now" a fixed moment for the code under test (no time-travel library here)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))  # noqa: DTZ001 - made aware in local time


def key_list_url() -> str:
    return reverse("api_keys:list")


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
def second_entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        title="全市幼儿园基本信息",
    )  # fmt: skip


@pytest.fixture
def scenario(operator, operator_member):
    return services.scenario_create(
        operator=operator, actor=operator_member,
        data={"title": "学区房智能推荐", "sector": "education", "description": "为家庭推荐学区",
              "expected_product": "学区查询服务", "use": "industry"},
    )  # fmt: skip


@pytest.fixture
def authorization(
    qualified, operator_member, entry, scenario, department_admin, reviewer, approver
):
    return grant(
        qualified, entry, scenario, member=operator_member, department_admin=department_admin,
        reviewer=reviewer, approver=approver,
        valid_from=timezone.now() - timedelta(days=400),
        row_filter=[{"field": "district", "op": "eq", "value": "南明区"}],
    )  # fmt: skip


@pytest.fixture
def second_authorization(
    qualified, operator_member, second_entry, scenario, department_admin, reviewer, approver
):
    return grant(
        qualified, second_entry, scenario, member=operator_member,
        department_admin=department_admin, reviewer=reviewer, approver=approver,
        valid_from=timezone.now() - timedelta(days=400), daily_row_quota=500,
        fee_basis="free", price=0,
    )  # fmt: skip


@pytest.fixture
def api_key(operator_admin, authorization) -> tuple[ApiKey, str]:
    return make_key(operator_admin)


@pytest.fixture
def other_operator(db):
    return OperatorFactory(name="黔智交通科技有限公司")


@pytest.fixture
def other_operator_admin(other_operator):
    return UserFactory(
        username="other_op_admin", operator=other_operator, organisation_role="admin"
    )
