"""Operator qualification, application scenarios, applications and the authorizations they produce
(../shared/domain.md, "What the national rules add").

The history-tracked ``Authorization`` is the source of truth; django-guardian's direct-FK rows on
the catalog entry are derived from it in the same transaction (../shared/library-notes.md §1).
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.catalog.choices import Sector

from .choices import (
    ApplicationStatus,
    AuthorizationStatus,
    FeeBasis,
    Recommendation,
    ReviewStatus,
    Use,
)

User = settings.AUTH_USER_MODEL


class QualificationType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("qualification type")
        verbose_name_plural = _("qualification types")
        ordering = ["-required", "name"]

    def __str__(self) -> str:
        return self.name


class QualificationQuerySet(models.QuerySet["Qualification"]):
    def valid_on(self, day: date) -> "QualificationQuerySet":
        return self.filter(status=ReviewStatus.APPROVED, valid_from__lte=day, valid_until__gte=day)

    def expiring_within(self, days: int, today: date) -> "QualificationQuerySet":
        from datetime import timedelta

        return self.filter(
            status=ReviewStatus.APPROVED,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=days),
        )


def qualification_upload_to(instance: "Qualification", filename: str) -> str:
    return f"qualifications/{instance.operator_id}/{filename}"


class Qualification(models.Model):
    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    qualification_type = models.ForeignKey(
        QualificationType, verbose_name=_("type"), on_delete=models.PROTECT
    )
    number = models.CharField(_("certificate number"), max_length=100)
    document = models.FileField(_("evidence document"), upload_to=qualification_upload_to)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_reason = models.TextField(_("review comment"), blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    history = HistoricalRecords()
    objects = QualificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        permissions = [("review_qualification", _("Can review operator qualifications"))]
        ordering = ["operator", "qualification_type", "-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=models.F("valid_until")),
                name="qualification_period_order",
                violation_error_message=_("A qualification must start before it ends."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.operator} · {self.qualification_type}"


class Scenario(models.Model):
    """An application scenario (应用场景): what the operator will build from the data."""

    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="scenarios",
    )
    title = models.CharField(_("title"), max_length=200)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    description = models.TextField(_("description"))
    expected_product = models.CharField(_("expected data product"), max_length=300)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application scenario")
        verbose_name_plural = _("application scenarios")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    """An operator's request (授权申请) for one conditional catalog entry, for one scenario."""

    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    entry = models.ForeignKey(
        "catalog.CatalogEntry",
        verbose_name=_("catalog entry"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="applications"
    )
    requested_fields = models.JSONField(_("requested fields"), default=list)
    purpose = models.TextField(_("purpose"))
    requested_from = models.DateField(_("requested from"))
    requested_until = models.DateField(_("requested until"))
    expected_daily_calls = models.PositiveIntegerField(_("expected calls per day"))
    renewal_of = models.ForeignKey(
        "Authorization",
        verbose_name=_("renewal of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    applicant = models.ForeignKey(
        User, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    # The department's opinion (by its CDO, or its administrator until CDOs exist).
    department_opinion_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("department opinion by"),
    )
    department_comment = models.TextField(_("department comment"), blank=True)
    department_opinion_at = models.DateTimeField(
        _("department opinion given"), null=True, blank=True
    )
    # The reviewer's recommendation; the approver who decides must be someone else (four eyes).
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    recommended_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recommended by"),
    )
    recommendation_comment = models.TextField(_("recommendation comment"), blank=True)
    recommended_at = models.DateTimeField(_("recommended on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        permissions = [
            ("recommend_application", _("Can recommend a decision on an application")),
            ("decide_application", _("Can decide applications and change authorizations")),
        ]
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "-submitted_at"], name="application_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_from__lte=models.F("requested_until")),
                name="application_period_order",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(recommended_by__isnull=True)
                | ~Q(decided_by=models.F("recommended_by")),
                name="application_four_eyes",
                violation_error_message=_("The approver must not be the recommending reviewer."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operator} → {self.entry.identifier}"


class AuthorizationQuerySet(models.QuerySet["Authorization"]):
    def in_force(self, at: datetime | None = None) -> "AuthorizationQuerySet":
        """Active and inside its validity period right now (expiry is exact to the second)."""
        at = at or timezone.now()
        return self.filter(
            status=AuthorizationStatus.ACTIVE, valid_from__lte=at, valid_until__gt=at
        )


class Authorization(models.Model):
    """The grant (授权) an approved application produces; its scope is fixed at approval."""

    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="authorization",
        verbose_name=_("application"),
    )
    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="authorizations",
    )
    entry = models.ForeignKey(
        "catalog.CatalogEntry",
        verbose_name=_("catalog entry"),
        on_delete=models.PROTECT,
        related_name="authorizations",
    )
    scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("scenario"),
        on_delete=models.PROTECT,
        related_name="authorizations",
    )
    allowed_fields = models.JSONField(_("allowed fields"), default=list)
    # [{"field": "district", "op": "eq", "value": "南明区"}, ...], all must hold.
    row_filter = models.JSONField(_("row filter"), default=list, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    daily_row_quota = models.PositiveIntegerField(_("daily row quota"))
    fee_basis = models.CharField(_("fee basis"), max_length=20, choices=FeeBasis.choices)
    price = models.DecimalField(
        _("price (yuan)"), max_digits=12, decimal_places=4, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    revenue_share_ratio = models.DecimalField(
        _("department revenue share"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Proportion of proceeds returned to the providing department (0 to 1)."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AuthorizationStatus.choices,
        default=AuthorizationStatus.ACTIVE,
    )
    status_reason = models.TextField(_("reason of the last change"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AuthorizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("authorization")
        verbose_name_plural = _("authorizations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["operator", "status"], name="authorization_operator"),
            models.Index(fields=["entry", "status"], name="authorization_entry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lt=models.F("valid_until")),
                name="authorization_period_order",
            ),
            models.CheckConstraint(
                condition=Q(revenue_share_ratio__gte=0) & Q(revenue_share_ratio__lte=1),
                name="authorization_share_ratio_range",
            ),
            models.CheckConstraint(
                condition=~Q(fee_basis=FeeBasis.FREE) | Q(price=0),
                name="authorization_free_costs_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} · {self.entry.identifier} · {self.scenario}"


def agreement_upload_to(instance: "Agreement", filename: str) -> str:
    return f"agreements/{instance.authorization_id}/{filename}"


class Agreement(models.Model):
    """The authorization agreement's clauses (公共数据资源授权运营实施规范, 27号)."""

    authorization = models.OneToOneField(
        Authorization,
        on_delete=models.PROTECT,
        related_name="agreement",
        verbose_name=_("authorization"),
    )
    number = models.CharField(_("agreement number"), max_length=60, blank=True)
    data_scope = models.TextField(_("data scope"))
    product_list = models.TextField(_("products and services"), blank=True)
    security_review_done = models.BooleanField(_("security review done"), default=False)
    compliance_review_done = models.BooleanField(
        _("business compliance review done"), default=False
    )
    revenue_distribution = models.TextField(_("revenue distribution"), blank=True)
    disclosure_duties = models.TextField(_("disclosure duties"), blank=True)
    exit_and_renewal = models.TextField(_("exit and renewal conditions"), blank=True)
    document = models.FileField(_("signed agreement"), upload_to=agreement_upload_to, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.number or str(self.authorization)


# The aggregation-risk models live in their own module; importing them here registers them.
from .models_aggregation import (  # noqa: E402
    AggregationJustification,
    CombinationRule,
    CombinationRuleQuerySet,
    validate_rule_tags,
)

__all__ = [
    "AggregationJustification",
    "Agreement",
    "Application",
    "Authorization",
    "AuthorizationQuerySet",
    "CatalogEntryGroupObjectPermission",
    "CatalogEntryUserObjectPermission",
    "CombinationRule",
    "CombinationRuleQuerySet",
    "Qualification",
    "QualificationQuerySet",
    "QualificationType",
    "Scenario",
    "validate_rule_tags",
]


class CatalogEntryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("catalog.CatalogEntry", on_delete=models.CASCADE)


class CatalogEntryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("catalog.CatalogEntry", on_delete=models.CASCADE)
