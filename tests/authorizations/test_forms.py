"""Forms of the operator and department pages: parsing, and the refusals shown next to inputs."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from apps.authorizations import choices
from apps.authorizations.forms import (
    ApplicationForm,
    EntryPickForm,
    OpinionForm,
    QualificationForm,
    ScenarioForm,
    show_service_error,
)
from apps.authorizations.models import QualificationType
from apps.core.errors import IllegalTransition
from tests.factories import make_entry

PDF = b"%PDF-1.4 licence"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PERSONAL_FIELDS = [
    {"name": "school_name", "label": "学校名称", "data_type": "string"},
    {"name": "head_name", "label": "校长姓名", "data_type": "string", "sensitivity": "personal"},
    {
        "name": "health_record",
        "label": "体检记录",
        "data_type": "string",
        "sensitivity": "sensitive_personal",
    },
]


def upload(name: str = "licence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def qualification_form(
    document: SimpleUploadedFile | None = None, **overrides
) -> QualificationForm:
    today = timezone.localdate()
    data = {
        "qualification_type": QualificationType.objects.first().pk,
        "number": "91520100MA00000000",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return QualificationForm(data, {"document": document or upload()})


# Qualification -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"), [("licence.pdf", PDF), ("scan.PNG", PNG), ("photo.jpeg", b"\xff\xd8\xff")]
)
def test_it_accepts_pdf_and_images(db, name, content):
    form = qualification_form(upload(name, content))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("name", ["licence.exe", "licence.docx", "licence"])
def test_it_refuses_other_file_types(db, name):
    form = qualification_form(upload(name))
    assert not form.is_valid()
    assert form.has_error("document", "invalid_extension")


def test_it_refuses_a_renamed_file(db):
    form = qualification_form(upload("licence.pdf", b"MZ\x90\x00 not a pdf"))
    assert not form.is_valid()
    assert form.has_error("document", "bad_content")


def test_it_refuses_documents_over_the_size_limit(db, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    form = qualification_form(upload("licence.pdf", PDF + b"x" * 1024))
    assert not form.is_valid()
    assert form.has_error("document", "too_large")
    assert qualification_form(upload("licence.pdf", PDF + b"x" * 100)).is_valid()


def test_it_refuses_a_qualification_that_ends_before_it_starts(db):
    today = timezone.localdate()
    form = qualification_form(valid_until=(today - timedelta(days=1)).isoformat())
    assert not form.is_valid()
    assert "valid_until" in form.errors


# Scenario ----------------------------------------------------------------------------------


def test_a_scenario_needs_a_title_and_a_known_use(db):
    form = ScenarioForm({"sector": "education", "description": "x", "expected_product": "y"})
    assert not form.is_valid()
    assert set(form.errors) == {"title", "use"}


# Application -------------------------------------------------------------------------------


def test_the_pick_offers_only_published_conditional_entries(
    entry, department, department_member, reviewer, operator_member
):
    make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        grade="general", openness="open",
    )  # fmt: skip
    make_entry(department=department, actor=department_member, status="submitted")
    form = EntryPickForm(user=operator_member)
    assert list(form.fields["entry"].queryset) == [entry]


@pytest.mark.parametrize(("grade", "openness"), [("general", "open"), ("core", "not_open")])
def test_the_pick_says_why_an_entry_cannot_be_applied_for(
    grade, openness, department, department_member, reviewer, operator_member
):
    other = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        grade=grade, openness=openness,
    )  # fmt: skip
    form = EntryPickForm({"entry": other.identifier}, user=operator_member)
    assert not form.is_valid()
    assert "entry" in form.errors
    assert not form.has_error("entry", "invalid_choice")


def test_the_pick_refuses_unknown_and_unpublished_entries(
    department, department_member, operator_member
):
    draft = make_entry(department=department, actor=department_member)
    for identifier in (draft.identifier, "NO-SUCH-ENTRY"):
        form = EntryPickForm({"entry": identifier}, user=operator_member)
        assert form.has_error("entry", "invalid_choice")


def test_the_pick_accepts_only_own_authorizations_as_renewal(authorization, entry):
    from tests.factories import OperatorFactory, UserFactory

    stranger = UserFactory(operator=OperatorFactory(), organisation_role="member")
    data = {"entry": entry.identifier, "renewal_of": authorization.pk}
    assert EntryPickForm(data, user=stranger).has_error("renewal_of", "invalid_choice")
    own = EntryPickForm(data, user=authorization.application.applicant)
    assert own.is_valid(), own.errors


def test_the_application_lists_the_entry_fields_and_marks_personal_ones(
    department, department_member, reviewer, operator_member
):
    other = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=PERSONAL_FIELDS,
    )  # fmt: skip
    form = ApplicationForm(user=operator_member, entry=other)
    names = [name for name, _label in form.fields["requested_fields"].choices]
    assert names == ["school_name", "head_name", "health_record"]
    assert form.personal_field_names == {"head_name", "health_record"}


def test_the_requested_period_help_says_the_current_maximum(monkeypatch, entry, operator_member):
    with translation.override("en"):
        form = ApplicationForm(user=operator_member, entry=entry)
        assert str(form.fields["requested_until"].help_text) == (
            "An authorization lasts at most 5 years."
        )
        monkeypatch.setattr(choices, "MAX_PERIOD_YEARS", 1)
        form = ApplicationForm(user=operator_member, entry=entry)
        assert str(form.fields["requested_until"].help_text) == (
            "An authorization lasts at most 1 year."
        )


def _application_data(entry, scenario, **overrides):
    today = timezone.localdate()
    data = {
        "entry": entry.identifier, "scenario": scenario.pk,
        "requested_fields": ["school_name", "district"], "purpose": "学区分析",
        "requested_from": today.isoformat(),
        "requested_until": (today + timedelta(days=365)).isoformat(),
        "expected_daily_calls": "1000",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_posted_application_takes_its_fields_from_the_posted_entry(
    entry, scenario, operator_member
):
    form = ApplicationForm(_application_data(entry, scenario), user=operator_member)
    assert form.is_valid(), form.errors
    submission = form.submission()
    assert submission["entry"] == entry
    assert submission["scenario"] == scenario
    assert submission["renewal_of"] is None
    assert submission["requested_fields"] == ["school_name", "district"]


def test_a_posted_application_refuses_fields_of_another_schema(entry, scenario, operator_member):
    data = _application_data(entry, scenario, requested_fields=["school_name", "id_number"])
    form = ApplicationForm(data, user=operator_member)
    assert form.has_error("requested_fields", "invalid_choice")


def test_a_posted_application_needs_a_field_and_an_entry(entry, scenario, operator_member):
    data = _application_data(entry, scenario, requested_fields=[])
    data["entry"] = ""
    form = ApplicationForm(data, user=operator_member)
    assert form.has_error("requested_fields", "required")
    assert form.has_error("entry", "required")


def test_a_posted_application_refuses_another_operators_scenario(entry, scenario):
    from tests.factories import OperatorFactory, UserFactory

    stranger = UserFactory(operator=OperatorFactory(), organisation_role="member")
    form = ApplicationForm(_application_data(entry, scenario), user=stranger)
    assert form.has_error("scenario", "invalid_choice")


# Service errors and opinions ---------------------------------------------------------------


def test_service_errors_land_next_to_their_field_or_above_the_form(db):
    form = OpinionForm({"decision": "disagree"})
    assert form.is_valid()
    show_service_error(form, ValidationError({"comment": "why?", "elsewhere": "beyond"}))
    show_service_error(form, ValidationError("not qualified", code="not_qualified"))
    show_service_error(form, IllegalTransition("too late"))
    assert form.errors["comment"] == ["why?"]
    assert form.non_field_errors() == ["beyond", "not qualified", "too late"]


def test_an_opinion_needs_a_decision(db):
    assert OpinionForm({"comment": "ok"}).has_error("decision", "required")
    assert OpinionForm({"decision": "agree"}).is_valid()
    assert not OpinionForm({"decision": "maybe"}).is_valid()
