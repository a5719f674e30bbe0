"""Operator API on PostgreSQL: the portal against its anchors, in one run, on the same rows.

1,000,000 rows from ../shared/anchors/gen_rows.py are loaded once through the data zone (the
portal's own ingest) into `portal_bench`. Then, side by side:
- the portal: gunicorn serving config.wsgi (production settings, 2 workers × 4 threads), with
  key authentication, scope checks, the quota reservation and metering all on; the access checks'
  answers cached per worker as in production (apps/api/access_cache.py), and (a) once more with
  that cache off ("portal, cold": what the first call after a change costs);
- thin_rest.py (../shared/anchors, a PostgREST-style server) under uvicorn, on the same table;
- raw psycopg: the portal's own statements, prepared, from Python threads;
- Datasette's default JSON on a SQLite copy, for (a) and (b), if datasette is installed
  (BENCH_DATASETTE, default /tmp/portal-bench-datasette/bin/datasette: its own virtualenv).
Calls: (a) a 100-row page filtered on an indexed field (district=d07), (b) the broad filter
(district=d00, ~600k matches), (c) page 5,000 of (b) through the cursor, (d) an aggregate over
the whole dataset, (e) a verify call. Each: p50 and p99 at 1 client, requests/s at 8 and 16
clients (wrk, loopback only, a few seconds each).

Every HTTP stack is measured with a new connection per request (Connection: close). On this
kind of machine a kept-alive connection adds ~40 ms to every response whose server writes
headers and body separately without TCP_NODELAY (Nagle against the client's delayed ACK):
uvicorn's workers inherit their socket and lose the option. The same method for every stack
keeps the ratios honest; absolute figures include a loopback TCP connect (~0.1 ms).

    python bench/bench_api.py [--rows 1000000] [--seconds 5]
"""

import argparse
import json
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from bench_ingest import DSN, GENERATOR, ROOT, ensure_database, rows_file  # noqa: E402

ANCHORS = GENERATOR.parent
SECRET_KEY = secrets.token_urlsafe(48)
os.environ["SECRET_KEY"] = SECRET_KEY  # the cursor of (c) is signed as the server signs it
IDENTIFIER = "BENCH-API"
# BENCH_PORT moves the three servers (8091-8093 by default) so two benchmarks can run side by side.
PORTAL = int(os.environ.get("BENCH_PORT", "8091"))
THIN, DATASETTE = PORTAL + 1, PORTAL + 2
CONCURRENCY = (1, 8, 16)
DATASETTE_BIN = Path(
    os.environ.get("BENCH_DATASETTE")
    or Path(tempfile.gettempdir()) / "portal-bench-datasette" / "bin" / "datasette"
)
FIELDS = [
    {"name": "record_id", "label": "id", "data_type": "integer", "nullable": False},
    {"name": "district", "label": "区县", "data_type": "string", "filterable": True},
    {"name": "category", "label": "行业", "data_type": "string", "filterable": True},
    {"name": "licence_no", "label": "许可证号", "data_type": "string", "filterable": True},
    {"name": "amount", "label": "金额", "data_type": "decimal"},
    {"name": "headcount", "label": "人数", "data_type": "integer"},
    {"name": "opened_on", "label": "开业日期", "data_type": "date", "filterable": True},
    {"name": "active", "label": "是否在营", "data_type": "boolean"},
    {"name": "note", "label": "备注", "data_type": "string"},
]
NAMES = [field["name"] for field in FIELDS]
LICENCE = "L000000000"  # replaced by a real licence number once the rows are loaded


@dataclass
class Setup:
    key: str
    table: str  # quoted, schema-qualified
    version: int
    deep_row: int  # _row of the last row of page 4,999 of district=d00
    deep_cursor: str
    licence: str


# Preparation (in this process, through the portal's services) ---------------------------------


def prepare(rows: int, path: Path) -> Setup:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    authorization = _authorization(_entry())
    table = _loaded_table(authorization.entry, rows, path)
    _forget_usage(authorization)
    return _setup(authorization, table)


def _people() -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from apps.accounts.models import User
    from apps.organisations.models import Bureau, Department, Operator

    bureau, _ = Bureau.objects.get_or_create(
        code="city-data-bureau", defaults={"name": "市大数据局"}
    )
    department, _ = Department.objects.get_or_create(
        code="BENCHAPI", defaults={"name": "基准测试提供部门", "kind": "government"}
    )
    operator = Operator.objects.filter(credit_code=_credit_code()).first()
    if operator is None:
        group = Group.objects.get_or_create(name="operator:bench-api")[0]
        operator = Operator.objects.create(
            name="基准测试运营公司", credit_code=_credit_code(), group=group
        )
    people = {
        "clerk": ("bench_api_clerk", {"department": department, "organisation_role": "member"}),
        "head": ("bench_api_head", {"department": department, "organisation_role": "admin"}),
        "reviewer": (
            "bench_api_reviewer",
            {"bureau": bureau, "organisation_role": "member", "is_staff": True},
        ),
        "approver": (
            "bench_api_approver",
            {"bureau": bureau, "organisation_role": "member", "is_staff": True},
        ),
        "operator": ("bench_api_operator", {"operator": operator, "organisation_role": "admin"}),
    }
    found = {
        role: User.objects.get_or_create(username=u, defaults=d)[0]
        for role, (u, d) in people.items()
    }
    for role in ("reviewer", "approver"):
        found[role].groups.add(Group.objects.get(name=role))
    found["operator_org"], found["department"] = operator, department
    return found


def _credit_code() -> str:
    from apps.organisations.credit_code import check_character

    first17 = "91520100MA6BENCH0"
    return first17 + check_character(first17)


def _entry(identifier: str = IDENTIFIER, openness: str = "conditional") -> Any:
    """The published bench entry with FIELDS (made once)."""
    from apps.catalog import services
    from apps.catalog.models import CatalogEntry

    entry = CatalogEntry.objects.filter(identifier=identifier).first()
    if entry is not None:
        return entry
    people = _people()
    entry = services.catalog_entry_create(
        department=people["department"], actor=people["clerk"], fields=FIELDS,
        data={"title": f"市场主体经营信息（{identifier} 基准）", "description": "benchmark",
              "sector": "market", "update_frequency": "monthly", "contact_name": "bench",
              "grade": "general", "openness": openness},
    )  # fmt: skip
    CatalogEntry.objects.filter(pk=entry.pk).update(identifier=identifier)
    entry = CatalogEntry.objects.get(pk=entry.pk)
    for step, who in (("submitted", "clerk"), ("published", "reviewer")):
        entry = services.catalog_entry_transition(
            entry=entry, actor=people[who], to_status=step, comment=""
        )
    return entry


def _authorization(entry: Any) -> Any:
    from datetime import timedelta
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from apps.authorizations import services
    from apps.authorizations.models import Authorization, QualificationType

    people = _people()
    operator, actor = people["operator_org"], people["operator"]
    existing = Authorization.objects.in_force().filter(operator=operator, entry=entry).first()
    if existing is not None:
        return existing
    today, now = timezone.localdate(), timezone.now()
    for kind in QualificationType.objects.filter(required=True):
        qualification = services.qualification_submit(
            operator=operator, actor=actor, qualification_type=kind, number=f"B-{kind.code}",
            document=ContentFile(b"%PDF-1.4 bench", name="bench.pdf"),
            valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=3 * 365),
        )  # fmt: skip
        services.qualification_review(
            qualification=qualification, actor=people["reviewer"], approve=True
        )
    scenario = services.scenario_create(
        operator=operator, actor=actor,
        data={"title": f"基准场景 {now:%Y%m%d%H%M%S}", "sector": "market", "use": "industry",
              "description": "benchmark", "expected_product": "benchmark"},
    )  # fmt: skip
    application = services.application_submit(
        operator=operator, actor=actor, entry=entry, scenario=scenario, requested_fields=NAMES,
        purpose="benchmark", requested_from=today, requested_until=today + timedelta(days=365),
        expected_daily_calls=1_000_000,
    )  # fmt: skip
    services.application_department_opinion(
        application=application, actor=people["head"], agree=True
    )
    services.application_recommend(
        application=application, actor=people["reviewer"], recommendation="approve"
    )
    return services.application_approve(
        application=application, actor=people["approver"],
        scope={"allowed_fields": NAMES, "row_filter": [], "valid_from": now - timedelta(minutes=1),
               "valid_until": now + timedelta(days=365), "daily_row_quota": 2_000_000_000,
               "fee_basis": "per_row", "price": Decimal("0.001")},
        agreement={"data_scope": "benchmark", "security_review_done": True,
                   "compliance_review_done": True},
    )  # fmt: skip


def _loaded_table(entry: Any, rows: int, path: Path) -> Any:
    from apps.datazone import services
    from apps.datazone.selectors import live_table_for

    table = live_table_for(entry=entry)
    if table is None or table.row_count != rows:
        print(f"loading {rows:,} rows through the data zone (once) …", flush=True)
        started = time.perf_counter()
        version = services.data_version_load_file(entry=entry, path=path)
        assert version.status == "live", version.errors[:3]
        print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
        table = live_table_for(entry=entry)
    return table


def _forget_usage(authorization: Any) -> None:
    """Keep the bench's own usage records from piling up run after run."""
    from apps.api.models import UsageRecord

    UsageRecord.objects.filter(authorization=authorization).delete()


def _setup(authorization: Any, table: Any) -> Setup:
    from django.db import connection

    from apps.accounts.models import User
    from apps.api import services
    from apps.api.parameters import cursor_dump
    from apps.api.query import Ordering

    owner = User.objects.get(username="bench_api_operator")
    _key, raw = services.api_key_create(actor=owner, name=f"bench {time.time():.0f}")
    with connection.cursor() as cursor:
        # Setup only: where page 5,000 of (b) starts. The calls measured never use OFFSET.
        cursor.execute(
            f"SELECT _row FROM {table.sql_name} WHERE district = 'd00' "  # noqa: S608
            "ORDER BY _row OFFSET 499899 LIMIT 1"
        )
        deep_row = cursor.fetchone()[0]
        cursor.execute(f"SELECT licence_no FROM {table.sql_name} WHERE _row = 777777")  # noqa: S608
        licence = cursor.fetchone()[0]
    grant = SimpleNamespace(table=SimpleNamespace(version=table.version))
    cursor_token = cursor_dump(grant, Ordering(None), deep_row, deep_row)  # type: ignore[arg-type]
    return Setup(raw, table.sql_name, table.version.pk, deep_row, cursor_token, licence)


# Servers ---------------------------------------------------------------------------------------


@contextmanager
def server(command: list[str], env: dict[str, str], probe: str) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(probe, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read() if process.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return  # it answers (401 without a key is fine)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


# The portal as it serves: /api/v1/ through the API's short middleware stack (config/handlers.py).
PORTAL_APPLICATION = "config.wsgi:application"
# Every path through the web pages' full stack, as the API was served before it had its own.
FULL_STACK_APPLICATION = "django.core.wsgi:get_wsgi_application()"


def portal_server(
    access_cache: bool = True, application: str = PORTAL_APPLICATION, **settings: str
) -> Any:
    """gunicorn on ``application``; ``settings`` are more environment settings (OPEN_API_RATE=…)."""
    env = {
        "API_ACCESS_CACHE": "1" if access_cache else "0",
        "DJANGO_SETTINGS_MODULE": "config.settings.prod", "DATABASE_URL": DSN,
        "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AUDIT_HMAC_KEY": "bench-audit-key-" + SECRET_KEY,
        "SECURE_SSL_REDIRECT": "0", "API_KEY_RATE": "100000000/min", "LOG_LEVEL": "ERROR",
        "DATABASE_POOL": "1", "DATABASE_POOL_MAX_SIZE": "6", **settings,
    }  # fmt: skip
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [
        gunicorn, application, "--workers", "2", "--worker-class", "gthread",
        "--threads", "4", "--bind", f"127.0.0.1:{PORTAL}", "--log-level", "warning",
    ]  # fmt: skip
    return server(command, env, f"http://127.0.0.1:{PORTAL}/api/v1/datasets/")


def thin_server() -> Any:
    database = DSN.rsplit("/", 1)[1]
    env = {"ANCHOR_DSN": f"host=127.0.0.1 user=postgres dbname={database}"}
    uvicorn = str(Path(sys.executable).parent / "uvicorn")
    command = [uvicorn, "thin_rest:app", "--app-dir", str(ANCHORS), "--host", "127.0.0.1",
               "--port", str(THIN), "--workers", "2", "--log-level", "warning"]  # fmt: skip
    return server(command, env, f"http://127.0.0.1:{THIN}/pg_catalog.pg_class?limit=1")


def datasette_server(path: Path) -> Any:
    command = [str(DATASETTE_BIN), "serve", str(path), "--host", "127.0.0.1", "--port",
               str(DATASETTE), "--setting", "num_sql_threads", "4"]  # fmt: skip
    return server(command, {}, f"http://127.0.0.1:{DATASETTE}/-/versions.json")


def sqlite_copy(csv_path: Path) -> Path:
    """The same rows in SQLite, as Datasette users would load them (with an index on district)."""
    target = Path(tempfile.gettempdir()) / f"{csv_path.stem}.db"
    if target.exists():
        return target
    print("making the SQLite copy for Datasette (once) …", flush=True)
    partial = target.with_suffix(".part")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as db, open(csv_path, encoding="utf-8") as rows:
        db.execute(
            "CREATE TABLE rows (id INTEGER PRIMARY KEY, district TEXT, category TEXT, licence_no "
            "TEXT, amount REAL, headcount INTEGER, opened_on TEXT, active TEXT, note TEXT)"
        )
        next(rows)
        db.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (line.rstrip("\n").split(",") for line in rows),
        )
        db.execute("CREATE INDEX rows_district ON rows (district)")
    partial.rename(target)
    return target


# Measuring -------------------------------------------------------------------------------------


@dataclass
class Figures:
    p50: float | None = None  # ms, 1 client
    p99: float | None = None
    rps: dict[int, float] | None = None  # requests/s by clients


def wrk(url: str, clients: int, seconds: int, headers: dict[str, str], body: str | None) -> dict:
    script = _wrk_script(headers, body)
    command = [
        "wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s", "--latency",
        "-H", "Connection: close", "-s", script, url,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script)
    if "Non-2xx" in output:
        raise RuntimeError(f"{url}: non-2xx answers\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
    }


def _wrk_script(headers: dict[str, str], body: str | None) -> str:
    lines = [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    if body is not None:
        lines += ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}",
                  'wrk.headers["Content-Type"] = "application/json"']  # fmt: skip
    handle, path = tempfile.mkstemp(suffix=".lua")
    os.write(handle, "\n".join(lines).encode())
    os.close(handle)
    return path


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def http_figures(
    url: str, seconds: int, headers: dict | None = None, body: str | None = None
) -> Figures:
    headers = headers or {}
    wrk(url, 1, 1, headers, body)  # warm up: connections, caches, prepared plans
    single = wrk(url, 1, seconds, headers, body)
    rps = {clients: wrk(url, clients, seconds, headers, body)["rps"] for clients in CONCURRENCY[1:]}
    return Figures(single["p50"], single["p99"], {1: single["rps"], **rps})


def psycopg_figures(sql: str, params: list, seconds: int) -> Figures:
    """The statement alone: prepared, from Python threads, each with its own connection."""
    import psycopg

    def loop(deadline: float, timings: list[float] | None) -> int:
        done = 0
        with psycopg.connect(DSN, autocommit=True) as conn:
            while time.perf_counter() < deadline and done < 1_000_000:
                started = time.perf_counter()
                conn.execute(sql, params, prepare=True).fetchall()
                if timings is not None:
                    timings.append((time.perf_counter() - started) * 1000)
                done += 1
        return done

    timings: list[float] = []
    loop(time.perf_counter() + 1, None)
    count = loop(time.perf_counter() + seconds, timings)
    figures = Figures(statistics.median(timings), _p99(timings), {1: count / seconds})
    for clients in CONCURRENCY[1:]:
        figures.rps[clients] = _threads(loop, clients, seconds) / seconds
    return figures


def _p99(timings: list[float]) -> float:
    return sorted(timings)[int(len(timings) * 0.99)]


def _threads(loop: Callable[[float, None], int], clients: int, seconds: int) -> int:
    counts: list[int] = []
    deadline = time.perf_counter() + seconds
    workers = [
        threading.Thread(target=lambda: counts.append(loop(deadline, None))) for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts)


# The calls ------------------------------------------------------------------------------------


def portal_calls(setup: Setup) -> dict[str, tuple[str, str | None]]:
    base = f"http://127.0.0.1:{PORTAL}/api/v1/datasets/{IDENTIFIER}"
    return {
        "a": (f"{base}/records/?district=d07&page_size=100", None),
        "b": (f"{base}/records/?district=d00&page_size=100", None),
        "c": (f"{base}/records/?district=d00&page_size=100&cursor={setup.deep_cursor}", None),
        "d": (f"{base}/aggregate/?group_by=district&metrics=count,avg:amount", None),
        "e": (f"{base}/verify/", json.dumps({"match": {"licence_no": setup.licence}})),
    }


def thin_calls(setup: Setup) -> dict[str, str]:
    table = setup.table.replace('"', "")
    base = f"http://127.0.0.1:{THIN}/{table}?order=_row&limit=100"
    return {
        "a": f"{base}&district=eq.d07",
        "b": f"{base}&district=eq.d00",
        "c": f"{base}&district=eq.d00&after={setup.deep_row}",
        # No aggregate in thin_rest; its closest to verify is fetching the matching rows.
        "e": f"http://127.0.0.1:{THIN}/{table}?licence_no=eq.{setup.licence}&order=_row&limit=1001",
    }


def raw_calls(setup: Setup) -> dict[str, tuple[str, list]]:
    columns = ", ".join(f'"{name}"' for name in NAMES)
    page = f"SELECT {columns} FROM {setup.table} WHERE district = %s"  # noqa: S608
    return {
        "a": (f"{page} ORDER BY _row LIMIT 100", ["d07"]),
        "b": (f"{page} ORDER BY _row LIMIT 100", ["d00"]),
        "c": (f"{page} AND _row > %s ORDER BY _row LIMIT 100", ["d00", setup.deep_row]),
        "d": (
            f"SELECT district, count(*), avg(amount) FROM {setup.table} "  # noqa: S608
            "GROUP BY district HAVING count(*) >= 10 ORDER BY district",
            [],
        ),
        "e": (
            f"SELECT count(*) FROM (SELECT 1 FROM {setup.table} WHERE licence_no = %s "  # noqa: S608
            "LIMIT 1001) AS hits",
            [setup.licence],
        ),
    }


def datasette_calls(db: Path) -> dict[str, str]:
    base = f"http://127.0.0.1:{DATASETTE}/{db.stem}/rows.json"
    return {"a": f"{base}?district=d07", "b": f"{base}?district=d00"}


def check_answers(setup: Setup) -> None:
    """The portal and the anchor return the same rows for (c): the cursor lands where it must."""
    url, _body = portal_calls(setup)["c"]
    headers = {"Authorization": f"Bearer {setup.key}"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        portal = [row["record_id"] for row in json.load(response)["results"]]
    with urllib.request.urlopen(thin_calls(setup)["c"], timeout=30) as response:  # noqa: S310
        anchor = [row["record_id"] for row in json.load(response)]
    assert portal == anchor and len(portal) == 100, (portal[:3], anchor[:3])


# Where the time goes ---------------------------------------------------------------------------

PROFILE_CALLS = 300


def profile_stacks(setup: Setup) -> None:
    """cProfile of (a) in this process through each middleware stack (test settings: the access
    checks are read on every call): the functions that cost most, per call."""
    import cProfile
    import io as _io
    import pstats

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import RequestFactory

    from config.handlers import ApiWSGIHandler

    settings.ALLOWED_HOSTS = ["*"]
    # One connection for every call, as a server's pooled thread has (not one per request).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    path = f"/api/v1/datasets/{IDENTIFIER}/records/"
    query = "district=d07&page_size=100"
    for label, handler in (("API stack", ApiWSGIHandler()), ("full stack", WSGIHandler())):
        environ = RequestFactory()._base_environ(
            PATH_INFO=path, QUERY_STRING=query, HTTP_AUTHORIZATION=f"Bearer {setup.key}"
        )

        def call(handler: Any = handler, environ: dict = environ) -> None:
            environ = {**environ, "wsgi.input": _io.BytesIO(b"")}
            b"".join(handler(environ, lambda status, headers, exc_info=None: None))

        call()  # first call: middleware and caches warm
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(PROFILE_CALLS):
            call()
        profiler.disable()
        per_call = (time.perf_counter() - started) * 1000 / PROFILE_CALLS
        out = _io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(12)
        print(f"\nprofile, (a) in process through the {label}: {per_call:.2f} ms a call (profiled)")
        print("\n".join(out.getvalue().splitlines()[6:22]))


# Report ----------------------------------------------------------------------------------------

CALL_NAMES = {
    "a": "(a) page, district=d07 (indexed, ~8k)",
    "b": "(b) page, district=d00 (~600k)",
    "c": "(c) page 5,000 of (b), cursor",
    "d": "(d) aggregate by district",
    "e": "(e) verify licence_no",
}


def report(results: dict[str, dict[str, Figures]]) -> None:
    print("\noperator API, 1,000,000 rows, PostgreSQL; p50/p99 in ms at 1 client, requests/s")
    header = f"{'call':40}{'stack':14}{'p50':>9}{'p99':>9}" + "".join(
        f"{f'rps@{c}':>10}" for c in CONCURRENCY
    )
    print(header)  # "portal, cold": API_ACCESS_CACHE off, every check read on every call
    for call, name in CALL_NAMES.items():
        for stack, figures in results.get(call, {}).items():
            rps = "".join(f"{figures.rps[c]:>10,.0f}" for c in CONCURRENCY)
            print(f"{name:40}{stack:14}{figures.p50:>9.2f}{figures.p99:>9.2f}{rps}")
            name = ""
    _ratios(results)


def _ratio(label: str, value: float, target: str) -> None:
    print(f"  {label:62}{value:>8.2f}×  ({target})")


def _ratios(results: dict[str, dict[str, Figures]]) -> None:
    print("\nratios")
    a, b, c = results["a"], results["b"], results["c"]
    for call in ("a", "b", "e"):
        portal, thin = results[call]["portal"], results[call]["thin_rest"]
        _ratio(f"({call}) p50 portal / thin_rest", portal.p50 / thin.p50, "target ≤ 2")
        for clients in CONCURRENCY[1:]:
            _ratio(
                f"({call}) rps@{clients} portal / thin_rest",
                portal.rps[clients] / thin.rps[clients], "target ≥ 0.5",
            )  # fmt: skip
        _ratio(f"({call}) p99 / p50, portal", portal.p99 / portal.p50, "target ≤ 3")
        full = results[call]["portal, full"]
        _ratio(f"({call}) p50 full middleware stack / API stack", full.p50 / portal.p50, "saved")
    _ratio(
        "(a) p50 portal without the access cache / thin_rest",
        a["portal, cold"].p50 / a["thin_rest"].p50, "target ≤ 3: every check read again",
    )  # fmt: skip
    _ratio("(c) p50 / (b) p50, portal", c["portal"].p50 / b["portal"].p50, "target ≤ 1.1")
    _ratio("(c) p50 / (b) p50, raw psycopg", c["psycopg"].p50 / b["psycopg"].p50, "the DB's own")
    if "datasette" in a:
        _ratio("(a) p50 Datasette / portal", a["datasette"].p50 / a["portal"].p50, "target ≥ 20")
        _ratio("(b) p50 Datasette / portal", b["datasette"].p50 / b["portal"].p50, "")
    for call in ("a", "b", "c", "d", "e"):
        _ratio(
            f"({call}) p50 portal / raw psycopg",
            results[call]["portal"].p50 / results[call]["psycopg"].p50, "cost of the API layer",
        )  # fmt: skip
    print("  no exact COUNT and no OFFSET on any measured call (asserted in tests/api)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=5)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    ensure_database()
    csv_path = rows_file(options.rows)
    setup = prepare(options.rows, csv_path)
    seconds = options.seconds
    results: dict[str, dict[str, Figures]] = {call: {} for call in CALL_NAMES}
    for call, (sql, params) in raw_calls(setup).items():
        results[call]["psycopg"] = psycopg_figures(sql, params, seconds)
    with thin_server():
        for call, url in thin_calls(setup).items():
            results[call]["thin_rest"] = http_figures(url, seconds)
        with portal_server():
            check_answers(setup)
            headers = {"Authorization": f"Bearer {setup.key}"}
            for call, (url, body) in portal_calls(setup).items():
                results[call]["portal"] = http_figures(url, seconds, headers, body)
        # (a), (b) and (e) through the web pages' full middleware stack: what the short one saves.
        with portal_server(application=FULL_STACK_APPLICATION):
            for call in ("a", "b", "e"):
                url, body = portal_calls(setup)[call]
                results[call]["portal, full"] = http_figures(url, seconds, headers, body)
        # The same (a) with every access check read from the database on every call: what a
        # worker's first call, or the first after a change, costs (apps/api/access_cache.py).
        with portal_server(access_cache=False):
            url, body = portal_calls(setup)["a"]
            results["a"]["portal, cold"] = http_figures(url, seconds, headers, body)
    if DATASETTE_BIN.exists():
        db = sqlite_copy(csv_path)
        with datasette_server(db):
            for call, url in datasette_calls(db).items():
                results[call]["datasette"] = http_figures(url, seconds)
    else:
        print(f"(Datasette not measured: {DATASETTE_BIN} is missing)")
    report(results)
    profile_stacks(setup)


if __name__ == "__main__":
    main()
