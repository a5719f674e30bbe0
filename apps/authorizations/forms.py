"""Forms of the operator and department pages: qualifications, scenarios, applications, opinions.

The forms only parse and validate input; every write goes through ``services``, which validate
again and may refuse with a ``ValidationError`` or a ``DomainError``. ``show_service_error`` puts
that refusal next to the input it concerns.
"""

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry, CatalogField
from apps.core.errors import DomainError

from . import selectors
from .choices import ApplicationStatus, max_period_text
from .models import Authorization, QualificationType, Scenario
from .services.applications import check_entry_authorizable

DOCUMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]
# The first bytes of each accepted format: a renamed executable is refused, not just a wrong name.
DOCUMENT_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        # The browser's date picker speaks ISO 8601 whatever the page's language.
        super().__init__(format="%Y-%m-%d")


def show_service_error(form: forms.BaseForm, error: ValidationError | DomainError) -> None:
    """Show a service's refusal next to the input it concerns, else above the form."""
    if isinstance(error, DomainError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_text(error: ValidationError | DomainError) -> str:
    """A refusal as one sentence, for a flash message."""
    if isinstance(error, DomainError):
        return str(error.message)
    return " ".join(error.messages)


# Qualifications --------------------------------------------------------------------------------


def validate_document(document: UploadedFile) -> None:
    """Evidence is a PDF, JPEG or PNG of at most ``settings.DOCUMENT_MAX_BYTES``."""
    if document.size is not None and document.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; documents may be at most %(limit)s.")
            % {
                "size": filesizeformat(document.size),
                "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES),
            },
            code="too_large",
        )
    extension = PurePath(document.name or "").suffix.lower().lstrip(".")
    head = document.read(16)
    document.seek(0)
    if not head.startswith(DOCUMENT_SIGNATURES[extension]):
        raise ValidationError(
            _("The file's content is not a PDF, JPEG or PNG document."), code="bad_content"
        )


class QualificationForm(forms.Form):
    qualification_type = forms.ModelChoiceField(
        label=_("Type"), queryset=QualificationType.objects.all(), empty_label=None
    )
    number = forms.CharField(label=_("Certificate number"), max_length=100)
    document = forms.FileField(
        label=_("Evidence document"),
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text=_("A scan or photo of the certificate: PDF, JPEG or PNG."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())

    def clean_document(self) -> UploadedFile:
        document = self.cleaned_data["document"]
        validate_document(document)
        return document

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        start, end = cleaned_data.get("valid_from"), cleaned_data.get("valid_until")
        if start and end and start > end:
            self.add_error("valid_until", _("A qualification must start before it ends."))
        return cleaned_data


# Scenarios -------------------------------------------------------------------------------------


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["title", "sector", "description", "expected_product", "use"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


# Applications ----------------------------------------------------------------------------------


class EntryChoiceField(forms.ModelChoiceField):
    """Offers the entries one may apply for, but accepts any published entry, so that an open or
    not-open one is refused with the rule that forbids it rather than "not a valid choice"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=selectors.catalog_entries_to_apply_for(),
            to_field_name="identifier",
            label=_("Catalog entry"),
            empty_label=_("Choose a catalog entry"),
            error_messages={
                "invalid_choice": _("Choose a published catalog entry from the list."),
            },
            **kwargs,
        )

    def label_from_instance(self, obj: CatalogEntry) -> str:
        return f"{obj.identifier} · {obj.title}"

    def to_python(self, value: Any) -> CatalogEntry | None:
        if value in self.empty_values:
            return None
        entry = CatalogEntry.objects.published().filter(identifier=str(value)).first()
        if entry is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return entry


class RenewalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Authorization) -> str:
        until = timezone.localtime(obj.valid_until)
        return f"{obj.entry.identifier} · {obj.scenario.title} · {until:%Y-%m-%d}"


def _renewal_field(user: User, **kwargs: Any) -> RenewalChoiceField:
    return RenewalChoiceField(
        label=_("Renewal of"),
        queryset=selectors.authorizations_of_operator(user=user),
        required=False,
        empty_label=_("No: a new authorization"),
        help_text=_("If this application continues one of your authorizations, choose it."),
        **kwargs,
    )


class EntryPickForm(forms.Form):
    """First step of an application: which catalog entry. The page then lists its fields."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"] = EntryChoiceField()
        self.fields["renewal_of"] = _renewal_field(user, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        if cleaned_data.get("entry"):
            try:
                check_entry_authorizable(cleaned_data["entry"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


def _field_choice_label(field: CatalogField) -> str:
    label = f"{field.label} ({field.name})"
    if field.is_personal:
        label += f" · {field.get_sensitivity_display()}"
    return label


class ApplicationForm(forms.Form):
    """The application for one chosen entry: its fields are the entry's schema as checkboxes.

    Unbound, the page says which entry (the first step chose it); bound, the posted entry decides
    which fields may be requested.
    """

    requested_fields = forms.MultipleChoiceField(
        label=_("Requested fields"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one field.")},
        help_text=_("Ask only for the fields the scenario needs."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the data is used for, and why these fields are needed."),
    )
    requested_from = forms.DateField(label=_("Requested from"), widget=DateInput())
    requested_until = forms.DateField(
        label=_("Requested until"),
        widget=DateInput(),
        help_text=lazy(max_period_text, str)(),
    )
    expected_daily_calls = forms.IntegerField(
        label=_("Expected calls per day"), min_value=1, max_value=2_147_483_647
    )

    def __init__(
        self, *args: Any, user: User, entry: CatalogEntry | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"] = EntryChoiceField(widget=forms.HiddenInput)
        self.chosen_entry = self._posted_entry() if self.is_bound else entry
        if self.chosen_entry and not self.is_bound:
            self.initial.setdefault("entry", self.chosen_entry.identifier)
        self.entry_fields: list[CatalogField] = (
            list(selectors.catalog_entry_fields(entry=self.chosen_entry))
            if self.chosen_entry
            else []
        )
        self.fields["scenario"] = forms.ModelChoiceField(
            label=_("Scenario"), queryset=selectors.scenarios_of_operator(user=user)
        )
        self.fields["renewal_of"] = _renewal_field(user)
        cast(forms.MultipleChoiceField, self.fields["requested_fields"]).choices = [
            (field.name, _field_choice_label(field)) for field in self.entry_fields
        ]
        self.order_fields(["entry", "scenario", "requested_fields"])

    def _posted_entry(self) -> CatalogEntry | None:
        try:
            return self.fields["entry"].to_python(self.data.get(self.add_prefix("entry")))
        except ValidationError:
            return None

    @property
    def personal_field_names(self) -> set[str]:
        return {field.name for field in self.entry_fields if field.is_personal}

    def submission(self) -> dict[str, Any]:
        """The keyword arguments of ``services.application_submit`` from the cleaned data."""
        names = [
            "entry", "scenario", "requested_fields", "purpose", "requested_from",
            "requested_until", "expected_daily_calls", "renewal_of",
        ]  # fmt: skip
        return {name: self.cleaned_data[name] for name in names}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Department ------------------------------------------------------------------------------------


class OpinionForm(forms.Form):
    AGREE = "agree"
    DISAGREE = "disagree"

    decision = forms.ChoiceField(
        label=_("The department's opinion"),
        choices=[(AGREE, _("Agree")), (DISAGREE, _("Disagree"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the department disagrees: the operator and the bureau read it."),
    )

    @property
    def agrees(self) -> bool:
        return self.cleaned_data["decision"] == self.AGREE


class ApplicationStatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("all statuses")), *ApplicationStatus.choices],
        required=False,
    )

    def filter(self, applications: QuerySet[Any]) -> QuerySet[Any]:
        if self.is_valid() and self.cleaned_data["status"]:
            return applications.filter(status=self.cleaned_data["status"])
        return applications
