"""Who made a change and why, for the history row simple-history writes on the next save.

simple-history reads two private attributes from the instance being saved: ``_history_user``
(the author; when set, even to ``None``, the request's user is not consulted) and
``_change_reason`` (stored in ``history_change_reason``). Services set them here, in one place,
instead of writing to private attributes the model types do not declare.

A reason is either what a person wrote (stored as written, in the language they wrote it) or
one the system writes ("created", "superseded by version 3"). The system's reasons are stored
language-neutral, as ``sys:`` and the English message with its parameters
(``sys:superseded by version %(number)s|{"number":3}``), and shown in the reader's language by
``history_reason``: a Chinese reader and an English reader see the same row in their language.
"""

import json
from dataclasses import dataclass, field

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from apps.accounts.models import User

SYSTEM_PREFIX = "sys:"


@dataclass(frozen=True)
class SystemReason:
    """A reason the system writes: ``message`` is the English source marked with
    ``gettext_noop`` (so the catalogue has it), ``params`` fill its ``%(name)s`` places."""

    message: str
    params: dict[str, str | int] = field(default_factory=dict)


def system_reason(message: str, **params: str | int) -> SystemReason:
    return SystemReason(message, params)


def history_reason_stored(reason: str | Promise | SystemReason) -> str:
    """The text stored in ``history_change_reason``: a lazy translation (a status's label) or a
    ``SystemReason`` as its language-neutral code, what a person wrote as written."""
    if isinstance(reason, Promise):
        with translation.override(None):  # no catalogue: the English source itself
            reason = SystemReason(str(reason))
    if isinstance(reason, SystemReason):
        stored = SYSTEM_PREFIX + reason.message
        if reason.params:
            stored += "|" + json.dumps(reason.params, ensure_ascii=False, separators=(",", ":"))
        return stored
    return reason


def history_reason(stored: str | None) -> str:
    """A history row's reason in the reader's language: the system's own reasons translated,
    what a person wrote as they wrote it."""
    if not stored or not stored.startswith(SYSTEM_PREFIX):
        return stored or ""
    message, _separator, params = stored.removeprefix(SYSTEM_PREFIX).partition("|")
    if not params:
        return gettext(message)
    try:
        return gettext(message) % json.loads(params)
    except (ValueError, KeyError, TypeError):  # a message changed since: its English form
        return message


def history_attribute(
    instance: models.Model, *, user: User | None, reason: str | Promise | SystemReason | None = None
) -> None:
    """Attribute the next history row of ``instance`` to ``user``, with ``reason`` if given.

    ``user=None`` records no author (a command or the system). Without a reason, a reason set
    earlier on the same instance stays as it was.
    """
    # Plain instance attributes, written through __dict__: the model classes do not declare them.
    instance.__dict__["_history_user"] = user
    if reason is not None:
        instance.__dict__["_change_reason"] = history_reason_stored(reason)
