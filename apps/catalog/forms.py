"""Forms of the department pages: a catalog entry, its field schema and its submission.

The forms only parse and validate; every write goes through ``services``. The services validate
again and may refuse with a ``ValidationError`` or a ``DomainError``, which
``CatalogEntryEditor.show_error`` puts back next to the right input.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError

from .choices import FieldTag, Status
from .models import CatalogEntry, CatalogEntryQuerySet, CatalogField
from .services import ENTRY_FIELDS, FIELD_ATTRIBUTES, check_entry_rules

# Departments type keywords with ASCII or full-width commas, or the enumeration comma 、.
KEYWORD_SEPARATORS = re.compile(r"[,，、]")
FIELDS_PREFIX = "fields"
SUBMIT_ACTION = "submit"


class KeywordsField(forms.CharField):
    """One text input holding a list of keywords."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        keywords = (word.strip() for word in KEYWORD_SEPARATORS.split(text or ""))
        # dict.fromkeys drops repeats and keeps the order the department typed.
        return list(dict.fromkeys(word for word in keywords if word))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        # The browser's date picker speaks ISO 8601 whatever the page's language.
        super().__init__(format="%Y-%m-%d")


class CatalogEntryForm(forms.ModelForm):
    keywords = KeywordsField(
        label=capfirst(_("keywords")),
        required=False,
        help_text=_("Separate keywords with commas or “、”."),
    )

    class Meta:
        model = CatalogEntry
        fields = ENTRY_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "temporal_start": DateInput(),
            "temporal_end": DateInput(),
        }

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        start, end = cleaned_data.get("temporal_start"), cleaned_data.get("temporal_end")
        if start and end and start > end:
            self.add_error("temporal_end", _("The coverage must start before it ends."))
        grade, openness = cleaned_data.get("grade"), cleaned_data.get("openness")
        if grade and openness:
            try:
                # The rules that need the field schema are checked by the service on save.
                check_entry_rules(grade=grade, openness=openness, fields=[])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class CatalogFieldForm(forms.ModelForm):
    tags = forms.MultipleChoiceField(
        label=_("tags"),
        choices=FieldTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the field reveals, for the aggregation-risk rules."),
    )

    class Meta:
        model = CatalogField
        fields = FIELD_ATTRIBUTES
        widgets = {"name": forms.TextInput(attrs={"autocapitalize": "off", "spellcheck": "false"})}


class BaseCatalogFieldFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        rows: dict[str, list[forms.Form]] = {}
        for form in self.kept_forms():
            name = form.cleaned_data.get("name")
            if name:
                rows.setdefault(name, []).append(form)
        for name, forms_with_name in rows.items():
            if len(forms_with_name) > 1:
                for form in forms_with_name:
                    form.add_error(
                        "name",
                        _("“%(name)s” is used by more than one field.") % {"name": name},
                    )

    def kept_forms(self) -> list[forms.Form]:
        """The rows that describe a field: not deleted, and not a blank extra row."""
        return [
            form
            for index, form in enumerate(self.forms)
            # BaseFormSet's own test for a row marked deleted (private, not in the stubs).
            if not (self.can_delete and self._should_delete_form(form))  # type: ignore[attr-defined]
            and (index < self.initial_form_count() or form.has_changed())
        ]


CatalogFieldFormSet = forms.formset_factory(
    CatalogFieldForm,
    formset=BaseCatalogFieldFormSet,
    extra=3,
    can_delete=True,
    can_order=True,
)


class SubmissionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the reviewer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. For a returned entry, say what you changed."),
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[("", _("all statuses")), *Status.choices],
        required=False,
    )

    def filter(self, entries: CatalogEntryQuerySet) -> QuerySet[CatalogEntry]:
        if self.is_valid() and self.cleaned_data["status"]:
            return entries.filter(status=self.cleaned_data["status"])
        return entries


class CatalogEntryEditor:
    """The entry form, its field formset and the submission comment, validated together."""

    def __init__(self, data: Any = None, *, entry: CatalogEntry | None = None) -> None:
        self.data = data
        self.form = CatalogEntryForm(data, initial=_entry_initial(entry))
        self.fields = CatalogFieldFormSet(
            data, initial=_fields_initial(entry), prefix=FIELDS_PREFIX
        )
        self.submission = SubmissionForm(data)

    def is_valid(self) -> bool:
        # Every part is validated, so that all errors show at once.
        results = [self.form.is_valid(), self.fields.is_valid(), self.submission.is_valid()]
        return all(results)

    @property
    def wants_submission(self) -> bool:
        return self.data is not None and self.data.get("action") == SUBMIT_ACTION

    def entry_data(self) -> dict[str, Any]:
        return {name: self.form.cleaned_data[name] for name in ENTRY_FIELDS}

    def field_specs(self) -> list[dict[str, Any]]:
        return [
            {attribute: form.cleaned_data[attribute] for attribute in FIELD_ATTRIBUTES}
            for form in self.fields.ordered_forms
        ]

    def comment(self) -> str:
        return self.submission.cleaned_data["comment"]

    def show_error(self, error: ValidationError | DomainError) -> None:
        """Show a service's refusal next to the input it concerns, else above the form."""
        if isinstance(error, DomainError):
            self.form.add_error(None, error.message)
            return
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.form.add_error(field if field in self.form.fields else None, errors)


def error_text(error: ValidationError | DomainError) -> str:
    """A refusal as one sentence, for a flash message."""
    if isinstance(error, DomainError):
        return str(error.message)
    return " ".join(error.messages)


def _entry_initial(entry: CatalogEntry | None) -> dict[str, Any] | None:
    return None if entry is None else model_to_dict(entry, fields=ENTRY_FIELDS)


def _fields_initial(entry: CatalogEntry | None) -> list[dict[str, Any]] | None:
    if entry is None:
        return None
    return [model_to_dict(field, fields=FIELD_ATTRIBUTES) for field in entry.fields.all()]
