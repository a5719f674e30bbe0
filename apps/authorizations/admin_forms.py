"""Forms of the bureau's admin decisions. They only parse input; the services decide."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextareaWidget
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.choices import FieldTag, FieldType
from apps.catalog.models import CatalogField
from apps.core import admin_decisions as core

from .choices import FeeBasis, FilterOperator, Use, max_period_days
from .models import Agreement, Application, Authorization


class GroupedForm(core.GroupedForm):
    """Service errors name fields of authorizations, agreements and applications."""

    labels_from = (Authorization, Agreement, Application)


_TEXT = AdminTextareaWidget(attrs={"rows": 3})
_SCOPE_FIELDS = forms.fields_for_model(
    Authorization,
    fields=["valid_from", "valid_until", "daily_row_quota", "fee_basis", "price",
            "revenue_share_ratio"],
    field_classes={"valid_from": forms.SplitDateTimeField, "valid_until": forms.SplitDateTimeField},
    widgets={"valid_from": AdminSplitDateTime, "valid_until": AdminSplitDateTime},
)  # fmt: skip
_AGREEMENT_TEXTS = ["data_scope", "product_list", "revenue_distribution", "disclosure_duties",
                    "exit_and_renewal"]  # fmt: skip
_AGREEMENT_FIELDS = forms.fields_for_model(
    Agreement,
    fields=["number", *_AGREEMENT_TEXTS, "security_review_done", "compliance_review_done",
            "document"],
    widgets=dict.fromkeys(_AGREEMENT_TEXTS, _TEXT),
)  # fmt: skip
AGREEMENT_CLAUSES = ["number", "data_scope", "product_list", "security_review_done",
                     "compliance_review_done", "revenue_distribution", "disclosure_duties",
                     "exit_and_renewal"]  # fmt: skip


class ScopeForm(GroupedForm):
    """What every approval states: validity, quota, pricing and the agreement's clauses."""

    valid_from = _SCOPE_FIELDS["valid_from"]
    valid_until = _SCOPE_FIELDS["valid_until"]
    daily_row_quota = _SCOPE_FIELDS["daily_row_quota"]
    fee_basis = _SCOPE_FIELDS["fee_basis"]
    price = _SCOPE_FIELDS["price"]
    revenue_share_ratio = _SCOPE_FIELDS["revenue_share_ratio"]
    number = _AGREEMENT_FIELDS["number"]
    data_scope = _AGREEMENT_FIELDS["data_scope"]
    product_list = _AGREEMENT_FIELDS["product_list"]
    security_review_done = _AGREEMENT_FIELDS["security_review_done"]
    compliance_review_done = _AGREEMENT_FIELDS["compliance_review_done"]
    revenue_distribution = _AGREEMENT_FIELDS["revenue_distribution"]
    disclosure_duties = _AGREEMENT_FIELDS["disclosure_duties"]
    exit_and_renewal = _AGREEMENT_FIELDS["exit_and_renewal"]
    reason = forms.CharField(
        label=_("Decision comment"), required=False, widget=AdminTextareaWidget(attrs={"rows": 2})
    )

    fieldsets: core.Fieldsets = [
        (_("Validity and quota"), ["valid_from", "valid_until", "daily_row_quota"]),
        (_("Pricing and revenue share"), ["fee_basis", "price", "revenue_share_ratio"]),
        (_("Agreement"), AGREEMENT_CLAUSES),
        (None, ["reason"]),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revenue_share_ratio"].initial = settings.AUTHORIZATION_DEFAULT_REVENUE_SHARE

    def scope(self, *, allowed_fields: list[str], row_filter: list[dict[str, Any]]) -> dict:
        data = self.cleaned_data
        return {
            "allowed_fields": allowed_fields, "row_filter": row_filter,
            "valid_from": data["valid_from"], "valid_until": data["valid_until"],
            "daily_row_quota": data["daily_row_quota"], "fee_basis": data["fee_basis"],
            "price": data["price"], "revenue_share_ratio": data["revenue_share_ratio"],
        }  # fmt: skip

    def agreement(self) -> dict[str, Any]:
        clauses = {name: self.cleaned_data[name] for name in AGREEMENT_CLAUSES}
        if self.cleaned_data.get("document"):
            clauses["document"] = self.cleaned_data["document"]
        return clauses


class BulkApproveForm(ScopeForm):
    """One scope for every selected application; each keeps its requested fields."""


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _field_label(field: CatalogField) -> str:
    label = f"{field.label} ({field.name})"
    if field.is_personal:
        label = f"{label} · {field.get_sensitivity_display()}"
    tags = [str(FieldTag(tag).label) for tag in field.tags]
    return f"{label} · {'、'.join(tags)}" if tags else label


class ApproveForm(ScopeForm):
    """The full scope of one application's authorization, prefilled from what was asked."""

    allowed_fields = forms.MultipleChoiceField(
        label=_("Allowed fields"), widget=forms.CheckboxSelectMultiple
    )
    document = _AGREEMENT_FIELDS["document"]

    fieldsets: core.Fieldsets = [
        (_("Fields"), ["allowed_fields"]),
        *ScopeForm.fieldsets[:2],
        (_("Agreement"), [*AGREEMENT_CLAUSES, "document"]),
        (None, ["reason"]),
    ]

    def __init__(
        self, *args: Any, application: Application, fields: list[CatalogField], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        allowed = cast(forms.MultipleChoiceField, self.fields["allowed_fields"])
        allowed.choices = [(f.name, _field_label(f)) for f in fields]
        self.initial = {**self._prefill(application), **self.initial}

    @staticmethod
    def _prefill(application: Application) -> dict[str, Any]:
        start = _local_midnight(max(application.requested_from, timezone.localdate()))
        end = _local_midnight(application.requested_until + timedelta(days=1))
        public_interest = application.scenario.use == Use.PUBLIC_INTEREST
        return {
            "allowed_fields": application.requested_fields,
            "valid_from": start,
            "valid_until": min(end, start + timedelta(days=max_period_days())),
            "fee_basis": FeeBasis.FREE if public_interest else "",
            "data_scope": f"{application.entry}: {', '.join(application.requested_fields)}",
            "product_list": application.scenario.expected_product,
        }


# For "one of", values are separated by commas (ASCII or full-width).
_LIST_SEPARATOR = re.compile(r"[,，]")


class RowFilterConditionForm(forms.Form):
    """One condition of the optional row filter; an empty row is ignored."""

    field = forms.ChoiceField(label=_("field"), required=False)
    op = forms.ChoiceField(label=_("comparison"), choices=FilterOperator.choices, required=False)
    value = forms.CharField(
        label=_("value"),
        required=False,
        max_length=500,
        help_text=_("For “one of”, separate the values with commas."),
    )

    def __init__(self, *args: Any, catalog_fields: list[CatalogField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.types = {f.name: f.data_type for f in catalog_fields}
        cast(forms.ChoiceField, self.fields["field"]).choices = [("", "---------")] + [
            (f.name, f"{f.label} ({f.name})") for f in catalog_fields
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name: str = data.get("field") or ""
        raw = (data.get("value") or "").strip()
        if not name and not raw:
            return data
        if not name:
            self.add_error("field", _("Choose the field this condition is about."))
        if not data.get("op"):
            self.add_error("op", _("Choose a comparison."))
        if not raw:
            self.add_error("value", _("Give the value to compare with."))
        if self.errors:
            return data
        try:
            value = self._typed(name, data["op"], raw)
        except ValidationError as error:
            self.add_error("value", error)
            return data
        data["condition"] = {"field": name, "op": data["op"], "value": value}
        return data

    def _typed(self, name: str, op: str, raw: str) -> Any:
        if op == FilterOperator.IN:
            values = [part.strip() for part in _LIST_SEPARATOR.split(raw) if part.strip()]
            return [_typed_value(self.types[name], value) for value in values]
        return _typed_value(self.types[name], raw)


def _typed_value(data_type: str, raw: str) -> Any:
    """Numbers are compared as numbers: rows are stored typed at ingest (library-notes §6)."""
    try:
        if data_type == FieldType.INTEGER:
            return int(raw)
        if data_type == FieldType.DECIMAL:
            number = Decimal(raw)
            if not number.is_finite():
                raise InvalidOperation(raw)
            # JSON has no decimal type; a float's repr is the shortest exact text of the value.
            return float(number)
    except (ValueError, InvalidOperation) as error:
        raise ValidationError(
            _("“%(value)s” is not a number.") % {"value": raw}, code="not_a_number"
        ) from error
    return raw


class BaseRowFilterFormSet(forms.BaseFormSet):
    def conditions(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data["condition"]
            for form in self.forms
            if form.cleaned_data.get("condition")
        ]


RowFilterFormSet = forms.formset_factory(
    RowFilterConditionForm, formset=BaseRowFilterFormSet, extra=3, max_num=10
)
