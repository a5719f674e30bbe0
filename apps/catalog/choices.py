"""Controlled lists of the catalog (../shared/domain.md, "Catalog entry")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health")
    TRANSPORT = "transport", _("transport")
    MARKET = "market", _("market supervision")
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs")
    UTILITIES = "utilities", _("water, power and gas")
    SOCIAL_SECURITY = "social_security", _("human resources and social security")
    ENVIRONMENT = "environment", _("ecology and environment")
    PLANNING = "planning", _("natural resources and planning")
    AGRICULTURE = "agriculture", _("agriculture")
    CULTURE_TOURISM = "culture_tourism", _("culture and tourism")
    FINANCE = "finance", _("finance and taxation")
    OTHER = "other", _("other")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("real time")
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    ANNUAL = "annual", _("annually")
    IRREGULAR = "irregular", _("irregularly")
    NEVER = "never", _("never (historical data)")


class Grade(models.TextChoices):
    """Classification grade (分类分级, 004 §13): core data is never authorized."""

    GENERAL = "general", _("general")
    IMPORTANT = "important", _("important")
    CORE = "core", _("core")


class Openness(models.TextChoices):
    OPEN = "open", _("open")
    CONDITIONAL = "conditional", _("conditional (authorization needed)")
    NOT_OPEN = "not_open", _("not open")


class FieldType(models.TextChoices):
    STRING = "string", _("text")
    INTEGER = "integer", _("integer")
    DECIMAL = "decimal", _("decimal")
    DATE = "date", _("date")
    DATETIME = "datetime", _("date and time")
    BOOLEAN = "boolean", _("yes/no")


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("public")
    PERSONAL = "personal", _("personal information")
    SENSITIVE_PERSONAL = "sensitive_personal", _("sensitive personal information")


class FieldTag(models.TextChoices):
    """What a field reveals when combined with others: the bureau's combination rules are sets of
    these tags that one operator may not hold together (aggregation risk, 实施规范 27号)."""

    PERSONAL_IDENTIFIER = "personal_identifier", _("personal identifier")
    EXACT_LOCATION = "exact_location", _("exact location")
    EXACT_TIME = "exact_time", _("exact time")
    HEALTH = "health", _("health information")
    FINANCIAL = "financial", _("financial information")
    CONTACT = "contact", _("contact details")
    VEHICLE = "vehicle", _("vehicle identifier")
    ENTERPRISE_OPERATION = "enterprise_operation", _("enterprise operating data")


def validate_field_tags(value: object) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or not set(value) <= set(FieldTag.values):
        raise ValidationError(_("Choose tags from the list."), code="invalid_tag")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("awaiting the CDO's confirmation")
    SUBMITTED = "submitted", _("submitted for review")
    RETURNED = "returned", _("returned for changes")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    RETIRED = "retired", _("retired")


# The life cycle: draft → submitted → (returned → submitted …) → published | rejected;
# published → retired. Where the department requires it, a submission first waits for its
# CDO's confirmation (draft → awaiting confirmation → submitted, or back to returned).
# Anything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.AWAITING_CONFIRMATION},
    Status.AWAITING_CONFIRMATION: {Status.SUBMITTED, Status.RETURNED},
    Status.SUBMITTED: {Status.RETURNED, Status.PUBLISHED, Status.REJECTED},
    Status.RETURNED: {Status.SUBMITTED, Status.AWAITING_CONFIRMATION},
    Status.PUBLISHED: {Status.RETIRED},
    Status.REJECTED: set(),
    Status.RETIRED: set(),
}
# Moves made by the providing department (submitting, and its CDO confirming or returning a
# submission); every other move is the bureau's.
DEPARTMENT_MOVES = {Status.SUBMITTED, Status.AWAITING_CONFIRMATION}
# Moves that must say why.
MOVES_NEEDING_REASON = {Status.RETURNED, Status.REJECTED, Status.RETIRED}
EDITABLE_STATUSES = {Status.DRAFT, Status.RETURNED}
