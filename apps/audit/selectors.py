"""Reads of the audit log: checking the hash chain."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None = None  # the number of the first entry that fails
    reason: str = ""
    # "missing" (deleted), "unlinked" (previous hash differs), "changed" (own hash differs),
    # "head" (the newest entry does not match the chain head)
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def audit_chain_check(*, chunk_size: int = 2000) -> ChainCheck:
    """Walk the whole chain in order, streaming, and stop at the first entry that fails."""
    expected, previous_hash, count = 1, GENESIS_HASH, 0
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
        if event.compute_hash() != event.hash:
            return ChainCheck(
                count,
                event.sequence,
                _("entry #%(number)d was changed after it was written (hash differs)")
                % {"number": event.sequence},
                "changed",
            )
        expected, previous_hash, count = expected + 1, event.hash, count + 1
    return _check_head(count, expected - 1, previous_hash)


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
    return ChainCheck(count)
