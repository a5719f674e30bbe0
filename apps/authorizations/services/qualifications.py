"""Operator qualifications: evidence uploaded by the operator, reviewed by the bureau."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from .. import notify
from ..choices import ReviewStatus
from ..models import Qualification, QualificationType
from .authorizations import operator_sync_permissions


@transaction.atomic
def qualification_submit(
    *,
    operator: Operator,
    actor: User,
    qualification_type: QualificationType,
    number: str,
    document: File,
    valid_from: date,
    valid_until: date,
) -> Qualification:
    if actor.operator_id != operator.pk:
        raise NotAllowed(_("Only the operator's own members may submit its qualifications."))
    qualification = Qualification(
        operator=operator, qualification_type=qualification_type, number=number,
        document=document, valid_from=valid_from, valid_until=valid_until, submitted_by=actor,
    )  # fmt: skip
    qualification.full_clean()
    if valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This qualification has already expired.")})
    history_attribute(qualification, user=actor)
    qualification.save()
    notify.qualification_submitted(qualification=qualification)
    return qualification


@transaction.atomic
def qualification_review(
    *, qualification: Qualification, actor: User, approve: bool, reason: str = ""
) -> Qualification:
    if actor.bureau_id is None or not actor.has_perm("authorizations.review_qualification"):
        raise NotAllowed(_("Only bureau reviewers may review qualifications."))
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if qualification.status != ReviewStatus.PENDING:
        raise IllegalTransition(_("This qualification has already been reviewed."))
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give a reason for the rejection.")}, code="reason")
    qualification.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    qualification.review_reason = reason
    qualification.reviewed_by = actor
    qualification.reviewed_at = timezone.now()
    history_attribute(
        qualification, user=actor, reason=reason or ReviewStatus(qualification.status).label
    )
    qualification.save()
    operator_sync_permissions(operator=qualification.operator)
    notify.qualification_reviewed(qualification=qualification, approved=approve)
    return qualification
