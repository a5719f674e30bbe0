"""Public catalog speed with 20,000 entries on PostgreSQL.

Measures /catalog/ (list), /catalog/?sector=health (facet filter) and /catalog/?q=公交 (Chinese
substring search) through Django's test client: p50/p95 and the number of queries per page. The
anchor is the page's main query run as raw SQL through psycopg on the same table.

    python bench/bench_catalog.py [--entries 20000] [--runs 50]
"""

import argparse
import os
import random
import statistics
import sys
import time
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


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), sorted(timings)[int(runs * 0.95) - 1], len(queries)


ANCHORS = {
    "list": "SELECT id, identifier, title FROM catalog_catalogentry WHERE status = 'published' "
    "ORDER BY published_at DESC, created_at DESC LIMIT 50",
    "facet": "SELECT id, identifier, title FROM catalog_catalogentry WHERE status = 'published' "
    "AND sector = 'health' ORDER BY published_at DESC, created_at DESC LIMIT 50",
    "search": "SELECT id, identifier, title FROM catalog_catalogentry WHERE status = 'published' "
    "AND to_tsvector('simple'::regconfig, COALESCE(search_document, '')) "
    "@@ to_tsquery('simple'::regconfig, '公交') "
    "ORDER BY published_at DESC, created_at DESC LIMIT 50",
}


def anchor(sql: str, runs: int) -> float:
    with psycopg.connect(DSN) as conn:
        conn.execute(sql).fetchall()
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            conn.execute(sql).fetchall()
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.test import Client

    fill(args.entries)
    from apps.catalog.models import CatalogEntry

    print(f"public catalog, {CatalogEntry.objects.count()} entries, {args.runs} runs each")
    print(
        f"{'page':<8} {'portal p50':>11} {'p95':>8} {'queries':>8} {'raw SQL p50':>12} {'ratio':>7}"
    )
    client = Client()
    for name, url in (
        ("list", "/catalog/"),
        ("facet", "/catalog/?sector=health"),
        ("search", "/catalog/?q=公交"),
    ):
        p50, p95, queries = measure(client, url, args.runs)
        raw = anchor(ANCHORS[name], args.runs)
        print(
            f"{name:<8} {p50:>9.2f}ms {p95:>6.2f}ms {queries:>8} {raw:>10.2f}ms {p50 / raw:>6.1f}x"
        )


if __name__ == "__main__":
    main()
