"""The authorization work queues (apps/core/queues.py): qualifications and applications the
bureau reviews, recommends and decides, applications awaiting a department's opinion, and
qualifications and authorizations that expire within 30 days."""

from collections.abc import Callable
from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from apps.accounts.models import OrganisationRole, Role, User
from apps.cdo.selectors import cdo_standing
from apps.core.figures import KeyFigure, key_figure_register
from apps.core.queues import (
    QueueItem,
    QueueKind,
    WorkQueue,
    own,
    queue_from_rows,
    work_queue_register,
)

from .choices import ApplicationStatus, AuthorizationStatus, ReviewStatus
from .models import Application, Authorization, Qualification

EXPIRY_WARNING_DAYS = 30


def _bureau_may(permission: str) -> Callable[[User], bool]:
    def shown_to(user: User) -> bool:
        return user.role == Role.BUREAU and user.has_perm(permission)

    return shown_to


def _admin_change(model: str, pk: int) -> str:
    return reverse(f"admin:authorizations_{model}_change", args=[pk])


def _application_label(application: Application) -> str:
    return f"#{application.pk} {application.operator.name} · {application.entry.title}"


def _applications(*statuses: str) -> QuerySet[Application]:
    return (
        Application.objects.filter(status__in=statuses)
        .select_related("operator", "entry")
        .order_by("submitted_at", "pk")
    )


# Bureau ---------------------------------------------------------------------------------------


def _qualifications_to_review(user: User) -> WorkQueue:
    rows = (
        Qualification.objects.filter(status=ReviewStatus.PENDING)
        .select_related("operator", "qualification_type")
        .order_by("submitted_at", "pk")
    )
    return queue_from_rows(
        rows,
        key="qualifications_to_review",
        title=lambda n: (
            ngettext("%(count)d qualification to review", "%(count)d qualifications to review", n)
            % {"count": n}
        ),
        list_url=reverse("admin:authorizations_qualification_changelist")
        + "?status__exact=pending",
        item=lambda q: QueueItem(
            label=f"{q.operator.name} · {q.qualification_type.name}",
            url=_admin_change("qualification", q.pk),
            when=q.submitted_at,
        ),
    )


def _applications_to_recommend(user: User) -> WorkQueue:
    return queue_from_rows(
        _applications(ApplicationStatus.DEPARTMENT_AGREED),
        key="applications_to_recommend",
        title=lambda n: (
            ngettext(
                "%(count)d application to recommend on", "%(count)d applications to recommend on", n
            )
            % {"count": n}
        ),
        list_url=reverse("admin:authorizations_application_changelist")
        + "?status__exact=department_agreed",
        item=lambda a: QueueItem(
            label=_application_label(a),
            url=_admin_change("application", a.pk),
            when=a.submitted_at,
        ),
    )


def _applications_to_decide(user: User) -> WorkQueue:
    # What the approver recommended themselves is another approver's to decide (four eyes).
    rows = _applications(
        ApplicationStatus.RECOMMENDED, ApplicationStatus.DEPARTMENT_DISAGREED
    ).exclude(recommended_by_id=user.pk)
    return queue_from_rows(
        rows,
        key="applications_to_decide",
        title=lambda n: (
            ngettext("%(count)d application to decide", "%(count)d applications to decide", n)
            % {"count": n}
        ),
        list_url=reverse("admin:authorizations_application_changelist")
        + "?status__exact=recommended",
        item=lambda a: QueueItem(
            label=_application_label(a),
            url=_admin_change("application", a.pk),
            when=a.submitted_at,
        ),
    )


def _expiring_qualifications(operator_id: int | None) -> QuerySet[Qualification]:
    today = timezone.localdate()
    rows = Qualification.objects.expiring_within(EXPIRY_WARNING_DAYS, today)
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    return rows.select_related("operator", "qualification_type").order_by("valid_until", "pk")


def _expiring_authorizations(operator_id: int | None) -> QuerySet[Authorization]:
    now = timezone.now()
    rows = Authorization.objects.filter(
        status=AuthorizationStatus.ACTIVE,
        valid_until__gt=now,
        valid_until__lte=now + timedelta(days=EXPIRY_WARNING_DAYS),
    )
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    return rows.select_related("operator", "entry").order_by("valid_until", "pk")


def _qualifications_expiring_title(n: int) -> str:
    return ngettext(
        "%(count)d qualification expiring within 30 days",
        "%(count)d qualifications expiring within 30 days",
        n,
    ) % {"count": n}


def _authorizations_expiring_title(n: int) -> str:
    return ngettext(
        "%(count)d authorization expiring within 30 days",
        "%(count)d authorizations expiring within 30 days",
        n,
    ) % {"count": n}


def _bureau_expiring_qualifications(user: User) -> WorkQueue:
    return queue_from_rows(
        _expiring_qualifications(None),
        key="bureau_qualifications_expiring",
        title=_qualifications_expiring_title,
        list_url=reverse("admin:authorizations_qualification_changelist") + "?expiring=30",
        item=lambda q: QueueItem(
            label=f"{q.operator.name} · {q.qualification_type.name}",
            url=_admin_change("qualification", q.pk),
            when=q.valid_until,
        ),
        note=_("expires"),
    )


def _bureau_expiring_authorizations(user: User) -> WorkQueue:
    return queue_from_rows(
        _expiring_authorizations(None),
        key="bureau_authorizations_expiring",
        title=_authorizations_expiring_title,
        list_url=reverse("admin:authorizations_authorization_changelist")
        + "?status__exact=active&o=5",
        item=lambda a: QueueItem(
            label=f"{a.operator.name} · {a.entry.identifier} {a.entry.title}",
            url=_admin_change("authorization", a.pk),
            when=a.valid_until,
        ),
        note=_("expires"),
    )


# Department -----------------------------------------------------------------------------------


def _gives_department_opinion(user: User) -> bool:
    """The active CDO; where the department has never had one, its administrators (the rule of
    services.applications.may_give_department_opinion)."""
    if user.role != Role.DEPARTMENT:
        return False
    standing = cdo_standing(user)
    if standing.has_cdo_system:
        return standing.in_office
    return user.organisation_role == OrganisationRole.ADMIN


def _applications_awaiting_opinion(user: User) -> WorkQueue:
    rows = _applications(ApplicationStatus.SUBMITTED).filter(
        entry__department_id=own(user.department_id)
    )
    return queue_from_rows(
        rows,
        key="applications_awaiting_opinion",
        title=lambda n: (
            ngettext(
                "%(count)d application awaiting your opinion",
                "%(count)d applications awaiting your opinion",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("department_authorizations:list"),
        item=lambda a: QueueItem(
            label=_application_label(a),
            url=reverse("department_authorizations:detail", args=[a.pk]),
            when=a.submitted_at,
        ),
    )


# Operator -------------------------------------------------------------------------------------


def _operator_member(user: User) -> bool:
    return user.role == Role.OPERATOR


def _operator_expiring_qualifications(user: User) -> WorkQueue:
    return queue_from_rows(
        _expiring_qualifications(user.operator_id),
        key="operator_qualifications_expiring",
        title=_qualifications_expiring_title,
        list_url=reverse("operator_authorizations:qualifications"),
        item=lambda q: QueueItem(
            label=f"{q.qualification_type.name} · {q.number}",
            url=reverse("operator_authorizations:qualification-create"),
            when=q.valid_until,
        ),
        note=_("expires"),
    )


def _operator_expiring_authorizations(user: User) -> WorkQueue:
    return queue_from_rows(
        _expiring_authorizations(user.operator_id),
        key="operator_authorizations_expiring",
        title=_authorizations_expiring_title,
        list_url=reverse("operator_authorizations:authorizations"),
        item=lambda a: QueueItem(
            label=f"{a.entry.identifier} {a.entry.title}",
            url=reverse("operator_authorizations:application-create") + f"?renewal_of={a.pk}",
            when=a.valid_until,
        ),
        note=_("expires"),
    )


def _returned_applications(user: User) -> WorkQueue:
    """Applications the providing department disagreed with: without its consent the bureau can
    only refuse (发改数据规〔2025〕27号), so the operator reads the reason and withdraws or
    applies again with a changed request."""
    rows = (
        _applications(ApplicationStatus.DEPARTMENT_DISAGREED)
        .filter(operator_id=own(user.operator_id))
        .order_by("department_opinion_at", "pk")
    )
    return queue_from_rows(
        rows,
        key="operator_returned_applications",
        title=lambda n: (
            ngettext(
                "%(count)d application returned by the department",
                "%(count)d applications returned by the department",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("operator_authorizations:applications"),
        item=lambda a: QueueItem(
            label=_application_label(a),
            url=reverse("operator_authorizations:application-detail", args=[a.pk]),
            when=a.department_opinion_at,
        ),
        note=pgettext_lazy("work queue", "returned"),
    )


def work_queues_register() -> None:
    for kind in (
        QueueKind(
            "qualifications_to_review",
            _bureau_may("authorizations.review_qualification"),
            _qualifications_to_review,
            20,
        ),
        QueueKind(
            "applications_to_recommend",
            _bureau_may("authorizations.recommend_application"),
            _applications_to_recommend,
            30,
        ),
        QueueKind(
            "applications_to_decide",
            _bureau_may("authorizations.decide_application"),
            _applications_to_decide,
            30,
        ),
        QueueKind(
            "bureau_qualifications_expiring",
            _bureau_may("authorizations.review_qualification"),
            _bureau_expiring_qualifications,
            80,
        ),
        QueueKind(
            "bureau_authorizations_expiring",
            _bureau_may("authorizations.decide_application"),
            _bureau_expiring_authorizations,
            80,
        ),
        QueueKind(
            "applications_awaiting_opinion",
            _gives_department_opinion,
            _applications_awaiting_opinion,
            5,
        ),
        QueueKind(
            "operator_returned_applications",
            _operator_member,
            _returned_applications,
            15,
        ),
        QueueKind(
            "operator_qualifications_expiring",
            _operator_member,
            _operator_expiring_qualifications,
            60,
        ),
        QueueKind(
            "operator_authorizations_expiring",
            _operator_member,
            _operator_expiring_authorizations,
            60,
        ),
    ):
        work_queue_register(kind)


def _in_force() -> int:
    return Authorization.objects.in_force().count()


def key_figures_register() -> None:
    key_figure_register(
        KeyFigure("authorizations_in_force", _("authorizations in force"), _in_force, 30)
    )
