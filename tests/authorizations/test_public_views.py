"""The public transparency pages: authorizations in force, their CSV, and the scenarios."""

import csv
import io
import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.authorizations import services
from apps.authorizations.selectors import (
    departments_disclosed,
    operators_disclosed,
    scenarios_disclosed,
)
from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope
from tests.factories import OperatorFactory, UserFactory, make_entry

DISCLOSURE = reverse("authorizations:disclosure")
DISCLOSURE_CSV = reverse("authorizations:disclosure-csv")
SCENARIOS = reverse("authorizations:scenarios")
_serial = itertools.count(1)


def grant(people, *, operator=None, member=None, entry=None, opinion_by=None, use="industry",
          **scope_overrides):  # fmt: skip
    """An authorization made through the real services, for a new scenario of the operator."""
    operator, member = operator or people.operator, member or people.member
    scenario = services.scenario_create(
        operator=operator, actor=member,
        data={"title": f"场景{next(_serial)}", "sector": "education", "description": "说明",
              "expected_product": "查询服务", "use": use},
    )  # fmt: skip
    application = apply(operator, member, entry or people.entry, scenario)
    services.application_department_opinion(
        application=application, actor=opinion_by or people.department_admin, agree=True
    )
    services.application_recommend(
        application=application, actor=people.reviewer, recommendation="approve"
    )
    if use == "public_interest":
        scope_overrides = {"fee_basis": "free", "price": 0, **scope_overrides}
    return services.application_approve(
        application=application, actor=people.approver, scope=scope(**scope_overrides),
        agreement=AGREEMENT,
    )  # fmt: skip


class People:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


@pytest.fixture
def people(qualified, operator_member, entry, department_admin, reviewer, approver):
    return People(
        operator=qualified, member=operator_member, entry=entry,
        department_admin=department_admin, reviewer=reviewer, approver=approver,
    )  # fmt: skip


@pytest.fixture
def other(people, other_department, reviewer):
    """A second qualified operator and an entry of another department, in another sector."""
    operator = OperatorFactory(name="黔数科技有限公司")
    member = UserFactory(operator=operator, organisation_role="member")
    qualify(operator, member, reviewer)
    department_member = UserFactory(department=other_department, organisation_role="member")
    entry = make_entry(
        department=other_department, actor=department_member, status="published",
        reviewer=reviewer, title="医疗机构名录", sector="health",
    )  # fmt: skip
    admin = UserFactory(department=other_department, organisation_role="admin")
    return People(operator=operator, member=member, entry=entry, department_admin=admin)


def _listed(response):
    return list(response.context["page_obj"].object_list)


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


# Disclosure -----------------------------------------------------------------------------------


def test_it_lists_only_authorizations_in_force(client, people):
    now = timezone.now()
    in_force = grant(people)
    services.authorization_suspend(
        authorization=grant(people), actor=people.approver, reason="安全检查"
    )
    services.authorization_revoke(
        authorization=grant(people), actor=people.approver, reason="违规使用"
    )
    recorded_expired = grant(
        people, valid_from=now - timedelta(days=3), valid_until=now - timedelta(days=1)
    )
    grant(people, valid_from=now - timedelta(days=3), valid_until=now - timedelta(minutes=1))
    grant(people, valid_from=now + timedelta(days=7))  # not yet in force
    services.authorizations_expire(now=recorded_expired.valid_until)

    response = client.get(DISCLOSURE)

    assert response.status_code == 200
    assert _listed(response) == [in_force]
    assert response.context["page_obj"].paginator.count == 1
    assert f'href="/catalog/{in_force.entry.identifier}/"' in response.content.decode()


def test_anyone_may_read_it(client, people, outsider):
    grant(people)
    assert client.get(DISCLOSURE).status_code == 200
    client.force_login(outsider)
    assert client.get(DISCLOSURE).status_code == 200


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"ours", "theirs", "free"}),
        ({"department": "HEALTH"}, {"theirs"}),
        ({"department": "EDU"}, {"ours", "free"}),
        ({"fee_basis": "free"}, {"free"}),
        ({"fee_basis": "per_row"}, {"ours", "theirs"}),
        ({"sector": "health"}, {"theirs"}),
        ({"sector": "education", "fee_basis": "per_row"}, {"ours"}),
    ],
)
def test_it_filters(client, people, other, params, expected):
    made = {
        "ours": grant(people),
        "theirs": grant(people, entry=other.entry, opinion_by=other.department_admin),
        "free": grant(people, operator=other.operator, member=other.member, use="public_interest"),
    }
    response = client.get(DISCLOSURE, params)
    assert response.status_code == 200
    assert set(_listed(response)) == {made[name] for name in expected}


def test_it_filters_by_operator_credit_code(client, people, other):
    grant(people)
    theirs = grant(people, operator=other.operator, member=other.member)
    response = client.get(DISCLOSURE, {"operator": other.operator.credit_code})
    assert _listed(response) == [theirs]


def test_an_unknown_filter_value_is_a_bad_request_that_still_lists(client, people):
    made = grant(people)
    response = client.get(DISCLOSURE, {"department": "NOPE", "fee_basis": "barter"})
    assert response.status_code == 400
    assert set(response.context["filterset"].errors) == {"department", "fee_basis"}
    assert _listed(response) == [made]


def test_the_page_runs_a_constant_number_of_queries(
    client, people, other, django_assert_max_num_queries
):
    for _ in range(12):
        grant(people)
    for _ in range(10):
        grant(people, operator=other.operator, member=other.member, entry=other.entry,
              opinion_by=other.department_admin)  # fmt: skip
    with django_assert_max_num_queries(6):
        response = client.get(DISCLOSURE)
    assert response.context["page_obj"].paginator.count == 22
    with django_assert_max_num_queries(6):
        filtered = client.get(
            DISCLOSURE, {"department": "HEALTH", "operator": other.operator.credit_code}
        )
    assert filtered.context["page_obj"].paginator.count == 10


# CSV -------------------------------------------------------------------------------------------


def test_the_csv_has_a_bom_a_header_and_one_row_per_authorization(client, people, other):
    ours = grant(people)
    grant(people, operator=other.operator, member=other.member)
    services.authorization_suspend(authorization=grant(people), actor=people.approver, reason="查")

    response = client.get(DISCLOSURE_CSV)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="disclosure.csv"'
    header, *rows = _csv(response)
    assert len(header) == 11
    assert len(rows) == 2
    assert all(len(row) == len(header) for row in rows)
    row = next(r for r in rows if r[0] == people.operator.name)
    assert row[1:4] == [people.operator.credit_code, ours.entry.identifier, ours.entry.title]
    assert row[4] == ours.entry.department.name
    assert row[8] == timezone.localtime(ours.valid_from).strftime("%Y-%m-%d %H:%M")


def test_the_csv_follows_the_filters(client, people, other):
    grant(people)
    theirs = grant(people, operator=other.operator, member=other.member)
    response = client.get(DISCLOSURE_CSV, {"operator": other.operator.credit_code})
    _header, *rows = _csv(response)
    assert [row[1] for row in rows] == [theirs.operator.credit_code]
    assert client.get(DISCLOSURE_CSV, {"fee_basis": "barter"}).status_code == 400


def test_the_csv_does_not_let_a_spreadsheet_run_formulas(client, people):
    people.operator.name = "=HYPERLINK(1)"
    people.operator.save()
    grant(people)
    _header, row = _csv(client.get(DISCLOSURE_CSV))
    assert row[0] == "'=HYPERLINK(1)"


def test_the_page_links_to_the_csv_with_the_same_filters(client, people):
    grant(people)
    response = client.get(DISCLOSURE, {"fee_basis": "per_row", "page": "1"})
    assert response.context["csv_query"] == "fee_basis=per_row"


# Scenarios -------------------------------------------------------------------------------------


def test_scenarios_page_lists_only_scenarios_with_an_authorization_in_force(
    client, people, other, scenario
):
    in_force = grant(people)
    also = grant(people, entry=other.entry, opinion_by=other.department_admin)
    services.authorization_suspend(
        authorization=grant(people), actor=people.approver, reason="安全检查"
    )
    # `scenario` (the fixture) has no authorization at all.

    response = client.get(SCENARIOS)

    assert response.status_code == 200
    listed = _listed(response)
    assert listed == [also.scenario, in_force.scenario]
    assert scenario not in listed
    assert [e.identifier for e in listed[1].authorized_entries] == [in_force.entry.identifier]
    assert f'href="/catalog/{other.entry.identifier}/"' in response.content.decode()


def test_scenarios_page_is_paginated_with_constant_queries(
    client, people, django_assert_max_num_queries
):
    for _ in range(21):
        grant(people)
    with django_assert_max_num_queries(6):
        response = client.get(SCENARIOS)
    assert response.status_code == 200
    assert len(_listed(response)) == 20
    assert len(_listed(client.get(SCENARIOS, {"page": 2}))) == 1


def test_scenarios_page_when_nothing_is_authorized(client, db):
    response = client.get(SCENARIOS)
    assert response.status_code == 200
    assert _listed(response) == []


# Selectors ------------------------------------------------------------------------------------


def test_only_what_an_authorization_in_force_serves_is_disclosed(people, other):
    in_force = grant(people)
    suspended = grant(
        people, operator=other.operator, member=other.member, entry=other.entry,
        opinion_by=other.department_admin,
    )  # fmt: skip
    services.authorization_suspend(authorization=suspended, actor=people.approver, reason="检查")

    assert list(departments_disclosed()) == [in_force.entry.department]
    assert list(operators_disclosed()) == [people.operator]
    scenarios = list(scenarios_disclosed())
    assert scenarios == [in_force.scenario]
    assert scenarios[0].authorizations_in_force == [in_force]
