"""Walking the stored hash chains in SQLite for `clerk verify` (the recipe is `clerk.domain.chain`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

from clerk.domain.chain import (
    _HASH,
    _PREV,
    _SEQ,
    STORED_COLUMNS,
    ZERO_HASH,
    ChainReport,
    Head,
    _label,
    _link_problem,
    spliced_hash,
)


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


TICK = 1 << 16  # events between two calls of a walk's `tick`


def walk(
    conn: sqlite3.Connection,
    origin: str,
    start: Head | None = None,
    tick: Callable[[int], None] | None = None,
) -> ChainReport:
    """Check every link of `origin`'s chain after `start` (from its first event when None);
    `tick(n)` is told every `TICK` events walked (for a progress display).

    `start` must be a head an earlier walk proved; the walk checks that the event stored under
    its seq still has its hash, then each later event's number, link and hash.
    """
    expected_seq = 1
    expected_prev = ZERO_HASH
    if start is not None:
        stored = conn.execute(
            "SELECT hash FROM events WHERE origin = ? AND seq = ?", (origin, start.seq)
        ).fetchone()
        if stored is None or stored[0] != start.hash:
            return ChainReport(
                origin,
                start.seq,
                0,
                None,
                start.seq,
                f"{_label(origin)}第 {start.seq} 条事件记录已不是上次核验时的内容，记录可能被删除或改写。",
            )
        expected_seq = start.seq + 1
        expected_prev = start.hash
    columns = ", ".join(STORED_COLUMNS)
    cursor = conn.execute(
        f"SELECT {columns} FROM events WHERE origin = ? AND seq >= ? ORDER BY seq",
        (origin, expected_seq),
    )
    last: Head | None = start
    last_seq, last_hash = (start.seq, start.hash) if start is not None else (0, "")
    walked = 0
    for values in cursor:
        # Fast path (a county file has millions of events): the hash of the tuple as stored.
        seq, digest = values[_SEQ], values[_HASH]
        if (
            seq == expected_seq
            and values[_PREV] == expected_prev
            and spliced_hash(values) == digest
        ):
            walked += 1
            expected_seq = seq + 1
            expected_prev = last_hash = digest
            last_seq = seq
            if tick is not None and not walked % TICK:
                tick(TICK)
            continue
        if last_seq:
            last = Head(origin, last_seq, last_hash)
        row = dict(zip(STORED_COLUMNS, values, strict=True))
        problem = _link_problem(row, expected_seq, expected_prev)
        if problem is not None:
            return ChainReport(origin, expected_seq - 1, walked, last, row["seq"], problem)
        walked += 1
        expected_seq = row["seq"] + 1
        expected_prev = last_hash = row["hash"]
        last_seq = row["seq"]
    if last_seq:
        last = Head(origin, last_seq, last_hash)
    return ChainReport(origin, 0 if start is None else start.seq, walked, last, None, None)


def integrity_messages(conn: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    pragma = "quick_check" if quick else "integrity_check"
    return [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]


def walk_all(
    conn: sqlite3.Connection,
    starts: Mapping[str, Head] | None = None,
    tick: Callable[[int], None] | None = None,
) -> list[ChainReport]:
    """Walk every origin's chain, each from its start in `starts` (from the beginning if absent)."""
    starts = starts or {}
    return [walk(conn, origin, starts.get(origin), tick) for origin in origins(conn)]
