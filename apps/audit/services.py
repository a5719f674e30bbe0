"""The one way into the audit log.

``audit_record`` appends an entry in a short transaction of its own: it locks the chain head
(``SELECT … FOR UPDATE`` on its single row), links the entry to the head's hash and moves the
head, so concurrent writers queue on that row and the chain stays one line. Callers that react to
another transaction (apps/audit/receivers.py) call it from ``transaction.on_commit``.
"""

import json
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import User

from .checkpoints import Checkpoint, checkpoint_sign, checkpoint_store
from .ip import client_ip
from .keys import audit_key_id_current
from .models import AuditChainHead, AuditEvent
from .selectors import audit_chain_check

# Details are for context (what changed, which status, which file), never for credentials:
# any key that looks like one is dropped with its value, however deep it sits.
SENSITIVE_KEY = re.compile(
    r"pass|secret|token|signature|recovery|cookie|csrf|credential"
    r"|(^|_)(api_?)?keys?($|_)|(^|_)otp($|_)|(^|_)session",
    re.IGNORECASE,
)
REMOVED = "[removed]"


def _text(value: str, limit: int | None = None) -> str:
    # PostgreSQL refuses NUL in text and JSON; a request parameter may well contain one.
    return value.replace("\x00", "\ufffd")[:limit]


def scrub(value: Any) -> Any:
    """The value with every sensitive-looking key's value replaced, as plain JSON types."""
    if isinstance(value, dict):
        return {
            _text(str(key)): REMOVED if SENSITIVE_KEY.search(str(key)) else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float):
        # jsonb rewrites 1e+20 as 100000000000000000000, which would break the entry's hash.
        return repr(value)
    return value


def _plain_json(details: dict[str, Any]) -> dict[str, Any]:
    # What is hashed must be exactly what the database gives back: dates, decimals and lazy
    # translations become strings now, not on the way in.
    return json.loads(json.dumps(scrub(details), cls=DjangoJSONEncoder))


@dataclass(frozen=True)
class ObjectRef:
    """What an entry is about, when only its type, id and name are at hand (deleted objects,
    admin log entries)."""

    type: str
    id: str
    repr: str = ""

    @classmethod
    def of(cls, obj: "models.Model | ObjectRef | None") -> "ObjectRef":
        if obj is None:
            return cls("", "", "")
        if isinstance(obj, ObjectRef):
            return obj
        return cls(obj._meta.label_lower, str(obj.pk), str(obj))


def _actor(actor: Any, request: HttpRequest | None) -> User | None:
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated:
        return None
    return actor


@transaction.atomic
def audit_record(
    *,
    kind: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
    obj: models.Model | ObjectRef | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one entry. ``actor`` defaults to the request's user; ``obj`` is what it is about."""
    user = _actor(actor, request)
    organisation = user.organisation if user is not None else None
    target = ObjectRef.of(obj)
    event = AuditEvent(
        kind=kind,
        actor=user,
        organisation=_text(str(organisation or ""), 200),
        ip=(client_ip(request) or "") if request is not None else "",
        object_type=_text(target.type, 100),
        object_id=_text(target.id, 64),
        object_repr=_text(target.repr, 200),
        details=_plain_json(details or {}),
    )
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    event.sequence = head.sequence + 1
    event.previous_hash = head.last_hash
    # Taken under the lock, so times never go backwards along the chain.
    event.time = timezone.now()
    event.key_id = audit_key_id_current()
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    head.sequence, head.last_hash = event.sequence, event.hash
    head.save(update_fields=["sequence", "last_hash"])
    return event


def audit_record_on_commit(
    *,
    kind: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
    obj: models.Model | ObjectRef | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """``audit_record`` once the current transaction commits: an action that rolls back leaves
    no entry, and the chain head is not held for the rest of the action's transaction. A failing
    audit write is logged, never turned into the action's error (``robust``)."""
    entry = partial(audit_record, kind=kind, actor=actor, request=request, obj=obj, details=details)
    transaction.on_commit(entry, robust=True)


class AuditChainBroken(Exception):
    """A checkpoint was asked for while the chain fails its check: signing it would vouch for
    a forgery."""


def audit_checkpoint_create() -> tuple[Checkpoint, str]:
    """Check the chain, then sign its newest entry into a new checkpoint file.

    Returns the checkpoint and the path of its file.
    """
    check = audit_chain_check()
    if not check.intact:
        raise AuditChainBroken(check.reason)
    now = timezone.now()
    checkpoint = checkpoint_sign(
        sequence=check.entries, hash=check.last_hash, time=now, key_id=audit_key_id_current()
    )
    return checkpoint, str(checkpoint_store(checkpoint=checkpoint, time=now))
