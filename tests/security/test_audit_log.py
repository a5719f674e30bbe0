"""The audit log: one hash chain, append-only, an entry for each kind of security event."""

import threading
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from apps.api import services as api_services
from apps.audit.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditEvent,
    AuditLogIsAppendOnly,
    EventKind,
)
from apps.audit.selectors import audit_chain_check
from apps.audit.services import REMOVED, audit_record
from apps.authorizations import services as authorization_services
from apps.cdo import services as cdo_services
from tests.factories import UserFactory

from .conftest import verified_client
from .test_every_service_audited import RECIPES


def _chain(n: int, actor=None) -> list[AuditEvent]:
    return [
        audit_record(kind=EventKind.DATA_EXPORTED, actor=actor, details={"n": i}) for i in range(n)
    ]


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def _broken(number: int, problem: str) -> None:
    """The check stops at entry ``number`` for ``problem``; the command fails naming it."""
    check = audit_chain_check()
    assert (check.broken_at, check.problem) == (number, problem)
    with pytest.raises(CommandError, match=f"#{number}\\b") as error:
        _verify()
    assert error.value.returncode == 1


# --- the chain -----------------------------------------------------------------------------


def test_entries_link_into_one_chain(db, reviewer):
    events = _chain(3, actor=reviewer)
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].previous_hash == GENESIS_HASH
    assert events[1].previous_hash == events[0].hash
    assert all(e.hash == e.compute_hash() for e in AuditEvent.objects.all())
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.last_hash) == (3, events[2].hash)
    assert events[0].organisation == str(reviewer.bureau)
    assert "3" in _verify()


def test_an_edited_entry_is_detected(db):
    _chain(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE sequence = %s", ["forged", 2]
        )
    _broken(2, "changed")


def test_an_edited_detail_is_detected(db):
    _chain(3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET details = %s WHERE sequence = 3", ['{"n": 9}'])
    _broken(3, "changed")


def test_a_deleted_entry_is_detected(db):
    _chain(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 2")
    _broken(2, "missing")


def test_deleting_the_newest_entries_is_detected(db):
    _chain(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence >= 3")
    _broken(3, "missing")


def test_a_tampered_chain_head_is_detected(db):
    _chain(2)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s", ["f" * 64])
    _broken(2, "head")


def test_rewriting_an_entry_with_a_fresh_hash_still_breaks_the_next_link(db):
    events = _chain(3)
    forged = AuditEvent.objects.get(sequence=2)
    forged.object_repr = "forged"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s, hash = %s WHERE sequence = 2",
            ["forged", forged.compute_hash()],
        )
    assert events[2].previous_hash != forged.compute_hash()
    _broken(3, "unlinked")


def test_details_survive_the_database_round_trip(db):
    from datetime import date
    from decimal import Decimal

    audit_record(
        kind=EventKind.ADMIN_CHANGE,
        details={"big": 1e20, "share": Decimal("0.30"), "day": date(2026, 3, 31), "nul": "a\x00b"},
    )
    event = AuditEvent.objects.get()
    assert event.details == {
        "big": "1e+20",
        "share": "0.30",
        "day": "2026-03-31",
        "nul": "a\ufffdb",
    }
    assert event.compute_hash() == event.hash
    assert "1" in _verify()


def test_an_empty_log_is_intact(db):
    assert "0" in _verify()


# --- append-only ---------------------------------------------------------------------------


def test_django_refuses_to_change_or_delete_entries(db):
    event = _chain(1)[0]
    event.object_repr = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(kind=EventKind.LOGIN)])
    assert "1" in _verify()


def test_details_never_keep_secrets(db):
    event = audit_record(
        kind=EventKind.ADMIN_CHANGE,
        details={
            "password": "hunter2-hunter2",
            "api_key": "pdp_abc_secret",
            "nested": [{"token": "t0k3n", "recovery_codes": ["a", "b"], "status": "ok"}],
            "new_password1": "x",
        },
    )
    assert event.details == {
        "password": REMOVED,
        "api_key": REMOVED,
        "nested": [{"token": REMOVED, "recovery_codes": REMOVED, "status": "ok"}],
        "new_password1": REMOVED,
    }
    assert event.hash == event.compute_hash()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock is PostgreSQL's")
    errors: list[BaseException] = []
    # Entries other tests' threads committed may already be there: count from the head.
    start = AuditChainHead.objects.values_list("sequence", flat=True).first() or 0

    def write() -> None:
        try:
            for _ in range(15):
                audit_record(kind=EventKind.LOGIN_FAILED, details={"unknown_username": True})
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    written = AuditEvent.objects.filter(sequence__gt=start)
    assert sorted(written.values_list("sequence", flat=True)) == list(range(start + 1, start + 91))
    assert AuditEvent.objects.count() == start + 90
    assert str(start + 90) in _verify()


# --- the admin -----------------------------------------------------------------------------


def test_auditors_read_and_filter_the_log(client, auditor):
    audit_record(kind=EventKind.LOGIN, actor=auditor)
    _chain(2)
    client.force_login(auditor)
    url = reverse("admin:audit_auditevent_changelist")
    assert client.get(url).status_code == 200
    by_kind = client.get(url, {"kind__exact": EventKind.LOGIN})
    assert [e.kind for e in by_kind.context["cl"].result_list] == [EventKind.LOGIN]
    by_actor = client.get(url, {"actor__id__exact": auditor.pk})
    assert by_actor.context["cl"].result_count == 1
    by_date = client.get(url, {"time__gte": "2000-01-01 00:00:00+08:00"})
    assert by_date.context["cl"].result_count == 3
    event = AuditEvent.objects.first()
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content


@pytest.mark.parametrize("persona", ["reviewer", "approver"])
def test_reviewers_and_approvers_read_it_too(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200


def test_nobody_adds_changes_or_deletes_entries_in_the_admin(client, auditor, settings):
    event = _chain(1)[0]
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    for user in (auditor, superuser):
        client.force_login(user)
        assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
        delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        change = reverse("admin:audit_auditevent_change", args=[event.pk])
        client.post(change, {"object_repr": "changed"})
        listing = client.get(reverse("admin:audit_auditevent_changelist"))
        assert "delete_selected" not in listing.content.decode()
    assert AuditEvent.objects.get().object_repr == event.object_repr


def test_departments_and_operators_cannot_read_it(client, department_admin, operator_admin):
    for user in (department_admin, operator_admin):
        client.force_login(user)
        response = client.get(reverse("admin:audit_auditevent_changelist"))
        assert response.status_code == 302  # to the admin's login: they are not staff


# --- one entry per kind of event -------------------------------------------------------------


def test_api_keys_created_and_revoked(operator_admin, commit):
    with commit():
        key, raw = api_services.api_key_create(actor=operator_admin, name="系统A")
    with commit():
        api_services.api_key_revoke(key=key, actor=operator_admin)
    created, revoked = AuditEvent.objects.order_by("sequence")
    assert (created.kind, revoked.kind) == (EventKind.API_KEY_CREATED, EventKind.API_KEY_REVOKED)
    assert created.actor == operator_admin and created.object_id == str(key.pk)
    assert created.details == {"name": "系统A", "prefix": key.prefix, "operator": key.operator_id}
    secret = raw.split("_", 2)[2]
    for event in (created, revoked):
        assert secret not in event.canonical().decode()


def test_authorization_changes_decisions_and_permissions(authorization, approver, commit):
    with commit():
        authorization_services.authorization_suspend(
            authorization=authorization, actor=approver, reason="安全检查"
        )
    change = AuditEvent.objects.filter(kind=EventKind.AUTHORIZATION_CHANGED).first()
    assert change.details == {
        "status": "suspended",
        "previous_status": "active",
        "reason": "安全检查",
    }
    assert change.actor == approver and change.object_id == str(authorization.pk)
    removed = AuditEvent.objects.get(kind=EventKind.PERMISSION_REMOVED)
    assert removed.details["permission"] == "query_catalogentry"
    assert removed.details["group_name"] == authorization.operator.group.name
    assert removed.object_type == "catalog.catalogentry"


def test_approval_writes_decision_authorization_and_grant(recommended, approver, commit):
    from tests.authorizations.conftest import AGREEMENT, scope

    with commit():
        authorization_services.application_approve(
            application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
        )
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {
        EventKind.APPLICATION_DECIDED,
        EventKind.AUTHORIZATION_CHANGED,
        EventKind.PERMISSION_GRANTED,
    } <= kinds
    decision = AuditEvent.objects.get(kind=EventKind.APPLICATION_DECIDED)
    assert decision.details["status"] == "approved" and decision.actor == approver


def test_qualification_reviews(operator, operator_member, reviewer, commit):
    from tests.authorizations.conftest import qualify

    with commit():
        qualify(operator, operator_member, reviewer)
    reviews = AuditEvent.objects.filter(kind=EventKind.QUALIFICATION_REVIEWED)
    assert reviews.exists()
    assert {e.details["status"] for e in reviews} == {"approved"}


def test_direct_permission_grants_and_removals(operator, department, department_member, commit):
    from tests.factories import make_entry

    entry_ = make_entry(department=department, actor=department_member)
    with commit():
        assign_perm("query_catalogentry", operator.group, entry_)
    with commit():
        remove_perm("query_catalogentry", operator.group, entry_)
    granted, removed = AuditEvent.objects.order_by("sequence")
    assert (granted.kind, removed.kind) == (
        EventKind.PERMISSION_GRANTED,
        EventKind.PERMISSION_REMOVED,
    )
    assert granted.object_id == str(entry_.pk)


def test_cdo_appointments(department, reviewer, commit):
    from django.utils import timezone

    user = UserFactory(username="cdo", department=department, organisation_role="member")
    with commit():
        cdo_services.cdo_appoint(
            department=department, user=user, actor=reviewer, title="首席数据官",
            document_number="教〔2026〕1号", term_start=timezone.now(),
        )  # fmt: skip
    event = AuditEvent.objects.get(kind=EventKind.CDO_CHANGED)
    assert event.details["change"] == "appointed" and event.details["user"] == user.pk


def test_catalog_decisions_by_the_bureau(department, department_member, reviewer, commit):
    from apps.catalog import services as catalog_services
    from tests.factories import make_entry

    published = make_entry(department=department, actor=department_member, status="submitted")
    returned = make_entry(department=department, actor=department_member, status="submitted")
    rejected = make_entry(department=department, actor=department_member, status="submitted")
    with commit():
        catalog_services.catalog_entry_publish(entry=published, actor=reviewer)
        catalog_services.catalog_entry_retire(entry=published, actor=reviewer, comment="停更")
        catalog_services.catalog_entry_return(entry=returned, actor=reviewer, comment="补字段")
        catalog_services.catalog_entry_reject(entry=rejected, actor=reviewer, comment="重复")
        catalog_services.catalog_entry_submit(entry=returned, actor=department_member)
    decisions = AuditEvent.objects.filter(kind=EventKind.CATALOG_ENTRY_DECIDED)
    assert [(e.object_id, e.details["decision"]) for e in decisions.order_by("sequence")] == [
        (str(published.pk), "published"),
        (str(published.pk), "retired"),
        (str(returned.pk), "returned"),
        (str(rejected.pk), "rejected"),
    ]  # the department's resubmission is no decision
    retired = decisions.get(details__decision="retired")
    assert retired.actor == reviewer and retired.object_type == "catalog.catalogentry"
    assert retired.details == {
        "status": "retired",
        "previous_status": "published",
        "reason": "停更",
        "decision": "retired",
    }


def test_cdo_confirmations_and_returns(department, department_member, reviewer, commit):
    from django.utils import timezone

    from apps.catalog import services as catalog_services
    from tests.factories import make_entry

    department.submissions_need_cdo_confirmation = True
    department.save()
    cdo = UserFactory(username="cdo", department=department, organisation_role="member")
    cdo_services.cdo_appoint(
        department=department, user=cdo, actor=reviewer, title="首席数据官",
        document_number="教〔2026〕1号", term_start=timezone.now(),
    )  # fmt: skip
    confirmed = make_entry(department=department, actor=department_member)
    sent_back = make_entry(department=department, actor=department_member)
    for entry_ in (confirmed, sent_back):
        catalog_services.catalog_entry_submit(entry=entry_, actor=department_member)
    with commit():
        catalog_services.catalog_entry_confirm(entry=confirmed, actor=cdo, comment="同意报送")
        catalog_services.catalog_entry_cdo_return(entry=sent_back, actor=cdo, comment="说明不全")
    decisions = AuditEvent.objects.filter(kind=EventKind.CATALOG_ENTRY_DECIDED)
    assert {
        (e.object_id, e.actor, e.details["decision"], e.details["reason"]) for e in decisions
    } == {
        (str(confirmed.pk), cdo, "confirmed by the CDO", "同意报送"),
        (str(sent_back.pk), cdo, "returned by the CDO", "说明不全"),
    }


def test_data_exports_by_signed_in_users(client, department_member):
    client.get(reverse("authorizations:disclosure-csv"))  # anonymous: public, not logged
    client.force_login(department_member)
    response = client.get(reverse("authorizations:disclosure-csv"))
    assert response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(kind=EventKind.DATA_EXPORTED)
    assert event.actor == department_member
    assert event.details["path"] == reverse("authorizations:disclosure-csv")


def test_admin_changes_by_staff(client, department, commit):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    group = Group.objects.create(name="临时组")
    with commit():
        client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "改名组"})
    event = AuditEvent.objects.get(kind=EventKind.ADMIN_CHANGE)
    assert event.actor == superuser
    assert (event.object_type, event.object_id) == ("auth.group", str(group.pk))
    assert event.details["action"] == "change"
    assert event.details["change"] == [{"changed": {"fields": ["Name"]}}]


def test_bulk_deletions_in_the_admin_are_recorded_one_by_one(db, client, commit):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    groups = [Group.objects.create(name=f"临时组{i}") for i in range(3)]
    with commit():
        client.post(
            reverse("admin:auth_group_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [g.pk for g in groups],
                "post": "yes",
            },
        )
    assert not Group.objects.filter(name__startswith="临时组").exists()
    deleted = AuditEvent.objects.filter(kind=EventKind.ADMIN_CHANGE, details__action="deletion")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(g.pk) for g in groups)


def test_a_rolled_back_action_leaves_no_entry(authorization, approver, commit):
    from django.db import transaction

    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        authorization_services.authorization_suspend(
            authorization=authorization, actor=approver, reason="安全检查"
        )
        raise RuntimeError
    assert not AuditEvent.objects.filter(kind=EventKind.AUTHORIZATION_CHANGED).exists()


def test_every_kind_has_a_producer():
    """Guards the list: a new kind without a test of its producer fails here."""
    tested = {
        EventKind.LOGIN, EventKind.LOGIN_FAILED, EventKind.LOGOUT, EventKind.LOCKOUT,  # login tests
        EventKind.TWOFACTOR_CHANGED, EventKind.TWOFACTOR_FAILED,  # 2FA tests
        EventKind.API_KEY_CREATED, EventKind.API_KEY_REVOKED, EventKind.AUTHORIZATION_CHANGED,
        EventKind.APPLICATION_DECIDED, EventKind.QUALIFICATION_REVIEWED, EventKind.CDO_CHANGED,
        EventKind.PERMISSION_GRANTED, EventKind.PERMISSION_REMOVED, EventKind.DATA_EXPORTED,
        EventKind.ADMIN_CHANGE, EventKind.CATALOG_ENTRY_DECIDED,
    }  # fmt: skip
    # and every kind a service's recipe expects (tests/security/test_every_service_audited.py)
    tested |= {kind for kind, _recipe in RECIPES.values()}
    assert tested == set(EventKind)


def test_verified_staff_see_the_log_with_2fa_on(client, auditor, staff_2fa):
    verified_client(client, auditor)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
