"""Shared set-up for the operator data API: a qualified operator with a key, a published entry
with one field of every type and rows loaded through the data zone, and an authorization.

Personas: the operator (``operator``, its admin and member, the key ``api_key``), another
qualified operator (``rival``) with its own grant on the same entry, and bureau staff who decide.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from apps.api import services as api_services
from apps.authorizations import services
from apps.authorizations.models import Authorization
from apps.datazone import services as datazone_services
from tests.api.replica import pg_replica, start_early, stop_started  # noqa: F401 - scale-out
from tests.authorizations.conftest import AGREEMENT, qualify, scope
from tests.factories import OperatorFactory, UserFactory, make_entry


def pytest_collection_finish(session: pytest.Session) -> None:
    """pg_basebackup copies the whole cluster: begin it while the test database is made."""
    if any("pg_replica" in getattr(item, "fixturenames", ()) for item in session.items):
        start_early()


def pytest_sessionfinish(session: pytest.Session) -> None:
    stop_started()  # also when no test got as far as the replica (a failure with -x, say)


FIELDS = [
    {"name": "code", "label": "编码", "data_type": "string", "nullable": False, "filterable": True},
    {"name": "district", "label": "区县", "data_type": "string", "filterable": True},
    {"name": "quantity", "label": "数量", "data_type": "integer", "filterable": True},
    {"name": "amount", "label": "金额", "data_type": "decimal"},
    {"name": "day", "label": "日期", "data_type": "date", "filterable": True},
    {"name": "seen_at", "label": "记录时间", "data_type": "datetime"},
    {"name": "open", "label": "是否开放", "data_type": "boolean"},
    {"name": "id_number", "label": "身份证号", "data_type": "string", "sensitivity": "personal"},
]
GRANTED = ["code", "district", "quantity", "amount", "day", "seen_at", "open"]
DISTRICTS = ["南明区", "云岩区", "花溪区", ""]
ROWS = 60


def make_rows(count: int = ROWS) -> list[list[str]]:
    """Deterministic rows with duplicates and empty cells in every nullable field."""
    return [
        [
            f"C{i:03d}",
            DISTRICTS[i % 4],
            "" if i % 5 == 0 else str(i % 7),
            "" if i % 6 == 0 else f"{(i % 9) * 1.25:.2f}",
            "" if i % 11 == 0 else f"2024-01-{i % 28 + 1:02d}",
            "" if i % 8 == 0 else f"2024-01-05 08:{i % 60:02d}:30",
            "是" if i % 3 else "否",
            f"52010119900101{i:04d}",
        ]
        for i in range(1, count + 1)
    ]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([field["name"] for field in FIELDS])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def load_rows(entry, rows: list[list[str]], tmp_path, name: str = "rows.csv"):
    """Load rows into the entry's live version, synchronously, the way the bureau does."""
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    version = datazone_services.data_version_load_file(entry=entry, path=path)
    assert version.status == "live", version.errors
    return version


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def _no_throttle(settings):
    # Throttling has its own tests (test_throttling.py); here many calls share one key.
    settings.API_KEY_RATE = "100000/min"


@pytest.fixture
def entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=FIELDS,
    )  # fmt: skip


@pytest.fixture
def loaded(entry, tmp_path):
    load_rows(entry, make_rows(), tmp_path)
    return entry


@pytest.fixture
def qualified(operator, operator_member, reviewer):
    qualify(operator, operator_member, reviewer)
    return operator


@pytest.fixture
def grant(department_admin, reviewer, approver) -> Callable[..., Authorization]:
    """``grant(operator, member, entry, **scope)``: an authorization through the real services."""
    count = iter(range(1, 1000))

    def make(operator, member, entry, **overrides: Any) -> Authorization:
        scenario = services.scenario_create(
            operator=operator, actor=member,
            data={"title": f"场景{next(count)}", "sector": "education", "description": "测试",
                  "expected_product": "查询服务", "use": "industry"},
        )  # fmt: skip
        today = timezone.localdate()
        application = services.application_submit(
            operator=operator, actor=member, entry=entry, scenario=scenario,
            requested_fields=GRANTED, purpose="测试", requested_from=today,
            requested_until=today + timedelta(days=365), expected_daily_calls=100,
        )  # fmt: skip
        services.application_department_opinion(
            application=application, actor=department_admin, agree=True
        )
        services.application_recommend(
            application=application, actor=reviewer, recommendation="approve"
        )
        return services.application_approve(
            application=application, actor=approver,
            scope=scope(**{"allowed_fields": GRANTED, **overrides}), agreement=AGREEMENT,
        )  # fmt: skip

    return make


@pytest.fixture
def authorization(grant, qualified, operator_member, loaded) -> Authorization:
    return grant(qualified, operator_member, loaded)


@pytest.fixture
def key_of(db, _no_throttle) -> Callable[..., str]:
    """``key_of(admin, authorizations=())``: a new API key's full text."""

    def make(admin, authorizations=()) -> str:
        _key, raw = api_services.api_key_create(
            actor=admin, name="test key", authorizations=authorizations
        )
        return raw

    return make


@pytest.fixture
def api_key(key_of, operator_admin, authorization) -> str:
    return key_of(operator_admin)


@pytest.fixture
def api(client: Client, api_key: str) -> Client:
    """A client that sends the operator's key with every request."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key}"
    return client


@pytest.fixture
def second_entry(department, department_member, reviewer, tmp_path):
    """Another published entry of the same department, with 12 rows."""
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=FIELDS, title="第二个数据集",
    )  # fmt: skip
    load_rows(entry, make_rows(12), tmp_path, name="second.csv")
    return entry


@pytest.fixture
def rival(db, reviewer):
    """Another qualified operator, with an admin and a member."""
    other = OperatorFactory(name="另一家运营公司")
    member = UserFactory(username="rival_member", operator=other, organisation_role="member")
    admin = UserFactory(username="rival_admin", operator=other, organisation_role="admin")
    qualify(other, member, reviewer)
    return other, member, admin


def url(name: str, identifier: str | None = None) -> str:
    from django.urls import reverse

    return reverse(f"api-dataset-{name}", args=[identifier] if identifier else [])


@pytest.fixture
def _test_connection_kept() -> Iterator[None]:
    """A request's end closes old connections; the test's own, inside its transaction, stays
    (as the test client does around the responses it closes itself)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
