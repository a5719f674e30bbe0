"""Statuses and controlled lists of qualification, application and authorization."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class Use(models.TextChoices):
    """Public-interest use is free; industry use pays a service fee (发改价格〔2025〕65号)."""

    PUBLIC_INTEREST = "public_interest", _("public interest")
    INDUSTRY = "industry", _("industry")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting department opinion")
    DEPARTMENT_AGREED = "department_agreed", _("department agreed")
    DEPARTMENT_DISAGREED = "department_disagreed", _("department disagreed")
    RECOMMENDED = "recommended", _("recommended by reviewer")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.DEPARTMENT_AGREED,
        ApplicationStatus.DEPARTMENT_DISAGREED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.DEPARTMENT_AGREED: {
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.WITHDRAWN,
    },
    # Without the providing unit's consent the bureau can only refuse (发改数据规〔2025〕27号).
    ApplicationStatus.DEPARTMENT_DISAGREED: {
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.RECOMMENDED: {
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.APPROVED: set(),
    ApplicationStatus.REJECTED: set(),
    ApplicationStatus.WITHDRAWN: set(),
}
OPEN_APPLICATION_STATUSES = {
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.DEPARTMENT_AGREED,
    ApplicationStatus.DEPARTMENT_DISAGREED,
    ApplicationStatus.RECOMMENDED,
}


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("approve")
    REJECT = "reject", _("reject")


class AuthorizationStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")


AUTHORIZATION_TRANSITIONS: dict[str, set[str]] = {
    AuthorizationStatus.ACTIVE: {
        AuthorizationStatus.SUSPENDED,
        AuthorizationStatus.REVOKED,
        AuthorizationStatus.EXPIRED,
    },
    AuthorizationStatus.SUSPENDED: {
        AuthorizationStatus.ACTIVE,
        AuthorizationStatus.REVOKED,
        AuthorizationStatus.EXPIRED,
    },
    AuthorizationStatus.REVOKED: set(),
    AuthorizationStatus.EXPIRED: set(),
}


class FeeBasis(models.TextChoices):
    FREE = "free", _("free (public interest)")
    PER_CALL = "per_call", _("per call")
    PER_ROW = "per_row", _("per row")
    FLAT = "flat", _("flat fee per period")


class FilterOperator(models.TextChoices):
    EQ = "eq", "="
    NE = "ne", "≠"
    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"
    IN = "in", _("one of")


# An authorization agreement runs for a "period of at most 5 years" (实施规范 27号). This is the
# one place the figure lives: the check, the admin's prefill and every message derive from it.
MAX_PERIOD_YEARS = 5


def max_period_days() -> int:
    """The longest period in days: 365 a year, plus the one leap day a span may include."""
    return MAX_PERIOD_YEARS * 365 + 1


def max_period_text() -> str:
    """The rule as a sentence, for help texts and the error that enforces it."""
    return ngettext(
        "An authorization lasts at most %(years)s year.",
        "An authorization lasts at most %(years)s years.",
        MAX_PERIOD_YEARS,
    ) % {"years": MAX_PERIOD_YEARS}


class RuleEffect(models.TextChoices):
    """What a combination rule does when an approval would complete its set of tags."""

    FORBIDDEN = "forbidden", _("forbidden combination")
    NEEDS_JUSTIFICATION = (
        "needs_justification",
        _("needs a justification approved by a second approver"),
    )
