"""Personas shared by every test module: who is asking matters more than what is asked."""

import pytest

from apps.accounts.models import User
from apps.organisations.models import Department, Operator
from tests.factories import BureauFactory, DepartmentFactory, OperatorFactory, UserFactory

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def department(db) -> Department:
    return DepartmentFactory(code="EDU", name="市教育局")


@pytest.fixture
def other_department(db) -> Department:
    return DepartmentFactory(code="HEALTH", name="市卫生健康委员会")


@pytest.fixture
def operator(db) -> Operator:
    return OperatorFactory(name="城市数据运营有限公司")


def _bureau_user(username: str, group: str) -> User:
    return UserFactory(
        username=username,
        bureau=BureauFactory(),
        is_staff=True,
        organisation_role="member",
        groups=[group],
    )


@pytest.fixture
def reviewer(db) -> User:
    return _bureau_user("reviewer", "reviewer")


@pytest.fixture
def approver(db) -> User:
    return _bureau_user("approver", "approver")


@pytest.fixture
def auditor(db) -> User:
    return _bureau_user("auditor", "auditor")


@pytest.fixture
def department_member(department) -> User:
    return UserFactory(username="dept_member", department=department, organisation_role="member")


@pytest.fixture
def department_admin(department) -> User:
    return UserFactory(username="dept_admin", department=department, organisation_role="admin")


@pytest.fixture
def other_department_member(other_department) -> User:
    return UserFactory(
        username="other_member", department=other_department, organisation_role="member"
    )


@pytest.fixture
def operator_admin(operator) -> User:
    return UserFactory(username="op_admin", operator=operator, organisation_role="admin")


@pytest.fixture
def operator_member(operator) -> User:
    return UserFactory(username="op_member", operator=operator, organisation_role="member")


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(username="outsider")
