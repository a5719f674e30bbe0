"""Who appears on the organisation page: the active members of one's own organisation only."""

from apps.core.selectors import users_of_organisation
from tests.factories import UserFactory


def test_a_department_member_sees_the_departments_active_members(
    department_member, department_admin, other_department_member, operator_member
):
    UserFactory(
        department=department_member.department, organisation_role="member", is_active=False
    )
    members = users_of_organisation(user=department_member)
    assert list(members) == sorted([department_member, department_admin], key=str)


def test_an_operator_member_sees_the_operators_members_only(
    operator_member, operator_admin, department_member
):
    assert set(users_of_organisation(user=operator_member)) == {operator_member, operator_admin}


def test_a_user_of_no_organisation_sees_nobody(outsider, reviewer):
    assert not users_of_organisation(user=outsider).exists()
    assert not users_of_organisation(user=reviewer).exists()
