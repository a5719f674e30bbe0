"""What a server process does once, at start, so that its first calls cost what later ones do
(issue: flat tails). Without it the first API calls of each worker pay for compiling the URL
patterns, loading the translation catalogues, opening the database pool and starting the access
cache's listener: 100-350 ms tails at a single client."""

import contextlib
import logging

from django.conf import settings
from django.db import connections
from django.urls import Resolver404, resolve
from django.utils import translation

from apps.api.access_cache import access_cache

logger = logging.getLogger(__name__)

# Seconds the start may wait for the pool's first connections; a database that is down then is
# the outage middleware's business (503s), not a reason to refuse to start.
POOL_WAIT_SECONDS = 2.0


def warm_up() -> None:
    with contextlib.suppress(Resolver404):
        resolve(settings.API_PATH_PREFIX)  # compiles every URL pattern on the way
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Not found.")  # loads the catalogue
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    try:
        _open_pool("default")
        access_cache.start()
    except Exception:  # the server starts anyway; its calls answer 503 while the outage lasts
        logger.warning("warm-up: the database could not be reached at start", exc_info=True)
    if "replica" in connections:
        try:
            _open_pool("replica")
        except Exception:  # rows are read from the primary until the replica answers
            logger.warning("warm-up: the replica could not be reached at start", exc_info=True)


def _open_pool(alias: str) -> None:
    pool = getattr(connections[alias], "pool", None)  # PostgreSQL with DATABASE_POOL on
    if pool is not None:
        pool.open(wait=True, timeout=POOL_WAIT_SECONDS)
