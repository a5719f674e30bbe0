"""CKAN action API speed with 20,000 entries on PostgreSQL, against the HTML catalog list.

package_search as CKAN clients call it (50 rows like the list page, CKAN's default 10 rows, and
the harvester's 100 rows sorted by id, with a facet query) next to /catalog/ in the same run:
p50/p95, queries per call, and the ratio to the list page's p50 when it counts its facets afresh
(cold; the target is at most 2×), with the list's cached p50 (warm) beside it.

    BENCH_DATABASE_URL=postgres://…/portal_bench python bench/bench_ckan.py [--entries 20000]
"""

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_catalog  # sets the database and settings before Django loads
import psycopg

SEARCH = "/api/3/action/package_search?"
CALLS = [
    ("package_search rows=50", SEARCH + urlencode({"rows": 50})),
    ("package_search rows=10", SEARCH + urlencode({"rows": 10})),
    ("harvester rows=100", SEARCH + urlencode({"rows": 100, "start": 1000, "sort": "id asc"})),
    (
        "with facets",
        SEARCH + urlencode({"rows": 50, "facet.field": json.dumps(["organization", "groups"])}),
    ),
    ("search q=公交", SEARCH + urlencode({"rows": 50, "q": "公交"})),
]


def ensure_database() -> None:
    name = bench_catalog.DSN.rsplit("/", 1)[1]
    with psycopg.connect(bench_catalog.DSN.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.test import Client

    bench_catalog.fill(args.entries)
    from apps.catalog.models import CatalogEntry

    client = Client()
    print(f"CKAN action API, {CatalogEntry.objects.count()} entries, {args.runs} runs each")
    print(f"{'call':<24} {'p50':>9} {'p95':>9} {'queries':>8} {'vs list':>8}")
    # The ratio is to the list counting its facets and total (cold), as the list did when the
    # target was set; the list's cached counts (warm) are printed beside it.
    listing = {}
    for cold in (True, False):
        figures = bench_catalog.measure(client, "/catalog/", args.runs, cold=cold)
        listing[cold] = figures
        name = f"HTML list ({'cold' if cold else 'warm'})"
        print(f"{name:<24} {figures.p50:>7.2f}ms {figures.p95:>7.2f}ms {figures.queries:>8}")
    for name, url in CALLS:
        figures = bench_catalog.measure(client, url, args.runs, cold=False)
        print(
            f"{name:<24} {figures.p50:>7.2f}ms {figures.p95:>7.2f}ms {figures.queries:>8} "
            f"{figures.p50 / listing[True].p50:>7.2f}x"
        )


if __name__ == "__main__":
    main()
