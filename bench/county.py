"""The county-size fixture: a million cases, built in minutes by copying a real demo database.

`clerk demo` would take about 10 hours for a million cases (every case through the `Window`, two
PDFs each). Instead a small template is built once with `clerk.demo.fill` (2,000 cases through the
real service: the rows, events, documents and files the window writes), and the county file is made
by copying the template's cases with new UUIDs, case numbers, applicants and dates, inserted with
`executemany` in one transaction per four-week window, and the whole event log re-chained with
`clerk.storage.chain.event_hash`. The file is then checked by `clerk verify` (as a new process).

Shape of the file (`WEEKS` = 4 weeks a window, the span of the template's 20 working days):

- window 0 holds the template's own dates: one copy of every template case (drafts, open cases,
  notices, everything), plus `per_window - 1` copies of its *finished* cases;
- window w >= 1 is window 0 moved `28 * w` days back (weekdays kept), with `per_window` copies of
  the finished cases only: a county's old cases are closed, refused, withdrawn or abandoned, so the
  queues (open cases) stay the size a real office sees while the history grows;
- `per_window` is chosen so that the county's million cases span about three years.

Case numbers are renumbered per day (the `sequences` table says where each day stopped), UUIDs are
version 7 for cases, documents and evaluations (time-ordered, from the case's dates) and version 4
for materials and events, like the window's. Document rows keep the template's paths, so they point
at a small set of shared real files; their numbers follow the new case numbers. Applicants are new
synthetic people (demo names, unique ID numbers of the non-existent area 439999) or units.

The files are cached under `cache_root()` (default `~/.cache/clerk-bench`, or `$CLERK_BENCH_CACHE`)
in a folder named by `FIXTURE_VERSION`, so every run (and every fresh clone on the machine) reuses
them; bump `FIXTURE_VERSION` when the rows written here change. A cached file whose migrations are
the first of today's list is migrated forward on first use (as a county's file would be by an
upgrade); one whose migrations differ (a renumbered migration after a merge) is rebuilt.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import time
import uuid as uuidlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from clerk.case_numbers import make_case_number, new_uuid
from clerk.demo import DEMO_AREA, GIVEN, SURNAMES
from clerk.identifiers import resident_id_check_char
from clerk.model import FINAL_STATES
from clerk.storage import chain, fts, schema

FIXTURE_VERSION = 1
COUNTY_CASES = 1_000_000
TEMPLATE_CASES = 2000
YEARS = 3
WINDOW_DAYS = 28
CASE_TABLES = ("cases", "case_materials", "documents", "evaluations")
# Columns holding a date or an ISO instant: moved by the window's offset.
DATE_COLUMNS = frozenset(
    {
        "received_at",
        "accepted_at",
        "due_date",
        "due_start",
        "decided_at",
        "closed_at",
        "paid_at",
        "created_at",
        "updated_at",
        "issued_at",
        "at",
        "followed_up_at",
    }
)


def cache_root() -> Path:
    env = os.environ.get("CLERK_BENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "clerk-bench"


def fixture_dir() -> Path:
    """The cache folder of this fixture version."""
    return cache_root() / f"fixture-v{FIXTURE_VERSION}"


def migration_names() -> list[str]:
    return [m.__name__ for m in schema.MIGRATIONS]


def _reusable(meta: dict[str, Any]) -> bool:
    """A cached file can be migrated forward when the migrations it has are the first ones of
    today's list (a merge that renumbers a migration makes it unusable: rebuild)."""
    have = meta.get("migrations", [])
    return have == migration_names()[: len(have)]


def _migrate_forward(db: Path, meta: dict[str, Any], meta_file: Path, log: TextIO | None) -> None:
    from clerk.db import Store

    if meta.get("migrations") == migration_names():
        return
    _say(log, f"migrating {db.name} to schema {schema.LATEST} …")
    started = time.perf_counter()
    Store.open(db).close()
    meta["migrations"] = migration_names()
    meta["schema"] = schema.LATEST
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    _say(log, f"migrated in {time.perf_counter() - started:.0f} s")


@dataclass
class Built:
    path: Path
    cases: int
    meta: dict[str, Any]


def _say(log: TextIO | None, text: str) -> None:
    if log is not None:
        print(text, file=log, flush=True)


# ---------------------------------------------------------------------- template (real demo data)


def template(cases: int = TEMPLATE_CASES, *, log: TextIO | None = sys.stderr) -> Built:
    """The demo database of `cases` cases built by `clerk.demo.fill`, cached."""
    folder = fixture_dir() / f"template-{cases}"
    meta_file = folder / "meta.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text())
        if _reusable(meta):
            _migrate_forward(folder / "demo.db", meta, meta_file, log)
            return Built(folder / "demo.db", cases, meta)
    from bench.fixture import build_demo

    _say(
        log,
        f"building the {cases}-case template with clerk.demo.fill (about {cases * 40 // 1000} s) …",
    )
    if folder.exists():
        shutil.rmtree(folder)
    demo = build_demo(folder, cases)
    with sqlite3.connect(str(demo.path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    meta = {
        "cases": cases,
        "build_s": demo.build_s,
        "counts": demo.counts,
        "migrations": migration_names(),
    }
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    _say(log, f"template built in {demo.build_s:.0f} s")
    return Built(demo.path, cases, meta)


# ---------------------------------------------------------------------- the event log's shape

# The event log's chain columns. Since migration 6 each origin has its own chain: `n` is the
# local arrival order, `origin`/`seq` the event's place in its origin's chain, `format` how its
# hash was made (1: a legacy event, payload without origin; 2: with). The fixture has one origin,
# the template's point, so `seq` = `n`; a copied event keeps its template event's format. Before
# migration 6 the log was one chain numbered by `seq`: only this class knows the difference.
CHAIN_COLUMNS = frozenset({"n", "origin", "seq", "prev_hash", "hash"})


class Chain:
    """Assigns the chain columns of each event in log order."""

    def __init__(self, per_origin: bool, origin: str) -> None:
        self.per_origin = per_origin
        self.origin = origin
        self.n = 0
        self.prev = schema.ZERO_HASH

    def columns(self, fields: dict[str, Any]) -> dict[str, Any]:
        """`fields`: the event's stored columns without the chain's (`data` as an object)."""
        self.n += 1
        fields["seq"] = self.n
        if self.per_origin:
            fields.update(n=self.n, origin=self.origin)
            fields.setdefault("format", chain.CURRENT_FORMAT)
            digest = chain.event_hash(fields, self.prev, int(fields["format"]))
        else:
            digest = chain.event_hash(fields, self.prev)
        row = {**fields, "data": chain.canonical_json(fields["data"]), "prev_hash": self.prev, "hash": digest}
        self.prev = digest
        return row


# ---------------------------------------------------------------------- copying


class Copier:
    """Makes new cases from template cases: ids, numbers, applicants and dates."""

    def __init__(self, seed: int = 13) -> None:
        self.rng = random.Random(seed)
        self.day_seq: dict[str, int] = {}  # YYYY-MM-DD -> last sequence number used that day
        self.people = 0
        self._shifted: dict[tuple[str, int], str] = {}

    def shift(self, value: str | None, days: int) -> str | None:
        if value is None or days == 0:
            return value
        key = (value[:10], days)
        head = self._shifted.get(key)
        if head is None:
            head = (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat()
            self._shifted[key] = head
        return head + value[10:]

    def case_no(self, point: str, received: str) -> str:
        day = received[:10]
        n = self.day_seq.get(day, 0) + 1
        self.day_seq[day] = n
        return make_case_number(point, date.fromisoformat(day), n)

    def person(self) -> tuple[str, str, str, str]:
        """(name, resident ID, phone, bank account) of a new synthetic person."""
        k = self.people
        self.people += 1
        birth = date(1940, 1, 1) + timedelta(days=k % 24000)
        body = f"{DEMO_AREA}{birth:%Y%m%d}{(k // 24000) % 1000:03d}"
        rng = self.rng
        name = "演示" + rng.choice(SURNAMES) + rng.choice(GIVEN)
        return (
            name,
            body + resident_id_check_char(body),
            f"199{rng.randrange(10**8):08d}",
            f"62{rng.randrange(10**15):015d}",
        )

    def credit_code(self) -> str:
        from clerk.identifiers import credit_code_check_char

        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        body = "91" + DEMO_AREA + "".join(self.rng.choice(alphabet) for _ in range(9))
        return body + credit_code_check_char(body)


def _is_date(value: Any) -> bool:
    """A date or instant in an event's data (a deadline: `due`, `due_start`, `previous_due`)."""
    return isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit()


def _uuid7(at: str) -> str:
    return new_uuid(datetime.fromisoformat(at))


def _uuid4() -> str:
    return str(uuidlib.uuid4())


class TemplateCase:
    """One template case with all its rows (dicts keyed by column)."""

    __slots__ = ("case", "materials", "documents", "evaluations", "events")

    def __init__(self, case: dict[str, Any]) -> None:
        self.case = case
        self.materials: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.evaluations: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []


def load_template(conn: sqlite3.Connection) -> list[TemplateCase]:
    conn.row_factory = sqlite3.Row
    by_uuid: dict[str, TemplateCase] = {}
    for r in conn.execute("SELECT * FROM cases ORDER BY received_at, case_no"):
        by_uuid[r["uuid"]] = TemplateCase(dict(r))
    for table, attr in (
        ("case_materials", "materials"),
        ("documents", "documents"),
        ("evaluations", "evaluations"),
    ):
        for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            getattr(by_uuid[r["case_uuid"]], attr).append(dict(r))
    for r in conn.execute("SELECT * FROM events ORDER BY seq"):
        by_uuid[r["case_uuid"]].events.append(dict(r))
    conn.row_factory = None
    return list(by_uuid.values())


def copy_case(
    t: TemplateCase, days: int, cp: Copier, order: int
) -> tuple[dict[str, list[dict[str, Any]]], list[tuple]]:
    """New rows for one copy of `t` moved `days` days; events come back with their sort key."""
    old = t.case
    c: dict[str, Any] = {k: (cp.shift(v, days) if k in DATE_COLUMNS else v) for k, v in old.items()}
    c["uuid"] = case_uuid = _uuid7(c["received_at"])
    c["case_no"] = case_no = cp.case_no(c["point_code"], c["received_at"])
    if c["applicant_kind"] == "person":
        c["applicant_name"], c["id_number"], c["phone"], c["bank_account"] = cp.person()
    elif c["id_type"] == "credit_code":
        c["id_number"] = code = cp.credit_code()
        if c["credit_code"]:
            c["credit_code"] = code
    if c["agent_name"]:
        c["agent_name"], agent_id, _, _ = cp.person()
        c["agent_id_number"] = agent_id
    rows: dict[str, list[dict[str, Any]]] = {
        "cases": [c],
        "case_materials": [],
        "documents": [],
        "evaluations": [],
    }
    for m in t.materials:
        n: dict[str, Any] = {k: (cp.shift(v, days) if k in DATE_COLUMNS else v) for k, v in m.items()}
        n["uuid"], n["case_uuid"] = _uuid4(), case_uuid
        rows["case_materials"].append(n)
    doc_ids: dict[str, str] = {}
    for d in t.documents:
        d2: dict[str, Any] = {k: (cp.shift(v, days) if k in DATE_COLUMNS else v) for k, v in d.items()}
        n = d2
        n["uuid"] = doc_ids[d["uuid"]] = _uuid7(n["issued_at"])
        n["case_uuid"] = case_uuid
        if n["doc_no"]:
            n["doc_no"] = case_no + n["doc_no"][len(old["case_no"]) :]
        rows["documents"].append(n)
    for d in rows["documents"]:
        if d.get("reprint_of"):
            d["reprint_of"] = doc_ids.get(d["reprint_of"])
    for e in t.evaluations:
        e2: dict[str, Any] = {k: (cp.shift(v, days) if k in DATE_COLUMNS else v) for k, v in e.items()}
        n = e2
        n["uuid"], n["case_uuid"] = _uuid7(n["at"]), case_uuid
        rows["evaluations"].append(n)
    events = []
    for i, e in enumerate(t.events):
        at = cp.shift(e["at"], days)
        fields = {k: v for k, v in e.items() if k not in CHAIN_COLUMNS}
        data = {k: (cp.shift(v, days) if _is_date(v) else v) for k, v in json.loads(e["data"]).items()}
        fields.update(uuid=_uuid4(), case_uuid=case_uuid, at=at, data=data)
        events.append((at, order, i, fields))
    return rows, events


# ---------------------------------------------------------------------- building the county file


def plan(
    template_cases: list[TemplateCase], target: int
) -> list[tuple[int, list[tuple[int, TemplateCase]]]]:
    """[(days offset, [(copy, template case), ...]), ...], oldest window first, `target` cases in all."""
    finished = [t for t in template_cases if t.case["state"] in FINAL_STATES]
    windows_wanted = max(1, round(YEARS * 365 / WINDOW_DAYS))
    per_window = max(1, round(target / (windows_wanted * max(1, len(finished)))))
    windows: list[tuple[int, list[tuple[int, TemplateCase]]]] = []
    total = 0
    w = 0
    while total < target:
        if w == 0:
            members = [(0, t) for t in template_cases]
            members += [(c, t) for c in range(1, per_window) for t in finished]
        else:
            members = [(c, t) for c in range(per_window) for t in finished]
        members = members[: target - total]
        total += len(members)
        windows.append((-WINDOW_DAYS * w, members))
        w += 1
    return list(reversed(windows))


def _table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def build_county(
    template_db: Path,
    out: Path,
    target: int,
    *,
    log: TextIO | None = sys.stderr,
) -> dict[str, Any]:
    """Write a `target`-case county file at `out` from the template database; returns counts."""
    from clerk.db import Store

    started = time.perf_counter()
    for p in (out, Path(f"{out}-wal"), Path(f"{out}-shm")):
        p.unlink(missing_ok=True)
    Store.open(template_db).close()  # the template at the latest schema too (a cached one may be older)
    Store.open(out).close()  # the schema exactly as clerk creates it, at the latest version

    src = sqlite3.connect(str(template_db))
    cases = load_template(src)
    dst = sqlite3.connect(str(out), isolation_level=None)
    dst.execute("PRAGMA synchronous = OFF")
    dst.execute("PRAGMA cache_size = -1000000")  # 1 GB page cache while loading the indexes
    dst.execute("PRAGMA temp_store = MEMORY")
    triggers = [
        r[0]
        for r in dst.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        )
    ]
    dst.execute("BEGIN")
    for name in [
        r[0]
        for r in dst.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        )
    ]:
        dst.execute(f"DROP TRIGGER {name}")
    # Installation tables as the template has them (settings, points, users).
    for table in ("settings", "points", "users"):
        cols = _table_columns(dst, table)
        dst.execute(f"DELETE FROM {table}")
        dst.executemany(
            _insert_sql(table, cols), src.execute(f"SELECT {', '.join(cols)} FROM {table}")
        )
    dst.execute("COMMIT")
    src.close()

    columns = {t: _table_columns(dst, t) for t in (*CASE_TABLES, "events")}
    sql = {t: _insert_sql(t, cols) for t, cols in columns.items()}
    fts_sql = f"INSERT INTO {fts.TABLE} (case_uuid, applicant_name, unit_name) VALUES (?, ?, ?)"
    cp = Copier()
    point = cases[0].case["point_code"]
    log_chain = Chain("origin" in columns["events"], point)
    windows = plan(cases, target)
    counts = dict.fromkeys((*CASE_TABLES, "events"), 0)
    done = 0
    for i, (days, members) in enumerate(windows):
        batch: dict[str, list[dict[str, Any]]] = {t: [] for t in CASE_TABLES}
        events: list[tuple] = []
        for order, (_copy, t) in enumerate(members):
            rows, evs = copy_case(t, days, cp, order)
            for table, rs in rows.items():
                batch[table].extend(rs)
            events.extend(evs)
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        chained = [log_chain.columns(e[3]) for e in events]
        dst.execute("BEGIN")
        for table in CASE_TABLES:
            cols = columns[table]
            dst.executemany(sql[table], [tuple(r.get(c) for c in cols) for r in batch[table]])
            counts[table] += len(batch[table])
        dst.executemany(
            fts_sql,
            [
                (c["uuid"], fts.spaced(c["applicant_name"]), fts.spaced(c["unit_name"]))
                for c in batch["cases"]
            ],
        )
        cols = columns["events"]
        dst.executemany(sql["events"], [tuple(r.get(c) for c in cols) for r in chained])
        counts["events"] += len(chained)
        dst.execute("COMMIT")
        done += len(members)
        elapsed = time.perf_counter() - started
        eta = elapsed / done * (target - done)
        _say(
            log,
            f"  county fixture: {done:>9,} / {target:,} cases, {counts['events']:,} events"
            f" — window {i + 1}/{len(windows)}, {elapsed:.0f} s, about {eta:.0f} s to go",
        )
    dst.execute("BEGIN")
    dst.execute("DELETE FROM sequences")
    dst.executemany(
        "INSERT INTO sequences (point_code, day, last) VALUES (?, ?, ?)",
        [(point, day, n) for day, n in sorted(cp.day_seq.items())],
    )
    for trigger in triggers:
        dst.execute(trigger)
    dst.execute("COMMIT")
    dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dst.close()
    return {"counts": counts, "build_s": time.perf_counter() - started, "windows": len(windows)}


def verify_process(path: Path, *args: str) -> dict[str, Any]:
    """`clerk verify --db PATH --json` as a new process: its result, wall time and peak memory."""
    from bench.proc import run_measured

    done = run_measured(
        [sys.executable, "-m", "clerk", "verify", "--db", str(path), "--json", *args]
    )
    result = (
        json.loads(done.stdout)
        if done.stdout.strip().startswith("{")
        else {"ok": False, "stderr": done.stderr[-500:]}
    )
    return {"result": result, "wall_s": done.wall_s, "peak_mb": done.peak_mb}


def county(target: int = COUNTY_CASES, *, log: TextIO | None = sys.stderr, rebuild: bool = False) -> Built:
    """The county file of `target` cases, built once (checked by `clerk verify --full`), then reused."""
    folder = fixture_dir() / f"county-{target}"
    meta_file = folder / "meta.json"
    db = folder / "county.db"
    if meta_file.is_file() and db.is_file() and not rebuild:
        meta = json.loads(meta_file.read_text())
        if _reusable(meta):
            _say(log, f"county fixture: reusing {db} ({meta['cases']:,} cases, built in {meta['build_s']:.0f} s)")
            _migrate_forward(db, meta, meta_file, log)
            if meta.get("verified_migrations") != migration_names():
                _check(db, meta, meta_file, log)
            return Built(db, target, meta)
        _say(log, "county fixture: the cached file has migrations this code does not: rebuilding")
    tmpl = template(log=log)
    folder.mkdir(parents=True, exist_ok=True)
    meta_file.unlink(missing_ok=True)
    _say(log, f"county fixture: building {target:,} cases in {db} (about 15 minutes; reused afterwards) …")
    built = build_county(tmpl.path, db, target, log=log)
    meta = {
        "cases": target,
        "fixture_version": FIXTURE_VERSION,
        "schema": schema.LATEST,
        "migrations": migration_names(),
        "template_cases": tmpl.cases,
        "build_s": built["build_s"],
        "counts": built["counts"],
        "windows": built["windows"],
        "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    _say(log, f"county fixture: written in {built['build_s']:.0f} s")
    _check(db, meta, meta_file, log)
    return Built(db, target, meta)


def _check(db: Path, meta: dict[str, Any], meta_file: Path, log: TextIO | None) -> None:
    """`clerk verify --full` on the file (which also records the verify, so the benchmarks'
    incremental verifies start from it); a file that fails is not used."""
    _say(log, "county fixture: checking it with clerk verify --full (a few minutes) …")
    checked = verify_process(db, *verify_args())
    if not checked["result"].get("ok"):
        meta_file.unlink(missing_ok=True)
        found = json.dumps(checked["result"], ensure_ascii=False)[:800]
        raise RuntimeError(f"the county fixture fails clerk verify: {found}")
    meta.update(
        file_bytes=db.stat().st_size,
        verify_s=checked["wall_s"],
        verify_peak_mb=checked["peak_mb"],
        verified_migrations=migration_names(),
    )
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    _say(log, f"county fixture: verified in {checked['wall_s']:.0f} s; {db.stat().st_size / 1e9:.2f} GB")


def verify_args() -> list[str]:
    """`--full` once the CLI has it (the incremental verify lands with the store work)."""
    from clerk.cli import verify as cli_verify

    return ["--full"] if "--full" in (cli_verify.__doc__ or "") else []
