"""Registrations of public data resources (公共数据资源登记, 26号): applications, their materials,
objections during the public notice, the registrations themselves, their codes, and the
bureau's table of official holiday arrangements.

The subject of a registration is a catalog entry, registered by its providing department, or a
data product or service, registered by its operator (数据产品登记; 26号 encourages operators to
register their products and services). Exactly one subject is set, and the registrant matches it;
the pages, the admin, the exports and the notifications read ``subject``, ``subject_name``,
``subject_code`` and ``registrant`` rather than the fields.
"""

from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import clock
from .calendar import Arrangement
from .choices import (
    OPEN_STATUSES,
    ApplicationStatus,
    Kind,
    ObjectionStatus,
    RegistrationStatus,
    SubjectKind,
)


def _dates(value: object) -> list[date]:
    if not isinstance(value, list):
        raise ValidationError(_("List the dates as YYYY-MM-DD."), code="invalid")
    try:
        return [date.fromisoformat(item) for item in value]
    except (TypeError, ValueError):
        raise ValidationError(_("List the dates as YYYY-MM-DD."), code="invalid") from None


class YearArrangement(models.Model):
    """One year's official holidays and adjusted working days, as the State Council announced
    them; entered when the installed ``chinesecalendar`` does not know the year yet."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.JSONField(
        _("holidays on weekdays"), default=list, blank=True,
        help_text=_("Weekdays that are days off, as a list of dates (YYYY-MM-DD)."),
    )  # fmt: skip
    working_days = models.JSONField(
        _("adjusted working days"), default=list, blank=True,
        help_text=_("Saturdays and Sundays that are working days, as a list of dates."),
    )  # fmt: skip
    announcement = models.CharField(_("announcement"), max_length=200)
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("year's holiday arrangement")
        verbose_name_plural = _("working-day calendar")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        for name in ("holidays", "working_days"):
            days = _dates(getattr(self, name))
            if any(day.year != self.year for day in days):
                raise ValidationError({name: _("Every date must fall in the year.")})

    def arrangement(self) -> Arrangement:
        return Arrangement(
            holidays=frozenset(_dates(self.holidays)),
            working_days=frozenset(_dates(self.working_days)),
        )


class RegistrationCodeSequence(models.Model):
    """The last sequence number handed out per year: locked while a code is assigned, so two
    registrations concluding at once never share a number, and a number is never reused."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


# Exactly one subject, and the registrant that matches it: an entry's department, a product's
# operator.
SUBJECT_IS_ENTRY = Q(
    entry__isnull=False, department__isnull=False, product__isnull=True, operator__isnull=True
)
SUBJECT_IS_PRODUCT = Q(
    entry__isnull=True, department__isnull=True, product__isnull=False, operator__isnull=False
)


def _subject_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=SUBJECT_IS_ENTRY | SUBJECT_IS_PRODUCT, name=f"{prefix}_one_subject",
            violation_error_message=_(
                "Register either a catalog entry by its department or a data product by its "
                "operator."
            ),
        ),
    ]  # fmt: skip


class SubjectMixin(models.Model):
    """What is registered and by whom, for applications and registrations alike."""

    entry_id: int | None
    product_id: int | None
    department_id: int | None
    operator_id: int | None

    class Meta:
        abstract = True

    @property
    def subject_kind(self) -> str:
        return SubjectKind.PRODUCT if self.product_id is not None else SubjectKind.ENTRY

    @property
    def subject_kind_label(self) -> str:
        return str(SubjectKind(self.subject_kind).label)

    @property
    def subject(self) -> "models.Model":
        return self.product if self.product_id is not None else self.entry  # type: ignore[attr-defined]

    @property
    def subject_name(self) -> str:
        if self.product_id is not None:
            return str(self.product.name)  # type: ignore[attr-defined]
        return str(self.entry.title)  # type: ignore[attr-defined]

    @property
    def subject_code(self) -> str:
        """The entry's catalog identifier, or the product's number (P and its key)."""
        if self.product_id is not None:
            return f"P{self.product_id}"
        return str(self.entry.identifier)  # type: ignore[attr-defined]

    @property
    def registrant(self) -> "models.Model":
        return self.operator if self.product_id is not None else self.department  # type: ignore[attr-defined]


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def in_force(self, on: date) -> "RegistrationQuerySet":
        """Registered, not replaced, cancelled or expired on ``on`` (expiry is by date, even
        before ``registration_expire`` records it)."""
        return self.filter(status=RegistrationStatus.IN_FORCE, valid_until__gte=on)


class Registration(SubjectMixin):
    """A registration (登记) with its code and lookup code; never edited in place: a change,
    correction or renewal makes a new one that supersedes it."""

    code = models.CharField(_("registration code"), max_length=40, unique=True, editable=False)
    lookup_code = models.CharField(
        _("result lookup code"), max_length=20, unique=True, editable=False
    )
    application = models.OneToOneField(
        "RegistrationApplication", verbose_name=_("application"), on_delete=models.PROTECT,
        related_name="result",
    )  # fmt: skip
    entry = models.ForeignKey(
        "catalog.CatalogEntry", verbose_name=_("catalog entry"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registrations",
    )  # fmt: skip
    department = models.ForeignKey(
        "organisations.Department", verbose_name=_("registrant department"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="registrations",
    )  # fmt: skip
    product = models.ForeignKey(
        "products.Product", verbose_name=_("data product or service"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registrations",
    )  # fmt: skip
    operator = models.ForeignKey(
        "organisations.Operator", verbose_name=_("registrant operator"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registrations",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("content summary"))
    # The authorization it rests on: its end caps the validity (3 years or sooner).
    authorization = models.ForeignKey(
        "authorizations.Authorization", verbose_name=_("authorization"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registrations",
    )  # fmt: skip
    supersedes = models.OneToOneField(
        "self", verbose_name=_("supersedes"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by",
    )  # fmt: skip
    registered_on = models.DateField(_("registered on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices,
        default=RegistrationStatus.IN_FORCE,
    )  # fmt: skip
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason of the end"), blank=True)

    history = HistoricalRecords()
    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-registered_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registered_on__lte=models.F("valid_until")),
                name="registration_validity_order",
            ),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status=RegistrationStatus.IN_FORCE),
                name="registration_one_in_force_per_entry",
            ),
            models.UniqueConstraint(
                fields=["product"], condition=Q(status=RegistrationStatus.IN_FORCE),
                name="registration_one_in_force_per_product",
            ),
            *_subject_constraints("registration"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.code

    def status_on(self, day: date) -> str:
        """The status as the pages show it: a registration past its date is expired."""
        if self.status == RegistrationStatus.IN_FORCE and self.valid_until < day:
            return RegistrationStatus.EXPIRED
        return self.status

    def status_label_on(self, day: date) -> str:
        return str(RegistrationStatus(self.status_on(day)).label)

    @property
    def status_label(self) -> str:
        return self.status_label_on(clock.today())

    @property
    def is_in_force(self) -> bool:
        return self.status_on(clock.today()) == RegistrationStatus.IN_FORCE


class RegistrationApplicationQuerySet(models.QuerySet["RegistrationApplication"]):
    def open(self) -> "RegistrationApplicationQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class RegistrationApplication(SubjectMixin):
    """An application for a registration: the subject, the kind, a content summary, the
    materials, and for a change or correction what changes and why."""

    entry = models.ForeignKey(
        "catalog.CatalogEntry", verbose_name=_("catalog entry"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registration_applications",
    )  # fmt: skip
    department = models.ForeignKey(
        "organisations.Department", verbose_name=_("registrant department"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="registration_applications",
    )  # fmt: skip
    product = models.ForeignKey(
        "products.Product", verbose_name=_("data product or service"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registration_applications",
    )  # fmt: skip
    operator = models.ForeignKey(
        "organisations.Operator", verbose_name=_("registrant operator"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registration_applications",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("content summary"))
    changes = models.TextField(_("what changes"), blank=True)
    change_reason = models.TextField(_("why"), blank=True)
    acts_on = models.ForeignKey(
        Registration, verbose_name=_("registration acted on"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="applications",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )  # fmt: skip
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    submitted_on = models.DateField(_("submitted on"))
    resubmitted = models.BooleanField(_("resubmitted after the materials notice"), default=False)
    missing_materials = models.TextField(_("materials missing"), blank=True)
    decision_reason = models.TextField(_("last decision's reason"), blank=True)
    notice_starts = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends = models.DateField(_("public notice until"), null=True, blank=True)
    paused_on = models.DateField(_("paused on"), null=True, blank=True)
    # The deadline of the current step: counted ``deadline_days`` working days after
    # ``deadline_start``; provisional while the calendar does not cover it (recomputed then).
    deadline_start = models.DateField(_("counted from"), null=True, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("working days"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    due_is_provisional = models.BooleanField(_("provisional deadline"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = RegistrationApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration application")
        verbose_name_plural = _("registration applications")
        ordering = ["due_on", "pk"]
        permissions = [("decide_registrationapplication", _("Can decide registrations"))]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "kind"], condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="registration_one_open_application",
                violation_error_message=_("An application of this kind is already open."),
            ),
            models.UniqueConstraint(
                fields=["product", "kind"], condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="registration_one_open_application_per_product",
                violation_error_message=_("An application of this kind is already open."),
            ),
            *_subject_constraints("registration_application"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.subject_code}"

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN_STATUSES and self.due_on is not None and self.due_on < today


def material_upload_to(instance: "RegistrationMaterial", filename: str) -> str:
    return f"registration/{instance.application_id}/{PurePath(filename).name}"


class RegistrationMaterial(models.Model):
    application = models.ForeignKey(
        RegistrationApplication, on_delete=models.CASCADE, related_name="materials"
    )
    document = models.FileField(_("document"), upload_to=material_upload_to)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["pk"]

    def __str__(self) -> str:
        return PurePath(self.document.name or "").name


class Objection(models.Model):
    """A real-name objection (异议) during the public notice. Its contact details are for the
    bureau only."""

    application = models.ForeignKey(
        RegistrationApplication, verbose_name=_("application"), on_delete=models.PROTECT,
        related_name="objections",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    contact = models.CharField(_("contact (telephone or email)"), max_length=200)
    email = models.EmailField(_("email for the outcome"), blank=True)
    # The language the objection was filed in: the outcome is written back in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    reasons = models.TextField(_("reasons"))
    evidence = models.FileField(_("evidence"), upload_to="registration/objections/", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    filed_on = models.DateField(_("filed on"))
    status = models.CharField(
        _("status"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_on", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"
