from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .kinds import SECURITY_KINDS, SPECS, Audience, Kind

DELIVERY_CHOICES = [
    ("immediate", _("by email at once")),
    ("digest", _("in the daily digest")),
    ("off", _("in the portal only")),
]


class PreferencesForm(forms.Form):
    """One choice per kind the user may receive; security messages are shown, not offered."""

    language = forms.ChoiceField(label=_("Language of emails"), choices=settings.LANGUAGES)

    def __init__(
        self,
        *args: Any,
        audiences: set[str],
        initial_choices: dict[str, tuple[bool, bool]],
        language: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        self.kinds = [
            kind
            for kind in Kind.values
            if SPECS[kind].audience in audiences and kind not in SECURITY_KINDS
        ]
        for kind in self.kinds:
            email, digest = initial_choices[kind]
            self.fields[kind] = forms.ChoiceField(
                label=Kind(kind).label,
                choices=DELIVERY_CHOICES,
                initial="off" if not email else "digest" if digest else "immediate",
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            kind: (self.cleaned_data[kind] != "off", self.cleaned_data[kind] == "digest")
            for kind in self.kinds
        }


def audiences_of(role: str) -> set[str]:
    """The kinds a user of this role can receive: their organisation's, security, and the
    outcome of an objection (anyone may object to a registration)."""
    common: set[str] = {Audience.SECURITY, Audience.PUBLIC}
    return {role, *common} if role in Audience.values else common
