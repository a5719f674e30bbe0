"""Writes of aggregation-risk control (实施规范 27号): the bureau's combination rules, and the
justification that lets an approval complete a needs-justification rule, written by one approver
and confirmed by a second one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.audit.models import EventKind
from apps.audit.services import audit_record
from apps.catalog.models import CatalogEntry
from apps.core.errors import DomainError, IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from ..aggregation_selectors import (
    TriggeredRule,
    application_confirmed_rule_ids,
    application_justification_pending,
    combination_rules_triggered,
)
from ..choices import ApplicationStatus, RuleEffect
from ..models import AggregationJustification, Application, CombinationRule

DECIDE = "authorizations.decide_application"


def _require_approver(actor: User) -> None:
    if actor.bureau_id is None or not actor.has_perm(DECIDE):
        raise NotAllowed(_("Only bureau approvers may decide on aggregation risk."))


@transaction.atomic
def combination_rule_save(*, rule: CombinationRule, actor: User, reason: str = "") -> None:
    """Create or change a rule; the admin's form calls this and nothing else writes rules."""
    permission = f"authorizations.{'add' if rule.pk is None else 'change'}_combinationrule"
    if actor.bureau_id is None or not actor.has_perm(permission):
        raise NotAllowed(_("Only bureau approvers may set combination rules."))
    if rule.pk is None:
        rule.created_by = actor
    rule.tags = sorted(set(rule.tags))
    rule.full_clean()
    history_attribute(rule, user=actor, reason=reason)
    rule.save()
    audit_record(
        kind=EventKind.COMBINATION_RULE_CHANGED, actor=actor, obj=rule,
        details={"name": rule.name, "tags": rule.tags, "effect": rule.effect,
                 "active": rule.active, "reason": reason},
    )  # fmt: skip


def _rule_names(triggered: list[TriggeredRule]) -> str:
    return "; ".join(
        _("“%(rule)s” (catalog entries: %(entries)s)")
        % {"rule": item.rule.name, "entries": item.entry_names()}
        for item in triggered
    )


def aggregation_check(
    *, application: Application, entry: CatalogEntry, allowed_fields: list[str]
) -> list[TriggeredRule]:
    """Refuse an approval that completes a forbidden rule, or a needs-justification rule without
    a confirmed justification; return the justified rules it completes."""
    triggered = combination_rules_triggered(
        operator=application.operator, entry=entry, allowed_fields=allowed_fields
    )
    forbidden = [item for item in triggered if item.is_forbidden]
    if forbidden:
        raise DomainError(
            _("This approval would combine catalog entries a combination rule forbids: %(rules)s.")
            % {"rules": _rule_names(forbidden)}
        )
    confirmed = application_confirmed_rule_ids(application_id=application.pk)
    unjustified = [item for item in triggered if item.rule.pk not in confirmed]
    if unjustified:
        raise DomainError(
            _(
                "This approval completes a combination that needs a justification confirmed by "
                "a second approver: %(rules)s."
            )
            % {"rules": _rule_names(unjustified)}
        )
    return triggered


def aggregation_approval_record(
    *, application: Application, actor: User, justified: list[TriggeredRule]
) -> None:
    """Put the justified combination on the audit log with the approval."""
    if justified:
        audit_record(
            kind=EventKind.APPLICATION_DECIDED, actor=actor, obj=application,
            details={"step": "aggregation_justified",
                     "rules": [item.rule.name for item in justified]},
        )  # fmt: skip


def operator_lock(operator: Operator) -> None:
    """Approvals for one operator run one at a time: two approvals in parallel could each
    complete half of a combination rule and pass its check."""
    Operator.objects.select_for_update().filter(pk=operator.pk).first()


def _locked_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("entry", "operator")
        .get(pk=application.pk)
    )


@transaction.atomic
def aggregation_justification_propose(
    *, application: Application, actor: User, text: str
) -> AggregationJustification:
    """The first approver says why the operator may hold the combination the requested fields
    would complete; a second approver must confirm it before the approval."""
    _require_approver(actor)
    application = _locked_application(application)
    if application.status != ApplicationStatus.RECOMMENDED:
        raise IllegalTransition(_("Only a recommended application awaits this decision."))
    text = text.strip()
    if not text:
        raise ValidationError({"reason": _("Write the justification.")}, code="reason")
    triggered = combination_rules_triggered(
        operator=application.operator,
        entry=application.entry,
        allowed_fields=application.requested_fields,
    )
    if any(item.is_forbidden for item in triggered):
        raise DomainError(
            _("A forbidden combination cannot be justified: %(rules)s.")
            % {"rules": _rule_names([item for item in triggered if item.is_forbidden])}
        )
    confirmed = application_confirmed_rule_ids(application_id=application.pk)
    rules = [
        item.rule
        for item in triggered
        if item.rule.effect == RuleEffect.NEEDS_JUSTIFICATION and item.rule.pk not in confirmed
    ]
    if not rules:
        raise IllegalTransition(_("No combination rule needs a justification for this approval."))
    if application_justification_pending(application_id=application.pk) is not None:
        raise IllegalTransition(_("A justification already awaits its second approver."))
    justification = AggregationJustification(application=application, text=text, proposed_by=actor)
    history_attribute(justification, user=actor, reason=text)
    justification.save()
    justification.rules.set(rules)
    audit_record(
        kind=EventKind.APPLICATION_DECIDED, actor=actor, obj=application,
        details={"step": "aggregation_justification_proposed", "justification": text,
                 "rules": [rule.name for rule in rules]},
    )  # fmt: skip
    return justification


@transaction.atomic
def aggregation_justification_confirm(
    *, application: Application, actor: User, comment: str = ""
) -> AggregationJustification:
    """The second approver, never the one who wrote the justification, confirms it."""
    _require_approver(actor)
    application = _locked_application(application)
    pending = application_justification_pending(application_id=application.pk)
    if pending is None:
        raise IllegalTransition(_("No justification awaits a second approver."))
    justification = AggregationJustification.objects.select_for_update().get(pk=pending.pk)
    if justification.proposed_by_id == actor.pk:
        raise NotAllowed(
            _("You wrote this justification; a second approver must confirm it (four eyes).")
        )
    justification.confirmed_by = actor
    justification.confirmed_at = timezone.now()
    history_attribute(
        justification, user=actor, reason=comment.strip() or gettext_lazy("confirmed")
    )
    justification.save(update_fields=["confirmed_by", "confirmed_at"])
    audit_record(
        kind=EventKind.APPLICATION_DECIDED, actor=actor, obj=application,
        details={"step": "aggregation_justification_confirmed", "justification": pending.text,
                 "proposed_by": pending.proposed_by.username,
                 "rules": [rule.name for rule in pending.rules.all()]},
    )  # fmt: skip
    return justification
