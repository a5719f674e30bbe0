"""The operator's forms (a product, its price, its ceiling proposal, its disclosure) and the
bureau's forms in the admin (a review, a cap price). Forms parse; the services decide, and their
refusals are shown next to the field they concern (show_service_error)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminTextareaWidget
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.authorizations.forms import validate_document
from apps.authorizations.models import Authorization, Scenario
from apps.core.admin_decisions import GroupedForm

from . import selectors
from .choices import ReviewKind, ReviewOutcome
from .models import MaximumAllowedRevenue, Product
from .services.ceilings import FIGURE_FIELDS, MONEY_FIELDS


def _amount(label: Any, places: int = 4) -> forms.DecimalField:
    # No minimum here: the service refuses a negative amount with its own reason, the same on
    # the pages, in the admin and in the API.
    return forms.DecimalField(
        label=label, max_digits=12 if places == 4 else 14, decimal_places=places,
        widget=forms.NumberInput(attrs={"step": "0.0001" if places == 4 else "0.01",
                                        "inputmode": "decimal"}),
    )  # fmt: skip


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )


class AuthorizationChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Authorization) -> str:
        return f"#{obj.pk} {obj.entry.identifier} {obj.entry.title} · {obj.scenario.title}"


class ProductForm(forms.ModelForm):
    authorizations = AuthorizationChoice(
        label=_("Authorizations drawn on"), queryset=Authorization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    scenario = forms.ModelChoiceField(label=_("Scenario"), queryset=Scenario.objects.none())

    class Meta:
        model = Product
        fields = ["name", "description", "kind", "scenario", "use", "fee_form", "unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authorizations"].queryset = selectors.authorizations_for_products(  # type: ignore[attr-defined]
            operator_id=user.operator_id
        )
        self.fields["scenario"].queryset = Scenario.objects.filter(  # type: ignore[attr-defined]
            operator_id=user.operator_id or 0
        ).order_by("title")
        self.order_fields(["name", "description", "kind", "authorizations", "scenario"])

    def _post_clean(self) -> None:
        """The service checks the product as a whole (one source of the rules)."""

    def submission(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            "authorizations": data.pop("authorizations"),
            "scenario": data.pop("scenario"),
            "data": data,
        }


class PriceForm(forms.Form):
    amount = _amount(_("Actual price (yuan)"))
    effective_from = _date(_("Effective from"))
    reason = forms.CharField(label=_("Note"), required=False, max_length=500)


class CeilingForm(forms.ModelForm):
    """The operator's proposal: its cost items, subsidies, the yield with its date, the profit
    rate it asks for and tax; the portal computes the rest."""

    class Meta:
        model = MaximumAllowedRevenue
        fields = ["year", *FIGURE_FIELDS]
        widgets = {"yield_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*MONEY_FIELDS, "treasury_yield", "profit_rate"):
            self.fields[name].validators = []
            self.fields[name].widget.attrs.pop("min", None)

    def _post_clean(self) -> None:
        """The service checks the figures (profit rate ceiling, negative amounts)."""

    def figures(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIGURE_FIELDS}


class ProductRevenueForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    amount = _amount(_("Amount (yuan)"), places=2)

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class CeilingCorrectionForm(CeilingForm):
    """A returned proposal, corrected: the same figures, the year stays."""

    class Meta(CeilingForm.Meta):
        fields = list(FIGURE_FIELDS)


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("Statement"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ResubmitForm(forms.Form):
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))


# The admin's forms -------------------------------------------------------------------------


class ReviewForm(GroupedForm):
    kind = forms.ChoiceField(label=_("Review"), choices=ReviewKind.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    reason = forms.CharField(
        label=_("Reason"), widget=AdminTextareaWidget(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required: it is recorded with the review and shown to the operator."),
    )  # fmt: skip
    document = forms.FileField(label=_("Review document"), validators=[validate_document])

    def __init__(self, *args: Any, pending: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pending:
            choices = [(kind, ReviewKind(kind).label) for kind in pending]
            self.fields["kind"].choices = choices  # type: ignore[attr-defined]


class CapForm(GroupedForm):
    amount = _amount(_("Cap price (yuan)"))
    effective_from = forms.DateField(
        label=_("Effective from"), initial=timezone.localdate, widget=AdminDateWidget
    )
    reason = forms.CharField(
        label=_("Reason"), required=False,
        widget=AdminTextareaWidget(attrs={"rows": 2, "cols": 60}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].initial = Decimal("0")
