"""What the portal tells people: one kind per event, with its audience and its wording.

The wording is kept here, not on the notification row: a row stores the kind and the event's
facts (``params``), and the text is rendered in the reader's language when shown or mailed.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # Departments
    ENTRY_RETURNED = "entry_returned", _("Catalog entry returned")
    ENTRY_PUBLISHED = "entry_published", _("Catalog entry published")
    ENTRY_REJECTED = "entry_rejected", _("Catalog entry rejected")
    ENTRY_AWAITING_CONFIRMATION = (
        "entry_awaiting_confirmation",
        _("Submission awaiting the CDO's confirmation"),
    )
    APPLICATION_AWAITING_OPINION = (
        "application_awaiting_opinion",
        _("Application awaiting the department's opinion"),
    )
    UPLOAD_LOADED = "upload_loaded", _("Upload loaded")
    UPLOAD_REFUSED = "upload_refused", _("Upload refused")
    UPLOAD_HELD = "upload_held", _("Upload awaiting confirmation")
    REGISTRATION_INCOMPLETE = "registration_incomplete", _("Registration materials incomplete")
    REGISTRATION_ACCEPTED = "registration_accepted", _("Registration accepted for review")
    REGISTRATION_IN_NOTICE = "registration_in_notice", _("Registration in public notice")
    REGISTRATION_OBJECTED = "registration_objected", _("Registration paused by an objection")
    REGISTRATION_REGISTERED = "registration_registered", _("Registered")
    REGISTRATION_REFUSED = "registration_refused", _("Registration refused")
    # Operators
    QUALIFICATION_APPROVED = "qualification_approved", _("Qualification approved")
    QUALIFICATION_REJECTED = "qualification_rejected", _("Qualification rejected")
    QUALIFICATION_EXPIRING = "qualification_expiring", _("Qualification expiring")
    APPLICATION_APPROVED = "application_approved", _("Application approved")
    APPLICATION_REJECTED = "application_rejected", _("Application rejected")
    AUTHORIZATION_SUSPENDED = "authorization_suspended", _("Authorization suspended")
    AUTHORIZATION_RESUMED = "authorization_resumed", _("Authorization resumed")
    AUTHORIZATION_REVOKED = "authorization_revoked", _("Authorization revoked")
    AUTHORIZATION_EXPIRING = "authorization_expiring", _("Authorization expiring")
    API_KEY_EXPIRING = "api_key_expiring", _("API key expiring")
    QUOTA_NEARLY_USED = "quota_nearly_used", _("Daily quota above 80%")
    REVENUE_REPORT_RETURNED = "revenue_report_returned", _("Revenue report returned")
    REVENUE_REPORT_VERIFIED = "revenue_report_verified", _("Revenue report verified")
    SETTLEMENT_RECORDED = "settlement_recorded", _("Settlement recorded")
    PRODUCT_OFFERED = "product_offered", _("Data product offered")
    PRODUCT_REFUSED = "product_refused", _("Data product refused in review")
    PRODUCT_WITHDRAWN = "product_withdrawn", _("Data product withdrawn")
    CEILING_APPROVED = "ceiling_approved", _("Maximum allowed revenue approved")
    CEILING_RETURNED = "ceiling_returned", _("Maximum allowed revenue returned")
    DISCLOSURE_DUE = "disclosure_due", _("Annual disclosure due")
    # The bureau: what entered a person's queue, and what waits too long there
    ENTRY_SUBMITTED = "entry_submitted", _("Catalog entry submitted for review")
    QUALIFICATION_SUBMITTED = "qualification_submitted", _("Qualification submitted for review")
    APPLICATION_TO_RECOMMEND = "application_to_recommend", _("Application awaiting recommendation")
    APPLICATION_TO_DECIDE = "application_to_decide", _("Application awaiting decision")
    REVENUE_REPORT_SUBMITTED = "revenue_report_submitted", _("Revenue report submitted")
    REGISTRATION_SUBMITTED = "registration_submitted", _("Registration application submitted")
    OBJECTION_FILED = "objection_filed", _("Objection to a registration filed")
    PRODUCT_SUBMITTED = "product_submitted", _("Data product awaiting review")
    CEILING_TO_CHECK = "ceiling_to_check", _("Maximum allowed revenue awaiting its check")
    CEILING_TO_APPROVE = "ceiling_to_approve", _("Maximum allowed revenue awaiting approval")
    OVERDUE = "overdue", _("Waiting too long")
    # Whoever objected to a registration, with or without an account
    OBJECTION_DECIDED = "objection_decided", _("Objection decided")
    # Security messages: always sent, by email too
    API_KEY_CREATED = "api_key_created", _("API key created")
    TWO_FACTOR_CHANGED = "two_factor_changed", _("Two-factor authentication changed")
    ACCOUNT_LOCKED = "account_locked", _("Account locked")


class Audience(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    PUBLIC = "public", _("Objector")
    OPERATOR = "operator", _("Operator")
    BUREAU = "bureau", _("Bureau")
    SECURITY = "security", _("Security")


@dataclass(frozen=True)
class KindSpec:
    audience: str
    title: str | Promise  # %(name)s placeholders filled from the notification's params
    body: str | Promise
    digest_by_default: bool = False


SPECS: dict[str, KindSpec] = {
    Kind.ENTRY_RETURNED: KindSpec(
        Audience.DEPARTMENT,
        _("Catalog entry %(identifier)s was returned"),
        _("“%(title)s” was returned for correction. Reason: %(reason)s"),
    ),
    Kind.ENTRY_PUBLISHED: KindSpec(
        Audience.DEPARTMENT,
        _("Catalog entry %(identifier)s was published"),
        _("“%(title)s” is published in the catalog."),
    ),
    Kind.ENTRY_REJECTED: KindSpec(
        Audience.DEPARTMENT,
        _("Catalog entry %(identifier)s was rejected"),
        _("“%(title)s” was rejected. Reason: %(reason)s"),
    ),
    Kind.ENTRY_AWAITING_CONFIRMATION: KindSpec(
        Audience.DEPARTMENT,
        _("Catalog entry %(identifier)s awaits your confirmation"),
        _("“%(title)s” was submitted and goes to the bureau once you confirm it."),
    ),
    Kind.APPLICATION_AWAITING_OPINION: KindSpec(
        Audience.DEPARTMENT,
        _("Application #%(number)s awaits the department's opinion"),
        _("%(operator)s applies to use “%(title)s” (%(identifier)s)."),
    ),
    Kind.UPLOAD_LOADED: KindSpec(
        Audience.DEPARTMENT,
        _("Version %(version)s of %(identifier)s is loaded"),
        _("%(rows)s rows of “%(title)s” are live."),
    ),
    Kind.UPLOAD_REFUSED: KindSpec(
        Audience.DEPARTMENT,
        _("Version %(version)s of %(identifier)s was refused"),
        _("The upload of “%(title)s” was refused with %(errors)s errors."),
    ),
    Kind.REGISTRATION_INCOMPLETE: KindSpec(
        Audience.DEPARTMENT,
        _("Registration application #%(number)s needs more materials"),
        _("The registration of “%(title)s” (%(identifier)s) is incomplete: %(reason)s"),
    ),
    Kind.REGISTRATION_ACCEPTED: KindSpec(
        Audience.DEPARTMENT,
        _("Registration application #%(number)s was accepted"),
        _("The registration of “%(title)s” (%(identifier)s) is in formal review."),
    ),
    Kind.REGISTRATION_IN_NOTICE: KindSpec(
        Audience.DEPARTMENT,
        _("Registration application #%(number)s is in public notice"),
        _("The registration of “%(title)s” (%(identifier)s) is publicly noticed until %(until)s."),
    ),
    Kind.REGISTRATION_OBJECTED: KindSpec(
        Audience.DEPARTMENT,
        _("Registration application #%(number)s is paused by an objection"),
        _("An objection to the registration of “%(title)s” (%(identifier)s) awaits the bureau."),
    ),
    Kind.REGISTRATION_REGISTERED: KindSpec(
        Audience.DEPARTMENT,
        _("“%(title)s” is registered: %(code)s"),
        _("Registration %(code)s of %(identifier)s is valid until %(valid_until)s."),
    ),
    Kind.REGISTRATION_REFUSED: KindSpec(
        Audience.DEPARTMENT,
        _("Registration application #%(number)s was refused"),
        _("The registration of “%(title)s” (%(identifier)s) was refused. Reason: %(reason)s"),
    ),
    Kind.UPLOAD_HELD: KindSpec(
        Audience.DEPARTMENT,
        _("Version %(version)s of %(identifier)s awaits your confirmation"),
        _(
            "The upload of “%(title)s” has %(rows)s rows where the live version has %(live)s: "
            "confirm it or discard it before it goes live."
        ),
    ),
    Kind.QUALIFICATION_APPROVED: KindSpec(
        Audience.OPERATOR,
        _("Qualification %(number)s was approved"),
        _("%(type)s %(number)s is approved, valid until %(valid_until)s."),
    ),
    Kind.QUALIFICATION_REJECTED: KindSpec(
        Audience.OPERATOR,
        _("Qualification %(number)s was rejected"),
        _("%(type)s %(number)s was rejected. Reason: %(reason)s"),
    ),
    Kind.QUALIFICATION_EXPIRING: KindSpec(
        Audience.OPERATOR,
        _("Qualification %(number)s expires in %(days)s days"),
        _("%(type)s %(number)s is valid until %(valid_until)s: submit its renewal in time."),
    ),
    Kind.APPLICATION_APPROVED: KindSpec(
        Audience.OPERATOR,
        _("Application #%(number)s was approved"),
        _("The application for “%(title)s” (%(identifier)s) is approved."),
    ),
    Kind.APPLICATION_REJECTED: KindSpec(
        Audience.OPERATOR,
        _("Application #%(number)s was rejected"),
        _("The application for “%(title)s” (%(identifier)s) was rejected. Reason: %(reason)s"),
    ),
    Kind.AUTHORIZATION_SUSPENDED: KindSpec(
        Audience.OPERATOR,
        _("Authorization #%(number)s was suspended"),
        _("The authorization for “%(title)s” (%(identifier)s) is suspended. Reason: %(reason)s"),
    ),
    Kind.AUTHORIZATION_RESUMED: KindSpec(
        Audience.OPERATOR,
        _("Authorization #%(number)s was resumed"),
        _("The authorization for “%(title)s” (%(identifier)s) is in force again."),
    ),
    Kind.AUTHORIZATION_REVOKED: KindSpec(
        Audience.OPERATOR,
        _("Authorization #%(number)s was revoked"),
        _("The authorization for “%(title)s” (%(identifier)s) is revoked. Reason: %(reason)s"),
    ),
    Kind.AUTHORIZATION_EXPIRING: KindSpec(
        Audience.OPERATOR,
        _("Authorization #%(number)s expires in %(days)s days"),
        _("The authorization for “%(title)s” (%(identifier)s) ends on %(valid_until)s."),
    ),
    Kind.API_KEY_EXPIRING: KindSpec(
        Audience.OPERATOR,
        _("API key %(name)s expires in %(days)s days"),
        _("The API key %(name)s (%(prefix)s…) stops working on %(valid_until)s."),
    ),
    Kind.QUOTA_NEARLY_USED: KindSpec(
        Audience.OPERATOR,
        _("Authorization #%(number)s: %(percent)s%% of today's quota used"),
        _("%(rows)s of %(quota)s rows of “%(title)s” (%(identifier)s) are used today."),
    ),
    Kind.REVENUE_REPORT_RETURNED: KindSpec(
        Audience.OPERATOR,
        _("Revenue report for %(period)s was returned"),
        _("The report of authorization #%(number)s was returned. Correct: %(reason)s"),
    ),
    Kind.REVENUE_REPORT_VERIFIED: KindSpec(
        Audience.OPERATOR,
        _("Revenue report for %(period)s was verified"),
        _("The report of authorization #%(number)s is verified."),
    ),
    Kind.SETTLEMENT_RECORDED: KindSpec(
        Audience.OPERATOR,
        _("Revenue for %(period)s was settled"),
        _("%(reports)s of your revenue reports were settled."),
    ),
    Kind.PRODUCT_OFFERED: KindSpec(
        Audience.OPERATOR,
        _("“%(name)s” is offered"),
        _("Both reviews of “%(name)s” passed: it may be offered, at a price within its cap."),
    ),
    Kind.PRODUCT_REFUSED: KindSpec(
        Audience.OPERATOR,
        _("“%(name)s” was refused in review"),
        _("“%(name)s” may not be offered. Reason: %(reason)s"),
    ),
    Kind.PRODUCT_WITHDRAWN: KindSpec(
        Audience.OPERATOR,
        _("“%(name)s” was withdrawn"),
        _("“%(name)s” is no longer offered. Reason: %(reason)s"),
    ),
    Kind.CEILING_APPROVED: KindSpec(
        Audience.OPERATOR,
        _("Your maximum allowed revenue for %(year)s was approved"),
        _("The maximum allowed revenue for %(year)s is ¥%(maximum)s."),
    ),
    Kind.CEILING_RETURNED: KindSpec(
        Audience.OPERATOR,
        _("Your maximum allowed revenue for %(year)s was returned"),
        _("Correct the figures and propose them again. Reason: %(reason)s"),
    ),
    Kind.DISCLOSURE_DUE: KindSpec(
        Audience.OPERATOR,
        _("The annual disclosure for %(year)s is due in %(days)s days"),
        _("Publish the disclosure for %(year)s by %(due_on)s."),
    ),
    Kind.ENTRY_SUBMITTED: KindSpec(
        Audience.BUREAU,
        _("Catalog entry %(identifier)s awaits review"),
        _("%(department)s submitted “%(title)s”."),
        digest_by_default=True,
    ),
    Kind.QUALIFICATION_SUBMITTED: KindSpec(
        Audience.BUREAU,
        _("Qualification %(number)s awaits review"),
        _("%(operator)s submitted %(type)s %(number)s."),
        digest_by_default=True,
    ),
    Kind.APPLICATION_TO_RECOMMEND: KindSpec(
        Audience.BUREAU,
        _("Application #%(number)s awaits your recommendation"),
        _("%(operator)s applies to use “%(title)s” (%(identifier)s); the department agreed."),
        digest_by_default=True,
    ),
    Kind.APPLICATION_TO_DECIDE: KindSpec(
        Audience.BUREAU,
        _("Application #%(number)s awaits your decision"),
        _("%(operator)s applies to use “%(title)s” (%(identifier)s)."),
        digest_by_default=True,
    ),
    Kind.REVENUE_REPORT_SUBMITTED: KindSpec(
        Audience.BUREAU,
        _("Revenue report for %(period)s awaits verification"),
        _("%(operator)s reported the revenue of authorization #%(number)s."),
        digest_by_default=True,
    ),
    Kind.REGISTRATION_SUBMITTED: KindSpec(
        Audience.BUREAU,
        _("Registration application #%(number)s awaits acceptance"),
        _("%(department)s applies to register “%(title)s” (%(identifier)s)."),
        digest_by_default=True,
    ),
    Kind.OBJECTION_FILED: KindSpec(
        Audience.BUREAU,
        _("An objection to registration application #%(number)s awaits your decision"),
        _("The registration of “%(title)s” (%(identifier)s) is paused until it is decided."),
    ),
    Kind.OBJECTION_DECIDED: KindSpec(
        Audience.PUBLIC,
        _("Your objection to registration application #%(number)s was %(outcome)s"),
        _(
            "Your objection to the registration of “%(title)s” (%(identifier)s) was "
            "%(outcome)s. Reason: %(reason)s"
        ),
    ),
    Kind.PRODUCT_SUBMITTED: KindSpec(
        Audience.BUREAU,
        _("“%(name)s” awaits its reviews"),
        _("%(operator)s submitted the data product “%(name)s”."),
        digest_by_default=True,
    ),
    Kind.CEILING_TO_CHECK: KindSpec(
        Audience.BUREAU,
        _("The maximum allowed revenue of %(operator)s for %(year)s awaits its check"),
        _("%(operator)s proposed ¥%(maximum)s for %(year)s."),
        digest_by_default=True,
    ),
    Kind.CEILING_TO_APPROVE: KindSpec(
        Audience.BUREAU,
        _("The maximum allowed revenue of %(operator)s for %(year)s awaits approval"),
        _("¥%(maximum)s for %(year)s was checked; another approver decides."),
        digest_by_default=True,
    ),
    Kind.OVERDUE: KindSpec(
        Audience.BUREAU,
        _("Waiting for %(days)s days: %(subject)s"),
        _("%(subject)s has waited in your queue since %(since)s."),
        digest_by_default=True,
    ),
    Kind.API_KEY_CREATED: KindSpec(
        Audience.SECURITY,
        _("A new API key was created: %(name)s"),
        _(
            "%(actor)s created the API key %(name)s (%(prefix)s…). If this was not expected, "
            "revoke it at once."
        ),
    ),
    Kind.TWO_FACTOR_CHANGED: KindSpec(
        Audience.SECURITY,
        _("Your two-factor authentication changed"),
        _("Change: %(change)s. If this was not you, tell the bureau's administrator at once."),
    ),
    Kind.ACCOUNT_LOCKED: KindSpec(
        Audience.SECURITY,
        _("Your account was locked"),
        _(
            "Too many wrong passwords were tried for your account; it is locked for "
            "%(minutes)s minutes."
        ),
    ),
}

SECURITY_KINDS = frozenset(kind for kind, spec in SPECS.items() if spec.audience == "security")
