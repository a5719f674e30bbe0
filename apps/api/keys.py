"""Key format and hashing. A key reads ``pdp_<prefix>_<secret>``: the prefix finds the row, the
secret is compared by its SHA-256 (the secret has 256 bits of entropy, so a plain hash suffices —
a slow password hash would cost every API call hundreds of milliseconds)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_SCHEME = "pdp"
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class ParsedKey:
    prefix: str
    secret: str


def new_key() -> tuple[str, str, str]:
    """Return (full key, prefix, secret hash)."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(10))
    secret = secrets.token_urlsafe(32)
    return f"{KEY_SCHEME}_{prefix}_{secret}", prefix, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_key(raw: str) -> ParsedKey | None:
    scheme, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not prefix or not secret or len(raw) > 200:
        return None
    return ParsedKey(prefix, secret)


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
