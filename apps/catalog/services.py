"""Every write to the catalog. Forms and admin actions call these and nothing else."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role, User
from apps.audit.models import EventKind
from apps.audit.services import audit_record
from apps.cdo.selectors import is_active_cdo
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Department

from . import search
from .choices import (
    DEPARTMENT_MOVES,
    MOVES_NEEDING_REASON,
    TRANSITIONS,
    Grade,
    Openness,
    Status,
)
from .models import CatalogEntry, CatalogField, IdentifierSequence
from .notify import entry_moved

ENTRY_FIELDS = (
    "title", "description", "sector", "keywords", "update_frequency", "temporal_start",
    "temporal_end", "spatial_coverage", "format", "contact_name", "contact_email",
    "contact_phone", "grade", "openness",
)  # fmt: skip
FIELD_ATTRIBUTES = (
    "name", "label", "data_type", "description", "sensitivity", "nullable", "filterable", "tags",
)  # fmt: skip


def _next_identifier(department: Department) -> str:
    sequence, _created = IdentifierSequence.objects.select_for_update().get_or_create(
        department=department
    )
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{department.code}-{sequence.last_value:05d}"


def check_entry_rules(*, grade: str, openness: str, fields: Sequence[Mapping[str, Any]]) -> None:
    """Rules of classification and openness (../shared/domain.md, "Catalog entry")."""
    if grade == Grade.CORE and openness != Openness.NOT_OPEN:
        raise ValidationError(
            {"openness": _("Core-grade data is never open or conditional.")}, code="core_open"
        )
    if openness == Openness.OPEN and any(
        f.get("sensitivity", "public") != "public" for f in fields
    ):
        raise ValidationError(
            {"openness": _("An entry with personal fields can never be open.")},
            code="personal_open",
        )
    names = [f["name"] for f in fields]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValidationError(
            _("Field names must be unique; repeated: %(names)s") % {"names": ", ".join(duplicates)},
            code="duplicate_field",
        )


def _require_own_department(
    *, entry: CatalogEntry | None, department: Department, actor: User
) -> None:
    if actor.department_id != department.pk or (entry and entry.department_id != department.pk):
        raise NotAllowed(_("Only members of the providing department may change this entry."))


def _write_fields(entry: CatalogEntry, fields: Sequence[dict[str, Any]], actor: User) -> None:
    """Replace the schema, keeping rows whose name stays so their history reads as changes."""
    existing = {field.name: field for field in entry.fields.all()}
    keep = set()
    for position, spec in enumerate(fields):
        field = existing.get(spec["name"]) or CatalogField(entry=entry)
        changed = (
            field.pk is None
            or field.position != position
            or any(
                getattr(field, attribute) != spec.get(attribute, getattr(field, attribute))
                for attribute in FIELD_ATTRIBUTES
            )
        )
        field.position = position
        for attribute in FIELD_ATTRIBUTES:
            if attribute in spec:
                setattr(field, attribute, spec[attribute])
        if changed:
            field.full_clean(exclude=["entry"])
            history_attribute(field, user=actor)
            field.save()
        keep.add(field.name)
    for name, field in existing.items():
        if name not in keep:
            history_attribute(field, user=actor)
            field.delete()


def _refresh_search(entry: CatalogEntry) -> None:
    entry.search_document = search.document(
        entry.identifier, entry.title, entry.description, " ".join(entry.keywords)
    )


@transaction.atomic
def catalog_entry_create(
    *, department: Department, actor: User, data: dict[str, Any], fields: Sequence[dict[str, Any]]
) -> CatalogEntry:
    _require_own_department(entry=None, department=department, actor=actor)
    check_entry_rules(grade=data["grade"], openness=data["openness"], fields=fields)
    entry = CatalogEntry(department=department, created_by=actor)
    for name in ENTRY_FIELDS:
        if name in data:
            setattr(entry, name, data[name])
    entry.full_clean(exclude=["identifier", "created_by"])
    entry.identifier = _next_identifier(department)
    _refresh_search(entry)
    history_attribute(entry, user=actor, reason=gettext_lazy("created"))
    entry.save()
    _write_fields(entry, fields, actor)
    return entry


@transaction.atomic
def catalog_entry_update(
    *, entry: CatalogEntry, actor: User, data: dict[str, Any], fields: Sequence[dict[str, Any]]
) -> CatalogEntry:
    entry = CatalogEntry.objects.select_for_update().get(pk=entry.pk)
    _require_own_department(entry=entry, department=entry.department, actor=actor)
    if not entry.is_editable:
        raise IllegalTransition(
            _("A %(status)s entry cannot be edited.") % {"status": entry.get_status_display()}
        )
    check_entry_rules(grade=data["grade"], openness=data["openness"], fields=fields)
    for name in ENTRY_FIELDS:
        if name in data:
            setattr(entry, name, data[name])
    entry.full_clean(exclude=["created_by"])
    _refresh_search(entry)
    history_attribute(entry, user=actor, reason=gettext_lazy("edited"))
    entry.save()
    _write_fields(entry, fields, actor)
    return entry


def _check_actor(entry: CatalogEntry, actor: User, to_status: str) -> None:
    department = entry.department
    if entry.status == Status.AWAITING_CONFIRMATION:
        # The CDO's confirmation: only the department's CDO in office at this moment.
        if not is_active_cdo(user=actor, department=department):
            raise NotAllowed(_("Only the department's chief data officer in office may confirm."))
    elif to_status in DEPARTMENT_MOVES:
        _require_own_department(entry=entry, department=department, actor=actor)
        if to_status == Status.SUBMITTED and department.submissions_need_cdo_confirmation:
            raise IllegalTransition(
                _("This department's submissions go to the bureau after its CDO confirms them.")
            )
        if to_status == Status.AWAITING_CONFIRMATION and not (
            department.submissions_need_cdo_confirmation
        ):
            raise IllegalTransition(_("This department's submissions need no CDO confirmation."))
    elif actor.role != Role.BUREAU or not actor.has_perm("catalog.review_catalogentry"):
        raise NotAllowed(_("Only bureau reviewers and approvers may review catalog entries."))


@transaction.atomic
def catalog_entry_transition(
    *, entry: CatalogEntry, actor: User, to_status: str, comment: str = ""
) -> CatalogEntry:
    """The one way an entry changes state: lock, check the move and the actor, save, record why."""
    entry = CatalogEntry.objects.select_for_update().get(pk=entry.pk)
    if to_status not in TRANSITIONS[entry.status]:
        raise IllegalTransition(
            _("A %(current)s entry cannot become %(target)s.")
            % {"current": entry.get_status_display(), "target": Status(to_status).label}
        )
    _check_actor(entry, actor, to_status)
    comment = comment.strip()
    if to_status in MOVES_NEEDING_REASON and not comment:
        raise ValidationError({"comment": _("Give a reason for this decision.")}, code="reason")
    if to_status in (Status.SUBMITTED, Status.AWAITING_CONFIRMATION):
        fields = list(entry.fields.values("name", "sensitivity"))
        if not fields:
            raise ValidationError(_("Describe at least one field before submitting."), code="empty")
        check_entry_rules(grade=entry.grade, openness=entry.openness, fields=fields)
    if to_status == Status.SUBMITTED:
        entry.submitted_at = timezone.now()
    if to_status == Status.PUBLISHED:
        entry.published_at = timezone.now()
    if to_status not in (Status.SUBMITTED, Status.AWAITING_CONFIRMATION):
        # The department's response on resubmission lives in the history's reason; the
        # reviewer's last comment stays visible until the next review.
        entry.review_comment = comment
    entry.status = to_status
    history_attribute(entry, user=actor, reason=comment or Status(to_status).label)
    entry.save(update_fields=["status", "review_comment", "submitted_at", "published_at"])
    entry_moved(entry=entry, to_status=to_status, comment=comment)
    return entry


def catalog_entry_submit(*, entry: CatalogEntry, actor: User, comment: str = "") -> CatalogEntry:
    """Submit for review; where the department requires it, first to its CDO."""
    target = (
        Status.AWAITING_CONFIRMATION
        if entry.department.submissions_need_cdo_confirmation
        and entry.status != Status.AWAITING_CONFIRMATION
        else Status.SUBMITTED
    )
    return catalog_entry_transition(entry=entry, actor=actor, to_status=target, comment=comment)


def catalog_entry_confirm(*, entry: CatalogEntry, actor: User, comment: str = "") -> CatalogEntry:
    """The CDO confirms a submission, which then goes to the bureau."""
    return catalog_entry_transition(
        entry=entry, actor=actor, to_status=Status.SUBMITTED, comment=comment
    )


def catalog_entry_cdo_return(*, entry: CatalogEntry, actor: User, comment: str) -> CatalogEntry:
    """The CDO sends a submission back to the department's members, with the reason."""
    return catalog_entry_transition(
        entry=entry, actor=actor, to_status=Status.RETURNED, comment=comment
    )


def catalog_entry_publish(*, entry: CatalogEntry, actor: User, comment: str = "") -> CatalogEntry:
    return catalog_entry_transition(
        entry=entry, actor=actor, to_status=Status.PUBLISHED, comment=comment
    )


def catalog_entry_return(*, entry: CatalogEntry, actor: User, comment: str) -> CatalogEntry:
    return catalog_entry_transition(
        entry=entry, actor=actor, to_status=Status.RETURNED, comment=comment
    )


def catalog_entry_reject(*, entry: CatalogEntry, actor: User, comment: str) -> CatalogEntry:
    return catalog_entry_transition(
        entry=entry, actor=actor, to_status=Status.REJECTED, comment=comment
    )


def catalog_entry_retire(*, entry: CatalogEntry, actor: User, comment: str) -> CatalogEntry:
    return catalog_entry_transition(
        entry=entry, actor=actor, to_status=Status.RETIRED, comment=comment
    )


@transaction.atomic
def catalog_field_tags_set(
    *, entry: CatalogEntry, actor: User, tags: Mapping[str, list[str]], reason: str = ""
) -> list[CatalogField]:
    """The bureau tags an entry's fields in any status: tags drive the aggregation-risk rules,
    which must also cover entries already published (实施规范 27号). Returns the changed fields."""
    if actor.bureau_id is None or not actor.has_perm("catalog.review_catalogentry"):
        raise NotAllowed(_("Only bureau reviewers may tag the fields of an entry."))
    changed = []
    for field in CatalogField.objects.select_for_update().filter(entry=entry):
        wanted = list(tags.get(field.name, field.tags))
        if wanted == field.tags:
            continue
        field.tags = wanted
        field.full_clean(exclude=["entry"])
        history_attribute(field, user=actor, reason=reason or gettext_lazy("tags changed"))
        field.save(update_fields=["tags"])
        changed.append(field)
    if changed:
        audit_record(
            kind=EventKind.CATALOG_ENTRY_CHANGED, actor=actor, obj=entry,
            details={"step": "fields_tagged", "reason": reason,
                     "tags": {field.name: field.tags for field in changed}},
        )  # fmt: skip
    return changed
