"""What registration tells (called inside each write's transaction): the registrant each move of
its application, the bureau what waits for its decision, and whoever objected the outcome — by
notification when they have an account, by email to the address they gave when they do not."""

from django.urls import reverse

from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.services import (
    event_key_for,
    notification_send,
    notification_send_to_address,
)

from . import registrants
from .choices import ApplicationStatus
from .models import Objection, Registration, RegistrationApplication

DECIDES = "registration.decide_registrationapplication"

# The registrant (the department, or the operator for a product) hears each move of its application.
TO_DEPARTMENT = {
    ApplicationStatus.INCOMPLETE: Kind.REGISTRATION_INCOMPLETE,
    ApplicationStatus.IN_REVIEW: Kind.REGISTRATION_ACCEPTED,
    ApplicationStatus.IN_NOTICE: Kind.REGISTRATION_IN_NOTICE,
    ApplicationStatus.OBJECTED: Kind.REGISTRATION_OBJECTED,
    ApplicationStatus.REFUSED: Kind.REGISTRATION_REFUSED,
}


def _params(application: RegistrationApplication, reason: str = "") -> dict[str, object]:
    return {
        "number": application.pk,
        "title": application.subject_name,
        "identifier": application.subject_code,
        "department": str(application.registrant),
        "reason": reason,
        "until": application.notice_ends or "",
    }


def application_moved(*, application: RegistrationApplication, reason: str = "") -> None:
    status = application.status
    if status == ApplicationStatus.SUBMITTED:
        notification_send(
            kind=Kind.REGISTRATION_SUBMITTED,
            recipients=audiences.bureau_staff_with(permission=DECIDES),
            obj=application, params=_params(application),
            url=reverse("admin:registration_registrationapplication_change", args=[application.pk]),
        )  # fmt: skip
        return
    kind = TO_DEPARTMENT.get(ApplicationStatus(status))
    if kind is None:
        return
    notification_send(
        kind=kind,
        recipients=registrants.registrant_members(subject=application),
        obj=application, params=_params(application, reason),
        url=registrants.registrant_page(application=application),
    )  # fmt: skip


def registered(*, registration: Registration) -> None:
    application = registration.application
    notification_send(
        kind=Kind.REGISTRATION_REGISTERED,
        recipients=registrants.registrant_members(subject=registration),
        obj=application,
        params={
            **_params(application),
            "code": registration.code,
            "valid_until": registration.valid_until,
        },
        url=reverse("registration:certificate", args=[registration.code]),
    )


def objection_filed(*, objection: Objection) -> None:
    application = objection.application
    notification_send(
        kind=Kind.OBJECTION_FILED,
        recipients=audiences.bureau_staff_with(permission=DECIDES),
        obj=objection, params=_params(application),
        url=reverse("admin:registration_registrationapplication_change", args=[application.pk]),
    )  # fmt: skip


def objection_decided(*, objection: Objection) -> None:
    """The objector hears the outcome and the reason: in the portal when they objected signed
    in, otherwise by email to the address they gave (nothing when they gave none)."""
    application = objection.application
    params = {
        **_params(application, objection.decision_reason),
        "outcome": objection.status,  # a code, worded in the reader's language
    }
    url = reverse("registration:list")
    event_key = event_key_for(Kind.OBJECTION_DECIDED, objection, objection.status)
    if objection.user is not None and objection.user.is_active:
        notification_send(
            kind=Kind.OBJECTION_DECIDED, recipients=[objection.user], obj=objection,
            params=params, url=url, event_key=event_key,
        )  # fmt: skip
        if not objection.email or objection.email == objection.user.email:
            return
    notification_send_to_address(
        kind=Kind.OBJECTION_DECIDED, address=objection.email, params=params, url=url,
        event_key=event_key, language=objection.language,
    )  # fmt: skip
