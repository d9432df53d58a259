"""The stored hash chains in SQLite: their origins and heads, and SQLite's own page checks (the
walk of each chain, link by link, is the proof's: `clerk.audit.proof.walk`)."""

from __future__ import annotations

import sqlite3

from clerk.domain.chain import Head


def origins(conn: sqlite3.Connection) -> list[str]:
    """The origins in the log, each found by one seek on the (origin, seq) index (a DISTINCT
    reads the whole index: millions of entries for a handful of origins)."""
    found: list[str] = []
    origin = conn.execute("SELECT MIN(origin) FROM events").fetchone()[0]
    while origin is not None:
        found.append(str(origin))
        origin = conn.execute(
            "SELECT MIN(origin) FROM events WHERE origin > ?", (origin,)
        ).fetchone()[0]
    return found


def heads(conn: sqlite3.Connection) -> dict[str, Head]:
    """Each origin's chain head as stored (not verified)."""
    rows = conn.execute(
        "SELECT origin, MAX(seq) FROM events GROUP BY origin ORDER BY origin"
    ).fetchall()
    found: dict[str, Head] = {}
    for origin, seq in rows:
        digest = conn.execute(
            "SELECT hash FROM events WHERE origin = ? AND seq = ?", (origin, seq)
        ).fetchone()[0]
        found[str(origin)] = Head(str(origin), int(seq), str(digest))
    return found


def integrity_messages(conn: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    pragma = "quick_check" if quick else "integrity_check"
    return [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
