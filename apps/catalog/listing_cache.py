"""What the public catalog page counts, kept in the shared cache until the catalog changes.

Counting 20,000 published entries per department, sector, grade and openness, and ranking a
common search word's thousands of matches, cost most of the catalog page's time on every
request. Those results are cached under keys that carry a generation token. Anything that can
move a count or a search result (an entry saved or deleted: publish, retire, edit; a department
renamed; a data version going live or rolled back) replaces the token, so the next request
counts afresh: nobody sees a stale count.

The token is replaced twice: at once, so the writer's own next page is right, and again after
the transaction commits, so a request that counted the old rows in between has stored its
result under a token nobody reads any more. Entries also expire after
``CATALOG_LISTING_CACHE_SECONDS`` (10 minutes with Redis): should a token change be lost while
Redis is unreachable (the portal's cache drops writes then, apps/core/cache.py), a count is not
stale for longer. Without Redis each process caches for itself and sees only its own changes, so
the bound is short there (10 seconds): it is how far another worker's page may lag.
"""

from collections.abc import Callable, Hashable
from hashlib import sha256
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "catalog-listing:generation"


def _generation_replace() -> None:
    cache.set(GENERATION_KEY, uuid4().hex, None)


def catalog_listing_changed() -> None:
    """Call when something the public catalog page counts or finds may have changed."""
    _generation_replace()
    transaction.on_commit(_generation_replace)


def catalog_listing_generation() -> str:
    """The current generation: part of every key of what is cached for the catalog page."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # add, not set: another worker may have just started a generation of its own.
        cache.add(GENERATION_KEY, uuid4().hex, None)
        generation = cache.get(GENERATION_KEY) or uuid4().hex
    return str(generation)


def catalog_listing_cached[T](
    kind: str, parts: Hashable, compute: Callable[[], T], *, generation: str | None = None
) -> T:
    """The cached result for ``parts`` (anything with a stable repr), else ``compute()``'s.

    The generation (read now unless given) is read before computing: a change committed
    meanwhile replaces it, so a result counted from the old rows is never read again.
    """
    generation = generation or catalog_listing_generation()
    digest = sha256(repr((generation, parts)).encode()).hexdigest()[:32]
    key = f"catalog-listing:{kind}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.CATALOG_LISTING_CACHE_SECONDS)
    return value  # what compute() stored under this key
