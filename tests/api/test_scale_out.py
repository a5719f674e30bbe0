"""The portal on more than one server (README "Scaling out"), with real processes: two gunicorn
servers on config.wsgi share the test database, one Redis of the test's own and a streaming
replica made by bin/pg-replica. Across both servers: the daily row quota is never exceeded by concurrent calls,
a revocation is refused at once by each (the access cache's LISTEN/NOTIFY), rows are read from
the replica, and a new live version is never served from a replica that has not replayed it.
"""

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from django.db import connection

from apps.api.models import ApiKey, DailyUsage
from apps.api.services import api_key_revoke
from apps.datazone.selectors import live_version_of
from apps.datazone.storage import table_store
from tests.api.conftest import load_rows, make_rows
from tests.api.replica import BASE_DIR, Replica, free_port
from tests.api.test_cache_outage import RedisServer
from tests.factories import make_entry
from tests.opendata.conftest import OPEN_FIELDS, load_rows_open, open_rows

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="streaming replicas are PostgreSQL's; CI runs on it",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GUNICORN = Path(os.environ.get("VIRTUAL_ENV", BASE_DIR / ".venv")) / "bin" / "gunicorn"
# How long a server waits for the replica to replay a new version before using the primary.
REPLICA_WAIT_MS = 300


class Server:
    def __init__(self, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.process, self.log = process, log

    def get(self, path: str, key: str | None = None, body: dict | None = None) -> tuple[int, dict]:
        """A call of the API (with a key; POSTing ``body`` when given), its status and JSON."""
        status, content = self.fetch(path, key, body)
        return status, json.loads(content)

    def fetch(
        self, path: str, key: str | None = None, body: dict | None = None
    ) -> tuple[int, bytes]:
        headers = {"Accept-Language": "en", "Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def servers(
    pg_replica: Replica,
    shared_redis: RedisServer,
    django_db_blocker,
    tmp_path_factory,
) -> Iterator[tuple[Server, Server]]:
    """Two app servers on config.wsgi (two workers each), as production runs them."""
    with django_db_blocker.unblock():
        settings_dict = connection.settings_dict
    name, user = settings_dict["NAME"], settings_dict["USER"] or "postgres"
    primary = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    folder = tmp_path_factory.mktemp("servers")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "DATABASE_URL": f"postgres://{user}@{primary}/{name}",
        "DATABASE_REPLICA_URL": pg_replica.url(name),
        "DATABASE_REPLICA_WAIT_MS": str(REPLICA_WAIT_MS),
        "REDIS_URL": f"redis://127.0.0.1:{shared_redis.port}/0",
        "API_KEY_RATE": "1000/min",
        "PYTHONUNBUFFERED": "1",
    }
    started = []
    for index in (1, 2):
        port, log = free_port(), folder / f"server{index}.log"
        process = subprocess.Popen(  # noqa: S603
            [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4", "--access-logfile", "-"],
            cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(Server(port, process, log))
    try:
        for server in started:
            _wait_until_up(server)
            with urllib.request.urlopen(f"{server.base}/readyz", timeout=10) as answer:  # noqa: S310
                assert json.loads(answer.read())["checks"]["replica"] == "ok"
        yield started[0], started[1]
    finally:
        for server in started:
            server.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for server in started:
            server.process.wait(timeout=20)
    for server in started:
        assert "Traceback" not in server.output(), server.output()[-4000:]


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def _wait_until_up(server: Server) -> None:
    for _ in range(300):
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{server.base}/healthz", timeout=5) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        if server.process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"server did not start: {server.output()[-3000:]}")


def records(identifier: str, **parameters: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in parameters.items())
    return f"/api/v1/datasets/{identifier}/records/" + (f"?{query}" if query else "")


def codes(body: dict) -> list[str]:
    return [row["code"] for row in body["results"]]


def test_the_daily_quota_holds_across_both_servers(
    servers, shared_redis, grant, qualified, operator_member, loaded, key_of, operator_admin
):
    quota, page = 100, 10
    grant(qualified, operator_member, loaded, daily_row_quota=quota)
    key = key_of(operator_admin)
    path = records(loaded.identifier, page_size=str(page))
    calls = [servers[i % 2] for i in range(30)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda server: server.get(path, key), calls))
    served = [len(body["results"]) for status, body in answers if status == 200]
    refused = [body for status, body in answers if status == 429]
    assert len(served) + len(refused) == len(calls), answers
    assert sum(served) == quota and len(served) == quota // page
    assert {body["error"]["code"] for body in refused} == {"quota_exceeded"}
    assert DailyUsage.objects.get().rows == quota
    # …and the rate limit counted every call of both servers in the one Redis.
    client = redis.Redis(port=shared_redis.port)
    throttle_key = ApiKey.objects.get().pk
    counted = [int(client.get(name)) for name in client.keys(f"*api-throttle:{throttle_key}:*")]
    assert sum(counted) == len(calls)
    # Both servers served pages from the one quota.
    by_server = {0: [], 1: []}
    for index, (status, _body) in enumerate(answers):
        by_server[index % 2].append(status)
    assert all(200 in statuses for statuses in by_server.values())


def test_a_revocation_is_refused_at_once_by_both_servers(servers, api_key, loaded):
    path = records(loaded.identifier, page_size="5")
    for server in servers:  # each server's workers have the key's access checks cached now
        for _ in range(4):
            assert server.get(path, api_key)[0] == 200
    key = ApiKey.objects.get()
    api_key_revoke(key=key, actor=key.created_by)  # committed by a third process
    for server in servers:
        for _ in range(4):  # every worker, none answering from what it had cached
            status, body = server.get(path, api_key)
            assert status == 401, body


def test_rows_are_read_from_the_replica(
    servers, pg_replica, api_key, loaded, department, department_member, reviewer, tmp_path
):
    name = connection.settings_dict["NAME"]
    open_entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=OPEN_FIELDS, openness="open", title="公共自行车站点",
    )  # fmt: skip
    load_rows_open(open_entry, open_rows(), tmp_path)
    path = records(loaded.identifier, page_size="3")
    verify = f"/api/v1/datasets/{loaded.identifier}/verify/"
    open_path = f"/api/v1/open/{open_entry.identifier}/records/?page_size=3"
    download = f"/catalog/{open_entry.identifier}/download.csv"

    def answers(server: Server) -> tuple[str, bool, str, str]:
        """The first code of a records page, of an open page and of the open download, and
        whether verify finds the code only the primary has."""
        status, body = server.get(path, api_key)
        assert status == 200, body
        status, found = server.get(verify, api_key, body={"match": {"code": "PRIMARY"}})
        assert status == 200, found
        status, open_body = server.get(open_path)
        assert status == 200, open_body
        status, csv_file = server.fetch(download)
        assert status == 200, csv_file
        first_row = csv_file.decode().splitlines()[1].split(",")[0]
        return codes(body)[0], found["exists"], codes(open_body)[0], first_row

    pg_replica.catch_up(name)
    pg_replica.pause(name)
    try:
        # A change only the primary has: a server that showed it would have read the primary.
        with connection.cursor() as cursor:
            for entry in (loaded, open_entry):
                table = table_store().qualified_name(live_version_of(entry=entry).table_name)
                cursor.execute(f"UPDATE {table} SET code = %s WHERE _row = 1", ["PRIMARY"])  # noqa: S608
        for server in servers:
            for _ in range(3):
                assert answers(server) == ("C001", False, "C001", "C001")  # the replica's rows
    finally:
        pg_replica.resume(name)
    pg_replica.catch_up(name)
    for server in servers:
        assert answers(server) == ("PRIMARY", True, "PRIMARY", "PRIMARY")  # replayed now


def test_a_new_version_is_never_served_from_a_lagging_replica(
    servers, pg_replica, api_key, loaded, tmp_path
):
    name = connection.settings_dict["NAME"]
    path = records(loaded.identifier, page_size="3")
    pg_replica.catch_up(name)
    for server in servers:
        assert codes(server.get(path, api_key)[1]) == ["C001", "C002", "C003"]
    pg_replica.pause(name)
    try:
        rows = [["N" + row[0][1:], *row[1:]] for row in make_rows(12)]
        new = load_rows(loaded, rows, tmp_path, name="new.csv")  # live on the primary only
        for server in servers:
            for _ in range(4):
                started = time.monotonic()
                status, body = server.get(path, api_key)
                assert status == 200, body
                assert codes(body) == ["N001", "N002", "N003"]
                assert body["total_estimate"] == 12
                assert time.monotonic() - started < 5
    finally:
        pg_replica.resume(name)
    for server in servers:
        assert f"has not replayed data version {new.pk}" in server.output()
    pg_replica.catch_up(name)
    for server in servers:
        assert codes(server.get(path, api_key)[1]) == ["N001", "N002", "N003"]
