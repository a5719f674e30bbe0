"""Reads of the audit log: checking the hash chain, its key and its checkpoints."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .checkpoints import Checkpoint, CheckpointInvalid, checkpoints_read
from .keys import UnknownAuditKey
from .models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None = None  # the number of the first entry that fails
    reason: str = ""
    # "missing" (deleted), "unlinked" (previous hash differs), "changed" (own hash differs),
    # "head" (the newest entry does not match the chain head), "key" (signed with a key the
    # settings do not hold), "legacy" (an unsigned entry after signed ones), "checkpoint" (a
    # checkpoint is invalid or the chain differs from it), "truncated" (shorter than a checkpoint)
    problem: str = ""
    last_hash: str = GENESIS_HASH  # of the newest entry checked
    checkpoint: Checkpoint | None = None  # the newest checkpoint the chain matched

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _entry_problem(event: AuditEvent, signed_before: bool) -> tuple[str, str] | None:
    number = {"number": event.sequence}
    if not event.key_id and signed_before:
        # Only entries written before the key existed may be unsigned: a later one is a forgery
        # that recomputed plain SHA-256 hashes to avoid needing the key.
        return "legacy", _("entry #%(number)d has no signature after signed entries") % number
    try:
        matches = event.compute_hash() == event.hash
    except UnknownAuditKey:
        return "key", _("entry #%(number)d is signed with key %(key)s, which is not configured") % {
            **number,
            "key": repr(event.key_id),
        }
    if not matches:
        return "changed", _("entry #%(number)d was changed after it was written (hash differs)") % (
            number
        )
    return None


def audit_chain_check(*, chunk_size: int = 2000) -> ChainCheck:
    """Walk the whole chain in order, streaming, and stop at the first entry that fails."""
    try:
        checkpoints = checkpoints_read()
    except CheckpointInvalid as error:
        return ChainCheck(
            0, 0, _("a checkpoint is invalid: %(error)s") % {"error": error}, "checkpoint"
        )
    expected_at = {c.sequence: c for c in checkpoints}
    expected, previous_hash, count, signed_before = 1, GENESIS_HASH, 0, False
    entries = AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    for event in entries:
        if event.sequence != expected:
            return ChainCheck(
                count,
                expected,
                _("entry #%(number)d is missing (deleted); the chain continues at #%(next)d")
                % {"number": expected, "next": event.sequence},
                "missing",
            )
        if event.previous_hash != previous_hash:
            return ChainCheck(
                count,
                event.sequence,
                _("entry #%(number)d does not follow the entry before it (previous hash differs)")
                % {"number": event.sequence},
                "unlinked",
            )
        problem = _entry_problem(event, signed_before)
        if problem is not None:
            return ChainCheck(count, event.sequence, problem[1], problem[0])
        checkpoint = expected_at.get(event.sequence)
        if checkpoint is not None and checkpoint.hash != event.hash:
            return ChainCheck(
                count,
                event.sequence,
                _("entry #%(number)d differs from checkpoint %(name)s")
                % {"number": event.sequence, "name": checkpoint.name},
                "checkpoint",
            )
        signed_before = signed_before or bool(event.key_id)
        expected, previous_hash, count = expected + 1, event.hash, count + 1
    return _check_end(count, expected - 1, previous_hash, checkpoints)


def _check_end(count: int, last: int, last_hash: str, checkpoints: list[Checkpoint]) -> ChainCheck:
    newest = checkpoints[-1] if checkpoints else None
    if newest is not None and newest.sequence > last:
        return ChainCheck(
            count,
            last + 1,
            _("the chain ends at #%(last)d but checkpoint %(name)s recorded #%(sequence)d")
            % {"last": last, "name": newest.name, "sequence": newest.sequence},
            "truncated",
        )
    head = _check_head(count, last, last_hash)
    if not head.intact:
        return head
    return ChainCheck(count, last_hash=last_hash, checkpoint=newest)


def _check_head(count: int, last: int, last_hash: str) -> ChainCheck:
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.sequence if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_sequence > last:
        return ChainCheck(
            count,
            last + 1,
            _("entries #%(first)d to #%(last)d are missing (deleted)")
            % {"first": last + 1, "last": head_sequence},
            "missing",
        )
    if (head_sequence, head_hash) != (last, last_hash):
        return ChainCheck(
            count,
            last,
            _("entry #%(number)d does not match the chain head") % {"number": last},
            "head",
        )
    return ChainCheck(count, last_hash=last_hash)
