"""Public catalog speed with 20,000 entries on PostgreSQL.

Measures /catalog/ (list), /catalog/?sector=health (facet filter) and /catalog/?q=公交 (Chinese
substring search) through Django's test client, each warm (counts and results cached, as most
requests find them) and cold (the first request after a publish, retire or edit): p50/p95, the
queries per page and the time its SQL took, against the target (≤ 10 ms). The anchor is the
page's main query (its 20 entries, in its order) run as raw SQL through psycopg on the same table.

    python bench/bench_catalog.py [--entries 20000] [--runs 50] [--cache redis://127.0.0.1:6379/0]

Set BENCH_DATABASE_URL to use another database than portal_bench.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DSN = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ["DATABASE_URL"] = DSN
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_POOL"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"

import psycopg  # noqa: E402

WORDS = [
    *[
        "教育",
        "卫生",
        "交通",
        "市场",
        "民政",
        "水务",
        "环境",
        "规划",
        "农业",
        "文旅",
        "财政",
        "社保",
    ],
    *[
        "人口",
        "法人",
        "信用",
        "空间",
        "地理",
        "气象",
        "能源",
        "燃气",
        "电力",
        "住房",
        "就业",
        "税务",
    ],
    *["公交", "线路", "站点", "学校", "医院", "企业", "登记", "用水", "养老"],
    *["婚姻", "停车", "客流", "药品", "食品", "许可", "统计", "名录", "信息"],
]


def ensure_database() -> None:
    from psycopg import sql

    server, name = DSN.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def fill(entries: int) -> None:
    from django.core.management import call_command

    from apps.catalog import search
    from apps.catalog.choices import Grade, Openness, Sector, UpdateFrequency
    from apps.catalog.models import CatalogEntry
    from apps.organisations.models import Department

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    missing = entries - CatalogEntry.objects.count()
    if missing <= 0:
        return
    rng = random.Random(7)
    departments = list(Department.objects.all())
    author = departments[0].users.first() or departments[0].users.model.objects.first()
    batch = []
    for number in range(missing):
        title = "".join(rng.sample(WORDS, 3)) + f"数据{number}"
        description = "".join(rng.sample(WORDS, 6))
        grade = rng.choice([Grade.GENERAL, Grade.IMPORTANT])
        openness = rng.choice([Openness.OPEN, Openness.CONDITIONAL])
        document = search.document(title, description)
        batch.append(
            CatalogEntry(
                identifier=f"BENCH-{number:06d}", department=rng.choice(departments),
                title=title, description=description, sector=rng.choice(Sector.values),
                keywords=rng.sample(WORDS, 2), update_frequency=rng.choice(UpdateFrequency.values),
                contact_name="bench", grade=grade, openness=openness,
                status="published", created_by=author, search_document=document,
            )
        )  # fmt: skip
    from datetime import timedelta

    from django.utils import timezone

    # Spread publication over five years, as a real catalog grows.
    now = timezone.now()
    for number, entry in enumerate(batch):
        entry.published_at = now - timedelta(minutes=131 * number)
    CatalogEntry.objects.bulk_create(batch, batch_size=2000)
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("ANALYZE catalog_catalogentry")


TARGET_MS = 10.0  # issue 20, point 5: each catalog page's p50 at 20,000 entries


@dataclass
class Figures:
    p50: float
    p95: float
    queries: int
    database: float  # p50 of the time its SQL statements took to execute (PostgreSQL and transfer)


def measure(client, url: str, runs: int, *, cold: bool) -> Figures:
    """``cold``: every run starts a new generation of the catalog page's cache, as the first
    request after a publish, retire or edit does; otherwise the page is served as most are."""
    from django.core.cache import cache
    from django.db import connection

    from apps.catalog.listing_cache import GENERATION_KEY

    spent: list[float] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    for _ in range(3):  # connections, template and URL caches: as a running server has them
        client.get(url)
    # What migrate and seed_demo left behind is not this page's cost: a server process never ran
    # them (without this the first page measured paid for their garbage, ≈ 5 ms a request).
    gc.collect()
    gc.freeze()
    timings, database, queries = [], [], 0
    with connection.execute_wrapper(timed):
        for _ in range(runs):
            if cold:
                cache.delete(GENERATION_KEY)
            spent.clear()
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            database.append(sum(spent))
            queries = max(queries, len(spent))
    return Figures(
        p50=statistics.median(timings), p95=sorted(timings)[int(runs * 0.95) - 1],
        queries=queries, database=statistics.median(database),
    )  # fmt: skip


# The page's main query: its first 20 entries, in the page's order (a search's: relevance).
ANCHORS = {
    "list": "SELECT id, identifier, title FROM catalog_catalogentry WHERE status = 'published' "
    "ORDER BY published_at DESC, created_at DESC LIMIT 20",
    "facet": "SELECT id, identifier, title FROM catalog_catalogentry WHERE status = 'published' "
    "AND sector = 'health' ORDER BY published_at DESC, created_at DESC LIMIT 20",
    "search": "SELECT id, identifier, title FROM catalog_catalogentry WHERE status = 'published' "
    "AND search_vector @@ to_tsquery('simple'::regconfig, '公交') "
    "ORDER BY ts_rank(search_vector, to_tsquery('simple'::regconfig, '公交')) DESC, "
    "published_at DESC, created_at DESC LIMIT 20",
}
PAGES = (
    ("list", "/catalog/"),
    ("facet", "/catalog/?sector=health"),
    ("search", "/catalog/?q=公交"),
)


def anchor(sql: str, runs: int) -> float:
    with psycopg.connect(DSN) as conn:
        conn.execute(sql).fetchall()
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            conn.execute(sql).fetchall()
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def use_cache(url: str) -> str:
    """The cache the pages use: the test settings' per-process memory, or Redis as deployed."""
    from django.conf import settings

    settings.CATALOG_LISTING_CACHE_SECONDS = 600  # as deployed with Redis: no expiry mid-run
    if url == "locmem":
        return "per-process memory (LocMemCache)"
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache", "LOCATION": url,
            "KEY_PREFIX": "bench-catalog",
        }
    }  # fmt: skip
    return f"Redis ({url}, keys prefixed bench-catalog)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--cache",
        default="locmem",
        help="locmem (default) or a Redis URL, e.g. redis://127.0.0.1:6379/0",
    )
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    cache_name = use_cache(args.cache)
    from django.test import Client

    fill(args.entries)
    from apps.catalog.models import CatalogEntry

    print(f"public catalog, {CatalogEntry.objects.count()} entries, {args.runs} runs each")
    print(f"cache: {cache_name}; load average before: {os.getloadavg()[0]:.1f}")
    print(
        f"{'page':<14} {'portal p50':>10} {'p95':>8} {'queries':>7} {'DB p50':>8} "
        f"{'raw SQL p50':>11} {'ratio':>7} {'target':>7}  met"
    )
    client = Client()
    for name, url in PAGES:
        raw = anchor(ANCHORS[name], args.runs)
        for cold in (False, True):
            figures = measure(client, url, args.runs, cold=cold)
            label = f"{name} ({'cold' if cold else 'warm'})"
            met = "yes" if figures.p50 <= TARGET_MS else "no"
            print(
                f"{label:<14} {figures.p50:>8.2f}ms {figures.p95:>6.2f}ms {figures.queries:>7} "
                f"{figures.database:>6.2f}ms {raw:>9.2f}ms {figures.p50 / raw:>6.1f}x "
                f"{'≤' + str(int(TARGET_MS)) + 'ms':>7}  {met}"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    from django.core.cache import cache

    from apps.catalog.listing_cache import GENERATION_KEY

    cache.delete(GENERATION_KEY)  # the rest expires on its own (CATALOG_LISTING_CACHE_SECONDS)
    print(
        "warm: the page as most requests see it (counts and results cached); cold: the first "
        "request after a change (every run starts a new generation of the cache)"
    )


if __name__ == "__main__":
    main()
