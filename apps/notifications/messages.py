"""A notification's words, in a given language: for the page, the email and the digest."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .kinds import SPECS
from .models import Notification

# Parameters that are words rather than data: stored as a code, shown in the reader's language.
WORDS: dict[str, dict[str, Any]] = {
    "change": {
        "authenticator": _("a new authenticator was set up"),
        "recovery_codes": _("new recovery codes were made"),
        "recovery_code_used": _("a recovery code was used to log in"),
    },
    "outcome": {
        "upheld": _("upheld"),
        "dismissed": _("dismissed"),
    },
}


class _Params(dict[str, Any]):
    """Placeholders a message names but the event did not give render as nothing, not an error."""

    def __missing__(self, key: str) -> str:
        return ""


def _params(notification: Notification) -> _Params:
    params = _Params(notification.params)
    for name, words in WORDS.items():
        if name in params and params[name] in words:
            params[name] = str(words[params[name]])
    return params


def title_of(notification: Notification) -> str:
    return str(SPECS[notification.kind].title) % _params(notification)


def body_of(notification: Notification) -> str:
    return str(SPECS[notification.kind].body) % _params(notification)


def absolute_url(path: str) -> str:
    """The link back into the portal, for mail read outside it (PORTAL_URL)."""
    return f"{settings.PORTAL_URL.rstrip('/')}{path}" if path else settings.PORTAL_URL


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def email_for(notifications: list[Notification], *, language: str, digest: bool) -> Email:
    """One notification's email, or the daily digest of several, in ``language``."""
    with translation.override(language):
        items = [
            {"title": title_of(n), "body": body_of(n), "link": absolute_url(n.url)}
            for n in notifications
        ]
        context = {
            "items": items,
            "digest": digest,
            "preferences": absolute_url(reverse("notifications:preferences")),
            "language": language,
        }
        if digest:
            subject = str(_("Your daily digest: %(count)s notifications")) % {"count": len(items)}
        else:
            subject = items[0]["title"]
        return Email(
            subject=f"[{_('Public Data Portal')}] {subject}",
            text=render_to_string("notifications/email.txt", context),
            html=render_to_string("notifications/email.html", context),
        )
