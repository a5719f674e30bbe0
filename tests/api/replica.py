"""A PostgreSQL streaming replica of the test server for the scale-out tests (bin/pg-replica):
made with pg_basebackup into a RAM-backed folder when there is one (/dev/shm), run as a hot
standby on a free port, stopped and removed at the end of the session."""

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPT = BASE_DIR / "bin" / "pg-replica"
CATCH_UP_SECONDS = 30


@dataclass(frozen=True)
class Replica:
    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/{database}"

    def connect(self, database: str) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=database, autocommit=True
        )

    def pause(self, database: str) -> None:
        with self.connect(database) as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
            for _ in range(100):  # paused once the startup process has stopped replaying
                if replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone() == (
                    "paused",
                ):
                    return
                time.sleep(0.05)
        raise AssertionError("the replica did not pause")

    def resume(self, database: str) -> None:
        with self.connect(database) as replica:
            replica.execute("SELECT pg_wal_replay_resume()")

    def catch_up(self, database: str) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            target = cursor.fetchone()[0]
        with self.connect(database) as replica:
            deadline = time.monotonic() + CATCH_UP_SECONDS
            while time.monotonic() < deadline:
                done = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
                ).fetchone()
                if done == (True,):
                    return
                time.sleep(0.02)
        raise AssertionError(f"the replica did not replay up to {target}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ReplicaStart:
    """``bin/pg-replica start`` running in the background: pg_basebackup copies the whole
    cluster, so the session begins it as soon as it knows a test needs the replica (see
    tests/api/conftest.py), while the test database is still being created."""

    def __init__(self) -> None:
        settings_dict = connection.settings_dict
        shm = Path("/dev/shm")  # noqa: S108 - a private folder in it, made by mkdtemp
        parent = shm if shm.is_dir() else None
        self.folder = Path(tempfile.mkdtemp(prefix="portal-replica-", dir=parent))
        self.folder.chmod(0o711)  # the cluster's own user (postgres, when root) goes through it
        self.port = free_port()
        self.user = settings_dict["USER"] or "postgres"
        self.environment = {
            "PRIMARY_HOST": settings_dict["HOST"] or "127.0.0.1",
            "PRIMARY_PORT": str(settings_dict["PORT"] or 5432),
            "PRIMARY_USER": self.user,
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        }
        self.stopped = False
        self.process = subprocess.Popen(  # noqa: S603
            [str(SCRIPT), "start", str(self.folder / "data"), str(self.port)],
            env=self.environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait(self) -> Replica:
        output, _ = self.process.communicate(timeout=300)
        if self.process.returncode != 0:
            self.stop()
            pytest.fail(f"bin/pg-replica start failed: {output.decode()[-2000:]}")
        return Replica(host="127.0.0.1", port=self.port, user=self.user)

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        subprocess.run(  # noqa: S603
            [str(SCRIPT), "stop", str(self.folder / "data")],
            env=self.environment, check=False, timeout=60, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


_started: list[ReplicaStart] = []


def start_early() -> None:
    """Begin making the replica now (PostgreSQL sessions only); pg_replica waits for it."""
    if connection.vendor == "postgresql" and not _started:
        _started.append(ReplicaStart())


def stop_started() -> None:
    """Stop a replica begun for this session, used or not (the session's last word)."""
    while _started:
        _started.pop().stop()


@pytest.fixture(scope="session")
def pg_replica(django_db_setup, django_db_blocker) -> Iterator[Replica]:
    """The replica, begun early, ready after the test database exists (so it has replayed its
    creation), stopped before that database is dropped."""
    if connection.vendor != "postgresql":
        pytest.fail("the replica tests need PostgreSQL (DATABASE_URL=postgres://…)")
    start_early()
    start = _started[0]
    try:
        yield start.wait()
    finally:
        stop_started()
