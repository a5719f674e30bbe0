"""The annual disclosure (2026 notice of the national data administration; ../shared/domain.md):
every year, by the end of March, for the previous year — the implementing body discloses itself,
the authorizations it granted and the cap prices; each operator itself, the catalog entries it
is authorized for, its product and service list and its actual prices. Publishing freezes the
content."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from ..choices import DisclosureStatus
from ..models import AnnualDisclosure
from ..selectors import disclosure_content, operators_active_in

PUBLISH = "products.publish_annualdisclosure"


def disclosure_due_on(year: int) -> date:
    """Due by the end of March of the next year."""
    return date(year + 1, 3, 31)


def _may(actor: User | None, operator: Operator | None) -> None:
    if actor is None:
        return
    if operator is None:
        if actor.bureau_id is None or not actor.has_perm(PUBLISH):
            raise NotAllowed(
                _("Only bureau approvers prepare and publish the bureau's disclosure.")
            )
    elif actor.operator_id != operator.pk:
        raise NotAllowed(_("Only the operator's own members prepare and publish its disclosure."))


@transaction.atomic
def disclosure_prepare(
    *, year: int, operator: Operator | None, actor: User | None, statement: str = ""
) -> AnnualDisclosure:
    """A draft for the year (the one already there, if any)."""
    _may(actor, operator)
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("A disclosure is for this year or an earlier one.")})
    existing = AnnualDisclosure.objects.filter(year=year, operator=operator).first()
    if existing is not None:
        return existing
    disclosure = AnnualDisclosure(
        year=year, operator=operator, due_on=disclosure_due_on(year), statement=statement.strip()
    )
    history_attribute(disclosure, user=actor, reason=_("prepared"))
    try:
        with transaction.atomic():
            disclosure.save()
    except IntegrityError:  # prepared at the same moment by someone else
        return AnnualDisclosure.objects.get(year=year, operator=operator)
    return disclosure


def disclosures_open(*, year: int) -> int:
    """Drafts for the bureau and every operator that held an authorization in ``year`` (the
    command ``open_disclosures`` runs it at the start of the year); returns how many are new."""
    before = AnnualDisclosure.objects.filter(year=year).count()
    disclosure_prepare(year=year, operator=None, actor=None)
    for operator in operators_active_in(year=year):
        disclosure_prepare(year=year, operator=operator, actor=None)
    return AnnualDisclosure.objects.filter(year=year).count() - before


@transaction.atomic
def disclosure_publish(
    *, disclosure: AnnualDisclosure, actor: User, statement: str | None = None
) -> AnnualDisclosure:
    """Publish once the year is over: its content is taken now and never changes."""
    _may(actor, disclosure.operator)
    disclosure = AnnualDisclosure.objects.select_for_update().get(pk=disclosure.pk)
    if disclosure.status != DisclosureStatus.DRAFT:
        raise IllegalTransition(_("This disclosure is published already."))
    if timezone.localdate() <= date(disclosure.year, 12, 31):
        raise ValidationError(
            _("The disclosure for %(year)s is published once the year is over.")
            % {"year": disclosure.year},
            code="too_early",
        )
    if statement is not None:
        disclosure.statement = statement.strip()
    disclosure.content = disclosure_content(year=disclosure.year, operator=disclosure.operator)
    disclosure.status = DisclosureStatus.PUBLISHED
    disclosure.published_by, disclosure.published_at = actor, timezone.now()
    history_attribute(disclosure, user=actor, reason=_("published"))
    disclosure.save()
    return disclosure
