"""Open-data downloads on PostgreSQL: a whole live version's CSV against `psql \\copy` of it.

N rows (default 1,000,000) from ../shared/anchors/gen_rows.py are loaded once through the data
zone (the portal's own ingest) into an open, published entry (BENCH-DL). gunicorn serves the
portal as bench_api.py does (production settings, 2 workers × 4 threads). Then, in one run:
- the portal: ``curl`` of /catalog/BENCH-DL/download.csv, whole, 3 runs (wall time, bytes);
- the anchor: ``psql \\copy (SELECT <the same columns> FROM <the live table> ORDER BY _row) TO
  STDOUT WITH (FORMAT csv, HEADER true)`` to /dev/null, 3 runs;
- the serving worker's memory: VmRSS of every gunicorn worker from /proc, polled every 50 ms,
  idle (before the download) and peak (during it);
- the open API's page (/api/v1/open/BENCH-DL/records/?page_size=100) against the operator API's
  page on the same rows (BENCH-API, bench_api.py's entry and key): p50/p99 at 1 client, a new
  connection per request (Python client; wrk is not needed).

    python bench/bench_downloads.py [--rows 1000000] [--runs 3] [--calls 200]   # --rows 5000000
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import bench_api  # noqa: E402
from bench_ingest import DSN, ensure_database, rows_file  # noqa: E402

IDENTIFIER = "BENCH-DL"
BASE = f"http://127.0.0.1:{bench_api.PORTAL}"
POLL_SECONDS = 0.05


@dataclass
class Prepared:
    copy_sql: str  # the anchor's SELECT: the download's columns, in the download's order
    operator_key: str | None


def prepare(rows: int, path: Path, operator: bool) -> Prepared:
    """The open entry loaded with the rows, and (``operator``) bench_api's entry and key."""
    import django

    django.setup()
    from django.core.management import call_command

    from apps.api.query import quote
    from apps.datazone.storage import ROW_COLUMN

    call_command("migrate", verbosity=0)
    table = bench_api._loaded_table(bench_api._entry(IDENTIFIER, "open"), rows, path)
    names = ", ".join(quote(column.name) for column in table.columns)
    copy_sql = f"SELECT {names} FROM {table.sql_name} ORDER BY {quote(ROW_COLUMN)}"  # noqa: S608
    key = bench_api.prepare(rows, path).key if operator else None
    return Prepared(copy_sql, key)


# Memory of the serving processes --------------------------------------------------------------


def workers_of(master: int) -> list[int]:
    """gunicorn's worker processes: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class RssSampler:
    """Every worker's VmRSS, polled every POLL_SECONDS while running; the peak per worker."""

    pids: list[int]
    peaks: dict[int, float] = field(default_factory=dict)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "RssSampler":
        self.peaks = {pid: rss_mb(pid) for pid in self.pids}
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            for pid in self.pids:
                self.peaks[pid] = max(self.peaks[pid], rss_mb(pid))
            self.samples += 1

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# Measuring ------------------------------------------------------------------------------------


@dataclass
class Download:
    seconds: float
    size: int
    idle_mb: float  # the worker that grew most: before the download …
    peak_mb: float  # … and its peak during it


def portal_download(pids: list[int]) -> Download:
    idle = {pid: rss_mb(pid) for pid in pids}
    with RssSampler(pids) as sampler:
        started = time.perf_counter()
        output = subprocess.run(
            ["curl", "-s", "-f", "-o", "/dev/null", "-w", "%{size_download}",
             f"{BASE}/catalog/{IDENTIFIER}/download.csv"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        seconds = time.perf_counter() - started
    grown = max(pids, key=lambda pid: sampler.peaks[pid] - idle[pid])
    return Download(seconds, int(output), idle[grown], sampler.peaks[grown])


def psql_copy(copy_sql: str, out: Any = subprocess.DEVNULL) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["psql", "-q", DSN, "-c", f"\\copy ({copy_sql}) TO STDOUT WITH (FORMAT csv, HEADER true)"],
        check=True, stdout=out,
    )  # fmt: skip
    return time.perf_counter() - started


def psql_size(copy_sql: str) -> int:
    with tempfile.TemporaryFile() as out:
        psql_copy(copy_sql, out)
        return out.tell()


def page_timings(url: str, headers: dict[str, str], calls: int) -> list[float]:
    """Milliseconds per call, one client, a new connection each (as bench_api measures)."""
    headers = {**headers, "Connection": "close"}

    def call() -> float:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            response.read()
        return (time.perf_counter() - started) * 1000

    for _ in range(20):  # warm up: both workers, their caches and prepared plans
        call()
    return [call() for _ in range(calls)]


def _p(timings: list[float], share: float) -> float:
    return sorted(timings)[min(len(timings) - 1, int(len(timings) * share))]


# Report ---------------------------------------------------------------------------------------


def report(
    rows: int, downloads: list[Download], copies: list[float], psql_bytes: int,
    pages: dict[str, list[float]],
) -> None:  # fmt: skip
    portal, anchor = statistics.median(d.seconds for d in downloads), statistics.median(copies)
    size_mb = downloads[0].size / 1024**2
    print(f"\nopen-data CSV download of {rows:,} rows, PostgreSQL, gunicorn 2 workers × 4 threads")
    print(f"{'':34}{'median s':>10}{'runs (s)':>26}{'MB/s':>8}{'rows/s':>12}")
    for label, seconds, runs, size in (
        ("portal download.csv (curl)", portal, [d.seconds for d in downloads], downloads[0].size),
        ("anchor: psql \\copy … TO STDOUT", anchor, copies, psql_bytes),
    ):
        listed = " ".join(f"{s:.2f}" for s in runs)
        print(f"{label:34}{seconds:>10.2f}{listed:>26}{size / 1024**2 / seconds:>8.1f}"
              f"{rows / seconds:>12,.0f}")  # fmt: skip
    print(f"bytes: portal {downloads[0].size:,} ({size_mb:.0f} MB: a BOM, true/false for t/f), "
          f"psql {psql_bytes:,}")  # fmt: skip
    print(f"ratio portal speed / psql speed: {anchor / portal:.2f}× (target ≥ 0.5×)")
    print("\nserving worker's memory (VmRSS polled every 50 ms)")
    for number, d in enumerate(downloads, 1):
        print(f"  run {number}: idle {d.idle_mb:.0f} MB, peak {d.peak_mb:.0f} MB, "
              f"peak − idle {d.peak_mb - d.idle_mb:.0f} MB")  # fmt: skip
    growth = max(d.peak_mb - d.idle_mb for d in downloads)
    print(f"  largest peak − idle: {growth:.0f} MB (target ≤ 100 MB)")
    if pages:
        print("\nrecords page, page_size=100, no filter; ms at 1 client, new connection per call")
        for label, timings in pages.items():
            p50, p99 = statistics.median(timings), _p(timings, 0.99)
            print(f"  {label:42}p50 {p50:>7.2f}   p99 {p99:>7.2f}")
        if len(pages) == 2:
            open_p50, operator_p50 = (statistics.median(t) for t in pages.values())
            print(f"  ratio open p50 / operator p50: {open_p50 / operator_p50:.2f}× (target ≤ 1×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200, help="API pages timed per stack")
    parser.add_argument(
        "--no-operator", action="store_true", help="skip the operator API (its entry, key, load)"
    )
    options = parser.parse_args()
    ensure_database()
    path = rows_file(options.rows)
    prepared = prepare(options.rows, path, operator=not options.no_operator)
    copies = [psql_copy(prepared.copy_sql) for _ in range(options.runs)]
    psql_bytes = psql_size(prepared.copy_sql)
    pages: dict[str, list[float]] = {}
    with bench_api.portal_server(OPEN_API_RATE="100000000/min") as master:
        pids = workers_of(master.pid)
        pages["open API /api/v1/open/…/records/"] = page_timings(
            f"{BASE}/api/v1/open/{IDENTIFIER}/records/?page_size=100", {}, options.calls
        )
        if prepared.operator_key:
            pages["operator API /api/v1/datasets/…/records/"] = page_timings(
                f"{BASE}/api/v1/datasets/{bench_api.IDENTIFIER}/records/?page_size=100",
                {"Authorization": f"Bearer {prepared.operator_key}"}, options.calls,
            )  # fmt: skip
        downloads = [portal_download(pids) for _ in range(options.runs)]
    report(options.rows, downloads, copies, psql_bytes, pages)


if __name__ == "__main__":
    main()
