"""Chief Data Officer (首席数据官) assignments: person × department × term.

At most one CDO is active per department at any moment. The database enforces it: on PostgreSQL
an exclusion constraint on overlapping terms, on SQLite triggers (migration 0002); a partial
unique index allows one open-ended term per department on both.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CdoAssignmentQuerySet(models.QuerySet["CdoAssignment"]):
    def active(self, at: datetime | None = None) -> "CdoAssignmentQuerySet":
        """In office at ``at`` (now by default): the term has started and not yet ended."""
        at = at or timezone.now()
        return self.filter(term_start__lte=at).filter(Q(term_end__isnull=True) | Q(term_end__gt=at))


def document_upload_to(instance: "CdoAssignment", filename: str) -> str:
    return f"cdo/{instance.department_id}/{filename}"


class CdoAssignment(models.Model):
    department = models.ForeignKey(
        "organisations.Department",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="cdo_assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chief data officer"),
        on_delete=models.PROTECT,
        related_name="cdo_assignments",
    )
    title = models.CharField(_("position held"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    document_number = models.CharField(_("appointment document number"), max_length=100)
    document = models.FileField(_("appointment document"), upload_to=document_upload_to, blank=True)
    term_start = models.DateTimeField(_("term start"))
    term_end = models.DateTimeField(_("term end"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = CdoAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("CDO assignment")
        verbose_name_plural = _("CDO assignments")
        ordering = ["department", "-term_start"]
        permissions = [("appoint_cdo", _("Can appoint and end chief data officers"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=models.F("term_start")),
                name="cdo_term_order",
                violation_error_message=_("A term must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(term_end__isnull=True),
                name="cdo_one_open_term",
                violation_error_message=_("The organisation already has a CDO without an end."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.user.get_full_name() or self.user.username}"

    def is_active_at(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.term_start <= at and (self.term_end is None or at < self.term_end)

    @property
    def status(self) -> str:
        now = timezone.now()
        if self.term_start > now:
            return str(_("appointed, not yet in office"))
        return str(_("in office")) if self.is_active_at(now) else str(_("term ended"))
