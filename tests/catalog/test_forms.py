"""The department forms: parsing, validation, and service errors shown next to the right input."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.catalog.forms import CatalogEntryEditor, CatalogEntryForm, KeywordsField
from apps.core.errors import IllegalTransition
from tests.factories import DEFAULT_FIELDS, entry_data

# Model forms check the model's constraints with small SQL queries.
pytestmark = pytest.mark.django_db


def field_row(index: int, spec: Mapping[str, Any], order: int | None) -> dict[str, Any]:
    """One row of the field formset as a browser posts it (unticked checkboxes are absent)."""
    row = {
        "name": spec["name"],
        "label": spec.get("label", spec["name"]),
        "data_type": spec.get("data_type", "string"),
        "description": spec.get("description", ""),
        "sensitivity": spec.get("sensitivity", "public"),
        "ORDER": "" if order is None else order,
    }
    row |= {flag: "on" for flag in ("nullable", "filterable") if spec.get(flag, flag == "nullable")}
    if spec.get("tags"):
        row["tags"] = list(spec["tags"])
    if spec.get("DELETE"):
        row["DELETE"] = "on"
    return {f"fields-{index}-{key}": value for key, value in row.items()}


def form_data(
    *,
    fields: Iterable[Mapping[str, Any]] = DEFAULT_FIELDS,
    initial: int = 0,
    blank_rows: int = 0,
    action: str = "draft",
    comment: str = "",
    **overrides: Any,
) -> dict[str, Any]:
    """The POST of the entry page: metadata, the formset's management form and its rows."""
    data: dict[str, Any] = entry_data(**overrides)
    data["keywords"] = "、".join(data["keywords"])  # type: ignore[arg-type]
    data = {key: value for key, value in data.items() if value is not None}
    rows = list(fields)
    data |= {
        "fields-TOTAL_FORMS": len(rows) + blank_rows,
        "fields-INITIAL_FORMS": initial,
        "fields-MIN_NUM_FORMS": 0,
        "fields-MAX_NUM_FORMS": 1000,
        "action": action,
        "comment": comment,
    }
    for index, spec in enumerate(rows):
        data |= field_row(index, spec, spec.get("ORDER", index + 1))
    for index in range(len(rows), len(rows) + blank_rows):
        data |= {
            f"fields-{index}-sensitivity": "public",
            f"fields-{index}-nullable": "on",
        }
    return data


def _editor(**kwargs: Any) -> CatalogEntryEditor:
    editor = CatalogEntryEditor(form_data(**kwargs))
    editor.is_valid()
    return editor


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("学校, 教育", ["学校", "教育"]),
        ("学校，教育、 学段", ["学校", "教育", "学段"]),
        (" 学校 ,, 学校、", ["学校"]),
        ("", []),
    ],
)
def test_it_splits_keywords_on_commas_and_enumeration_commas(text, keywords):
    assert KeywordsField(required=False).clean(text) == keywords


def test_it_shows_stored_keywords_as_one_line():
    assert KeywordsField().prepare_value(["学校", "教育"]) == "学校, 教育"
    assert KeywordsField().prepare_value("学校, 教") == "学校, 教"


def test_it_accepts_iso_dates_in_chinese():
    data = form_data(temporal_start="2020-01-01", temporal_end="2024-12-31")
    with translation.override("zh-hans"):
        form = CatalogEntryForm(data)
        assert form.is_valid(), form.errors
        assert 'type="date"' in str(form["temporal_start"])
    assert form.cleaned_data["temporal_end"] == datetime.date(2024, 12, 31)


def test_it_renders_stored_dates_for_the_date_picker():
    form = CatalogEntryForm(initial={"temporal_start": datetime.date(2020, 1, 2)})
    assert 'value="2020-01-02"' in str(form["temporal_start"])


def test_it_refuses_a_coverage_that_ends_before_it_starts():
    form = CatalogEntryForm(form_data(temporal_start="2024-01-01", temporal_end="2020-01-01"))
    assert not form.is_valid()
    assert list(form.errors) == ["temporal_end"]


@pytest.mark.parametrize("openness", ["open", "conditional"])
def test_it_refuses_open_core_data_next_to_openness(openness):
    form = CatalogEntryForm(form_data(grade="core", openness=openness))
    assert not form.is_valid()
    assert list(form.errors) == ["openness"]


def test_it_accepts_core_data_that_is_not_open():
    assert CatalogEntryForm(form_data(grade="core", openness="not_open")).is_valid()


@pytest.mark.parametrize("name", ["1bad", "select", "Name", "with space", "x" * 64])
def test_it_refuses_unsafe_field_names(name):
    editor = _editor(fields=[{"name": name}])
    assert not editor.is_valid()
    assert "name" in editor.fields.forms[0].errors


def test_it_marks_every_row_of_a_repeated_name():
    editor = _editor(fields=[{"name": "school"}, {"name": "district"}, {"name": "school"}])
    assert not editor.is_valid()
    assert [bool(form.errors) for form in editor.fields.forms] == [True, False, True]
    assert "name" in editor.fields.forms[2].errors


def test_a_deleted_row_does_not_count_as_a_repeat():
    editor = _editor(fields=[{"name": "school"}, {"name": "school", "DELETE": True}])
    assert editor.is_valid(), editor.fields.errors
    assert [spec["name"] for spec in editor.field_specs()] == ["school"]


def test_it_ignores_blank_rows():
    editor = _editor(blank_rows=3)
    assert editor.is_valid(), editor.fields.errors
    assert len(editor.field_specs()) == 3


def test_it_keeps_the_order_the_department_chose():
    fields = [
        {"name": "a", "ORDER": 3},
        {"name": "b", "ORDER": 1},
        {"name": "c", "ORDER": None},
        {"name": "d", "ORDER": 2},
    ]
    editor = _editor(fields=fields)
    assert editor.is_valid(), editor.fields.errors
    assert [spec["name"] for spec in editor.field_specs()] == ["b", "d", "a", "c"]


def test_it_hands_the_services_plain_data():
    editor = _editor(fields=[{"name": "pupil_id", "sensitivity": "personal", "filterable": True}])
    assert editor.is_valid()
    assert editor.entry_data()["keywords"] == ["学校", "教育"]
    assert editor.field_specs() == [
        {
            "name": "pupil_id",
            "label": "pupil_id",
            "data_type": "string",
            "description": "",
            "sensitivity": "personal",
            "nullable": True,
            "filterable": True,
            "tags": [],
        }
    ]


def test_it_asks_for_submission_only_with_the_submit_button():
    assert _editor(action="submit").wants_submission
    assert not _editor(action="draft").wants_submission
    assert not CatalogEntryEditor().wants_submission


def test_it_shows_a_service_error_next_to_its_field():
    editor = _editor()
    editor.show_error(ValidationError({"openness": "no", "name": "bad"}))
    assert editor.form.errors["openness"] == ["no"]
    assert editor.form.non_field_errors() == ["bad"]


def test_it_shows_other_service_errors_above_the_form():
    editor = _editor()
    editor.show_error(ValidationError("repeated"))
    editor.show_error(IllegalTransition("too late"))
    assert editor.form.non_field_errors() == ["repeated", "too late"]
