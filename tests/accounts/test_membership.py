import pytest
from django.db import IntegrityError

from apps.accounts.models import Role
from tests.factories import BureauFactory, UserFactory


def test_it_refuses_two_organisations(department, operator):
    with pytest.raises(IntegrityError):
        UserFactory(department=department, operator=operator, organisation_role="member")


def test_it_refuses_a_member_without_a_role(department):
    with pytest.raises(IntegrityError):
        UserFactory(department=department, organisation_role="")


def test_it_refuses_a_role_without_an_organisation(db):
    with pytest.raises(IntegrityError):
        UserFactory(organisation_role="admin")


def test_it_refuses_a_bureau_user_who_is_not_staff(db):
    with pytest.raises(IntegrityError):
        UserFactory(bureau=BureauFactory(), is_staff=False, organisation_role="member")


def test_role_follows_the_organisation(reviewer, department_member, operator_admin, outsider):
    assert reviewer.role == Role.BUREAU
    assert department_member.role == Role.DEPARTMENT
    assert operator_admin.role == Role.OPERATOR
    assert operator_admin.is_organisation_admin
    assert not department_member.is_organisation_admin
    assert outsider.role == Role.NONE
    assert outsider.organisation is None


def test_bureau_groups_are_created_with_their_permissions(reviewer, auditor):
    assert reviewer.has_perm("organisations.change_operator")
    assert reviewer.has_perm("organisations.view_department")
    assert auditor.has_perm("organisations.view_operator")
    assert not auditor.has_perm("organisations.change_operator")
