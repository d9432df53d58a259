"""Floors that run as their own process, importing only the standard library (so the floor's
interpreter start is as light as it can be): `python -m bench.floors WHAT DB [ARG]`.

- `ledger DB DAY`: the daily ledger's queries in raw sqlite3 (cases whose time limit ran at the
  close found from the open cases and the events after the close, not from every accepted case);
- `full-verify DB`: `integrity_check` and `foreign_key_check` (in a thread, as the product runs
  them), a bare sha256 walk of the log (one hash per event over its stored text and the previous
  hash, no JSON) and a SHA-256 of every recorded PDF (in the product's number of threads);
- `incremental DB`: the bare walk of the events after the newest checkpoint (all when none);
- `backup DB OUT`: the sqlite3 backup API to a new file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

LEDGER_FLOOR_SQL = (
    # the day's cases with the state their last event before the close left them in
    "SELECT c.uuid, c.case_no, c.item_no, c.created_by, c.state, (SELECT e.to_state FROM events e"
    " WHERE e.case_uuid = c.uuid AND e.at < :end ORDER BY e.seq DESC LIMIT 1)"
    " FROM cases c WHERE c.received_at >= :start AND c.received_at < :end ORDER BY c.received_at, c.case_no",
    "SELECT e.action, e.actor, e.data FROM events e WHERE e.at >= :start AND e.at < :end ORDER BY e.seq",
    # cases whose time limit ran at the close: open now, or changed after the close
    "SELECT c.uuid, c.due_date, (SELECT e.to_state FROM events e WHERE e.case_uuid = c.uuid AND e.at < :end"
    " ORDER BY e.seq DESC LIMIT 1) FROM cases c WHERE c.uuid IN ("
    " SELECT uuid FROM cases WHERE state IN ('accepted', 'awaiting_payment')"
    " UNION SELECT case_uuid FROM events WHERE at >= :end)"
    " AND c.accepted_at < :end AND c.due_date IS NOT NULL",
    "SELECT case_uuid, data FROM events WHERE action = 'recompute' AND at >= :end ORDER BY seq",
    "SELECT v.level, v.comment, c.case_no FROM evaluations v JOIN cases c ON c.uuid = v.case_uuid"
    " WHERE v.at >= :start AND v.at < :end ORDER BY v.at, c.case_no",
    "SELECT seq, hash FROM events WHERE +at < :end ORDER BY rowid DESC LIMIT 1",
    "SELECT COUNT(*) FROM events WHERE at >= :start AND at < :end",
)


def ledger_floor(path: Path, day: str) -> int:
    conn = sqlite3.connect(str(path))
    try:
        bounds = {"start": day, "end": (date.fromisoformat(day) + timedelta(days=1)).isoformat()}
        return sum(len(conn.execute(sql, bounds).fetchall()) for sql in LEDGER_FLOOR_SQL)
    finally:
        conn.close()


def walk(conn: sqlite3.Connection, after: int = 0) -> int:
    prev = "0" * 64
    n = 0
    for row in conn.execute(
        "SELECT uuid, case_uuid, action, actor, at, from_state, to_state, reason, data, point_code, hash"
        " FROM events WHERE rowid > ? ORDER BY rowid",
        (after,),
    ):
        hashlib.sha256(("|".join(map(str, row[:-1])) + prev).encode()).hexdigest()
        prev = row[-1]
        n += 1
    return n


def full_verify(path: Path) -> int:
    """What a full verify cannot avoid, done the way the product does it: SQLite's checks on a
    second connection in a thread, while this one walks the log and hashes every recorded PDF
    (in as many threads as the product uses)."""
    structure = threading.Thread(target=_structure, args=(path,))
    structure.start()
    conn = sqlite3.connect(str(path))
    try:
        n = walk(conn)
        pdfs = [
            r[0] for r in conn.execute("SELECT path_pdf FROM documents WHERE path_pdf IS NOT NULL")
        ]
    finally:
        conn.close()
    threads = max(1, min(4, os.cpu_count() or 1))
    hashers = [threading.Thread(target=_hash_all, args=(pdfs[i::threads],)) for i in range(threads)]
    for t in hashers:
        t.start()
    for t in hashers:
        t.join()
    structure.join()
    return n


def _structure(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA integrity_check").fetchall()
        conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()


def _hash_all(paths: list[str]) -> None:
    for p in paths:
        try:
            with open(p, "rb") as handle:
                hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            pass


def incremental(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        after = 0
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'checkpoints'").fetchone():
            row = conn.execute(
                "SELECT MAX(e.rowid) FROM events e JOIN checkpoints k ON k.hash = e.hash"
            ).fetchone()
            after = int(row[0] or 0)
        return walk(conn, after)
    finally:
        conn.close()


def backup(src: Path, out: Path) -> None:
    s = sqlite3.connect(str(src))
    d = sqlite3.connect(str(out))
    try:
        s.backup(d, pages=-1)
    finally:
        d.close()
        s.close()


def main(argv: list[str]) -> int:
    what, path = argv[0], Path(argv[1])
    if what == "ledger":
        ledger_floor(path, argv[2])
    elif what == "full-verify":
        full_verify(path)
    elif what == "incremental":
        incremental(path)
    elif what == "backup":
        backup(path, Path(argv[2]))
    else:
        raise SystemExit(f"unknown floor {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
