"""Data-zone ingest on PostgreSQL: the portal's load of a CSV against `psql \\copy` of it.

Generates N rows (default 1,000,000) with ../shared/anchors/gen_rows.py (mixed types, Chinese
text), then in one run measures:
- the portal: ``services.data_version_load_file`` in a child process, end to end (store the file,
  checksum, parse, validate, COPY in batches, primary key and indexes, ANALYZE, live switch):
  wall time and the child's peak RSS;
- the anchor: ``psql \\copy`` of the same file into an equivalent table (same column types, a
  primary key and the same three B-tree indexes, created before the copy).

    python bench/bench_ingest.py [--rows 1000000]      # --rows 5000000 for the memory check
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DSN = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
# ../shared/anchors beside the checkout; BENCH_ANCHORS names another place (a worktree elsewhere).
ANCHORS = Path(os.environ.get("BENCH_ANCHORS", ROOT.parent / "shared" / "anchors"))
GENERATOR = ANCHORS / "gen_rows.py"
os.environ["DATABASE_URL"] = DSN
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_POOL"] = "0"
os.environ.setdefault("DATAZONE_MAX_UPLOAD_BYTES", str(8 * 1024**3))

import psycopg  # noqa: E402
import psycopg.sql  # noqa: E402

IDENTIFIER = "BENCH-INGEST"
# gen_rows.py's columns as a catalog schema; "id" is reserved as a field name, so the field is
# record_id with the label "id" (headings match names or labels).
FIELDS = [
    {"name": "record_id", "label": "id", "data_type": "integer", "nullable": False},
    {"name": "district", "label": "区县", "data_type": "string", "filterable": True},
    {"name": "category", "label": "行业", "data_type": "string", "filterable": True},
    {"name": "licence_no", "label": "许可证号", "data_type": "string"},
    {"name": "amount", "label": "金额", "data_type": "decimal"},
    {"name": "headcount", "label": "人数", "data_type": "integer"},
    {"name": "opened_on", "label": "开业日期", "data_type": "date", "filterable": True},
    {"name": "active", "label": "是否在营", "data_type": "boolean"},
    {"name": "note", "label": "备注", "data_type": "string"},
]
ANCHOR_TABLE = """
DROP TABLE IF EXISTS bench_anchor;
CREATE TABLE bench_anchor (
    id bigint PRIMARY KEY, district text, category text, licence_no text, amount numeric,
    headcount bigint, opened_on date, active boolean, note text
);
CREATE INDEX ON bench_anchor (district);
CREATE INDEX ON bench_anchor (category);
CREATE INDEX ON bench_anchor (opened_on);
"""


def ensure_database() -> None:
    """The database BENCH_DATABASE_URL names (default portal_bench), created when missing."""
    server, name = DSN.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def rows_file(rows: int) -> Path:
    """The generated CSV, kept between runs (it is deterministic)."""
    path = Path(tempfile.gettempdir()) / f"portal-bench-rows-{rows}.csv"
    if not path.exists():
        print(f"generating {rows:,} rows with {GENERATOR.name} …", flush=True)
        partial = path.with_suffix(".part")
        with open(partial, "wb") as out:
            subprocess.run([sys.executable, str(GENERATOR), str(rows)], stdout=out, check=True)
        partial.rename(path)
    return path


def prepare() -> None:
    """Migrate, make the bench entry, and drop what an interrupted earlier run left."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _bench_entry()
    drop_versions()


def drop_versions() -> None:
    """The bench entry's versions and their tables: each run measures a first load."""
    from apps.datazone.models import DataVersion
    from apps.datazone.storage import table_store

    store = table_store()
    for version in DataVersion.objects.filter(entry__identifier=IDENTIFIER):
        store.drop_table(store.table_name(version.pk))
        version.delete()


def _bench_entry():  # type: ignore[no-untyped-def]
    from apps.accounts.models import User
    from apps.catalog import services
    from apps.catalog.models import CatalogEntry
    from apps.organisations.models import Department

    entry = CatalogEntry.objects.filter(identifier=IDENTIFIER).first()
    if entry is not None:
        return entry
    department, _ = Department.objects.get_or_create(
        code="BENCHDZ", defaults={"name": "基准测试部门", "kind": "government"}
    )
    clerk, _ = User.objects.get_or_create(
        username="bench_ingest", defaults={"department": department, "organisation_role": "member"}
    )
    entry = services.catalog_entry_create(
        department=department, actor=clerk, fields=FIELDS,
        data={
            "title": "市场主体经营信息（基准）", "description": "ingest benchmark",
            "sector": "market", "update_frequency": "monthly", "contact_name": "bench",
            "grade": "general", "openness": "conditional",
        },
    )  # fmt: skip
    CatalogEntry.objects.filter(pk=entry.pk).update(identifier=IDENTIFIER)
    return CatalogEntry.objects.get(pk=entry.pk)


def child(path: Path) -> None:
    """The portal's ingest, measured inside its own process."""
    import django

    django.setup()
    from apps.catalog.models import CatalogEntry
    from apps.datazone import services

    entry = CatalogEntry.objects.get(identifier=IDENTIFIER)
    started = time.perf_counter()
    version = services.data_version_load_file(entry=entry, path=path)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "status": version.status, "rows": version.row_count,
                      "errors": version.errors[:3], "peak_mb": peak_kb / 1024}))  # fmt: skip


def measure_portal(path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="portal-bench-media-") as media:
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            check=True, capture_output=True, text=True, env={**os.environ, "MEDIA_ROOT": media},
        ).stdout  # fmt: skip
    drop_versions()
    result = json.loads(output.strip().splitlines()[-1])
    assert result["status"] == "live", result
    return result


def measure_copy(path: Path) -> float:
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(ANCHOR_TABLE)
    started = time.perf_counter()
    subprocess.run(
        ["psql", "-q", DSN, "-c",
         f"\\copy bench_anchor FROM '{path}' WITH (FORMAT csv, HEADER true)"],
        check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_anchor")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    ensure_database()
    path = rows_file(options.rows)
    prepare()
    copy_seconds = measure_copy(path)
    portal = measure_portal(path)
    size_mb = path.stat().st_size / 1024**2
    print(f"\ndata-zone ingest of {options.rows:,} rows ({size_mb:.0f} MB CSV), PostgreSQL")
    print(f"{'':28}{'seconds':>10}{'rows/s':>12}{'peak RSS':>12}")
    print(f"{'portal (load_file, e2e)':28}{portal['seconds']:>10.2f}"
          f"{options.rows / portal['seconds']:>12,.0f}{portal['peak_mb']:>9.0f} MB")  # fmt: skip
    print(f"{'anchor: psql \\copy':28}{copy_seconds:>10.2f}{options.rows / copy_seconds:>12,.0f}")
    print(f"ratio portal / \\copy: {portal['seconds'] / copy_seconds:.2f}× (target ≤ 2×); "
          f"peak memory {portal['peak_mb']:.0f} MB (target ≤ 300 MB)")  # fmt: skip


if __name__ == "__main__":
    main()
