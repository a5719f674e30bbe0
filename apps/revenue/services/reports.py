"""Revenue reports: submitted by the operator, verified or returned by the bureau."""

from datetime import date
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.authorizations.models import Authorization
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from ..choices import REPORT_TRANSITIONS, ReportStatus
from ..models import RevenueReport
from ..money import current_period, period_bounds
from ..notify import report_moved
from ..selectors import metered_usage

MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(14, 2)
ATTACHMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "xlsx"]
# The first bytes of each accepted format: a renamed executable is refused, not just a wrong name.
ATTACHMENT_SIGNATURES = {
    "pdf": b"%PDF-",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
    "xlsx": b"PK\x03\x04",  # an Office Open XML workbook is a ZIP archive
}


def validate_attachment(attachment: UploadedFile) -> None:
    """A PDF, JPEG, PNG or XLSX file of at most ``settings.DOCUMENT_MAX_BYTES``."""
    if attachment.size is not None and attachment.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"attachment": _("The file is %(size)s; documents may be at most %(limit)s.")
             % {"size": filesizeformat(attachment.size),
                "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)}},
            code="too_large",
        )  # fmt: skip
    extension = PurePath(attachment.name or "").suffix.lower().lstrip(".")
    signature = ATTACHMENT_SIGNATURES.get(extension)
    head = attachment.read(8)
    attachment.seek(0)
    if signature is None or not head.startswith(signature):
        raise ValidationError(
            {"attachment": _("Attach a PDF, JPEG, PNG or XLSX file.")}, code="bad_content"
        )


def validate_amount(amount: Decimal, *, field: str = "amount") -> Decimal:
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError({field: _("Give an amount in yuan of 0 or more.")}, code="range")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Give the amount to the fen: at most 2 decimals.")})
    return amount.quantize(Decimal("0.01"))


def _period_error(message: str, code: str) -> ValidationError:
    return ValidationError({"period": ValidationError(message, code=code)})


def revenue_report_period_check(*, authorization: Authorization, period: date) -> None:
    """A month is reported once it is over, and only for a month the authorization covered."""
    if period.day != 1:
        raise _period_error(_("A period is a calendar month."), "period")
    if period >= current_period():
        raise _period_error(_("A month can be reported once it is over."), "not_over")
    start, end = period_bounds(period)
    if not (authorization.valid_from < end and authorization.valid_until > start):
        raise _period_error(_("The authorization was not valid in this month."), "not_valid")


def _refresh_metering(report: RevenueReport) -> None:
    usage = metered_usage(authorization=report.authorization, period=report.period)
    report.metered_calls, report.metered_rows, report.metered_fee = (
        usage.calls, usage.rows, usage.fee,
    )  # fmt: skip


@transaction.atomic
def revenue_report_submit(
    *,
    operator: Operator,
    actor: User,
    authorization: Authorization,
    period: date,
    amount: Decimal,
    reference: str,
    attachment: UploadedFile | None = None,
) -> RevenueReport:
    if actor.operator_id != operator.pk or authorization.operator_id != operator.pk:
        raise NotAllowed(_("Only the operator's own members may report its revenue."))
    amount = validate_amount(amount)
    revenue_report_period_check(authorization=authorization, period=period)
    if attachment:
        validate_attachment(attachment)
    existing = RevenueReport.objects.filter(authorization=authorization, period=period).first()
    if existing is not None:
        raise _already_reported(existing)
    report = RevenueReport(
        authorization=authorization, operator=operator, period=period, amount=amount,
        reference=reference.strip(), attachment=attachment or "", submitted_by=actor,
        submitted_at=timezone.now(),
    )  # fmt: skip
    _refresh_metering(report)
    report.full_clean(validate_constraints=False)
    history_attribute(report, user=actor, reason=gettext_lazy("submitted"))
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Two submissions at once: the unique constraint lets one through.
        raise IllegalTransition(
            _("This authorization already has a report for this period.")
        ) from None
    report_moved(report=report)
    return report


def _already_reported(existing: RevenueReport) -> IllegalTransition:
    if existing.status == ReportStatus.RETURNED:
        return IllegalTransition(
            _("This period's report was returned: correct it instead of reporting again.")
        )
    return IllegalTransition(
        _("This authorization already has a report for this period. A correction after "
          "settlement is made by the bureau as an adjustment.")
    )  # fmt: skip


def _move(
    report: RevenueReport, *, to_status: str, actor: User | None, reason: str | Promise
) -> RevenueReport:
    """Lock the report, refuse a move the mapping does not allow, record who and why."""
    report = RevenueReport.objects.select_for_update().get(pk=report.pk)
    if to_status not in REPORT_TRANSITIONS[report.status]:
        raise IllegalTransition(
            _("A report that is %(current)s cannot become %(target)s.")
            % {"current": report.get_status_display(), "target": ReportStatus(to_status).label}
        )
    report.status = to_status
    history_attribute(report, user=actor, reason=reason or ReportStatus(to_status).label)
    return report


def _require_reviewer(actor: User) -> None:
    if actor.bureau_id is None or not actor.has_perm("revenue.review_revenuereport"):
        raise NotAllowed(_("Only bureau reviewers may verify or return revenue reports."))


@transaction.atomic
def revenue_report_verify(*, report: RevenueReport, actor: User, reason: str = "") -> RevenueReport:
    _require_reviewer(actor)
    report = _move(report, to_status=ReportStatus.VERIFIED, actor=actor, reason=reason.strip())
    report.review_reason = reason.strip()
    report.reviewed_by, report.reviewed_at = actor, timezone.now()
    report.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    report_moved(report=report)
    return report


@transaction.atomic
def revenue_report_return(*, report: RevenueReport, actor: User, reason: str) -> RevenueReport:
    _require_reviewer(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the operator must correct.")}, code="reason")
    report = _move(report, to_status=ReportStatus.RETURNED, actor=actor, reason=reason)
    report.review_reason = reason
    report.reviewed_by, report.reviewed_at = actor, timezone.now()
    report.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    report_moved(report=report)
    return report


@transaction.atomic
def revenue_report_correct(
    *,
    report: RevenueReport,
    actor: User,
    amount: Decimal,
    reference: str,
    attachment: UploadedFile | None = None,
) -> RevenueReport:
    """The operator answers a return: corrected figures go back for verification."""
    if actor.operator_id != report.operator_id:
        raise NotAllowed(_("Only the operator's own members may report its revenue."))
    amount = validate_amount(amount)
    if attachment:
        validate_attachment(attachment)
    report = _move(
        report, to_status=ReportStatus.SUBMITTED, actor=actor, reason=gettext_lazy("corrected")
    )
    report.amount, report.reference = amount, reference.strip()
    if attachment:
        report.attachment = attachment
    report.submitted_by, report.submitted_at = actor, timezone.now()
    _refresh_metering(report)
    report.full_clean(validate_constraints=False)
    report.save()
    report_moved(report=report)
    return report
