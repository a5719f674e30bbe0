"""The daily row quota (reserved per page, atomically) and the usage record of every call."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from apps.api.models import DailyUsage, UsageRecord
from apps.datazone.models import DataVersion
from apps.datazone.storage import table_store
from tests.api.conftest import GRANTED, url
from tests.clients import PortalClient


@pytest.fixture
def small_quota(grant, qualified, operator_member, loaded):
    return grant(qualified, operator_member, loaded, daily_row_quota=25)


@pytest.fixture
def client_of(client, key_of, operator_admin):
    def make(authorization):
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key_of(operator_admin, [authorization])}"
        return client

    return make


def usage(authorization) -> tuple[int, int]:
    row = DailyUsage.objects.get(authorization=authorization)
    return row.rows, row.calls


def test_a_page_counts_only_the_rows_it_returned(api, authorization):
    path = url("records", authorization.entry.identifier)
    response = api.get(path, {"page_size": 100, "district": "南明区"})
    assert len(response.json()["results"]) == 15
    assert usage(authorization) == (15, 1)


def test_the_quota_runs_out_with_a_short_page_then_429(client_of, small_quota):
    api = client_of(small_quota)
    path = url("records", small_quota.entry.identifier)
    sizes, response = [], api.get(path, {"page_size": 10})
    for _ in range(3):
        sizes.append(len(response.json()["results"]))
        response = api.get(response.json()["next"])
    assert sizes == [10, 10, 5]
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
    assert usage(small_quota) == (25, 3)


def test_calls_without_rows_go_on_when_the_quota_is_used_up(client_of, small_quota):
    api = client_of(small_quota)
    identifier = small_quota.entry.identifier
    api.get(url("records", identifier), {"page_size": 25})
    assert api.get(url("records", identifier)).status_code == 429
    assert api.get(url("aggregate", identifier)).status_code == 200
    verify = api.post(url("verify", identifier), {"match": {"code": "C001"}}, "application/json")
    assert verify.status_code == 200
    assert usage(small_quota) == (25, 3)


def test_a_refused_page_gives_its_reservation_back(api, authorization):
    path = url("records", authorization.entry.identifier)
    assert api.get(path, {"page_size": 100, "quantity": "x"}).status_code == 400
    assert not DailyUsage.objects.filter(authorization=authorization, rows__gt=0).exists()


def test_every_call_is_recorded_with_what_left_the_zone(api, authorization, client):
    identifier = authorization.entry.identifier
    api.get(url("records", identifier), {"page_size": 4, "fields": "code,day"})
    api.get(url("records", identifier), {"fields": "id_number"})
    api.get(url("records", "NO-SUCH-1"))
    api.post(url("verify", identifier), {"match": {"code": "C001"}}, "application/json")
    records = list(UsageRecord.objects.order_by("pk"))
    assert [(r.endpoint, r.status_code, r.rows, r.cells) for r in records] == [
        ("records", 200, 4, 8),
        ("records", 400, 0, 0),
        ("records", 404, 0, 0),
        ("verify", 200, 0, 0),
    ]
    assert [r.authorization_id for r in records] == [
        authorization.pk,
        authorization.pk,
        None,
        authorization.pk,
    ]
    assert records[0].parameters == {"page_size": "4", "fields": "code,day"}
    assert all(r.operator_id == authorization.operator_id for r in records)


def test_a_call_without_a_key_is_recorded_too(client, authorization):
    client.get(url("records", authorization.entry.identifier))
    record = UsageRecord.objects.get()
    assert (record.status_code, record.key_id, record.authorization_id) == (401, None, None)


def test_a_quota_refusal_is_recorded(client_of, small_quota):
    api = client_of(small_quota)
    path = url("records", small_quota.entry.identifier)
    api.get(path, {"page_size": 25})
    api.get(path)
    last = UsageRecord.objects.order_by("pk").last()
    assert (last.status_code, last.authorization_id, last.rows) == (429, small_quota.pk, 0)


on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.mark.skipif(on_sqlite, reason="SQLite serializes every write; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_pages_never_exceed_the_quota(grant, qualified, operator_member, loaded, key_of, operator_admin):  # fmt: skip
    authorization = grant(qualified, operator_member, loaded, daily_row_quota=50)
    header = f"Bearer {key_of(operator_admin, [authorization])}"
    path = url("records", authorization.entry.identifier)
    threads, start = 8, threading.Barrier(8)
    returned: list[int] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def ask() -> None:
        client = PortalClient(HTTP_AUTHORIZATION=header)
        start.wait()
        try:
            for _ in range(4):
                response = client.get(path, {"page_size": 10, "fields": "code"})
                with lock:
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        returned.append(len(response.json()["results"]))
        finally:
            connection.close()

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert set(statuses) <= {200, 429}
        assert 429 in statuses
        assert sum(returned) == 50
        assert usage(authorization)[0] == 50
        assert UsageRecord.objects.filter(status_code=200).count() == len(returned)
    finally:
        store = table_store()
        for version in DataVersion.objects.all():
            store.drop_table(store.table_name(version.pk))


def test_cells_count_the_chosen_fields(api, authorization):
    api.get(url("records", authorization.entry.identifier), {"page_size": 3})
    record = UsageRecord.objects.get()
    assert record.cells == 3 * len(GRANTED)
