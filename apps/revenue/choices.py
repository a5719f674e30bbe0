"""Statuses of a revenue report and the moves allowed between them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting verification")
    RETURNED = "returned", _("returned for correction")
    VERIFIED = "verified", _("verified")
    SETTLED = "settled", _("settled")


# The one mapping of allowed moves. A settled report is final: a correction after settlement is
# an adjusting revenue-share record (../shared/domain.md), never a change to the report.
REPORT_TRANSITIONS: dict[str, set[str]] = {
    ReportStatus.SUBMITTED: {ReportStatus.VERIFIED, ReportStatus.RETURNED},
    ReportStatus.RETURNED: {ReportStatus.SUBMITTED},
    ReportStatus.VERIFIED: {ReportStatus.SETTLED},
    ReportStatus.SETTLED: set(),
}


class SupportOutcome(models.TextChoices):
    """Why an operator with a certified amount gets large-transaction support for a year, or not."""

    GRANTED = "granted", _("support granted")
    ALREADY_RECORDED = "already_recorded", _("already recorded")
    NOT_LOCAL = "not_local", _("does not pay tax locally")
    NOT_ABOVE_THRESHOLD = "not_above_threshold", _("not above the threshold")
    OUTSIDE_WINDOW = "outside_window", _("outside the one-year window")
    CAP_REACHED = "cap_reached", _("cap reached")
