"""Appointing and ending Chief Data Officers."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from apps.accounts.models import User
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute, system_reason
from apps.organisations.models import Department

from .models import CdoAssignment


def _require_appointer(actor: User) -> None:
    if not actor.is_staff or not actor.has_perm("cdo.appoint_cdo"):
        raise NotAllowed(_("Only bureau staff may appoint or end chief data officers."))


@transaction.atomic
def cdo_appoint(
    *,
    department: Department,
    user: User,
    actor: User,
    title: str,
    document_number: str,
    term_start: datetime | None = None,
    term_end: datetime | None = None,
    document: UploadedFile | None = None,
    phone: str = "",
    email: str = "",
) -> CdoAssignment:
    """Appoint a CDO; the current term ends when the new one starts, in the same transaction."""
    _require_appointer(actor)
    if user.department_id != department.pk or not user.is_active:
        raise ValidationError(
            {"user": _("The CDO must be an active member of the organisation.")}, code="member"
        )
    start = term_start or timezone.now()
    # Lock the department row: two appointments at once are serialised here.
    Department.objects.select_for_update().get(pk=department.pk)
    assignments = CdoAssignment.objects.select_for_update().filter(department=department)
    if assignments.filter(term_start__gte=start).exists():
        raise ValidationError(
            {
                "term_start": _(
                    "A later appointment already exists; the new term must start after it."
                )
            }
        )
    for current in assignments.filter(Q(term_end__isnull=True) | Q(term_end__gt=start)):
        current.term_end = start
        current.end_reason = _("succeeded by %(name)s") % {
            "name": user.get_full_name() or user.username
        }
        succeeded = system_reason(
            gettext_noop("succeeded by %(name)s"), name=user.get_full_name() or user.username
        )
        history_attribute(current, user=actor, reason=succeeded)
        current.save(update_fields=["term_end", "end_reason"])
    assignment = CdoAssignment(
        department=department, user=user, title=title, phone=phone, email=email,
        document_number=document_number, term_start=start, term_end=term_end,
        appointed_by=actor,
    )  # fmt: skip
    if document is not None:
        assignment.document = document
    assignment.full_clean(exclude=["document"] if document is None else None)
    history_attribute(assignment, user=actor, reason=gettext_lazy("appointed"))
    assignment.save()
    return assignment


@transaction.atomic
def cdo_end(
    *, assignment: CdoAssignment, actor: User, reason: str, at: datetime | None = None
) -> CdoAssignment:
    _require_appointer(actor)
    assignment = CdoAssignment.objects.select_for_update().get(pk=assignment.pk)
    at = at or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for ending the term.")}, code="reason")
    if assignment.term_end is not None and assignment.term_end <= at:
        raise IllegalTransition(_("This term has already ended."))
    if at <= assignment.term_start:
        raise ValidationError({"at": _("A term cannot end before it starts.")})
    assignment.term_end = at
    assignment.end_reason = reason
    history_attribute(assignment, user=actor, reason=reason)
    assignment.save(update_fields=["term_end", "end_reason"])
    return assignment
