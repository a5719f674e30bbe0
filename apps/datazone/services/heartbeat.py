"""The data-zone workers' heartbeats, which the readiness probe reads."""

import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..models import WorkerHeartbeat

# Beats older than this are forgotten (a worker that stopped long ago).
FORGET_AFTER = timedelta(days=1)


def worker_heartbeat_record(*, started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        host=socket.gethostname(),
        pid=os.getpid(),
        defaults={"started_at": started_at, "beat_at": now},
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def worker_heartbeat_latest() -> datetime | None:
    beat = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    return beat


def worker_alive() -> tuple[bool, str]:
    """(ready?, what was found): a worker beat within DATAZONE_WORKER_STALE_SECONDS."""
    beat = worker_heartbeat_latest()
    required = settings.READYZ_REQUIRE_WORKER
    if beat is None:
        return not required, "no worker has reported"
    age = (timezone.now() - beat).total_seconds()
    if age > settings.DATAZONE_WORKER_STALE_SECONDS:
        return not required, f"last heartbeat {age:.0f} s ago"
    return True, f"last heartbeat {age:.0f} s ago"
