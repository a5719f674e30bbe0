"""Reads of aggregation risk (实施规范 27号: the risk of combining datasets is controlled).

An operator *holds* a tag when one of its authorizations in force grants a field carrying it; only
the granted fields count. A combination rule is a set of tags one operator may not hold together
(or only with a justification confirmed by a second approver). These selectors say what an
operator holds, which rules a prospective approval would complete, and who already breaches a rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.catalog.choices import FieldTag
from apps.catalog.models import CatalogEntry, CatalogField
from apps.organisations.models import Operator

from .choices import RuleEffect
from .models import AggregationJustification, Authorization, CombinationRule


@dataclass(frozen=True)
class Holding:
    """An authorization in force and the tags of the fields it grants."""

    authorization: Authorization
    tags: frozenset[str]

    def tag_labels(self) -> list[str]:
        return [str(label) for value, label in FieldTag.choices if value in self.tags]


@dataclass(frozen=True)
class TriggeredRule:
    """A rule an approval would complete, and the datasets that together complete it."""

    rule: CombinationRule
    entries: list[CatalogEntry]

    @property
    def is_forbidden(self) -> bool:
        return self.rule.effect == RuleEffect.FORBIDDEN

    def entry_names(self) -> str:
        return "、".join(f"{entry.identifier} {entry.title}" for entry in self.entries)


@dataclass
class Breach:
    """An operator whose authorizations in force already hold every tag of a rule."""

    operator: Operator
    entries: list[CatalogEntry] = field(default_factory=list)


def _granted_tags(authorizations: Iterable[Authorization]) -> dict[int, frozenset[str]]:
    """authorization id → the tags of the fields it grants, in one query."""
    authorizations = list(authorizations)
    rows = CatalogField.objects.filter(
        entry_id__in={authorization.entry_id for authorization in authorizations}
    ).values_list("entry_id", "name", "tags")
    tags_by_field = {(entry_id, name): tags for entry_id, name, tags in rows}
    return {
        authorization.pk: frozenset(
            tag
            for name in authorization.allowed_fields
            for tag in tags_by_field.get((authorization.entry_id, name), [])
        )
        for authorization in authorizations
    }


def operator_holdings(*, operator: Operator) -> list[Holding]:
    """The operator's authorizations in force, each with the tags it grants."""
    authorizations = list(
        Authorization.objects.in_force()
        .filter(operator=operator)
        .select_related("entry__department", "scenario")
        .order_by("entry__identifier")
    )
    tags = _granted_tags(authorizations)
    return [Holding(authorization, tags[authorization.pk]) for authorization in authorizations]


def entry_fields_tags(*, entry: CatalogEntry, field_names: Iterable[str]) -> frozenset[str]:
    names = set(field_names)
    return frozenset(
        tag for name, tags in entry.fields.values_list("name", "tags") if name in names
        for tag in tags
    )  # fmt: skip


def combination_rules_triggered(
    *, operator: Operator, entry: CatalogEntry, allowed_fields: Iterable[str]
) -> list[TriggeredRule]:
    """The active rules this approval would complete: with it, the operator holds every tag of
    the rule, and the approval itself grants at least one of them."""
    new_tags = entry_fields_tags(entry=entry, field_names=allowed_fields)
    holdings = operator_holdings(operator=operator)
    held = new_tags.union(*(holding.tags for holding in holdings))
    triggered = []
    for rule in CombinationRule.objects.active():
        wanted = set(rule.tags)
        if not wanted <= held or not wanted & new_tags:
            continue
        entries = [h.authorization.entry for h in holdings if h.tags & wanted]
        if entry not in entries:
            entries.append(entry)
        triggered.append(TriggeredRule(rule, entries))
    return triggered


def application_confirmed_rule_ids(*, application_id: int) -> set[int]:
    """The rules a confirmed justification on this application covers."""
    return set(
        AggregationJustification.rules.through.objects.filter(
            aggregationjustification__application_id=application_id,
            aggregationjustification__confirmed_by__isnull=False,
        ).values_list("combinationrule_id", flat=True)
    )


def application_justification_pending(*, application_id: int) -> AggregationJustification | None:
    """The latest justification of this application still waiting for its second approver."""
    return (
        AggregationJustification.objects.filter(
            application_id=application_id, confirmed_by__isnull=True
        )
        .select_related("proposed_by")
        .prefetch_related("rules")
        .first()
    )


def combination_rule_breaches(
    *, rules: Iterable[CombinationRule] | None = None
) -> dict[int, list[Breach]]:
    """rule id → the operators already holding all its tags, for the bureau's queue.

    A needs-justification rule is not breached by an operator whose authorization in force came
    from an application with a confirmed justification for that rule. A handful of queries for
    every rule at once, so the admin list can show counts.
    """
    rules = list(CombinationRule.objects.active() if rules is None else rules)
    authorizations = list(
        Authorization.objects.in_force()
        .select_related("operator", "entry")
        .order_by("operator__name", "entry__identifier")
    )
    tags = _granted_tags(authorizations)
    justified = set(
        AggregationJustification.rules.through.objects.filter(
            aggregationjustification__confirmed_by__isnull=False,
            aggregationjustification__application__authorization__in=authorizations,
        ).values_list("aggregationjustification__application__operator_id", "combinationrule_id")
    )
    breaches: dict[int, list[Breach]] = {}
    for rule in rules:
        wanted = set(rule.tags)
        found: dict[int, Breach] = {}
        held: dict[int, set[str]] = {}
        for authorization in authorizations:
            granted = tags[authorization.pk] & wanted
            if not granted:
                continue
            held.setdefault(authorization.operator_id, set()).update(granted)
            breach = found.setdefault(authorization.operator_id, Breach(authorization.operator))
            breach.entries.append(authorization.entry)
        breaches[rule.pk] = [
            breach
            for operator_id, breach in found.items()
            if held[operator_id] >= wanted
            and (rule.effect == RuleEffect.FORBIDDEN or (operator_id, rule.pk) not in justified)
        ]
    return breaches
