"""Web forms of the operator API pages: a new API key."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.authorizations.models import Authorization

from .selectors import authorizations_to_limit_keys_to


class AuthorizationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Authorization) -> str:
        return f"{obj.entry.identifier} {obj.entry.title} · {obj.scenario.title}"


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say which system uses the key, e.g. “route planner, production”."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional. After this moment the key is refused."),
    )
    authorizations = AuthorizationChoiceField(
        label=_("Limit to authorizations"),
        queryset=Authorization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to let the key use every authorization of the operator."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelMultipleChoiceField = self.fields["authorizations"]  # type: ignore[assignment]
        field.queryset = authorizations_to_limit_keys_to(user=user)

    def clean_expires_at(self) -> datetime | None:
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("Choose a moment in the future."), code="past")
        return expires_at
