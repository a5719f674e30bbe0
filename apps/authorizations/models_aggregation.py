"""Aggregation risk (实施规范 27号): the bureau's combination rules of field tags, and the
justifications a second approver confirms for an approval that completes one."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.catalog.choices import FieldTag

from .choices import RuleEffect
from .models import Application

User = settings.AUTH_USER_MODEL


def validate_rule_tags(value: object) -> None:
    if not isinstance(value, list) or not set(value) <= set(FieldTag.values):
        raise ValidationError(_("Choose tags from the list."), code="invalid_tag")
    if len(set(value)) < 2:
        raise ValidationError(_("A combination rule needs at least two tags."), code="too_few")


class CombinationRuleQuerySet(models.QuerySet["CombinationRule"]):
    def active(self) -> "CombinationRuleQuerySet":
        return self.filter(active=True)


class CombinationRule(models.Model):
    """A set of field tags one operator may not hold together across its authorizations in force,
    or only with a justification approved by a second approver (aggregation risk, 实施规范 27号)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.JSONField(_("tags"), default=list, validators=[validate_rule_tags])
    effect = models.CharField(_("effect"), max_length=30, choices=RuleEffect.choices)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = CombinationRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("combination rule")
        verbose_name_plural = _("combination rules")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effect__in=RuleEffect.values), name="combination_rule_effect_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def tag_labels(self) -> list[str]:
        return [str(FieldTag(tag).label) for tag in self.tags]


class AggregationJustification(models.Model):
    """Why an application may complete a needs-justification combination: written by one
    approver, confirmed by a second one (never the same person). Kept, never edited after."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="aggregation_justifications",
    )
    rules = models.ManyToManyField(
        CombinationRule, verbose_name=_("combination rules"), related_name="justifications"
    )
    text = models.TextField(_("justification"))
    proposed_by = models.ForeignKey(
        User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        User,
        verbose_name=_("second approver"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aggregation justification")
        verbose_name_plural = _("aggregation justifications")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("proposed_by")),
                name="aggregation_justification_two_approvers",
                violation_error_message=_(
                    "The second approver must not be the approver who wrote the justification."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.application_id}: {self.text[:40]}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_by_id is not None


# Direct foreign-key object permissions on catalog entries (not guardian's generic tables).
