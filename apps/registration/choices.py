"""The registration procedure's controlled lists and its life cycle (公共数据资源登记管理暂行办法,
发改数据规〔2025〕26号; ../shared/domain.md, "What the national rules (2025) add")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    FIRST = "first", _("first registration")
    CHANGE = "change", _("change registration")
    CORRECTION = "correction", _("correction registration")
    CANCELLATION = "cancellation", _("cancellation registration")
    RENEWAL = "renewal", _("renewal")


# The letter a kind puts in a registration code (README, "Registration codes"): 首次 S, 变更 B,
# 更正 G, 续期 X. A cancellation ends a registration and gets no code of its own.
CODE_LETTERS: dict[str, str] = {
    Kind.FIRST: "S",
    Kind.CHANGE: "B",
    Kind.CORRECTION: "G",
    Kind.RENEWAL: "X",
}
KINDS_WITH_CHANGES = {Kind.CHANGE, Kind.CORRECTION}


class SubjectKind(models.TextChoices):
    """What is registered: a department's catalog entry, or an operator's product or service."""

    ENTRY = "entry", _("catalog entry")
    PRODUCT = "product", _("data product or service")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting acceptance")
    INCOMPLETE = "incomplete", _("materials incomplete")
    IN_REVIEW = "in_review", _("in formal review")
    IN_NOTICE = "in_notice", _("in public notice")
    OBJECTED = "objected", _("paused by an objection")
    REGISTERED = "registered", _("registered")
    REFUSED = "refused", _("registration refused")


# submitted → in review (accepted) | incomplete (one consolidated notice) | refused;
# incomplete → submitted (resubmitted once, the clock restarts);
# in review → in notice | refused; in notice → registered | objected;
# objected → in notice (dismissed) | in review (upheld: reviewed again) | refused (upheld).
TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.IN_REVIEW, ApplicationStatus.INCOMPLETE, ApplicationStatus.REFUSED,
    },
    ApplicationStatus.INCOMPLETE: {ApplicationStatus.SUBMITTED},
    ApplicationStatus.IN_REVIEW: {ApplicationStatus.IN_NOTICE, ApplicationStatus.REFUSED},
    ApplicationStatus.IN_NOTICE: {ApplicationStatus.REGISTERED, ApplicationStatus.OBJECTED},
    ApplicationStatus.OBJECTED: {
        ApplicationStatus.IN_NOTICE, ApplicationStatus.IN_REVIEW, ApplicationStatus.REFUSED,
    },
    ApplicationStatus.REGISTERED: set(),
    ApplicationStatus.REFUSED: set(),
}  # fmt: skip
OPEN_STATUSES = {
    ApplicationStatus.SUBMITTED, ApplicationStatus.INCOMPLETE, ApplicationStatus.IN_REVIEW,
    ApplicationStatus.IN_NOTICE, ApplicationStatus.OBJECTED,
}  # fmt: skip
# The deadlines of the measures, in working days: acceptance, formal review, public notice.
ACCEPTANCE_DAYS = 3
REVIEW_DAYS = 20
NOTICE_DAYS = 10
VALIDITY_YEARS = 3
RENEWAL_WINDOW_DAYS = 60


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("awaiting decision")
    UPHELD = "upheld", _("upheld")
    DISMISSED = "dismissed", _("dismissed")


class RegistrationStatus(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    SUPERSEDED = "superseded", _("superseded")
    EXPIRED = "expired", _("expired")
    CANCELLED = "cancelled", _("cancelled")
