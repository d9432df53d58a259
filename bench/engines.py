"""The two storage engines side by side at county scale (issue 20's measurement).

    python -m bench.engines --cases 1000000 [--windows 20] [--seconds 60] [--repeats 5]
                            [--out bench/engines-1000000.json]

1. The SQLite county fixture of `--cases` cases (`bench/county.py`: built once, cached, checked by
   `clerk verify --full`).
2. A PostgreSQL server (`bench/pg_server.py`: durable commits, kept between runs) and the same
   cases loaded into it by `clerk migrate-store FILE URL` as a new process, timed: COPY of every
   table in one transaction, then the target's full verify and the comparison of chain heads and
   counts (that is the PostgreSQL fixture; a database already holding the cases is reused).
3. On each engine, each operation beside a raw-SQL floor on the same engine, the same database:
   - the dashboard queues (each of the six, and `Window.queues` for a reviewer); floor: the same
     SELECT through a bare driver connection (sqlite3 / psycopg), rows as tuples;
   - lookups through `Window.search`: a case number, the last 6 of an ID number, a two-character
     name; floor: the one SELECT that answers it on that engine (SQLite: `case_no = ?`, the
     `substr(id_number, -6)` index, the FTS5 name index; PostgreSQL: `case_no = %s`, the
     `right(id_number, 6)` index, `case_search`'s pairs index (migration 8) and LIKE);
   - the daily ledger (`build_ledger` of the last day); floor: its queries (`bench/floors.py`)
     through the bare driver;
   - one decision (open + check + accept, item 31); floor: one durable transaction on the same
     engine (insert a case row and two event rows, commit);
4. 20 windows deciding at once: `--windows` processes (`bench/hall_worker.py`) on the store,
   each deciding cases for `--seconds`: decisions per second over the hall, p50/p99 of the
   decision (`accept`) and of a whole case; then `clerk verify` (incremental) on the result.

Writes the rows to `--out` (JSON) and prints the table. Times are medians of `--repeats`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.core import compare, format_seconds
from bench.fixture import CLERK, END, NOW, POINT, REVIEWER

ROOT = Path(__file__).resolve().parent.parent


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- the SQL each floor runs


def to_psycopg(sql: str) -> str:
    """A floor query written for sqlite3 (`:name`, `+at`, `rowid`) as psycopg runs it."""
    sql = sql.replace("+at", "at").replace("rowid", "n")
    return re.sub(r"(?<![:\w]):([a-z_]+)", r"%(\1)s", sql)


class Raw:
    """A bare driver connection to one engine's database: the floors' side."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.pg = target.startswith("postgresql://")
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(target, autocommit=True)
        else:
            import sqlite3

            self.conn = sqlite3.connect(target, isolation_level=None)

    def rows(self, sql: str, params: Any = ()) -> int:
        if self.pg:
            if isinstance(params, dict):
                sql = to_psycopg(sql)
            else:
                sql = sql.replace("?", "%s")
        return len(self.conn.execute(sql, params).fetchall())

    def close(self) -> None:
        self.conn.close()


def name_floor_sql(pg: bool) -> tuple[str, Callable[[str], Any]]:
    if pg:
        from clerk.storage.postgres.queries import pairs, search_key

        def params(text: str) -> tuple[Any, ...]:
            key = search_key(text)
            return (pairs(key), pairs(key), "%" + key + "%", "%" + key + "%")

        return (
            "SELECT c.* FROM case_search s JOIN cases c ON c.uuid = s.case_uuid"
            " WHERE (clerk_bigrams(s.applicant_key) @> %s::text[]"
            " OR clerk_bigrams(s.unit_key) @> %s::text[])"
            " AND (s.applicant_key LIKE %s OR s.unit_key LIKE %s)"
            " ORDER BY c.received_at DESC, c.uuid DESC LIMIT 200",
            params,
        )
    from bench.scale import NAME_PAGE, _phrase

    return NAME_PAGE, lambda text: (_phrase(text),)


def id_tail_floor_sql(pg: bool) -> str:
    if pg:
        return (
            "SELECT * FROM cases WHERE right(id_number, 6) = %s ORDER BY received_at DESC LIMIT 200"
        )
    from clerk.storage.sqlite.queries import ID_TAIL

    return f"SELECT * FROM cases WHERE {ID_TAIL} = ? ORDER BY received_at DESC LIMIT 200"


# ---------------------------------------------------------------------- one engine's rows


def row(
    engine: str, bench: str, case: str, product_s: float, floor_s: float, note: str = ""
) -> dict[str, Any]:
    got = {
        "engine": engine,
        "bench": bench,
        "case": case,
        "product_s": product_s,
        "floor_s": floor_s,
        "ratio": product_s / floor_s if floor_s else None,
        "note": note,
    }
    log(
        f"{engine:10} {bench:9} {case:34} {format_seconds(product_s):>9} {format_seconds(floor_s):>9}"
        f" {got['ratio'] or 0:6.1f}x  {note}"
    )
    return got


def skip(engine: str, bench: str, case: str, exc: BaseException) -> dict[str, Any]:
    log(f"{engine:10} {bench:9} {case:34} skipped: {type(exc).__name__}: {exc}")
    return {
        "engine": engine,
        "bench": bench,
        "case": case,
        "skipped": f"{type(exc).__name__}: {exc}"[:300],
    }


def measure_engine(engine: str, target: str, repeats: int, scratch: Path) -> list[dict[str, Any]]:
    from bench.decision import Decider
    from bench.floors import LEDGER_FLOOR_SQL
    from bench.queues import FLOOR_SQL, floor_params, queue_calls
    from clerk.db import open_store
    from clerk.domain.catalog import default_catalog
    from clerk.domain.clock import fixed_clock
    from clerk.domain.offices import default_offices
    from clerk.domain.workdays import WorkCalendar
    from clerk.service.compose import build_window
    from clerk.service.ledger import build_ledger

    out: list[dict[str, Any]] = []
    catalog = default_catalog()
    store = open_store(target, clock=fixed_clock(NOW))
    raw = Raw(target)
    try:
        window = build_window(
            store,
            catalog=catalog,
            offices=default_offices(),
            clock=fixed_clock(NOW),
            calendar=WorkCalendar(None),
            documents_root=documents_root(target, engine),
        )
        reviewer = store.user(REVIEWER)
        assert reviewer is not None
        # ---- queues
        params = floor_params(window)
        product = queue_calls(window, store, reviewer.login)
        for (case, fn), sql in zip(product.items(), FLOOR_SQL, strict=True):
            try:
                shown = len(fn())
                fetched = raw.rows(sql, params)
                p, f = compare(
                    fn, functools.partial(raw.rows, sql, params), repeats=repeats, number=3
                )
                out.append(row(engine, "queue", case, p, f, f"{shown} shown / {fetched} fetched"))
            except Exception as exc:  # noqa: BLE001
                out.append(skip(engine, "queue", case, exc))
        try:
            p, f = compare(
                lambda: window.queues(reviewer),
                lambda: sum(raw.rows(sql, params) for sql in FLOOR_SQL),
                repeats=repeats,
            )
            out.append(row(engine, "queue", "all six (Window.queues)", p, f))
        except Exception as exc:  # noqa: BLE001
            out.append(skip(engine, "queue", "all six (Window.queues)", exc))
        # ---- lookups
        newest = store.received_on(END, point_code=POINT) or []
        person = next(r for r in reversed(newest) if r.applicant_kind == "person")
        case_no, id_number, name = person.case_no, person.id_number or "", person.applicant_name
        short = name.removeprefix("演示")[:2]
        name_sql, name_params = name_floor_sql(raw.pg)
        probes = (
            ("case number", case_no, "SELECT * FROM cases WHERE case_no = ?", (case_no,)),
            ("ID number, last 6", id_number[-6:], id_tail_floor_sql(raw.pg), (id_number[-6:],)),
            ("2-character name", short, name_sql, name_params(short)),
        )
        for case, text, sql, args in probes:
            try:
                found = len(window.search(text))
                floor_found = raw.rows(sql, args)
                p, f = compare(
                    functools.partial(window.search, text),
                    functools.partial(raw.rows, sql, args),
                    repeats=repeats,
                    number=5,
                )
                out.append(
                    row(engine, "lookup", case, p, f, f"{found} shown / floor {floor_found}")
                )
            except Exception as exc:  # noqa: BLE001
                out.append(skip(engine, "lookup", case, exc))
        # ---- ledger
        try:
            ledger_params = {
                "start": END.isoformat(),
                "end": (END + timedelta(days=1)).isoformat(),
            }

            def ledger_floor() -> int:
                return sum(raw.rows(sql, ledger_params) for sql in LEDGER_FLOOR_SQL)

            def ledger() -> object:
                return build_ledger(
                    store, catalog, WorkCalendar(None), day=END, point_code=POINT, today=END
                )

            made = ledger()
            p, f = compare(ledger, ledger_floor, repeats=max(1, repeats // 2), warmup=False)
            note = f"{made.received} received, {len(made.overdue)} overdue"  # type: ignore[attr-defined]
            out.append(row(engine, "ledger", "daily ledger, in process", p, f, note))
        except Exception as exc:  # noqa: BLE001
            out.append(skip(engine, "ledger", "daily ledger, in process", exc))
        # ---- one decision
        try:
            clerk = store.user(CLERK)
            assert clerk is not None
            decider = Decider(window, clerk, 31)  # type: ignore[arg-type]
            floor = DurableFloor(engine, target, scratch)
            try:
                p, f = compare(decider, floor, repeats=repeats)
            finally:
                floor.close()
            out.append(row(engine, "decision", "item 31, 25 working days", p, f, decider.note()))
        except Exception as exc:  # noqa: BLE001
            out.append(skip(engine, "decision", "item 31, 25 working days", exc))
    finally:
        raw.close()
        store.close()
    return out


def documents_root(target: str, engine: str) -> Path:
    """Where the documents the benchmark's decisions issue are kept: beside the cached fixture,
    so that a later full verify of the fixture (or the PostgreSQL load's) finds their files."""
    from bench.county import fixture_dir

    return fixture_dir() / f"bench-documents-{engine}"


class DurableFloor:
    """One durable transaction on the same engine: a case row and two event rows, committed."""

    def __init__(self, engine: str, target: str, scratch: Path) -> None:
        self.n = 0
        self.pg = target.startswith("postgresql://")
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(target, autocommit=True)
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS bench_floor_cases (uuid text PRIMARY KEY, case_no text,"
                " state text, received_at text)"
            )
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS bench_floor_events (n bigint GENERATED ALWAYS AS IDENTITY"
                " PRIMARY KEY, case_uuid text, action text, at text, to_state text)"
            )
        else:
            from bench.decision import floor_connection

            self.conn = floor_connection(scratch / f"floor-{engine}.db")

    def __call__(self) -> None:
        import uuid

        self.n += 1
        if not self.pg:
            from bench.decision import floor_decision

            floor_decision(self.conn, self.n)
            return
        case = str(uuid.uuid4())
        at = NOW.isoformat()
        with self.conn.transaction():
            self.conn.execute(
                "INSERT INTO bench_floor_cases VALUES (%s, %s, 'accepted', %s)",
                (case, f"F{self.n}", at),
            )
            self.conn.execute(
                "INSERT INTO bench_floor_events (case_uuid, action, at, to_state)"
                " VALUES (%s, 'open', %s, 'received'), (%s, 'accept', %s, 'accepted')",
                (case, at, case, at),
            )

    def close(self) -> None:
        if self.pg:
            self.conn.execute("DROP TABLE IF EXISTS bench_floor_cases, bench_floor_events")
        self.conn.close()


# ---------------------------------------------------------------------- the hall: N windows at once


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def hall(engine: str, target: str, windows: int, seconds: float, scratch: Path) -> dict[str, Any]:
    go = scratch / f"go-{engine}"
    go.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    documents = documents_root(target, engine)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.hall_worker",
                target,
                str(documents),
                str(go),
                str(seconds),
                str(k),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(ROOT),
        )
        for k in range(windows)
    ]
    for p in procs:
        assert p.stderr is not None
        line = p.stderr.readline()
        if line.strip() != "ready":
            raise RuntimeError(line + p.stderr.read()[-2000:])
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=seconds * 20 + 600)
        if p.returncode != 0:
            raise RuntimeError(err[-2000:])
        results.append(json.loads(out.strip().splitlines()[-1]))
    accept = [t for r in results for t in r["accept_s"]]
    cases = [t for r in results for t in r["case_s"]]
    refused = [m for r in results for m in r["refused"]]
    wall = max(r["wall_s"] for r in results)
    got = {
        "engine": engine,
        "bench": "hall",
        "case": f"{windows} windows deciding at once",
        "windows": windows,
        "seconds": wall,
        "decisions": len(accept),
        "per_second": len(accept) / wall,
        "accept_p50_s": percentile(accept, 0.5),
        "accept_p99_s": percentile(accept, 0.99),
        "case_p50_s": percentile(cases, 0.5),
        "case_p99_s": percentile(cases, 0.99),
        "refused": len(refused),
        "refusals": sorted(set(refused))[:5],
    }
    log(
        f"{engine:10} hall      {windows} windows: {got['decisions']} decisions in {wall:.1f} s ="
        f" {got['per_second']:.1f}/s; accept p50 {format_seconds(got['accept_p50_s'])}"
        f" p99 {format_seconds(got['accept_p99_s'])}; case p99 {format_seconds(got['case_p99_s'])};"
        f" refused {len(refused)}"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "clerk", "verify", "--db", target, "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
    )
    verified = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    got["verify_ok"] = bool(verified.get("ok"))
    got["verify_s"] = time.perf_counter() - started
    log(
        f"{engine:10} hall      clerk verify afterwards: ok={got['verify_ok']} in {got['verify_s']:.0f} s"
    )
    return got


# ---------------------------------------------------------------------- the PostgreSQL fixture


def fast_load(sqlite_file: Path, url: str) -> dict[str, Any]:
    """Load the file's tables into the empty database at `url` exactly as `clerk migrate-store`
    does (`PostgresStore.bulk_load`: one COPY per table in one transaction, the chain-head and
    verify-mark triggers off during the COPY and their work done once after it), then the full
    verify that proves every chain, case and document, and the chain heads against the file's."""
    from clerk.storage.postgres.store import PostgresStore
    from clerk.storage.sqlite.raw_tables import raw_tables

    started = time.perf_counter()
    with raw_tables(sqlite_file) as src:
        tables = src.tables()
        store = PostgresStore.open(url)
        try:

            def rows_of(table: str) -> tuple[Any, Any]:
                if table not in tables:
                    return (), ()
                wanted = set(store.loadable_columns(table))
                kept = [c for c in src.columns(table) if c in wanted]
                return kept, src.rows(table, kept)

            loaded = store.bulk_load(rows_of)
            load_s = time.perf_counter() - started
            log(f"PostgreSQL fixture: loaded in {load_s:.0f} s; clerk verify --full …")
            store.conn.execute("ANALYZE")
            verify_started = time.perf_counter()
            report = store.verify(full=True)
            verify_s = time.perf_counter() - verify_started
            heads_match = store.chain_heads() == src.heads()
        finally:
            store.close()
    return {
        "load_s": load_s,
        "verify_s": verify_s,
        "ok": bool(report.ok) and heads_match,
        "loaded": loaded,
        "problems": [p.message for p in report.problems][:5],
    }


def pg_fixture(sqlite_file: Path, cases: int) -> tuple[str, dict[str, Any]]:
    """The county's cases in PostgreSQL (`fast_load`), or the database already loaded."""
    from bench import pg_server

    srv = pg_server.server()
    name = f"county_{cases}"
    meta_file = pg_server.DEFAULT_ROOT / f"{name}.json"
    url = srv.url(name)
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text())
        if meta.get("source") == str(sqlite_file) and meta.get("ok"):
            log(f"PostgreSQL fixture: reusing {name} (loaded in {meta['load_s']:.0f} s)")
            meta["reused"] = True
            return url, meta
    srv.create_database(name, drop=True)
    log(f"PostgreSQL fixture: loading {sqlite_file} → {url} …")
    meta = {"source": str(sqlite_file), "cases": cases, **fast_load(sqlite_file, url)}
    meta.update(
        database_bytes=srv.database_bytes(name),
        file_bytes=sqlite_file.stat().st_size,
        server_version=srv.version(),
    )
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str))
    log(
        f"PostgreSQL fixture: ok={meta['ok']}, load {meta['load_s']:.0f} s, verify --full"
        f" {meta['verify_s']:.0f} s; database {meta['database_bytes'] / 1e9:.2f} GB"
    )
    if not meta["ok"]:
        raise RuntimeError(f"the PostgreSQL fixture fails: {meta['problems']}")
    return url, meta


def time_migrate_store(sqlite_file: Path) -> dict[str, Any]:
    """`clerk migrate-store FILE URL` as a new process into a new database: wall time, peak."""
    from bench import pg_server
    from bench.proc import run_measured

    srv = pg_server.server()
    name = f"migrated_{sqlite_file.parent.name.replace('-', '_')}"
    url = srv.create_database(name, drop=True)
    done = run_measured(
        [sys.executable, "-m", "clerk", "migrate-store", str(sqlite_file), url],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=str(ROOT),
    )
    got = {
        "file": str(sqlite_file),
        "exit": done.returncode,
        "wall_s": done.wall_s,
        "peak_mb": done.peak_mb,
        "output": done.stdout[-600:],
    }
    log(f"clerk migrate-store {sqlite_file.name}: exit {done.returncode} in {done.wall_s:.0f} s")
    srv.create_database(name, drop=True)
    return got


# ---------------------------------------------------------------------- run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engines")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--windows", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", nargs="*", choices=("sqlite", "postgresql"), default=None)
    parser.add_argument("--no-hall", action="store_true")
    parser.add_argument(
        "--migrate-store",
        type=int,
        default=0,
        metavar="N",
        help="also time clerk migrate-store on the N-case county file (built if needed)",
    )
    args = parser.parse_args(argv)
    from bench.county import county

    started = time.perf_counter()
    built = county(args.cases)
    sqlite_file = built.path
    log(f"SQLite fixture: {sqlite_file} ({args.cases:,} cases)")
    url, pg_meta = pg_fixture(sqlite_file, args.cases)
    results: dict[str, Any] = {
        "command": "python -m bench.engines "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "nproc": os.cpu_count(),
        "cases": args.cases,
        "sqlite_fixture": {k: built.meta.get(k) for k in ("build_s", "verify_s", "file_bytes")},
        "postgresql_fixture": pg_meta,
        "rows": [],
        "hall": [],
    }
    out = args.out or ROOT / "bench" / f"engines-{args.cases}.json"
    if args.migrate_store:
        results["migrate_store"] = time_migrate_store(county(args.migrate_store).path)
        out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    scratch = Path(tempfile.mkdtemp(prefix="clerk-engines-"))
    os.environ["CLERK_DATA_DIR"] = str(scratch / "data")
    try:
        engines = [("sqlite", str(sqlite_file)), ("postgresql", url)]
        engines = [e for e in engines if not args.only or e[0] in args.only]
        for engine, target in engines:
            results["rows"] += measure_engine(engine, target, args.repeats, scratch)
            out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
        if not args.no_hall:
            for engine, target in engines:
                try:
                    results["hall"].append(
                        hall(engine, target, args.windows, args.seconds, scratch)
                    )
                except Exception as exc:  # noqa: BLE001
                    results["hall"].append(skip(engine, "hall", f"{args.windows} windows", exc))
                out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["total_s"] = time.perf_counter() - started
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    log(f"done in {results['total_s']:.0f} s; written to {out}")
    return 0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


if __name__ == "__main__":
    sys.exit(main())
