"""Forms of the revenue pages and the admin. They parse input; the services decide."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.authorizations.forms import show_service_error
from apps.authorizations.models import Authorization

from . import selectors
from .money import completed_periods, period_label
from .services import ATTACHMENT_EXTENSIONS, validate_attachment

__all__ = ["AdjustForm", "CorrectionForm", "ReportForm", "show_service_error"]
REPORTABLE_MONTHS = 24


class AuthorizationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Authorization) -> str:
        return f"#{obj.pk} {obj.entry.identifier} {obj.entry.title} · {obj.scenario.title}"


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip


def _attachment() -> forms.FileField:
    return forms.FileField(
        label=_("Attachment"),
        required=False,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
        help_text=_("The contract or invoice: PDF, JPEG, PNG or XLSX."),
    )


class CorrectionForm(forms.Form):
    amount = _money(_("Amount (yuan)"))
    reference = forms.CharField(label=_("Contract or invoice reference"), max_length=100)
    attachment = _attachment()

    def clean_attachment(self) -> UploadedFile | None:
        attachment = self.cleaned_data.get("attachment")
        if attachment:
            try:
                validate_attachment(attachment)
            except ValidationError as error:
                raise ValidationError(error.message_dict["attachment"]) from None
        return attachment


class ReportForm(CorrectionForm):
    field_order = ["authorization", "period", "amount", "reference", "attachment"]
    authorization = AuthorizationChoice(label=_("Authorization"), queryset=None, empty_label=None)
    period = forms.TypedChoiceField(label=_("Month"), choices=(), coerce=str)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["authorization"]
        field.queryset = selectors.reportable_authorizations(user=user)
        periods = completed_periods(REPORTABLE_MONTHS)
        self.periods = {period_label(p): p for p in periods}
        self.fields["period"].choices = [(label, label) for label in self.periods]  # type: ignore[attr-defined]

    def submission(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["period"] = self.periods[data["period"]]
        return data


class AdjustForm(forms.Form):
    """The admin's adjustment of a settled record: the corrected proceeds and why."""

    corrected_amount = _money(_("Corrected proceeds (yuan)"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=AdminTextareaWidget(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required: it is recorded on the adjusting record and in the history."),
    )

    def grouped(self) -> list[tuple[None, list[forms.BoundField]]]:
        return [(None, [self[name] for name in self.fields])]
