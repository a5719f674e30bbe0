"""The audit log: an append-only, hash-chained record of security events (issues 9 and 16).

Each entry holds an HMAC-SHA256, under a key the database does not hold (apps/audit/keys.py), of
its own content and of the entry before it, so an edited entry no longer matches its hash, a
deleted one leaves a gap that the next entry's ``previous_hash`` exposes, and nobody without the
key can recompute the chain after an edit. The single-row ``AuditChainHead`` remembers the newest
entry, and signed checkpoints kept outside the database (apps/audit/checkpoints.py) remember it
where the database's users cannot reach, so deleting the newest ones shows too.
``python manage.py verify_audit_chain`` checks it all. Entries are written only by
``apps.audit.services.audit_record``; the model refuses updates and deletions from Django.

Entries written before the key existed have an empty ``key_id`` and keep their plain SHA-256
("legacy"); they are never re-chained, and no legacy entry may follow a signed one.
"""

import hashlib
import json
from datetime import UTC
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .keys import audit_sign

GENESIS_HASH = "0" * 64


class EventKind(models.TextChoices):
    LOGIN = "login", _("log-in")
    LOGIN_FAILED = "login_failed", _("failed log-in")
    LOGOUT = "logout", _("log-out")
    LOCKOUT = "lockout", _("log-in locked")
    TWOFACTOR_CHANGED = "twofactor_changed", _("two-factor authentication changed")
    TWOFACTOR_FAILED = "twofactor_failed", _("wrong two-factor code")
    API_KEY_CREATED = "api_key_created", _("API key created")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    AUTHORIZATION_CHANGED = "authorization_changed", _("authorization changed")
    APPLICATION_DECIDED = "application_decided", _("application decision")
    QUALIFICATION_REVIEWED = "qualification_reviewed", _("qualification reviewed")
    CDO_CHANGED = "cdo_changed", _("chief data officer changed")
    PERMISSION_GRANTED = "permission_granted", _("permission granted")
    PERMISSION_REMOVED = "permission_removed", _("permission removed")
    DATA_EXPORTED = "data_exported", _("data exported")
    ADMIN_CHANGE = "admin_change", _("change in the admin")
    CATALOG_ENTRY_DECIDED = "catalog_entry_decided", _("catalog entry decision")
    CATALOG_ENTRY_CHANGED = "catalog_entry_changed", _("catalog entry drafted or submitted")
    SCENARIO_CREATED = "scenario_created", _("application scenario described")
    QUALIFICATION_SUBMITTED = "qualification_submitted", _("qualification submitted")
    APPLICATION_SUBMITTED = "application_submitted", _("application submitted")
    DATA_VERSION_CHANGED = "data_version_changed", _("data version changed")
    OPERATOR_CREATED = "operator_created", _("operator created")
    REVENUE_REPORT_CHANGED = "revenue_report_changed", _("revenue report submitted or reviewed")
    SETTLEMENT_RUN = "settlement_run", _("revenue settled")
    REVENUE_SHARE_ADJUSTED = "revenue_share_adjusted", _("revenue share adjusted")
    TRANSACTION_SUPPORT_GRANTED = (
        "transaction_support_granted",
        _("large-transaction support granted"),
    )
    TWOFACTOR_PASSED = "twofactor_passed", _("two-factor check passed")
    COMBINATION_RULE_CHANGED = "combination_rule_changed", _("combination rule set")
    REGISTRATION_DECIDED = "registration_decided", _("registration decision")
    REGISTRATION_CHANGED = "registration_changed", _("registration applied for or objected to")
    PRODUCT_CHANGED = "product_changed", _("data product listed, submitted or withdrawn")
    PRODUCT_DECIDED = "product_decided", _("data product reviewed or withdrawn by the bureau")
    PRICE_SET = "price_set", _("cap price or actual price set")
    REVENUE_CEILING_CHANGED = "revenue_ceiling_changed", _("maximum allowed revenue proposed")
    REVENUE_CEILING_DECIDED = (
        "revenue_ceiling_decided",
        _("maximum allowed revenue decided or carried over"),
    )
    DISCLOSURE_CHANGED = "disclosure_changed", _("annual disclosure prepared or published")


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete audit entries through Django."""


def _refuse(action: str) -> NoReturn:
    raise AuditLogIsAppendOnly(f"The audit log is append-only: {action} is not allowed.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("bulk_update")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Every entry must go through audit_record, which links it into the chain.
        _refuse("bulk_create")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    time = models.DateTimeField(_("time"), db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Snapshots: the entry must still say who and what after names change.
    organisation = models.CharField(_("organisation"), max_length=200, blank=True, editable=False)
    ip = models.CharField(_("IP address"), max_length=45, blank=True, editable=False)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    object_repr = models.CharField(_("object"), max_length=200, blank=True, editable=False)
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)
    previous_hash = models.CharField(_("hash of the previous entry"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)
    # Which key signed the hash; empty for legacy entries, hashed with plain SHA-256.
    key_id = models.CharField(_("key id"), max_length=32, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["kind", "-time"], name="audit_kind_time"),
            models.Index(fields=["actor", "-time"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changing an entry")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting an entry")

    def canonical(self) -> bytes:
        """The bytes the hash covers: every field, as sorted compact JSON (time in UTC)."""
        content: dict[str, Any] = {
            "sequence": self.sequence,
            "time": self.time.astimezone(UTC).isoformat(),
            "kind": self.kind,
            "actor": self.actor_id,
            "organisation": self.organisation,
            "ip": self.ip,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "details": self.details,
            "previous_hash": self.previous_hash,
        }
        if self.key_id:  # legacy entries' bytes stay exactly as they were hashed
            content["key_id"] = self.key_id
        return json.dumps(
            content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def compute_hash(self) -> str:
        """HMAC-SHA256 under the entry's key; plain SHA-256 for a legacy entry. Raises
        ``UnknownAuditKey`` when the settings do not hold the entry's key."""
        if not self.key_id:
            return hashlib.sha256(self.canonical()).hexdigest()
        return audit_sign(key_id=self.key_id, message=self.canonical())


class AuditChainHead(models.Model):
    """One row: the newest entry's number and hash. Every writer locks it, so concurrent
    writers append one after the other and the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_one_head")]

    def __str__(self) -> str:
        return f"#{self.sequence}"
