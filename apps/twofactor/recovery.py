"""Recovery codes: ten one-time codes shown once, kept only as SHA-256 hashes.

A code has 80 random bits (16 characters from a 32-letter alphabet), so, like the API keys'
secrets (apps/api/keys.py), a plain SHA-256 cannot be reversed by trying codes; a slow password
hash would only make each sign-in slower.
"""

import hashlib
import secrets

COUNT = 10
# No 0/o or 1/l: codes are copied by hand from paper.
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
LENGTH = 16


def new_recovery_code() -> str:
    """A fresh code as shown to the user: four groups of four, e.g. ``k7dm-q2xa-…``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(code: str) -> str:
    return "".join(char for char in code.lower() if char.isalnum())


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise(code)) == LENGTH
