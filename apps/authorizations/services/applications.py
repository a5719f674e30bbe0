"""Scenarios and applications: submitted by operators, opined on by the providing department,
recommended by a reviewer and decided by a different approver (four eyes)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import OrganisationRole, User
from apps.catalog.choices import Grade, Openness
from apps.catalog.models import CatalogEntry
from apps.cdo.selectors import department_has_cdo_system, is_active_cdo
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Department, Operator

from .. import notify
from ..choices import (
    APPLICATION_TRANSITIONS,
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    FeeBasis,
    FilterOperator,
    Recommendation,
    Use,
    max_period_days,
    max_period_text,
)
from ..gates import approval_refusals
from ..models import Agreement, Application, Authorization, Scenario
from ..selectors import operator_is_qualified
from .aggregation import aggregation_approval_record, aggregation_check, operator_lock
from .authorizations import authorization_sync_permission


@transaction.atomic
def scenario_create(*, operator: Operator, actor: User, data: dict[str, Any]) -> Scenario:
    if actor.operator_id != operator.pk:
        raise NotAllowed(_("Only the operator's own members may describe its scenarios."))
    scenario = Scenario(operator=operator, created_by=actor, **data)
    scenario.full_clean()
    history_attribute(scenario, user=actor)
    scenario.save()
    return scenario


def authorization_period_check[When: (date, datetime)](
    *, start: When, end: When, field: str
) -> None:
    """A requested or granted period ends after it starts and is not longer than the agreement's
    maximum (choices.MAX_PERIOD_YEARS, 实施规范 27号)."""
    if end <= start:
        raise ValidationError({field: _("The period must end after it starts.")}, code="order")
    if end - start > timedelta(days=max_period_days()):
        raise ValidationError({field: max_period_text()}, code="too_long")


def check_entry_authorizable(entry: CatalogEntry) -> None:
    if entry.status != "published":
        raise ValidationError({"entry": _("Only published catalog entries can be applied for.")})
    if entry.grade == Grade.CORE or entry.openness == Openness.NOT_OPEN:
        raise ValidationError({"entry": _("Core-grade and not-open data is never authorized.")})
    if entry.openness == Openness.OPEN:
        raise ValidationError({"entry": _("Open data needs no authorization: use it directly.")})


def _check_fields(entry: CatalogEntry, names: list[str], *, field: str) -> None:
    if not names:
        raise ValidationError({field: _("Choose at least one field.")}, code="empty")
    unknown = sorted(set(names) - set(entry.fields.values_list("name", flat=True)))
    if unknown:
        raise ValidationError(
            {field: _("Not fields of this entry: %(names)s") % {"names": ", ".join(unknown)}}
        )


def _check_not_covered(operator: Operator, entry: CatalogEntry, scenario: Scenario) -> None:
    if (
        Authorization.objects.in_force()
        .filter(operator=operator, entry=entry, scenario=scenario)
        .exists()
    ):
        raise ValidationError(
            _("An active authorization already covers this entry for this scenario."),
            code="covered",
        )


@transaction.atomic
def application_submit(
    *,
    operator: Operator,
    actor: User,
    entry: CatalogEntry,
    scenario: Scenario,
    requested_fields: list[str],
    purpose: str,
    requested_from: date,
    requested_until: date,
    expected_daily_calls: int,
    renewal_of: Authorization | None = None,
) -> Application:
    if actor.operator_id != operator.pk or scenario.operator_id != operator.pk:
        raise NotAllowed(_("Only the operator's own members may apply, for its own scenarios."))
    if not operator_is_qualified(operator=operator):
        raise ValidationError(
            _(
                "The operator is not qualified: every required qualification must be approved "
                "and unexpired before applying."
            ),
            code="not_qualified",
        )
    check_entry_authorizable(entry)
    _check_fields(entry, requested_fields, field="requested_fields")
    if requested_from < timezone.localdate():
        raise ValidationError({"requested_from": _("The period cannot start in the past.")})
    authorization_period_check(start=requested_from, end=requested_until, field="requested_until")
    if Application.objects.filter(
        operator=operator, entry=entry, scenario=scenario, status__in=OPEN_APPLICATION_STATUSES
    ).exists():
        raise ValidationError(
            _("An application for this entry and scenario is already under way."), code="pending"
        )
    if renewal_of is None:
        _check_not_covered(operator, entry, scenario)
    elif (renewal_of.operator_id, renewal_of.entry_id) != (operator.pk, entry.pk):
        raise ValidationError({"renewal_of": _("A renewal is for the same operator and entry.")})
    application = Application(
        operator=operator, entry=entry, scenario=scenario, requested_fields=requested_fields,
        purpose=purpose, requested_from=requested_from, requested_until=requested_until,
        expected_daily_calls=expected_daily_calls, renewal_of=renewal_of, applicant=actor,
    )  # fmt: skip
    history_attribute(application, user=actor)
    application.save()
    notify.application_moved(application=application)
    return application


def _move(application: Application, actor: User, to_status: str, reason: str) -> Application:
    if to_status not in APPLICATION_TRANSITIONS[application.status]:
        raise IllegalTransition(
            _("A %(current)s application cannot become %(target)s.")
            % {
                "current": application.get_status_display(),
                "target": ApplicationStatus(to_status).label,
            }
        )
    application.status = to_status
    history_attribute(application, user=actor, reason=reason or ApplicationStatus(to_status).label)
    application.save()
    notify.application_moved(application=application, reason=reason)
    return application


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("entry", "operator")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, reason: str = "") -> Application:
    application = _locked(application)
    if actor.operator_id != application.operator_id:
        raise NotAllowed(_("Only the applying operator may withdraw its application."))
    return _move(application, actor, ApplicationStatus.WITHDRAWN, reason)


def may_give_department_opinion(actor: User, department: Department) -> bool:
    """The providing department's opinion is given by its active Chief Data Officer. A
    department that has never had a CDO assignment is represented by its administrators."""
    if department_has_cdo_system(department=department):
        return is_active_cdo(user=actor, department=department)
    return (
        actor.department_id == department.pk and actor.organisation_role == OrganisationRole.ADMIN
    )


@transaction.atomic
def application_department_opinion(
    *, application: Application, actor: User, agree: bool, comment: str = ""
) -> Application:
    application = _locked(application)
    if not may_give_department_opinion(actor, application.entry.department):
        raise NotAllowed(
            _(
                "Only the providing department's chief data officer (or, where it has none, its "
                "administrator) may give its opinion."
            )
        )
    comment = comment.strip()
    if not agree and not comment:
        raise ValidationError({"comment": _("Say why the department disagrees.")}, code="reason")
    application.department_opinion_by = actor
    application.department_comment = comment
    application.department_opinion_at = timezone.now()
    target = (
        ApplicationStatus.DEPARTMENT_AGREED if agree else ApplicationStatus.DEPARTMENT_DISAGREED
    )
    return _move(application, actor, target, comment)


def _require(actor: User, permission: str, message: str) -> None:
    if actor.bureau_id is None or not actor.has_perm(permission):
        raise NotAllowed(message)


@transaction.atomic
def application_recommend(
    *, application: Application, actor: User, recommendation: str, comment: str = ""
) -> Application:
    _require(
        actor, "authorizations.recommend_application", _("Only bureau reviewers may recommend.")
    )
    application = _locked(application)
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": _("Recommend approval or rejection.")})
    if recommendation == Recommendation.REJECT and not comment.strip():
        raise ValidationError({"comment": _("Say why you recommend rejection.")}, code="reason")
    application.recommendation = recommendation
    application.recommended_by = actor
    application.recommendation_comment = comment.strip()
    application.recommended_at = timezone.now()
    return _move(application, actor, ApplicationStatus.RECOMMENDED, comment.strip())


def _check_four_eyes(application: Application, actor: User) -> None:
    if application.recommended_by_id == actor.pk:
        raise NotAllowed(
            _("You recommended this application; another approver must decide it (four eyes).")
        )


def _check_row_filter(entry: CatalogEntry, conditions: list[dict[str, Any]]) -> None:
    names = set(entry.fields.values_list("name", flat=True))
    for condition in conditions:
        if condition.get("field") not in names:
            raise ValidationError(
                {
                    "row_filter": _("Unknown field in row filter: %(field)s")
                    % {"field": condition.get("field")}
                }
            )
        if condition.get("op") not in FilterOperator.values:
            raise ValidationError({"row_filter": _("Unknown operator in row filter.")})
        value = condition.get("value")
        if value in (None, "", []) or (condition["op"] == "in" and not isinstance(value, list)):
            raise ValidationError({"row_filter": _("Each row filter condition needs a value.")})


def _check_pricing(scenario: Scenario, fee_basis: str, price: Decimal) -> None:
    """Public-interest use is free; industry use pays a fee (发改价格〔2025〕65号)."""
    if scenario.use == Use.PUBLIC_INTEREST and fee_basis != FeeBasis.FREE:
        raise ValidationError({"fee_basis": _("Public-interest use is free of charge.")})
    if fee_basis == FeeBasis.FREE and price != 0:
        raise ValidationError({"price": _("A free authorization has no price.")})
    if fee_basis != FeeBasis.FREE and price <= 0:
        raise ValidationError({"price": _("A paid authorization needs a price above zero.")})


@transaction.atomic
def application_approve(
    *,
    application: Application,
    actor: User,
    scope: dict[str, Any],
    agreement: dict[str, Any],
    reason: str = "",
) -> Authorization:
    """Approve and create the authorization with its final scope, grant the permission."""
    _require(actor, "authorizations.decide_application", _("Only bureau approvers may decide."))
    application = _locked(application)
    _check_four_eyes(application, actor)
    if application.status != ApplicationStatus.RECOMMENDED:
        _move(application, actor, ApplicationStatus.APPROVED, reason)  # raises the clear error
    entry, scenario = application.entry, application.scenario
    check_entry_authorizable(entry)
    refusals = approval_refusals(entry=entry)
    if refusals:
        raise ValidationError(refusals, code="gate")
    _check_fields(entry, scope["allowed_fields"], field="allowed_fields")
    _check_row_filter(entry, scope.get("row_filter", []))
    authorization_period_check(
        start=scope["valid_from"], end=scope["valid_until"], field="valid_until"
    )
    fee_basis, price = scope["fee_basis"], Decimal(scope.get("price") or 0)
    _check_pricing(scenario, fee_basis, price)
    if application.renewal_of_id is None:
        _check_not_covered(application.operator, entry, scenario)
    if not operator_is_qualified(operator=application.operator):
        raise ValidationError(_("The operator is no longer qualified."), code="not_qualified")
    operator_lock(application.operator)
    justified = aggregation_check(
        application=application, entry=entry, allowed_fields=scope["allowed_fields"]
    )
    application.decided_by = actor
    application.decision_reason = reason.strip()
    application.decided_at = timezone.now()
    _move(application, actor, ApplicationStatus.APPROVED, reason.strip())
    share = scope.get("revenue_share_ratio")
    authorization = Authorization(
        application=application, operator=application.operator, entry=entry, scenario=scenario,
        allowed_fields=scope["allowed_fields"], row_filter=scope.get("row_filter", []),
        valid_from=scope["valid_from"], valid_until=scope["valid_until"],
        daily_row_quota=scope["daily_row_quota"], fee_basis=fee_basis, price=price,
        revenue_share_ratio=share if share is not None
        else settings.AUTHORIZATION_DEFAULT_REVENUE_SHARE,
    )  # fmt: skip
    authorization.full_clean(exclude=["application"])
    history_attribute(authorization, user=actor, reason=gettext_lazy("approved"))
    authorization.save()
    terms = Agreement(authorization=authorization, **agreement)
    terms.full_clean(exclude=["authorization"])
    history_attribute(terms, user=actor)
    terms.save()
    authorization_sync_permission(operator=application.operator, entry=entry)
    aggregation_approval_record(application=application, actor=actor, justified=justified)
    return authorization


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    _require(actor, "authorizations.decide_application", _("Only bureau approvers may decide."))
    application = _locked(application)
    _check_four_eyes(application, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the rejection.")}, code="reason")
    application.decided_by = actor
    application.decision_reason = reason
    application.decided_at = timezone.now()
    return _move(application, actor, ApplicationStatus.REJECTED, reason)
