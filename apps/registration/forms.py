"""Forms of the registration pages: they parse and validate; every write goes through services."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.authorizations.forms import DOCUMENT_EXTENSIONS, validate_document
from apps.catalog.models import CatalogEntry
from apps.organisations.models import Department, Operator
from apps.products.models import Product

from .choices import Kind, SubjectKind
from .models import Registration


def _document_field(required: bool) -> forms.FileField:
    return forms.FileField(
        label=_("Materials") if required else _("More materials"),
        required=required,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text=_("PDF, JPEG or PNG."),
    )


class _Materials(forms.Form):
    def clean_documents(self) -> UploadedFile | None:
        return self._checked("documents")

    def clean_more_documents(self) -> UploadedFile | None:
        return self._checked("more_documents")

    def _checked(self, name: str) -> UploadedFile | None:
        document = self.cleaned_data.get(name)
        if document:
            validate_document(document)
        return document

    def uploaded(self) -> list[UploadedFile]:
        names = ("documents", "more_documents")
        return [self.cleaned_data[name] for name in names if self.cleaned_data.get(name)]


class _Application(_Materials):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    summary = forms.CharField(
        label=_("Content summary"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text=_("Shown in the public notice."),
    )  # fmt: skip
    changes = forms.CharField(
        label=_("What changes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a change or correction."),
    )  # fmt: skip
    change_reason = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = _document_field(True)
    more_documents = _document_field(False)


class ApplicationForm(_Application):
    """A department's application for one of its catalog entries."""

    entry = forms.ModelChoiceField(
        label=_("Catalog entry"), queryset=CatalogEntry.objects.none(), empty_label="—"
    )
    field_order = ["entry"]

    def __init__(self, *args: Any, entries: QuerySet[CatalogEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries  # type: ignore[attr-defined]


class ProductApplicationForm(_Application):
    """An operator's application for one of its offered data products or services."""

    product = forms.ModelChoiceField(
        label=_("Data product or service"), queryset=Product.objects.none(), empty_label="—"
    )
    field_order = ["product"]

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class ResubmitForm(_Materials):
    summary = forms.CharField(
        label=_("Content summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty to keep the summary as it was."),
    )  # fmt: skip
    documents = _document_field(True)
    more_documents = _document_field(False)


class ObjectionForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("Contact (telephone or email)"), max_length=200,
        help_text=_("Seen by the data bureau only."),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Email for the outcome"), required=False,
        help_text=_("The bureau tells you its decision here."),
    )  # fmt: skip
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(
        label=_("Evidence"), required=False,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)], help_text=_("PDF, JPEG or PNG."),
    )  # fmt: skip

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if signed_in:  # the name and organisation come from the account
            del self.fields["name"]
            del self.fields["organisation"]

    def clean_evidence(self) -> UploadedFile | None:
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            validate_document(evidence)
        return evidence


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    department = forms.ModelChoiceField(
        label=_("Registrant department"), queryset=Department.objects.order_by("name"),
        required=False, empty_label="—",
    )  # fmt: skip
    operator = forms.ModelChoiceField(
        label=_("Registrant operator"), queryset=Operator.objects.order_by("name"),
        required=False, empty_label="—",
    )  # fmt: skip
    subject_kind = forms.ChoiceField(
        label=_("Subject kind"), choices=[("", "—"), *SubjectKind.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Kind.choices], required=False)
    ended = forms.BooleanField(label=_("Include ended registrations"), required=False)

    def filter(self, registrations: QuerySet[Registration]) -> QuerySet[Registration]:
        if not self.is_valid():
            return registrations
        data = self.cleaned_data
        if data["q"]:
            registrations = registrations.filter(
                Q(entry__title__icontains=data["q"])
                | Q(product__name__icontains=data["q"])
                | Q(code__icontains=data["q"])
            )
        if data["department"]:
            registrations = registrations.filter(department=data["department"])
        if data["operator"]:
            registrations = registrations.filter(operator=data["operator"])
        if data["subject_kind"] == SubjectKind.PRODUCT:
            registrations = registrations.filter(product__isnull=False)
        elif data["subject_kind"] == SubjectKind.ENTRY:
            registrations = registrations.filter(entry__isnull=False)
        if data["kind"]:
            registrations = registrations.filter(kind=data["kind"])
        return registrations


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Result lookup code"), max_length=20)
