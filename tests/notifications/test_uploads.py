"""The department hears how its upload ended: loaded or refused; other departments do not."""

import pytest

from apps.notifications.kinds import Kind
from apps.notifications.models import Notification
from tests.datazone.conftest import ALL_TYPES, csv_bytes, good_rows, load
from tests.factories import make_entry


@pytest.fixture
def data_entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=ALL_TYPES,
    )  # fmt: skip


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_loaded_upload_tells_the_department(
    data_entry,
    tmp_path,
    department_member,
    department_admin,
    other_department_member,
    operator_member,
):
    version = load(data_entry, csv_bytes(good_rows(3)), tmp_path=tmp_path, actor=department_member)
    assert version.status == "live"
    assert told(Kind.UPLOAD_LOADED) == {"dept_member", "dept_admin"}
    notification = Notification.objects.get(kind=Kind.UPLOAD_LOADED, recipient=department_member)
    assert notification.params["rows"] == "3"
    assert notification.url == f"/departments/data/{data_entry.identifier}/"


def test_a_refused_upload_tells_the_department(
    data_entry, tmp_path, department_member, other_department_member
):
    bad = csv_bytes([["A1", "南明区", "many", "3.50", "2024-01-05", "2024-01-05 08:30", "是"]])
    version = load(data_entry, bad, tmp_path=tmp_path, actor=department_member)
    assert version.status == "failed"
    assert told(Kind.UPLOAD_REFUSED) == {"dept_member"}
