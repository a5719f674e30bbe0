"""Every file a signed-in user takes away is on the audit log, and so is every change of who
holds which group or permission, from the admin or from anywhere else (issue 16, item 2)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent, EventKind
from apps.cdo import services as cdo_services
from apps.datazone import services as datazone_services
from apps.datazone.choices import VersionStatus
from tests.factories import UserFactory, make_entry

YEAR = timezone.localdate().year


def _cdo(department, reviewer):
    user = UserFactory(username="cdo", department=department, organisation_role="member")
    cdo_services.cdo_appoint(
        department=department, user=user, actor=reviewer, title="首席数据官",
        document_number="教〔2026〕1号", term_start=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    return user


def _refused_version(department, department_member, reviewer, tmp_path):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    path = tmp_path / "rows.csv"
    path.write_bytes("school_name,district,students\n一中,南明,很多\n".encode())
    version = datazone_services.data_version_load_file(entry=entry, path=path)
    assert version.status == VersionStatus.FAILED
    return reverse("datazone:errors", args=[entry.identifier, version.number])


# (who downloads, the address, query)
EXPORTS = {
    "disclosure.csv": ("department_member", lambda w: reverse("authorizations:disclosure-csv")),
    "ledger.csv": ("reviewer", lambda w: reverse("bureau_revenue:ledger-csv")),
    "ledger.xlsx": ("reviewer", lambda w: reverse("bureau_revenue:ledger-xlsx")),
    "department export.csv": (
        "department_admin",
        lambda w: reverse("department_revenue:export-csv"),
    ),
    "department export.xlsx": (
        "department_admin",
        lambda w: reverse("department_revenue:export-xlsx"),
    ),
    "operator annual report.xlsx": (
        "operator_member",
        lambda w: reverse("operator_revenue:annual-report-xlsx", args=[YEAR]),
    ),
    "bureau annual report.xlsx": (
        "reviewer",
        lambda w: reverse("bureau_revenue:annual-report-xlsx", args=[w("operator").pk, YEAR]),
    ),
    "bureau assessment csv": (
        "reviewer",
        lambda w: reverse("reporting:bureau-assessment") + "?export=csv",
    ),
    "bureau assessment xlsx": (
        "reviewer",
        lambda w: reverse("reporting:bureau-assessment") + "?export=xlsx",
    ),
    "department assessment csv": (
        "cdo",
        lambda w: reverse("reporting:department-assessment") + "?export=csv",
    ),
    "department assessment xlsx": (
        "cdo",
        lambda w: reverse("reporting:department-assessment") + "?export=xlsx",
    ),
    "upload errors.csv": (
        "department_member",
        lambda w: _refused_version(
            w("department"), w("department_member"), w("reviewer"), w("tmp_path")
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_export_is_recorded(name, client, request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    persona, address = EXPORTS[name]

    def world(fixture: str):
        if fixture == "cdo":
            return _cdo(request.getfixturevalue("department"), request.getfixturevalue("reviewer"))
        return request.getfixturevalue(fixture)

    user = world(persona)
    url = address(world)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(kind=EventKind.DATA_EXPORTED)
    assert event.actor == user
    assert event.details["path"] == url.split("?")[0]
    if "?" in url:
        assert event.details["query"] == {"export": url.rsplit("=", 1)[1]}


# --- who holds which role -------------------------------------------------------------------


def _roles(kind: str) -> list[tuple[str, str, str]]:
    return [
        (e.object_type, e.object_repr, e.details["name"])
        for e in AuditEvent.objects.filter(kind=kind).order_by("sequence")
    ]


def test_groups_given_and_taken_are_recorded(db, commit):
    group = Group.objects.create(name="approver-test")
    user = UserFactory(username="newstaff")
    with commit():
        user.groups.add(group)
    with commit():
        group.user_set.remove(user)  # from the other side too
    assert _roles(EventKind.PERMISSION_GRANTED) == [("accounts.user", "newstaff", "approver-test")]
    assert _roles(EventKind.PERMISSION_REMOVED) == [("accounts.user", "newstaff", "approver-test")]


def test_cleared_groups_and_direct_permissions_are_recorded(db, commit):
    group = Group.objects.create(name="reviewer-test")
    permission = Permission.objects.get(codename="view_auditevent")
    user = UserFactory(username="newstaff", groups=[])
    user.groups.add(group)
    with commit():
        user.user_permissions.add(permission)
        user.groups.clear()
    assert _roles(EventKind.PERMISSION_GRANTED) == [
        ("accounts.user", "newstaff", "audit.view_auditevent")
    ]
    assert _roles(EventKind.PERMISSION_REMOVED) == [("accounts.user", "newstaff", "reviewer-test")]


def test_a_rolled_back_role_change_leaves_no_entry(db, commit):
    from django.db import transaction

    group = Group.objects.create(name="approver-test")
    user = UserFactory(username="newstaff")
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        user.groups.add(group)
        raise RuntimeError
    assert not AuditEvent.objects.exists()


def test_a_groups_permissions_changed_in_the_admin_are_recorded(db, client, commit):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    group = Group.objects.create(name="临时组")
    permission = Permission.objects.get(codename="view_auditevent")
    with commit():
        response = client.post(
            reverse("admin:auth_group_change", args=[group.pk]),
            {"name": "临时组", "permissions": [permission.pk]},
        )
    assert response.status_code == 302
    granted = AuditEvent.objects.get(kind=EventKind.PERMISSION_GRANTED)
    assert (granted.actor, granted.object_type, granted.object_id) == (
        superuser, "auth.group", str(group.pk),
    )  # fmt: skip
    assert granted.details == {
        "change": "add", "name": "audit.view_auditevent", "model": "auth.permission",
    }  # fmt: skip
    assert AuditEvent.objects.filter(kind=EventKind.ADMIN_CHANGE).exists()
