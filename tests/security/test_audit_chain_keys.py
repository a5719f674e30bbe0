"""Issue 16, item 1: a chain nobody can recompute without the key, checkpoints outside the
database, key rotation, legacy entries, and a database role that can only append."""

import hashlib
import os
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from apps.audit.checkpoints import checkpoints_read
from apps.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent, EventKind
from apps.audit.selectors import audit_chain_check
from apps.audit.services import audit_record

NEW_KEY = b"the-new-audit-key-of-2027-0123456789"
ATTACKER_KEY = b"a-key-the-attacker-guessed-0123456789"


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.AUDIT_CHECKPOINT_DIR


def _chain(n: int) -> list[AuditEvent]:
    return [audit_record(kind=EventKind.DATA_EXPORTED, details={"n": i}) for i in range(n)]


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def _checkpoint() -> str:
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    return out.getvalue()


def _broken(problem: str) -> int:
    check = audit_chain_check()
    assert check.problem == problem, check
    with pytest.raises(CommandError):
        _verify()
    assert check.broken_at is not None
    return check.broken_at


def _rewrite(events: list[AuditEvent], sign) -> None:
    """What the attacker of issue 16 did: edit entry #2, recompute every later hash and the
    head with the model's own code, but with ``sign`` in place of the real key."""
    previous = events[0].hash
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.order_by("sequence")[1:]:
            if event.sequence == 2:
                event.object_repr = "forged"
            event.previous_hash = previous
            event.hash = sign(event)
            cursor.execute(
                "UPDATE audit_auditevent SET object_repr = %s, previous_hash = %s, hash = %s,"
                " key_id = %s WHERE sequence = %s",
                [event.object_repr, event.previous_hash, event.hash, event.key_id, event.sequence],
            )
            previous = event.hash
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s", [previous])


# --- the key -------------------------------------------------------------------------------


def test_entries_are_signed_with_the_current_key(db, settings):
    event = _chain(1)[0]
    assert event.key_id == settings.AUDIT_HMAC_KEY_ID
    assert event.hash != hashlib.sha256(event.canonical()).hexdigest()
    assert len(event.hash) == 64


def test_a_chain_recomputed_without_the_key_fails(db, settings):
    events = _chain(4)
    _rewrite(events, lambda e: hashlib.sha256(e.canonical()).hexdigest())
    assert _broken("changed") == 2


def test_a_chain_recomputed_under_a_guessed_key_fails(db, settings):
    events = _chain(4)
    real_keys = settings.AUDIT_HMAC_KEYS

    def sign(event: AuditEvent) -> str:
        settings.AUDIT_HMAC_KEYS = {event.key_id: ATTACKER_KEY}
        try:
            return event.compute_hash()
        finally:
            settings.AUDIT_HMAC_KEYS = real_keys

    _rewrite(events, sign)
    assert _broken("changed") == 2


def test_a_chain_downgraded_to_unsigned_hashes_fails(db):
    events = _chain(3)

    def legacy(event: AuditEvent) -> str:
        event.key_id = ""
        return hashlib.sha256(event.canonical()).hexdigest()

    _rewrite(events, legacy)
    assert _broken("legacy") == 2


def test_an_entry_signed_with_a_key_no_longer_configured_fails(db, settings):
    _chain(2)
    settings.AUDIT_HMAC_KEYS = {"other": NEW_KEY}
    settings.AUDIT_HMAC_KEY_ID = "other"
    assert _broken("key") == 1


# --- rotation and legacy entries -------------------------------------------------------------


def test_old_entries_still_verify_after_rotating_and_new_ones_use_the_new_key(db, settings):
    old = _chain(2)
    settings.AUDIT_HMAC_KEYS = {**settings.AUDIT_HMAC_KEYS, "2027": NEW_KEY}
    settings.AUDIT_HMAC_KEY_ID = "2027"
    new = _chain(2)
    assert {e.key_id for e in old} == {"dev"} and {e.key_id for e in new} == {"2027"}
    assert new[0].previous_hash == old[-1].hash
    assert "4" in _verify()
    # Dropping the old key from the settings leaves its entries unverifiable: keep it.
    settings.AUDIT_HMAC_KEYS = {"2027": NEW_KEY}
    assert _broken("key") == 1


def test_entries_from_before_the_key_keep_verifying_as_legacy(db):
    """Rows the migration found get key id "" and their plain SHA-256; no re-chaining."""
    legacy = []
    previous = GENESIS_HASH
    for i in range(2):
        event = _chain(1)[0]
        event.key_id, event.previous_hash = "", previous
        event.hash = hashlib.sha256(event.canonical()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET key_id = '', previous_hash = %s, hash = %s"
                " WHERE sequence = %s",
                [event.previous_hash, event.hash, event.sequence],
            )
            cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s", [event.hash])
        legacy.append(event)
        previous = event.hash
        assert i + 1 == event.sequence
    signed = _chain(1)[0]
    assert signed.previous_hash == legacy[-1].hash and signed.key_id
    assert "3" in _verify()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'x' WHERE sequence = 1")
    assert _broken("changed") == 1


# --- checkpoints ---------------------------------------------------------------------------


def test_a_checkpoint_is_signed_written_and_printed(db, checkpoint_dir, settings):
    events = _chain(3)
    output = _checkpoint()
    [checkpoint] = checkpoints_read()
    assert (checkpoint.sequence, checkpoint.hash) == (3, events[2].hash)
    assert checkpoint.key_id == settings.AUDIT_HMAC_KEY_ID and len(checkpoint.signature) == 64
    assert checkpoint.line() in output
    [path] = checkpoint_dir.iterdir()
    assert path.read_text(encoding="utf-8").strip() == checkpoint.line()
    assert "#3" in _verify().splitlines()[1]


def test_a_truncated_tail_fails_against_the_checkpoint(db):
    events = _chain(5)
    _checkpoint()
    # Delete the newest two and make the head agree: only the checkpoint remembers #5.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence >= 4")
        cursor.execute(
            "UPDATE audit_auditchainhead SET sequence = 3, last_hash = %s", [events[2].hash]
        )
    assert _broken("truncated") == 4


def test_a_chain_rewritten_before_a_checkpoint_fails_against_it(db):
    _chain(3)
    _checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute(
            "UPDATE audit_auditchainhead SET sequence = 0, last_hash = %s", [GENESIS_HASH]
        )
    _chain(3)  # a fresh chain, signed with the real key by the application itself
    assert _broken("checkpoint") == 3


def test_a_forged_checkpoint_fails(db, checkpoint_dir):
    _chain(2)
    _checkpoint()
    [path] = checkpoint_dir.iterdir()
    os.chmod(path, 0o600)
    path.write_text(path.read_text().replace('"sequence": 2', '"sequence": 1'))
    assert _broken("checkpoint") == 0


def test_checkpoints_never_overwrite_and_a_broken_chain_gets_none(db, checkpoint_dir):
    _chain(1)
    _checkpoint()
    _chain(1)
    _checkpoint()
    assert [c.sequence for c in checkpoints_read()] == [1, 2]
    assert len(list(checkpoint_dir.iterdir())) == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'x' WHERE sequence = 2")
    with pytest.raises(CommandError, match="#2"):
        _checkpoint()
    assert len(list(checkpoint_dir.iterdir())) == 2


def test_a_log_without_checkpoints_says_so(db):
    _chain(1)
    assert "audit_checkpoint" in _verify()


# --- the database role ---------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_application_role_can_append_but_never_change_or_delete():
    _chain(2)
    role = f"audit_test_{uuid.uuid4().hex[:12]}"
    out = StringIO()
    call_command("audit_db_role", "--role", role, stdout=out)
    assert f"created role {role}" in out.getvalue()
    database = connection.settings_dict
    try:
        with psycopg.connect(
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            dbname=database["NAME"],
            user=role,
            autocommit=True,
        ) as app:
            assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (2,)
            app.execute(
                "INSERT INTO audit_auditevent (sequence, time, kind, organisation, ip,"
                " object_type, object_id, object_repr, details, previous_hash, hash, key_id)"
                " VALUES (99, now(), 'login', '', '', '', '', '', '{}', '', 'h99', '')"
            )
            app.execute("UPDATE audit_auditchainhead SET sequence = sequence")
            app.execute("SELECT count(*) FROM catalog_catalogentry")  # the rest of the portal
            for statement in (
                "UPDATE audit_auditevent SET object_repr = 'forged'",
                "DELETE FROM audit_auditevent",
                "TRUNCATE audit_auditevent",
                "DELETE FROM audit_auditchainhead",
                "UPDATE audit_auditchainhead SET id = 2",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(statement)
        assert AuditEvent.objects.count() == 3
        assert AuditChainHead.objects.get().sequence == 2
    finally:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
def test_the_role_command_refuses_a_superuser(db):
    with pytest.raises(CommandError, match="superuser"):
        call_command("audit_db_role", "--role", "postgres", stdout=StringIO())
