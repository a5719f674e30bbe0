import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from apps.catalog import services
from apps.catalog.choices import Status
from apps.catalog.models import CatalogEntry, CatalogField
from apps.core.errors import IllegalTransition, NotAllowed
from tests.factories import DEFAULT_FIELDS, entry_data, make_entry

# The CDO's confirmation step is tested with the CDO assignments (tests/cdo).
ALL_STATUSES = [s.value for s in Status if s != Status.AWAITING_CONFIRMATION]
ALLOWED = {
    ("draft", "submitted"), ("submitted", "returned"), ("submitted", "published"),
    ("submitted", "rejected"), ("returned", "submitted"), ("published", "retired"),
}  # fmt: skip


def _actor_for(target, department_member, reviewer):
    return department_member if target == "submitted" else reviewer


@pytest.mark.parametrize("current", ALL_STATUSES)
@pytest.mark.parametrize("target", ALL_STATUSES)
def test_every_move_is_allowed_or_refused(current, target, department, department_member, reviewer):
    entry = make_entry(
        department=department, actor=department_member, status=current, reviewer=reviewer
    )
    actor = _actor_for(target, department_member, reviewer)
    if (current, target) in ALLOWED:
        entry = services.catalog_entry_transition(
            entry=entry, actor=actor, to_status=target, comment="因为"
        )
        assert entry.status == target
    else:
        with pytest.raises(IllegalTransition):
            services.catalog_entry_transition(
                entry=entry, actor=actor, to_status=target, comment="因为"
            )
        entry.refresh_from_db()
        assert entry.status == current


def test_identifiers_are_department_code_and_sequence_never_reused(department, department_member):
    first = make_entry(department=department, actor=department_member)
    second = make_entry(department=department, actor=department_member)
    assert (first.identifier, second.identifier) == ("EDU-00001", "EDU-00002")
    second.delete()
    assert make_entry(department=department, actor=department_member).identifier == "EDU-00003"


def test_only_the_providing_department_submits(
    department, other_department_member, reviewer, department_member
):
    entry = make_entry(department=department, actor=department_member)
    for intruder in (other_department_member, reviewer):
        with pytest.raises(NotAllowed):
            services.catalog_entry_submit(entry=entry, actor=intruder)


def test_departments_and_auditors_cannot_review(
    department, department_member, auditor, operator_member, reviewer
):
    entry = make_entry(department=department, actor=department_member, status="submitted")
    for intruder in (department_member, auditor, operator_member):
        with pytest.raises(NotAllowed):
            services.catalog_entry_publish(entry=entry, actor=intruder)
    assert services.catalog_entry_publish(entry=entry, actor=reviewer).status == Status.PUBLISHED


def test_approvers_may_review_too(department, department_member, approver):
    entry = make_entry(department=department, actor=department_member, status="submitted")
    assert (
        services.catalog_entry_reject(entry=entry, actor=approver, comment="重复").status
        == "rejected"
    )


@pytest.mark.parametrize("decision", ["catalog_entry_return", "catalog_entry_reject"])
def test_return_and_reject_need_a_reason(decision, department, department_member, reviewer):
    entry = make_entry(department=department, actor=department_member, status="submitted")
    with pytest.raises(ValidationError) as excinfo:
        getattr(services, decision)(entry=entry, actor=reviewer, comment="  ")
    assert "comment" in excinfo.value.message_dict


def test_a_transition_is_recorded_with_user_and_reason(department, department_member, reviewer):
    entry = make_entry(department=department, actor=department_member, status="submitted")
    services.catalog_entry_return(entry=entry, actor=reviewer, comment="请补充字段说明")
    latest = entry.history.first()
    assert latest.status == Status.RETURNED
    assert latest.history_user == reviewer
    assert latest.history_change_reason == "请补充字段说明"
    entry.refresh_from_db()
    assert entry.review_comment == "请补充字段说明"


def test_core_grade_is_never_open_or_conditional(department, department_member):
    for openness in ("open", "conditional"):
        with pytest.raises(ValidationError) as excinfo:
            make_entry(
                department=department, actor=department_member, grade="core", openness=openness
            )
        assert "openness" in excinfo.value.message_dict
    assert make_entry(
        department=department, actor=department_member, grade="core", openness="not_open"
    )


def test_the_database_refuses_open_core_data_too(department, department_member):
    entry = make_entry(department=department, actor=department_member)
    with pytest.raises(IntegrityError):
        CatalogEntry.objects.filter(pk=entry.pk).update(grade="core", openness="open")


def test_personal_fields_are_never_open(department, department_member):
    fields = [
        *DEFAULT_FIELDS,
        {"name": "id_card", "label": "身份证号", "data_type": "string", "sensitivity": "personal"},
    ]
    with pytest.raises(ValidationError):
        make_entry(department=department, actor=department_member, openness="open", fields=fields)
    assert make_entry(
        department=department, actor=department_member, openness="conditional", fields=fields
    )


@pytest.mark.parametrize("name", ["1abc", "School", "select", "a-b", "x" * 64, "名称"])
def test_field_names_must_be_safe_column_names(name, department, department_member):
    fields = [{"name": name, "label": "x", "data_type": "string"}]
    with pytest.raises(ValidationError):
        make_entry(department=department, actor=department_member, fields=fields)
    assert not CatalogEntry.objects.exists()


def test_field_names_are_unique_per_entry(department, department_member):
    fields = [
        {"name": "a", "label": "x", "data_type": "string"},
        {"name": "a", "label": "y", "data_type": "integer"},
    ]
    with pytest.raises(ValidationError):
        make_entry(department=department, actor=department_member, fields=fields)


def test_an_entry_without_fields_cannot_be_submitted(department, department_member):
    entry = make_entry(department=department, actor=department_member, fields=[])
    with pytest.raises(ValidationError):
        services.catalog_entry_submit(entry=entry, actor=department_member)


def test_update_replaces_the_schema_and_keeps_field_history(department, department_member):
    entry = make_entry(department=department, actor=department_member)
    school = entry.fields.get(name="school_name")
    new_fields = [
        {**DEFAULT_FIELDS[2], "label": "学生人数"},
        {**DEFAULT_FIELDS[0]},
    ]
    services.catalog_entry_update(
        entry=entry, actor=department_member, data=entry_data(title="新标题"), fields=new_fields
    )
    assert list(entry.fields.values_list("name", flat=True)) == ["students", "school_name"]
    assert entry.fields.get(name="school_name").pk == school.pk
    removed = CatalogField.history.filter(entry_id=entry.pk, name="district", history_type="-")
    assert removed.get().history_user == department_member
    assert entry.history.first().title == "新标题"


@pytest.mark.parametrize("status", ["submitted", "published", "rejected", "retired"])
def test_only_drafts_and_returned_entries_are_edited(
    status, department, department_member, reviewer
):
    entry = make_entry(
        department=department, actor=department_member, status=status, reviewer=reviewer
    )
    with pytest.raises(IllegalTransition):
        services.catalog_entry_update(
            entry=entry, actor=department_member, data=entry_data(), fields=DEFAULT_FIELDS
        )


def test_another_department_cannot_edit(department, department_member, other_department_member):
    entry = make_entry(department=department, actor=department_member)
    with pytest.raises(NotAllowed):
        services.catalog_entry_update(
            entry=entry, actor=other_department_member, data=entry_data(), fields=DEFAULT_FIELDS
        )


def test_published_entries_get_a_publication_time(department, department_member, reviewer):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    assert entry.published_at is not None and entry.submitted_at <= entry.published_at


def test_resubmitting_keeps_the_reviewers_comment_and_records_the_response(
    department, department_member, reviewer
):
    entry = make_entry(
        department=department, actor=department_member, status="returned", reviewer=reviewer
    )
    services.catalog_entry_submit(entry=entry, actor=department_member, comment="已补充说明")
    entry.refresh_from_db()
    assert entry.review_comment == "理由"
    assert entry.history.first().history_change_reason == "已补充说明"
