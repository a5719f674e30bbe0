"""A real PostgreSQL outage, end to end: the portal runs as separate server and worker
processes whose only way to the test database is a TCP proxy owned by the test; the test cuts
the proxy for 75 s (as a database restart would: every connection closed, new ones refused) and
restores it. Meanwhile the API answers 503 JSON fast, /readyz fails and /healthz does not; after
it the first call succeeds, the worker is still alive and beating, and every call made during
the cut has its usage record.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from apps.api.models import UsageRecord
from apps.datazone.models import WorkerHeartbeat

BASE_DIR = Path(__file__).resolve().parents[2]
CUT_SECONDS = 75

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the outage is PostgreSQL's; CI runs on it"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Proxy:
    """A TCP proxy to PostgreSQL that the test can cut and restore."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """As a database restart: every connection closed, new ones refused."""
        with self._lock:
            if self._listener is not None:
                with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.close()


def _get(url: str) -> tuple[int, bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _api(base: str, raw_key: str) -> tuple[int, bytes, float]:
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/v1/datasets/", headers={"Authorization": f"Bearer {raw_key}"}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started


def test_a_real_outage_answers_503_fast_and_heals_without_a_restart(tmp_path, api_key):
    settings_dict = connection.settings_dict
    proxy = Proxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
    proxy.start()
    port = _free_port()
    user = settings_dict["USER"] or "postgres"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{user}@127.0.0.1:{proxy.port}/{settings_dict['NAME']}",
        "DATABASE_RETRY_SECONDS": "1",
        "READYZ_REQUIRE_WORKER": "1",
        "PYTHONUNBUFFERED": "1",
    }
    server = _start(["runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"], env,
                    tmp_path / "server.log")  # fmt: skip
    worker = _start(["datazone_worker", "--interval", "0.5"], env, tmp_path / "worker.log")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                if _get(f"{base}/readyz")[0] == 200:  # up, and the worker has beaten
                    break
            time.sleep(0.2)
        assert _api(base, api_key)[0] == 200
        assert _get(f"{base}/readyz")[0] == 200

        proxy.cut()
        cut_at = time.monotonic()
        status, body, seconds = _api(base, api_key)
        assert status == 503, body
        assert json.loads(body)["error"]["code"] == "service_unavailable"
        assert seconds < 2.5
        answers = [_api(base, api_key) for _ in range(5)]
        assert {a[0] for a in answers} == {503}
        assert max(a[2] for a in answers) < 2.5
        assert _get(f"{base}/readyz")[0] == 503
        health = _get(f"{base}/healthz")
        assert health[0] == 200 and health[2] < 0.5
        time.sleep(max(0.0, CUT_SECONDS - (time.monotonic() - cut_at)))
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()

        proxy.start()
        restored_at = timezone.now()
        time.sleep(1.1)  # DATABASE_RETRY_SECONDS: the breaker lets the next request try
        first = _api(base, api_key)
        assert first[0] == 200, (tmp_path / "server.log").read_text()[-3000:]  # no dead connection
        for _ in range(60):  # the worker resumes by itself and reports again
            if WorkerHeartbeat.objects.filter(beat_at__gt=restored_at).exists():
                break
            time.sleep(0.5)
        assert WorkerHeartbeat.objects.filter(beat_at__gt=restored_at).exists()
        assert _get(f"{base}/readyz")[0] == 200
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=10)
        proxy.cut()
    output = (tmp_path / "server.log").read_text()
    assert "Traceback" not in output, output
    assert output.count("database unreachable") == 1, output  # one line for the incident
    assert "error connecting" not in output  # not one per reconnection attempt
    assert "Service Unavailable: /api" not in output  # nor one per refused request
    assert "Traceback" not in (tmp_path / "worker.log").read_text()
    # Every call has its usage record: two answered, six refused while the database was away.
    statuses = sorted(UsageRecord.objects.values_list("status_code", flat=True))
    assert statuses == [200, 200, 503, 503, 503, 503, 503, 503], statuses
