"""Who the authorization services tell, and what (called inside each decision's transaction).

Operators hear every decision on their qualifications, applications and authorizations; the
providing department hears of an application waiting for its opinion; the bureau staff who may
take the next step hear what entered their queue.
"""

from collections.abc import Iterable

from django.urls import reverse

from apps.accounts.models import User
from apps.cdo.selectors import department_has_cdo_system
from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.services import notification_send
from apps.organisations.models import Department

from .choices import ApplicationStatus
from .models import Application, Authorization, Qualification


def opinion_givers(*, department: Department) -> Iterable[User]:
    """Who may give the department's opinion (services.may_give_department_opinion): its CDO in
    office, or, for a department that never had one, its administrators."""
    if department_has_cdo_system(department=department):
        return audiences.department_cdo(department=department)
    return audiences.department_admins(department=department)


def _qualification_params(qualification: Qualification) -> dict[str, object]:
    return {
        "number": qualification.number,
        "type": qualification.qualification_type.name,
        "valid_until": qualification.valid_until.isoformat(),
        "reason": qualification.review_reason,
        "operator": qualification.operator.name,
    }


def qualification_submitted(*, qualification: Qualification) -> None:
    notification_send(
        kind=Kind.QUALIFICATION_SUBMITTED,
        recipients=audiences.bureau_staff_with(permission="authorizations.review_qualification"),
        obj=qualification,
        url=reverse("admin:authorizations_qualification_change", args=[qualification.pk]),
        params=_qualification_params(qualification),
    )


def qualification_reviewed(*, qualification: Qualification, approved: bool) -> None:
    notification_send(
        kind=Kind.QUALIFICATION_APPROVED if approved else Kind.QUALIFICATION_REJECTED,
        recipients=audiences.operator_members(operator=qualification.operator_id),
        obj=qualification,
        url=reverse("operator_authorizations:qualifications"),
        params=_qualification_params(qualification),
    )


def _application_params(application: Application, reason: str = "") -> dict[str, object]:
    return {
        "number": application.pk,
        "operator": application.operator.name,
        "title": application.entry.title,
        "identifier": application.entry.identifier,
        "reason": reason,
    }


def application_moved(*, application: Application, reason: str = "") -> None:
    status = application.status
    params = _application_params(application, reason)
    admin_page = reverse("admin:authorizations_application_change", args=[application.pk])
    if status == ApplicationStatus.SUBMITTED:
        notification_send(
            kind=Kind.APPLICATION_AWAITING_OPINION,
            recipients=opinion_givers(department=application.entry.department),
            obj=application, params=params,
            url=reverse("department_authorizations:detail", args=[application.pk]),
        )  # fmt: skip
    elif status == ApplicationStatus.DEPARTMENT_AGREED:
        notification_send(
            kind=Kind.APPLICATION_TO_RECOMMEND,
            recipients=audiences.bureau_staff_with(
                permission="authorizations.recommend_application"
            ),
            obj=application, url=admin_page, params=params,
        )  # fmt: skip
    elif status in (ApplicationStatus.DEPARTMENT_DISAGREED, ApplicationStatus.RECOMMENDED):
        # Four eyes: whoever recommended does not decide, so is not told to.
        deciders = audiences.bureau_staff_with(permission="authorizations.decide_application")
        notification_send(
            kind=Kind.APPLICATION_TO_DECIDE,
            recipients=deciders.exclude(pk=application.recommended_by_id or 0),
            obj=application, url=admin_page, params=params,
        )  # fmt: skip
    elif status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        notification_send(
            kind=Kind.APPLICATION_APPROVED
            if status == ApplicationStatus.APPROVED
            else Kind.APPLICATION_REJECTED,
            recipients=audiences.operator_members(operator=application.operator_id),
            obj=application, params=params,
            url=reverse("operator_authorizations:application-detail", args=[application.pk]),
        )  # fmt: skip


_AUTHORIZATION_KINDS = {
    "suspended": Kind.AUTHORIZATION_SUSPENDED,
    "active": Kind.AUTHORIZATION_RESUMED,
    "revoked": Kind.AUTHORIZATION_REVOKED,
}


def authorization_moved(*, authorization: Authorization) -> None:
    kind = _AUTHORIZATION_KINDS.get(authorization.status)
    if kind is None:
        return  # expiry is announced ahead by the reminders
    notification_send(
        kind=kind,
        recipients=audiences.operator_members(operator=authorization.operator_id),
        obj=authorization,
        url=reverse("operator_authorizations:authorizations"),
        params={
            "number": authorization.pk,
            "title": authorization.entry.title,
            "identifier": authorization.entry.identifier,
            "reason": authorization.status_reason,
        },
    )
