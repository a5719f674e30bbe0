"""Aggregation risk (实施规范 27号): combination rules of field tags, forbidden or justified by two
approvers, the decision page that shows them first, and the operators already in breach."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.authorizations import services
from apps.authorizations.aggregation_selectors import (
    combination_rule_breaches,
    combination_rules_triggered,
)
from apps.authorizations.models import (
    AggregationJustification,
    Application,
    Authorization,
    CombinationRule,
)
from apps.core.errors import DomainError, NotAllowed
from tests.authorizations.conftest import AGREEMENT, apply, scope
from tests.factories import BureauFactory, UserFactory, make_entry

IDENTITY_FIELDS = [
    {"name": "citizen_id", "label": "身份证号", "data_type": "string",
     "sensitivity": "personal", "tags": ["personal_identifier"]},
    {"name": "district", "label": "所属区县", "data_type": "string"},
]  # fmt: skip
LOCATION_FIELDS = [
    {"name": "address", "label": "详细地址", "data_type": "string", "tags": ["exact_location"]},
    {"name": "checked_at", "label": "登记时间", "data_type": "datetime", "tags": ["exact_time"]},
    {"name": "street", "label": "街道", "data_type": "string"},
]
HEALTH_FIELDS = [
    {"name": "diagnosis", "label": "诊断", "data_type": "string",
     "sensitivity": "sensitive_personal", "tags": ["health"]},
]  # fmt: skip


@pytest.fixture
def second_approver(approver):
    return UserFactory(
        username="approver2", bureau=BureauFactory(), is_staff=True,
        organisation_role="member", groups=["approver"],
    )  # fmt: skip


@pytest.fixture
def entries(department, department_member, reviewer):
    def make(title, fields):
        return make_entry(
            department=department, actor=department_member, status="published",
            reviewer=reviewer, fields=fields, title=title,
        )  # fmt: skip

    return {
        "identity": make("人口基础信息", IDENTITY_FIELDS),
        "location": make("住宿登记信息", LOCATION_FIELDS),
        "health": make("门诊诊断信息", HEALTH_FIELDS),
    }


@pytest.fixture
def recommend(qualified, operator_member, scenario, department_admin, reviewer):
    def recommend(entry, fields):
        application = apply(qualified, operator_member, entry, scenario, requested_fields=fields)
        services.application_department_opinion(
            application=application, actor=department_admin, agree=True
        )
        return services.application_recommend(
            application=application, actor=reviewer, recommendation="approve"
        )

    return recommend


@pytest.fixture
def grant(recommend, approver):
    def grant(entry, fields):
        return services.application_approve(
            application=recommend(entry, fields), actor=approver,
            scope=scope(allowed_fields=fields), agreement=AGREEMENT,
        )  # fmt: skip

    return grant


def _rule(actor, tags, effect, name="身份与位置不得汇聚"):
    rule = CombinationRule(name=name, description="防止个人轨迹重建", tags=tags, effect=effect)
    services.combination_rule_save(rule=rule, actor=actor)
    return rule


def _approve(application, actor, fields):
    return services.application_approve(
        application=application, actor=actor, scope=scope(allowed_fields=fields),
        agreement=AGREEMENT,
    )  # fmt: skip


# Rules ----------------------------------------------------------------------------------------


def test_an_approver_sets_a_rule_with_history(approver):
    rule = _rule(approver, ["exact_location", "personal_identifier"], "forbidden")
    assert rule.created_by == approver
    assert rule.tags == ["exact_location", "personal_identifier"]
    assert rule.history.get().history_user == approver


def test_a_rule_needs_two_tags(approver):
    with pytest.raises(ValidationError) as error:
        _rule(approver, ["health"], "forbidden")
    assert "tags" in error.value.error_dict
    assert not CombinationRule.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "auditor", "operator_member"])
def test_only_approvers_set_rules(request, persona):
    with pytest.raises(NotAllowed):
        _rule(request.getfixturevalue(persona), ["health", "financial"], "forbidden")


# Forbidden --------------------------------------------------------------------------------------


def test_it_refuses_an_approval_completing_a_forbidden_combination(
    entries, grant, recommend, approver
):
    grant(entries["identity"], ["citizen_id"])
    _rule(approver, ["personal_identifier", "exact_location"], "forbidden")
    application = recommend(entries["location"], ["address", "street"])

    with pytest.raises(DomainError) as error:
        _approve(application, approver, ["address", "street"])

    message = str(error.value.message)
    assert "身份与位置不得汇聚" in message
    assert entries["identity"].identifier in message
    assert entries["location"].identifier in message
    assert not Authorization.objects.filter(entry=entries["location"]).exists()
    application.refresh_from_db()
    assert application.status == "recommended"


def test_a_forbidden_combination_cannot_be_justified(entries, grant, recommend, approver):
    grant(entries["identity"], ["citizen_id"])
    _rule(approver, ["personal_identifier", "exact_location"], "forbidden")
    application = recommend(entries["location"], ["address"])
    with pytest.raises(DomainError):
        services.aggregation_justification_propose(
            application=application, actor=approver, text="确有必要"
        )
    assert not AggregationJustification.objects.exists()


def test_only_the_granted_fields_count(entries, grant, recommend, approver):
    grant(entries["identity"], ["district"])  # the identifier itself is not granted
    _rule(approver, ["personal_identifier", "exact_location"], "forbidden")
    authorization = _approve(recommend(entries["location"], ["address"]), approver, ["address"])
    assert authorization.allowed_fields == ["address"]


def test_an_approval_that_adds_no_tag_of_the_rule_is_not_refused(
    entries, grant, recommend, approver
):
    grant(entries["identity"], ["citizen_id"])
    _rule(approver, ["personal_identifier", "exact_location"], "forbidden")
    assert _approve(recommend(entries["location"], ["street"]), approver, ["street"])


def test_an_inactive_rule_triggers_nothing(entries, grant, qualified, approver):
    grant(entries["identity"], ["citizen_id"])
    rule = _rule(approver, ["personal_identifier", "exact_location"], "forbidden")
    rule.active = False
    services.combination_rule_save(rule=rule, actor=approver, reason="停用")
    assert not combination_rules_triggered(
        operator=qualified, entry=entries["location"], allowed_fields=["address"]
    )


# Needs justification ------------------------------------------------------------------------


def test_a_justified_combination_is_recorded_with_the_second_approver(
    entries, grant, recommend, approver, second_approver
):
    grant(entries["identity"], ["citizen_id"])
    rule = _rule(approver, ["personal_identifier", "health"], "needs_justification", "身份与健康")
    application = recommend(entries["health"], ["diagnosis"])

    with pytest.raises(DomainError) as error:
        _approve(application, approver, ["diagnosis"])
    assert "身份与健康" in str(error.value.message)

    justification = services.aggregation_justification_propose(
        application=application, actor=approver, text="慢病随访服务须关联到人"
    )
    with pytest.raises(DomainError):  # not yet confirmed
        _approve(application, approver, ["diagnosis"])
    services.aggregation_justification_confirm(application=application, actor=second_approver)
    authorization = _approve(application, approver, ["diagnosis"])

    justification.refresh_from_db()
    assert authorization.allowed_fields == ["diagnosis"]
    assert list(justification.rules.all()) == [rule]
    assert (justification.proposed_by, justification.confirmed_by) == (approver, second_approver)
    assert justification.confirmed_at is not None
    assert [h.history_user for h in justification.history.order_by("history_date")] == [
        approver, second_approver,
    ]  # fmt: skip
    steps = [
        event.details.get("step")
        for event in AuditEvent.objects.filter(object_id=str(application.pk)).order_by("sequence")
    ]
    assert {
        "aggregation_justification_proposed", "aggregation_justification_confirmed",
        "aggregation_justified",
    } <= set(steps)  # fmt: skip


def test_the_same_approver_cannot_also_confirm(entries, grant, recommend, approver):
    grant(entries["identity"], ["citizen_id"])
    _rule(approver, ["personal_identifier", "health"], "needs_justification")
    application = recommend(entries["health"], ["diagnosis"])
    services.aggregation_justification_propose(
        application=application, actor=approver, text="慢病随访服务须关联到人"
    )
    with pytest.raises(NotAllowed):
        services.aggregation_justification_confirm(application=application, actor=approver)
    assert AggregationJustification.objects.get().confirmed_by is None
    with pytest.raises(DomainError):
        _approve(application, approver, ["diagnosis"])


@pytest.mark.parametrize("persona", ["reviewer", "auditor", "operator_member", "department_admin"])
def test_who_may_not_approve_may_neither_justify_nor_confirm(
    request, entries, grant, recommend, approver, persona
):
    grant(entries["identity"], ["citizen_id"])
    _rule(approver, ["personal_identifier", "health"], "needs_justification")
    application = recommend(entries["health"], ["diagnosis"])
    someone = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed):
        services.aggregation_justification_propose(
            application=application, actor=someone, text="理由"
        )
    services.aggregation_justification_propose(application=application, actor=approver, text="理由")
    with pytest.raises(NotAllowed):
        services.aggregation_justification_confirm(application=application, actor=someone)


def test_a_justification_is_refused_when_no_rule_needs_one(entries, recommend, approver):
    application = recommend(entries["health"], ["diagnosis"])
    with pytest.raises(DomainError):
        services.aggregation_justification_propose(
            application=application, actor=approver, text="理由"
        )


# Existing breaches --------------------------------------------------------------------------


def test_a_rule_added_later_lists_the_operators_already_in_breach(
    client, django_assert_max_num_queries, entries, grant, qualified, approver, operator
):
    grant(entries["identity"], ["citizen_id"])
    grant(entries["location"], ["address"])
    forbidden = _rule(approver, ["personal_identifier", "exact_location"], "forbidden")
    other = _rule(approver, ["health", "financial"], "forbidden", "健康与金融")

    breaches = combination_rule_breaches()
    assert [breach.operator for breach in breaches[forbidden.pk]] == [qualified]
    assert {e.identifier for e in breaches[forbidden.pk][0].entries} == {
        entries["identity"].identifier, entries["location"].identifier,
    }  # fmt: skip
    assert breaches[other.pk] == []

    client.force_login(approver)
    _rule(approver, ["health", "exact_time"], "forbidden", "健康与时间")
    with django_assert_max_num_queries(12):  # the same for any number of rules
        changelist = client.get(reverse("admin:authorizations_combinationrule_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 3
    page = changelist.content.decode()
    assert '<td class="field-breach_count">1</td>' in page
    assert '<td class="field-breach_count">0</td>' in page
    change = client.get(reverse("admin:authorizations_combinationrule_change", args=[forbidden.pk]))
    assert operator.name in change.content.decode()


def test_adding_a_breached_rule_in_the_admin_warns_with_the_count(client, entries, grant, approver):
    grant(entries["identity"], ["citizen_id"])
    grant(entries["location"], ["address"])
    client.force_login(approver)
    response = client.post(
        reverse("admin:authorizations_combinationrule_add"),
        {"name": "身份与位置", "description": "", "tags": ["personal_identifier", "exact_location"],
         "effect": "forbidden", "active": "on"},
        follow=True,
    )  # fmt: skip
    assert CombinationRule.objects.get().created_by == approver
    assert any("1" in str(m) for m in response.context["messages"])


def test_a_confirmed_justification_is_not_a_breach(
    entries, grant, recommend, approver, second_approver
):
    grant(entries["identity"], ["citizen_id"])
    rule = _rule(approver, ["personal_identifier", "health"], "needs_justification")
    application = recommend(entries["health"], ["diagnosis"])
    services.aggregation_justification_propose(application=application, actor=approver, text="理由")
    services.aggregation_justification_confirm(application=application, actor=second_approver)
    _approve(application, approver, ["diagnosis"])
    assert combination_rule_breaches()[rule.pk] == []


def test_a_reviewer_reads_rules_but_cannot_add_one(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("admin:authorizations_combinationrule_changelist")).status_code == 200
    assert client.get(reverse("admin:authorizations_combinationrule_add")).status_code == 403


# The decision page ----------------------------------------------------------------------------


def _approve_url(application: Application) -> str:
    return reverse("admin:authorizations_application_approve", args=[application.pk])


def test_the_decision_page_shows_the_triggered_rule_before_the_form(
    client, entries, grant, recommend, approver
):
    grant(entries["identity"], ["citizen_id"])
    _rule(approver, ["personal_identifier", "exact_location"], "forbidden")
    application = recommend(entries["location"], ["address"])
    client.force_login(approver)
    page = client.get(_approve_url(application)).content.decode()
    form_at = page.rindex("<form", 0, page.index('name="allowed_fields"'))  # the decision form
    assert 0 <= page.index("身份与位置不得汇聚") < form_at
    assert 0 <= page.index(entries["identity"].identifier) < form_at  # held authorization
    assert 'class="aggregation-rule errornote"' in page


def test_two_approvers_justify_and_confirm_from_the_decision_pages(
    client, entries, grant, recommend, approver, second_approver
):
    grant(entries["identity"], ["citizen_id"])
    _rule(approver, ["personal_identifier", "health"], "needs_justification", "身份与健康")
    application = recommend(entries["health"], ["diagnosis"])
    justify = reverse(
        "admin:authorizations_application_decide", args=[application.pk, "justify_aggregation"]
    )
    confirm = reverse(
        "admin:authorizations_application_decide", args=[application.pk, "confirm_justification"]
    )
    client.force_login(approver)
    assert justify in client.get(_approve_url(application)).content.decode()
    client.post(justify, {"reason": "慢病随访服务须关联到人"})
    page = client.get(_approve_url(application)).content.decode()
    assert "慢病随访服务须关联到人" in page
    assert confirm not in page  # the writer is not offered the confirmation
    client.post(confirm, {"reason": ""})
    assert AggregationJustification.objects.get().confirmed_by is None

    client.force_login(second_approver)
    assert confirm in client.get(_approve_url(application)).content.decode()
    client.post(confirm, {"reason": ""})
    assert AggregationJustification.objects.get().confirmed_by == second_approver
