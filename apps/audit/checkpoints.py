"""Signed checkpoints of the audit chain's head, kept outside the database.

A checkpoint says "the chain had ``sequence`` entries, the newest with ``hash``, at ``time``",
signed with the audit key ``key_id``. ``verify_audit_chain`` checks the chain against every
checkpoint, so a deleted tail (the newest entries and the head row rewritten to match) is
detected as long as one checkpoint remembers the longer chain.

Each checkpoint is a new file opened with ``O_EXCL``: an existing one is never overwritten, so
the folder only grows. Put it on storage the database's users cannot write (an append-only or
WORM mount) and hand the printed line to an external notary (a timestamping service, a ticket,
a mail to the inspectors) so even the folder need not be trusted.
"""

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from .keys import UnknownAuditKey, audit_sign, audit_signature_matches

PREFIX = "audit-checkpoint-"


class CheckpointInvalid(Exception):
    """A checkpoint file that cannot be read or whose signature does not match."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    time: str  # ISO 8601, UTC
    key_id: str
    signature: str = ""
    name: str = ""  # the file it was read from

    def signed_content(self) -> bytes:
        content = {
            "sequence": self.sequence,
            "hash": self.hash,
            "time": self.time,
            "key_id": self.key_id,
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()

    def line(self) -> str:
        """The checkpoint as one JSON line: what the file holds and what is notarised."""
        content = json.loads(self.signed_content())
        return json.dumps({**content, "signature": self.signature}, sort_keys=True)


def checkpoint_directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def checkpoint_sign(*, sequence: int, hash: str, time: datetime, key_id: str) -> Checkpoint:
    unsigned = Checkpoint(sequence, hash, time.isoformat(), key_id)
    signature = audit_sign(key_id=key_id, message=unsigned.signed_content())
    return Checkpoint(sequence, hash, unsigned.time, key_id, signature)


def checkpoint_store(*, checkpoint: Checkpoint, time: datetime) -> Path:
    """Write the checkpoint to a new file; raises FileExistsError rather than overwrite one."""
    directory = checkpoint_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{PREFIX}{checkpoint.sequence:012d}-{time:%Y%m%dT%H%M%S%fZ}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(checkpoint.line() + "\n")
        file.flush()
        os.fsync(file.fileno())
    return path


def _checkpoint_read(path: Path) -> Checkpoint:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = Checkpoint(
            int(data["sequence"]),
            str(data["hash"]),
            str(data["time"]),
            str(data["key_id"]),
            str(data["signature"]),
            path.name,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointInvalid(f"{path.name}: unreadable ({type(error).__name__})") from None
    try:
        valid = audit_signature_matches(
            key_id=checkpoint.key_id,
            message=checkpoint.signed_content(),
            signature=checkpoint.signature,
        )
    except UnknownAuditKey:
        raise CheckpointInvalid(
            f"{path.name}: signed with unknown key {checkpoint.key_id!r}"
        ) from None
    if not valid:
        raise CheckpointInvalid(f"{path.name}: the signature does not match")
    return checkpoint


def checkpoints_read() -> list[Checkpoint]:
    """Every checkpoint in the folder, oldest first; raises CheckpointInvalid on a bad one."""
    directory = checkpoint_directory()
    if not directory.is_dir():
        return []
    paths = sorted(directory.glob(f"{PREFIX}*.json"))
    return sorted((_checkpoint_read(path) for path in paths), key=lambda c: c.sequence)
