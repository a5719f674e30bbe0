"""The keys the audit chain is signed with. They live in the settings (the environment or a
secret file), never in the database: whoever can write the audit tables cannot recompute a
valid chain without them.

Entries record the id of the key that signed them, so a rotated key keeps verifying what it
signed as long as it stays in ``AUDIT_HMAC_KEYS`` (README "Audit log").
"""

import hashlib
import hmac

from django.conf import settings


class UnknownAuditKey(Exception):
    """An entry or checkpoint names a key id the settings do not hold."""


def audit_key_id_current() -> str:
    return str(settings.AUDIT_HMAC_KEY_ID)


def audit_sign(*, key_id: str, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` under the key ``key_id``, as 64 hex digits."""
    key = settings.AUDIT_HMAC_KEYS.get(key_id)
    if key is None:
        raise UnknownAuditKey(key_id)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def audit_signature_matches(*, key_id: str, message: bytes, signature: str) -> bool:
    return hmac.compare_digest(audit_sign(key_id=key_id, message=message), signature)
