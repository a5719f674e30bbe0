"""Every write of the registration procedure (26号, ../shared/domain.md): forms, the admin's
decisions and the commands call these and nothing else. Each move locks the application, checks
the move and the actor, saves, and records who and why in the history (which feeds the audit log,
audit.py); deadlines are counted on the official working-day calendar (calendar.py)."""

import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.authorizations.models import Authorization
from apps.catalog.choices import Openness, Status
from apps.catalog.models import CatalogEntry
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.products.choices import ProductStatus
from apps.products.models import Product

from . import calendar, clock, notify
from .choices import (
    ACCEPTANCE_DAYS,
    CODE_LETTERS,
    KINDS_WITH_CHANGES,
    NOTICE_DAYS,
    RENEWAL_WINDOW_DAYS,
    REVIEW_DAYS,
    TRANSITIONS,
    VALIDITY_YEARS,
    ApplicationStatus,
    Kind,
    ObjectionStatus,
    RegistrationStatus,
)
from .models import (
    Objection,
    Registration,
    RegistrationApplication,
    RegistrationCodeSequence,
    RegistrationMaterial,
    YearArrangement,
)

DECIDE = "registration.decide_registrationapplication"
# Lookup codes avoid letters and digits that read alike (0/O, 1/I/L).
LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 12


def _require_bureau(actor: User) -> None:
    if actor.bureau_id is None or not actor.has_perm(DECIDE):
        raise NotAllowed(_("Only bureau reviewers and approvers may decide registrations."))


def _require_department(actor: User, entry: CatalogEntry) -> None:
    if actor.department_id is None or actor.department_id != entry.department_id:
        raise NotAllowed(_("Only the providing department's own members may register its entry."))


def _require_operator(actor: User, product: Product) -> None:
    if actor.operator_id is None or actor.operator_id != product.operator_id:
        raise NotAllowed(_("Only the operator's own members may register its product or service."))


def _require_registrant(actor: User, application: RegistrationApplication) -> None:
    if application.product is not None:
        _require_operator(actor, application.product)
    else:
        _require_department(actor, application.entry)  # type: ignore[arg-type]


def _set_deadline(application: RegistrationApplication, start: date, days: int) -> None:
    application.deadline_start, application.deadline_days = start, days
    application.due_on, application.due_is_provisional = calendar.deadline(start, days)


def _move(
    application: RegistrationApplication, actor: User | None, to_status: str, reason: str
) -> RegistrationApplication:
    if to_status not in TRANSITIONS[application.status]:
        raise IllegalTransition(
            _("An application %(current)s cannot become %(target)s.")
            % {
                "current": application.get_status_display(),
                "target": ApplicationStatus(to_status).label,
            }
        )
    application.status = to_status
    history_attribute(application, user=actor, reason=reason or ApplicationStatus(to_status).label)
    application.save()
    notify.application_moved(application=application, reason=reason)
    return application


def _locked(application: RegistrationApplication) -> RegistrationApplication:
    return RegistrationApplication.objects.select_for_update().get(pk=application.pk)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for this decision.")}, code="reason")
    return reason


def registration_in_force(
    *, entry: CatalogEntry | None = None, product: Product | None = None, on: date | None = None
) -> Registration | None:
    subject = {"product": product} if product is not None else {"entry": entry}
    return Registration.objects.in_force(on or clock.today()).filter(**subject).first()


def _check_registrable(entry: CatalogEntry | None, product: Product | None) -> None:
    """A first registration: an entry published for authorized operation, or a product offered
    (both its reviews passed)."""
    if product is not None:
        if product.status != ProductStatus.OFFERED:
            raise ValidationError(
                {
                    "product": _(
                        "Only an offered product or service, both its reviews passed, is "
                        "registered; this one is %(status)s."
                    )
                    % {"status": product.get_status_display()}
                },
                code="not_offered",
            )
        return
    if entry.status != Status.PUBLISHED or entry.openness != Openness.CONDITIONAL:  # type: ignore[union-attr]
        raise ValidationError(
            {"entry": _("Only published entries for authorized operation are registered.")}
        )


def _check_subject(
    entry: CatalogEntry | None, product: Product | None, kind: str
) -> Registration | None:
    """The subject may be registered in this kind; returns the registration acted on."""
    subject = {"product": product} if product is not None else {"entry": entry}
    open_one = RegistrationApplication.objects.open().filter(**subject, kind=kind).first()
    if open_one is not None:
        raise ValidationError(
            _("Application #%(number)s of this kind for this subject is still open (%(status)s).")
            % {"number": open_one.pk, "status": open_one.get_status_display()},
            code="duplicate",
        )
    current = registration_in_force(entry=entry, product=product)
    if kind == Kind.FIRST:
        _check_registrable(entry, product)
        if current is not None:
            raise ValidationError(
                {
                    "kind": _("The subject is registered already (%(code)s).")
                    % {"code": current.code}
                }
            )
        return None
    if current is None:
        raise ValidationError({"kind": _("The subject has no registration in force to act on.")})
    if kind == Kind.RENEWAL:
        _check_renewal_window(current)
    return current


def _check_renewal_window(current: Registration) -> None:
    opens = current.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)
    today = clock.today()
    if not opens <= today <= current.valid_until:
        raise ValidationError(
            {
                "kind": _(
                    "A renewal may be applied for from %(opens)s to %(closes)s, the %(days)s days "
                    "before the registration expires."
                )
                % {"opens": opens, "closes": current.valid_until, "days": RENEWAL_WINDOW_DAYS}
            },
            code="renewal_window",
        )


def _add_materials(
    application: RegistrationApplication, actor: User, documents: Sequence[UploadedFile]
) -> None:
    # The forms check each upload as every other upload is checked (type, content, size:
    # apps.authorizations.forms.validate_document) before it gets here.
    for document in documents:
        RegistrationMaterial.objects.create(
            application=application, document=document, uploaded_by=actor
        )


@transaction.atomic
def registration_apply(
    *,
    actor: User,
    kind: str,
    summary: str,
    documents: Sequence[UploadedFile],
    entry: CatalogEntry | None = None,
    product: Product | None = None,
    changes: str = "",
    change_reason: str = "",
) -> RegistrationApplication:
    """A department applies for its catalog entry, an operator for its product or service."""
    if (entry is None) == (product is None):
        raise ValidationError(_("Choose one catalog entry or one product to register."))
    if product is not None:
        _require_operator(actor, product)
        # Locked: two applications for one product at once queue here (and a withdrawal waits).
        product = Product.objects.select_for_update().get(pk=product.pk)
    else:
        _require_department(actor, entry)  # type: ignore[arg-type]
        entry = CatalogEntry.objects.select_for_update().get(pk=entry.pk)  # type: ignore[union-attr]
    current = _check_subject(entry, product, kind)
    if kind in KINDS_WITH_CHANGES and not (changes.strip() and change_reason.strip()):
        raise ValidationError(
            {"changes": _("Say what changes and why for a change or correction.")}, code="changes"
        )
    if not documents:
        raise ValidationError({"documents": _("Attach the materials.")}, code="required")
    today = clock.today()
    application = RegistrationApplication(
        entry=entry, department=entry.department if entry else None, product=product,
        operator=product.operator if product else None, kind=kind, summary=summary.strip(),
        changes=changes.strip(), change_reason=change_reason.strip(), acts_on=current,
        applicant=actor, submitted_on=today,
    )  # fmt: skip
    _set_deadline(application, today, ACCEPTANCE_DAYS)
    application.full_clean(
        exclude=["applicant", "entry", "department", "product", "operator", "acts_on"]
    )
    history_attribute(application, user=actor, reason=gettext_lazy("submitted"))
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # a second application raced this one past the check above
        raise ValidationError(
            _("An application of this kind is already open."), code="duplicate"
        ) from None
    _add_materials(application, actor, documents)
    notify.application_moved(application=application)
    return application


@transaction.atomic
def registration_resubmit(
    *,
    application: RegistrationApplication,
    actor: User,
    summary: str,
    documents: Sequence[UploadedFile],
) -> RegistrationApplication:
    """Answer the consolidated materials notice, once: the acceptance clock restarts."""
    application = _locked(application)
    _require_registrant(actor, application)
    if application.status != ApplicationStatus.INCOMPLETE:
        raise IllegalTransition(_("Only an application with incomplete materials is resubmitted."))
    if not documents:
        raise ValidationError({"documents": _("Attach the missing materials.")}, code="required")
    _add_materials(application, actor, documents)
    application.summary = summary.strip() or application.summary
    application.resubmitted = True
    _set_deadline(application, clock.today(), ACCEPTANCE_DAYS)
    return _move(application, actor, ApplicationStatus.SUBMITTED, _("resubmitted"))


@transaction.atomic
def registration_accept(
    *, application: RegistrationApplication, actor: User, reason: str = ""
) -> RegistrationApplication:
    """Accepted (受理): the formal review's 20 working days start."""
    _require_bureau(actor)
    application = _locked(application)
    if application.status == ApplicationStatus.SUBMITTED:
        _set_deadline(application, clock.today(), REVIEW_DAYS)
    return _move(application, actor, ApplicationStatus.IN_REVIEW, reason.strip() or _("accepted"))


@transaction.atomic
def registration_request_materials(
    *, application: RegistrationApplication, actor: User, reason: str
) -> RegistrationApplication:
    """One consolidated notice listing everything missing; only once per application."""
    _require_bureau(actor)
    application = _locked(application)
    missing = _reason(reason)
    if application.resubmitted and application.status == ApplicationStatus.SUBMITTED:
        raise IllegalTransition(
            _("The materials were asked for once already: accept or refuse the application.")
        )
    application.missing_materials = missing
    application.deadline_start = application.deadline_days = application.due_on = None
    application.due_is_provisional = False
    return _move(application, actor, ApplicationStatus.INCOMPLETE, missing)


@transaction.atomic
def registration_refuse(
    *, application: RegistrationApplication, actor: User, reason: str
) -> RegistrationApplication:
    _require_bureau(actor)
    application = _locked(application)
    application.decision_reason = _reason(reason)
    application.due_on = None
    if application.status == ApplicationStatus.OBJECTED:
        raise IllegalTransition(_("Decide the objections first."))
    return _move(application, actor, ApplicationStatus.REFUSED, application.decision_reason)


def _open_notice(application: RegistrationApplication, start: date, days: int) -> None:
    application.notice_starts = application.notice_starts or start
    _set_deadline(application, start, days)
    application.notice_ends = application.due_on


@transaction.atomic
def registration_open_notice(
    *, application: RegistrationApplication, actor: User, reason: str = ""
) -> RegistrationApplication:
    """The formal review passed: the public notice runs for 10 working days."""
    _require_bureau(actor)
    application = _locked(application)
    if application.status == ApplicationStatus.IN_REVIEW:
        application.notice_starts = None
        _open_notice(application, clock.today(), NOTICE_DAYS)
    return _move(application, actor, ApplicationStatus.IN_NOTICE, reason.strip() or _("in notice"))


def _validity(
    application: RegistrationApplication, today: date
) -> tuple[date, Authorization | None]:
    """3 years, or the end of the authorization it rests on if sooner. An entry: its
    authorization in force that ends last (the entry stays in authorized operation until then).
    A product: the earliest-ending authorization it draws on (without it the product cannot be
    made)."""
    three_years = _years_later(today, VALIDITY_YEARS)
    in_force = Authorization.objects.in_force()
    if application.product_id is not None:
        resting = (
            in_force.filter(products=application.product_id).order_by("valid_until", "pk").first()
        )
    else:
        resting = in_force.filter(entry=application.entry_id).order_by("-valid_until").first()
    if resting is None:
        return three_years, None
    return min(three_years, timezone.localdate(resting.valid_until)), resting


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the validity ends on 28 February
        return day.replace(year=day.year + years, day=28)


def _next_code(kind: str, year: int) -> str:
    """``<region>-<year>-<kind letter>-<6-digit sequence>`` (README, "Registration codes"): the
    year's sequence row is locked until the transaction ends, so no number is handed out twice."""
    RegistrationCodeSequence.objects.bulk_create(
        [RegistrationCodeSequence(year=year)], ignore_conflicts=True
    )
    sequence = RegistrationCodeSequence.objects.select_for_update().get(year=year)
    sequence.last_value = F("last_value") + 1
    sequence.save(update_fields=["last_value"])
    sequence.refresh_from_db()
    return (
        f"{settings.REGISTRATION_REGION_CODE}-{year}-{CODE_LETTERS[kind]}-{sequence.last_value:06d}"
    )


def _lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _index in range(LOOKUP_LENGTH))


def _end(registration: Registration, actor: User | None, status: str, reason: str) -> None:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.status, registration.ended_on = status, clock.today()
    registration.end_reason = reason
    history_attribute(registration, user=actor, reason=reason or RegistrationStatus(status).label)
    registration.save(update_fields=["status", "ended_on", "end_reason"])


@transaction.atomic
def registration_conclude(
    *, application: RegistrationApplication, actor: User, reason: str = ""
) -> RegistrationApplication:
    """After the public notice without an objection pending: registered, with its codes; a
    cancellation ends the registration in force instead."""
    _require_bureau(actor)
    application = _locked(application)
    today = clock.today()
    if application.status == ApplicationStatus.IN_NOTICE and (
        application.notice_ends is None or today <= application.notice_ends
    ):
        raise IllegalTransition(
            _("The public notice runs until %(end)s.") % {"end": application.notice_ends}
        )
    _move(application, actor, ApplicationStatus.REGISTERED, reason.strip() or _("registered"))
    previous = application.acts_on
    if application.kind == Kind.CANCELLATION:
        _end(previous, actor, RegistrationStatus.CANCELLED, application.summary)  # type: ignore[arg-type]
        return application
    if previous is not None:
        _end(previous, actor, RegistrationStatus.SUPERSEDED, _("superseded by a new registration"))
    valid_until, resting = _validity(application, today)
    registration = Registration(
        code=_next_code(application.kind, today.year), lookup_code=_lookup_code(),
        application=application, entry=application.entry, department=application.department,
        product=application.product, operator=application.operator, kind=application.kind,
        summary=application.summary, authorization=resting, supersedes=previous,
        registered_on=today, valid_until=valid_until,
    )  # fmt: skip
    history_attribute(registration, user=actor, reason=gettext_lazy("registered"))
    registration.save()
    notify.registered(registration=registration)
    application.due_on = None
    application.save(update_fields=["due_on"])
    return application


def registration_expire(*, today: date | None = None) -> int:
    """Record the expiry of every registration past its date (``manage.py registration_expire``)."""
    today = today or clock.today()
    expired = Registration.objects.filter(status=RegistrationStatus.IN_FORCE, valid_until__lt=today)
    count = 0
    for registration in expired:
        with transaction.atomic():
            _end(registration, None, RegistrationStatus.EXPIRED, _("validity ended"))
        count += 1
    return count


# Objections ---------------------------------------------------------------------------------


@transaction.atomic
def objection_file(
    *,
    application: RegistrationApplication,
    actor: User | None,
    data: dict[str, Any],
    evidence: UploadedFile | None = None,
) -> Objection:
    """Anyone objects under their real name during the notice; it pauses the registration.
    A signed-in user's name and organisation are taken from the account."""
    application = _locked(application)
    today = clock.today()
    in_period = application.notice_starts is not None and application.notice_ends is not None
    if application.status not in (ApplicationStatus.IN_NOTICE, ApplicationStatus.OBJECTED) or not (
        in_period and application.notice_starts <= today <= application.notice_ends  # type: ignore[operator]
    ):
        raise ValidationError(
            _("Objections are taken during the public notice, from %(start)s to %(end)s.")
            % {"start": application.notice_starts or "—", "end": application.notice_ends or "—"},
            code="outside_notice",
        )
    if actor is not None and actor.is_authenticated:
        data = {
            **data,
            "name": actor.get_full_name() or actor.username,
            "organisation": str(actor.organisation or ""),
            "email": data.get("email") or actor.email,
        }
    objection = Objection(
        application=application, user=actor if actor and actor.is_authenticated else None,
        filed_on=today, name=str(data.get("name", "")).strip(),
        organisation=str(data.get("organisation", "")).strip(),
        contact=str(data.get("contact", "")).strip(), email=str(data.get("email", "")).strip(),
        reasons=str(data.get("reasons", "")).strip(), language=translation.get_language() or "",
    )  # fmt: skip
    if evidence is not None:
        objection.evidence = evidence
    objection.full_clean(exclude=["application", "user"])
    history_attribute(objection, user=objection.user, reason=gettext_lazy("objection filed"))
    objection.save()
    if application.status == ApplicationStatus.IN_NOTICE:
        application.paused_on = today
        application.due_on = None
        _move(application, objection.user, ApplicationStatus.OBJECTED, _("objection filed"))
    notify.objection_filed(objection=objection)
    return objection


def _decide_objection(objection: Objection, actor: User, status: str, reason: str) -> Objection:
    _require_bureau(actor)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise IllegalTransition(_("This objection has been decided already."))
    objection.status, objection.decision_reason = status, _reason(reason)
    history_attribute(objection, user=actor, reason=objection.decision_reason)
    objection.save(update_fields=["status", "decision_reason"])
    notify.objection_decided(objection=objection)
    return objection


@transaction.atomic
def objection_dismiss(*, objection: Objection, actor: User, reason: str) -> Objection:
    """Dismissed: once no objection is pending, the notice resumes for the working days left."""
    application = _locked(objection.application)
    objection = _decide_objection(objection, actor, ObjectionStatus.DISMISSED, reason)
    pending = application.objections.filter(status=ObjectionStatus.OPEN).exists()
    if application.status == ApplicationStatus.OBJECTED and not pending:
        left = calendar.working_days_between(application.paused_on, application.notice_ends)  # type: ignore[arg-type]
        today = clock.today()
        _open_notice(application, today, left)
        application.notice_ends = application.due_on
        application.paused_on = None
        _move(application, actor, ApplicationStatus.IN_NOTICE, _("objection dismissed"))
    return objection


@transaction.atomic
def objection_uphold(
    *, objection: Objection, actor: User, reason: str, refuse: bool = False
) -> Objection:
    """Upheld: the application goes back to formal review, or is refused with the reasons."""
    application = _locked(objection.application)
    objection = _decide_objection(objection, actor, ObjectionStatus.UPHELD, reason)
    if application.status != ApplicationStatus.OBJECTED:
        return objection
    application.paused_on = None
    if refuse:
        application.decision_reason, application.due_on = objection.decision_reason, None
        _move(application, actor, ApplicationStatus.REFUSED, objection.decision_reason)
    else:
        _set_deadline(application, clock.today(), REVIEW_DAYS)
        _move(application, actor, ApplicationStatus.IN_REVIEW, _("objection upheld"))
    return objection


# The calendar --------------------------------------------------------------------------------


@transaction.atomic
def year_arrangement_save(
    *,
    actor: User,
    year: int,
    holidays: list[str],
    working_days: list[str],
    announcement: str,
) -> YearArrangement:
    """Enter or correct a year's official arrangement; provisional deadlines are recomputed."""
    _require_bureau(actor)
    row = YearArrangement.objects.select_for_update().filter(year=year).first()
    row = row or YearArrangement(year=year)
    row.holidays, row.working_days, row.announcement = holidays, working_days, announcement
    row.full_clean()
    history_attribute(row, user=actor, reason=announcement)
    row.save()
    registration_deadlines_recompute(actor=actor)
    return row


def registration_deadlines_recompute(*, actor: User | None = None) -> int:
    """Count again every provisional deadline (a year's arrangement entered, or the package
    upgraded: ``manage.py registration_recompute_deadlines``). Returns how many became final."""
    fixed = 0
    provisional = RegistrationApplication.objects.open().filter(due_is_provisional=True)
    for application in provisional.select_for_update():
        if application.deadline_start is None or application.deadline_days is None:
            continue
        due, still = calendar.deadline(application.deadline_start, application.deadline_days)
        if still:
            continue
        application.due_on, application.due_is_provisional = due, False
        if application.status == ApplicationStatus.IN_NOTICE:
            application.notice_ends = due
        history_attribute(application, user=actor, reason=gettext_lazy("deadline recomputed"))
        application.save(update_fields=["due_on", "due_is_provisional", "notice_ends"])
        fixed += 1
    return fixed
