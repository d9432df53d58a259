"""`python -m bench.city [--sizes 300000,1000000,3000000] [--out bench/city_results.json]`: the
city store on PostgreSQL at several sizes (issue 21 "Measure").

For each size: a fresh city database (a throwaway cluster, `fsync=off` as in the tests) set up as
the city `YZ` with keys and county YZ03's key registered; 14 counties' cases generated
(`bench.city_rows`: every county's chain valid) over as many working days as the size needs at
300 cases per county and day, loaded with COPY; then, each in its own process for its peak memory:

- `clerk city report --month 2026-11 --json` (the month's figures per county, point and item, and
  the lists), and `--day 2026-11-16`; `clerk city lists --json` (every entry, streamed) and
  `--limit 50` (a page and the counts);
- the port reads alone (`supervised_cases` for the month, `action_cases` streaming the 超期 list)
  beside a raw-SQL floor that finds (counts) the same cases without working out their facts;
- `clerk import` of one county's day (10,000 cases: 6,000 of YZ03's hall continuing its chain,
  4,000 of its point LS01, relayed) beside the floor: the same rows COPYed into bare copies of the
  tables (same columns and indexes, no triggers) in one transaction.

The fixture load is timed too (not a user's wait). Figures go to `--out` and, with --markdown,
as a table to stdout for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.city_rows import (
    CASE_COLUMNS,
    EVALUATION_COLUMNS,
    EVENT_COLUMNS,
    Chain,
    DayRows,
    as_tuples,
    day_rows,
    days,
)
from bench.proc import run_measured

ROOT = Path(__file__).resolve().parent.parent
OFFICES = tuple(f"YZ{k:02d}" for k in range(1, 15))
PER_DAY = 300  # cases per county and working day
LAST_DAY = date(2026, 11, 30)
IMPORT_DAY = date(2026, 12, 1)
MONTH = "2026-11"
PASSWORD = "citybench-2026"


def _cluster():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "tests"))
    from support import postgres  # the tests' throwaway cluster (initdb, roles, template)

    return postgres


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def first_day(cases: int) -> date:
    wanted = max(1, cases // (len(OFFICES) * PER_DAY))
    day, count = LAST_DAY, 0
    while True:
        if day.weekday() < 5:
            count += 1
            if count == wanted:
                return day
        day -= timedelta(days=1)


def _copy(conn: Any, table: str, columns: tuple[str, ...], rows: Any) -> int:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    n = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def load_fixture(url: str, cases: int) -> tuple[dict[str, Chain], float, int]:
    """Generate and COPY the counties' rows; returns the chains' heads, seconds, cases loaded."""
    import psycopg

    start = time.perf_counter()
    chains = {o: Chain(o) for o in OFFICES}
    loaded = 0
    with psycopg.connect(url) as conn:
        for table in ("cases", "events", "evaluations"):
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        conn.commit()
        for day in days(first_day(cases), LAST_DAY):
            batch = DayRows()
            for office in OFFICES:
                rows = day_rows(office, office, day, PER_DAY, chains[office])
                batch.cases += rows.cases
                batch.events += rows.events
                batch.evaluations += rows.evaluations
            loaded += _copy(conn, "cases", CASE_COLUMNS, as_tuples(batch.cases, CASE_COLUMNS))
            _copy(conn, "events", EVENT_COLUMNS, as_tuples(batch.events, EVENT_COLUMNS))
            _copy(
                conn,
                "evaluations",
                EVALUATION_COLUMNS,
                as_tuples(batch.evaluations, EVALUATION_COLUMNS),
            )
            conn.commit()
        with conn.cursor() as cur:
            for c in chains.values():
                cur.execute(
                    "INSERT INTO chain_heads (origin, seq, hash) VALUES (%s, %s, %s)",
                    (c.origin, c.seq, c.head),
                )
        for table in ("cases", "events", "evaluations"):
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return chains, time.perf_counter() - start, loaded


def set_up_city(url: str, data_dir: Path, county_keys: Path) -> None:
    """The city installation (`clerk city init` does the same) and YZ03's key registered."""
    os.environ["CLERK_DATA_DIR"] = str(data_dir)
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.window import Window
    from clerk.storage.postgres.store import PostgresStore
    from clerk.sync import keys, peers

    store = PostgresStore.open(url)
    window = Window(store, default_catalog(), default_offices(), documents_root=data_dir / "docs")  # type: ignore[arg-type]
    window.setup("YZ", "admin", "市管理", PASSWORD)
    window.init_keys(None)
    keys.generate(county_keys, "YZ03", "冷水滩区政务服务中心")
    public = keys.load(county_keys).public
    peers.add_peer(store.sync_store(), window.offices, window.me(), public, store.now())
    store.close()


def day_bundle(
    url: str, chains: dict[str, Chain], county_keys: Path, out: Path
) -> tuple[Path, DayRows]:
    """One county's day for the city: 6,000 cases of YZ03's hall and 4,000 of its point LS01."""
    from clerk.sync import bundle as fmt
    from clerk.sync import keys, wire
    from clerk.sync.bundle import Contents

    own = chains["YZ03"]
    point = Chain("LS01")
    starts = {"YZ03": (own.seq, own.head), "LS01": (0, point.seq and point.head or "0" * 64)}
    rows = day_rows("YZ03", "YZ03", IMPORT_DAY, 6000, own, salt=1)
    relayed = day_rows("YZ03", "LS01", IMPORT_DAY, 4000, point, salt=1)
    both = DayRows(
        rows.cases + relayed.cases,
        rows.events + relayed.events,
        rows.evaluations + relayed.evaluations,
    )
    origins = {
        c.origin: {
            "from_seq": starts[c.origin][0] + 1,
            "to_seq": c.seq,
            "from_prev": starts[c.origin][1],
            "head": c.head,
        }
        for c in (own, point)
    }
    from clerk.sync import peers

    city_public = peers.own_public(_anchor(url))
    records: dict[str, list[dict[str, Any]]] = {
        "cases": [{**c, "created_at": None, "updated_at": None} for c in both.cases],
        "case_materials": [],
        "documents": [],
        "evaluations": both.evaluations,
        "events": both.events,
    }
    for part in ("cases", "evaluations"):  # every field of the wire shape (None: not set)
        names = [wire._STORAGE_NAMES.get((part, n), n) for n in wire.SHAPES[part]]  # noqa: SLF001
        records[part] = [{n: r.get(n) for n in names} for r in records[part]]
    manifest = {
        "format": wire.FORMAT,
        "suite": fmt.SUITE,
        "kind": "city",
        "from": "YZ03",
        "to": "YZ",
        "seq": 1,
        "prev": "0" * 64,
        "created_at": f"{IMPORT_DAY.isoformat()}T18:00:00+08:00",
        "origins": origins,
        "acks": {},
        "acked_bundle": 0,
        "history": [
            {"seq": 1, "origins": {o: [r["from_seq"], r["to_seq"]] for o, r in origins.items()}}
        ],
        "points": ["LS01"],
        "lost": {},
    }
    contents = Contents(manifest=manifest, records=wire.records_to_wire(records))
    path, _digest = fmt.write_bundle(
        out, contents, keys.load(county_keys), [city_public.age_recipient]
    )
    return path, both


def _anchor(url: str) -> Path:
    from clerk.storage.postgres.sync import server_anchor

    return server_anchor(url)


def floor_copy(url: str, rows: DayRows) -> float:
    """The same rows COPYed into bare copies of the tables (columns and indexes, no triggers)."""
    import psycopg

    with psycopg.connect(url) as conn:
        for table in ("cases", "events", "evaluations"):
            conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        conn.commit()
        start = time.perf_counter()
        _copy(conn, "floor_cases", CASE_COLUMNS, as_tuples(rows.cases, CASE_COLUMNS))
        _copy(conn, "floor_events", EVENT_COLUMNS, as_tuples(rows.events, EVENT_COLUMNS))
        _copy(
            conn,
            "floor_evaluations",
            EVALUATION_COLUMNS,
            as_tuples(rows.evaluations, EVALUATION_COLUMNS),
        )
        conn.commit()
        took = time.perf_counter() - start
        for table in ("cases", "events", "evaluations"):
            conn.execute(f"DROP TABLE floor_{table}")
        conn.commit()
    return took


CANDIDATES = """
SELECT count(*) FROM cases c
 WHERE c.received_at < %(end)s
   AND c.uuid IN (SELECT uuid FROM cases WHERE received_at >= %(start)s AND received_at < %(end)s
                  UNION SELECT uuid FROM cases WHERE state IN ('accepted', 'awaiting_payment')
                  UNION SELECT case_uuid FROM events WHERE at >= %(start)s
                  UNION SELECT case_uuid FROM evaluations WHERE at >= %(start)s)
"""
OVERDUE = """
SELECT count(*) FROM cases WHERE state IN ('accepted', 'awaiting_payment') AND due_date < '2026-11-30'
"""


def port_reads(url: str) -> dict[str, Any]:
    """The two port reads alone, each beside its raw-SQL floor (best of 3)."""
    import psycopg

    from clerk.ports.action_cases import ActionQuery
    from clerk.storage.postgres.store import PostgresStore

    store = PostgresStore.open(url)
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    bounds = {"start": first.isoformat(), "end": (last + timedelta(days=1)).isoformat()}
    day_bounds = {"start": "2026-11-16", "end": "2026-11-17"}

    def best(fn: Any) -> tuple[float, Any]:
        times, value = [], None
        for _ in range(3):
            t = time.perf_counter()
            value = fn()
            times.append(time.perf_counter() - t)
        return min(times), value

    out: dict[str, Any] = {}
    with psycopg.connect(url) as conn:
        for name, (a, b), params in (
            ("supervised_month", (first, last), bounds),
            ("supervised_day", (date(2026, 11, 16), date(2026, 11, 16)), day_bounds),
        ):

            def facts(a: date = a, b: date = b) -> int:
                return sum(1 for _ in store.supervised_cases(a, b, {1, 2, 3}))

            took, n = best(facts)
            floor, m = best(lambda q=params: conn.execute(CANDIDATES, q).fetchone()[0])  # type: ignore[index]
            out[name] = {"s": took, "rows": n, "floor_s": floor, "floor_rows": m}
        overdue = ActionQuery("overdue", last=date(2026, 11, 30))
        took, n = best(lambda: sum(1 for _ in store.action_cases(overdue)))
        floor, m = best(lambda: conn.execute(OVERDUE).fetchone()[0])  # type: ignore[index]
        out["action_cases"] = {"s": took, "rows": n, "floor_s": floor, "floor_rows": m}
    store.close()
    return out


def clerk(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = run_measured([sys.executable, "-m", "clerk", *args], env=env, cwd=str(ROOT))
    if done.returncode != 0:
        raise RuntimeError(f"clerk {' '.join(args[:3])} failed: {done.stderr[-2000:]}")
    return {"s": round(done.wall_s, 3), "peak_mb": round(done.peak_mb, 1)}


def measure(size: int, postgres: Any) -> dict[str, Any]:
    url = postgres.fresh_database()
    work = Path(tempfile.mkdtemp(prefix="citybench-"))
    county_keys = work / "yz03-keys"
    set_up_city(url, work / "data", county_keys)
    _say(f"{size:,}: loading")
    chains, load_s, loaded = load_fixture(url, size)
    _say(f"{size:,}: {loaded:,} cases loaded in {load_s:.0f} s")
    env = {**os.environ, "CLERK_DATA_DIR": str(work / "data"), "PYTHONPATH": str(ROOT)}
    result: dict[str, Any] = {"cases": loaded, "load_s": round(load_s, 1)}
    result["report_month"] = clerk(env, "city", "report", "--db", url, "--month", MONTH, "--json")
    _say(f"{size:,}: month report {result['report_month']}")
    result["report_day"] = clerk(
        env, "city", "report", "--db", url, "--month", MONTH, "--day", "2026-11-16", "--json"
    )
    result["lists"] = clerk(env, "city", "lists", "--db", url, "--day", "2026-11-30", "--json")
    result["lists_page"] = clerk(env, "city", "lists", "--db", url, "--limit", "50", "--json")
    result["reads"] = port_reads(url)
    _say(f"{size:,}: reads {result['reads']}")
    bundle, rows = day_bundle(url, chains, county_keys, work)
    result["import_floor_s"] = round(floor_copy(url, rows), 3)
    result["import"] = clerk(env, "import", str(bundle), "--db", url, "--json")
    _say(f"{size:,}: import {result['import']} floor {result['import_floor_s']}")
    with __import__("psycopg").connect(url) as conn:
        result["db_mb"] = round(
            conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
        )
    postgres.drop_database(url)
    return result


def markdown(results: dict[str, Any]) -> str:
    sizes = sorted(results, key=int)
    head = "| | " + " | ".join(f"{int(s):,} cases" for s in sizes) + " |"
    lines = [head, "|---|" + "---|" * len(sizes)]

    def row(label: str, cell: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(results[s]) for s in sizes) + " |")

    row("fixture load (COPY, generated)", lambda r: f"{r['load_s']:.0f} s")
    row("database size", lambda r: f"{r['db_mb']:,} MB")
    row(
        "`clerk city report --month --json`",
        lambda r: f"{r['report_month']['s']:.2f} s, {r['report_month']['peak_mb']:.0f} MB",
    )
    row(
        "`clerk city report --day --json`",
        lambda r: f"{r['report_day']['s']:.2f} s, {r['report_day']['peak_mb']:.0f} MB",
    )
    row(
        "`clerk city lists --json`",
        lambda r: f"{r['lists']['s']:.2f} s, {r['lists']['peak_mb']:.0f} MB",
    )
    row(
        "`clerk city lists --limit 50 --json`",
        lambda r: (
            f"{r['lists_page']['s']:.2f} s, {r['lists_page']['peak_mb']:.0f} MB"
            if "lists_page" in r
            else "—"
        ),
    )
    for key, label in (
        ("supervised_month", "`supervised_cases` month / raw-SQL floor"),
        ("supervised_day", "`supervised_cases` day / raw-SQL floor"),
        ("action_cases", "`action_cases` (超期, streamed) / raw-SQL count floor"),
    ):
        row(
            label,
            lambda r, k=key: (
                f"{r['reads'][k]['s']:.3f} s / {r['reads'][k]['floor_s']:.3f} s"
                f" = {r['reads'][k]['s'] / max(r['reads'][k]['floor_s'], 1e-6):.1f}× ({r['reads'][k]['rows']:,} rows)"
            ),
        )
    row(
        "`clerk import` one county's day (10,000 cases) / COPY floor",
        lambda r: (
            f"{r['import']['s']:.2f} s / {r['import_floor_s']:.2f} s = "
            f"{r['import']['s'] / r['import_floor_s']:.1f}×, {r['import']['peak_mb']:.0f} MB"
        ),
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="300000,1000000,3000000")
    parser.add_argument("--out", default=str(ROOT / "bench" / "city_results.json"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    results: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if not args.markdown or args.sizes:
        postgres = _cluster()
        for size in (int(s) for s in args.sizes.split(",") if s):
            results[str(size)] = measure(size, postgres)
            out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.markdown:
        print(markdown(results))


if __name__ == "__main__":
    main()
