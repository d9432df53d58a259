"""SQL for the end-of-day sync: peers' public keys, bundles written and read, the conflict queue,
and the raw record reads and writes an export or an import needs.

`SQLiteSyncStore` implements the port `clerk.ports.sync.SyncStore` over a `clerk.db.Store` (its
connection and its transactions); the SQLite store hands it out (`Store.sync_store()`). The
domain side (`clerk.sync`) decides what to send and what to apply; this module only reads and
writes rows, keeps SQLite's own tricks (`json_extract`, `PRAGMA table_info`, `getlimit`,
`lastrowid`) to itself, and turns every `sqlite3` error into a neutral one.
"""

from __future__ import annotations

import functools
import inspect
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from clerk.domain.chain_names import chain_for
from clerk.ports.sync import (
    BATCH_LOCAL_COLUMNS,
    BATCH_TABLES,
    EVENT_COLUMNS,
    HISTORY_COLUMNS,
    LOCAL_COLUMNS,
    PAGE_ROWS,
    RECORD_TABLES,
    Conflict,
    PeerKey,
    TimeAnomaly,
)
from clerk.storage.sqlite.errors import translate, translated

if TYPE_CHECKING:
    from clerk.ports.sync import SyncStore as SyncStorePort

__all__ = [
    "BATCH_LOCAL_COLUMNS",
    "BATCH_TABLES",
    "LOCAL_COLUMNS",
    "RECORD_TABLES",
    "TABLES",
    "SQLiteSyncStore",
    "SyncStore",
    "chain_for",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

TABLES = """
CREATE TABLE sync_keys (
    id INTEGER PRIMARY KEY,
    point_code TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('peer', 'escrow')),
    name TEXT NOT NULL DEFAULT '',
    sign_key TEXT,
    age_recipient TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    added_at TEXT NOT NULL,
    revoked_at TEXT,
    replaced_by INTEGER REFERENCES sync_keys (id)
);
CREATE UNIQUE INDEX idx_sync_keys_active ON sync_keys (point_code) WHERE revoked_at IS NULL;
CREATE TABLE sync_bundles (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    peer TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    hash TEXT NOT NULL CHECK (length(hash) = 64),
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    manifest TEXT NOT NULL CHECK (json_valid(manifest)),
    file_name TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    UNIQUE (direction, peer, seq)
);
CREATE TABLE sync_conflicts (
    id INTEGER PRIMARY KEY,
    case_uuid TEXT NOT NULL,
    case_no TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('not_owner', 'content', 'clock')),
    peer TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    seq INTEGER,
    detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    bundle_seq INTEGER NOT NULL,
    found_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT
);
CREATE INDEX idx_sync_conflicts_open ON sync_conflicts (resolved_at, id);
CREATE TABLE sync_acks (
    peer TEXT NOT NULL,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL CHECK (length(hash) = 64),
    at TEXT NOT NULL,
    PRIMARY KEY (peer, origin)
);
CREATE INDEX idx_events_owner_moves ON events (n) WHERE action IN ('hand_on', 'resolve');
CREATE TABLE sync_peer_state (
    peer TEXT PRIMARY KEY,
    acked_bundle INTEGER NOT NULL DEFAULT 0
);
"""


# Keys per `IN (...)` list and rows per multi-row `INSERT` in the bulk reads and writes of an import.
CHUNK = 500
# SQLite's page cache during an outermost sync transaction (an import), KiB (see `transaction`).
TRANSACTION_CACHE_KIB = 32 * 1024

# The explicit order of each travelling table's rows (never the row id: a server engine has none).
ORDER = {
    "cases": "received_at, uuid",
    "case_materials": "case_uuid, material_id",
    "documents": "issued_at, uuid",
    "evaluations": "at, uuid",
    "batches": "created_at, uuid",
    "batch_materials": "batch_uuid, material_id",
    "batch_cases": "batch_uuid, row_no",
}


class Store(Protocol):
    """What the sync store needs of the SQLite store it wraps (`clerk.storage.sqlite.store.Store`)."""

    conn: Any
    path: Any

    def transaction(self) -> AbstractContextManager[Any]: ...
    def now(self) -> str: ...
    def schema_version(self) -> int: ...
    def add_checkpoint(
        self, origin: str, seq: int, digest: str, source: str, note: str
    ) -> None: ...


def _neutral(method: Callable[P, R]) -> Callable[P, R]:
    """`method`, with any SQLite error it raises turned into a neutral `clerk.ports.errors` one."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise translate(exc) from exc

    return wrapper


def _neutral_methods(cls: type[T]) -> type[T]:
    """Every public method of `cls` raises only neutral errors (`transaction` does it itself)."""
    for name, value in list(vars(cls).items()):
        if not name.startswith("_") and name != "transaction" and inspect.isfunction(value):
            setattr(cls, name, _neutral(value))
    return cls


@_neutral_methods
class SQLiteSyncStore:
    """The sync tables of one SQLite database (implements `clerk.ports.sync.SyncStore`).

    Writes join the store's transaction; no `sqlite3` error leaves a public method.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._columns: dict[str, frozenset[str]] = {}

    @property
    def _conn(self) -> Any:
        return self.store.conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The store's transaction; an outermost one (an import's) with a page cache of
        `TRANSACTION_CACHE_KIB` while it lasts: SQLite's default 2 MB, against the several indexes
        an import of many cases grows at random places (case and event uuids, hashes), would
        write dirty pages out to the log and read them back again many times over."""
        outer = not self._conn.in_transaction
        before = None
        try:
            if outer:
                with translated():
                    before = int(self._conn.execute("PRAGMA cache_size").fetchone()[0])
                    self._conn.execute(f"PRAGMA cache_size = -{TRANSACTION_CACHE_KIB}")
            with translated(), self.store.transaction():
                yield
        finally:
            if before is not None:
                with suppress(sqlite3.Error):  # a closed connection has no cache to give back
                    self._conn.execute(f"PRAGMA cache_size = {before}")

    def lock_chains(self, installations: Iterable[str]) -> None:
        """Nothing to take: the transaction began with `BEGIN IMMEDIATE`, so no other writer
        runs until it ends."""

    # ------------------------------------------------------------------ the installation

    def now(self) -> str:
        return self.store.now()

    def schema_version(self) -> int:
        return self.store.schema_version()

    def database_path(self) -> Path | None:
        return None if self.store.path is None else Path(self.store.path)

    # ------------------------------------------------------------------ keys

    def peer_keys(self, *, include_revoked: bool = True) -> list[PeerKey]:
        sql = "SELECT * FROM sync_keys"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        return [_peer(r) for r in self._rows(sql + " ORDER BY point_code, id")]

    def active_key(self, point_code: str) -> PeerKey | None:
        rows = self._rows(
            "SELECT * FROM sync_keys WHERE point_code = ? AND revoked_at IS NULL", (point_code,)
        )
        return _peer(rows[0]) if rows else None

    def key_by_fingerprint(self, fingerprint: str) -> PeerKey | None:
        rows = self._rows(
            "SELECT * FROM sync_keys WHERE fingerprint = ? ORDER BY id DESC", (fingerprint,)
        )
        return _peer(rows[0]) if rows else None

    def escrow_keys(self) -> list[PeerKey]:
        return [
            _peer(r)
            for r in self._rows(
                "SELECT * FROM sync_keys WHERE role = 'escrow' AND revoked_at IS NULL"
            )
        ]

    def add_key(
        self,
        *,
        point_code: str,
        role: str,
        name: str,
        sign_key: str | None,
        age_recipient: str,
        fingerprint: str,
        at: str,
        replaces: int | None = None,
    ) -> int:
        with self.transaction():
            if replaces is not None:
                self._conn.execute(
                    "UPDATE sync_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                    (at, replaces),
                )
            cursor = self._conn.execute(
                "INSERT INTO sync_keys (point_code, role, name, sign_key, age_recipient, fingerprint, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (point_code, role, name, sign_key, age_recipient, fingerprint, at),
            )
            new_id = int(cursor.lastrowid)
            if replaces is not None:
                self._conn.execute(
                    "UPDATE sync_keys SET replaced_by = ? WHERE id = ?", (new_id, replaces)
                )
            # A key added after a revocation replaces the latest revoked key of that point.
            self._conn.execute(
                "UPDATE sync_keys SET replaced_by = ? WHERE id = (SELECT id FROM sync_keys"
                " WHERE point_code = ? AND revoked_at IS NOT NULL AND replaced_by IS NULL AND id <> ?"
                " ORDER BY id DESC LIMIT 1)",
                (new_id, point_code, new_id),
            )
        return new_id

    def revoke_key(self, point_code: str, at: str) -> PeerKey | None:
        key = self.active_key(point_code)
        if key is None:
            return None
        with self.transaction():
            self._conn.execute("UPDATE sync_keys SET revoked_at = ? WHERE id = ?", (at, key.id))
        return self.key_by_id(key.id)

    def key_by_id(self, key_id: int) -> PeerKey | None:
        rows = self._rows("SELECT * FROM sync_keys WHERE id = ?", (key_id,))
        return _peer(rows[0]) if rows else None

    # ------------------------------------------------------------------ bundles

    def last_bundle(self, direction: str, peer: str) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT * FROM sync_bundles WHERE direction = ? AND peer = ? ORDER BY seq DESC LIMIT 1",
            (direction, peer),
        )
        return rows[0] if rows else None

    def bundle(self, direction: str, peer: str, seq: int) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT * FROM sync_bundles WHERE direction = ? AND peer = ? AND seq = ?",
            (direction, peer, seq),
        )
        return rows[0] if rows else None

    def bundles(
        self, direction: str, peer: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        if peer is None:
            return self._rows(
                "SELECT * FROM sync_bundles WHERE direction = ? ORDER BY id DESC LIMIT ?",
                (direction, limit),
            )
        return self._rows(
            "SELECT * FROM sync_bundles WHERE direction = ? AND peer = ? ORDER BY seq DESC LIMIT ?",
            (direction, peer, limit),
        )

    def record_bundle(
        self,
        direction: str,
        peer: str,
        seq: int,
        digest: str,
        prev_hash: str,
        manifest: Mapping[str, Any],
        file_name: str,
        at: str,
    ) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO sync_bundles (direction, peer, seq, hash, prev_hash, manifest, file_name, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    direction,
                    peer,
                    seq,
                    digest,
                    prev_hash,
                    json.dumps(manifest, ensure_ascii=False),
                    file_name,
                    at,
                ),
            )

    # ------------------------------------------------------------------ acknowledgements

    def acks(self, peer: str) -> dict[str, tuple[int, str]]:
        """What `peer` confirmed it holds of each chain: origin -> (seq, hash)."""
        return {
            r["origin"]: (int(r["seq"]), str(r["hash"]))
            for r in self._rows("SELECT * FROM sync_acks WHERE peer = ?", (peer,))
        }

    def set_ack(self, peer: str, origin: str, seq: int, digest: str, at: str) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO sync_acks (peer, origin, seq, hash, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (peer, origin) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,"
                " at = excluded.at WHERE excluded.seq > sync_acks.seq",
                (peer, origin, seq, digest, at),
            )

    def acked_bundle(self, peer: str) -> int:
        """The highest of our bundles `peer` said it imported."""
        row = self._conn.execute(
            "SELECT acked_bundle FROM sync_peer_state WHERE peer = ?", (peer,)
        ).fetchone()
        return int(row[0]) if row else 0

    def set_acked_bundle(self, peer: str, seq: int) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO sync_peer_state (peer, acked_bundle) VALUES (?, ?) ON CONFLICT (peer)"
                " DO UPDATE SET acked_bundle = MAX(acked_bundle, excluded.acked_bundle)",
                (peer, seq),
            )

    def add_checkpoint(self, origin: str, seq: int, digest: str, note: str) -> None:
        """Keep a chain head of ours that a peer acknowledged (source `ack`): `clerk verify` then
        checks the chain still holds it, so a rewrite here is caught against the peer's copy."""
        self.store.add_checkpoint(origin, seq, digest, "ack", note)

    # ------------------------------------------------------------------ conflicts

    def add_conflict(
        self,
        *,
        case_uuid: str,
        case_no: str,
        kind: str,
        peer: str,
        origin: str,
        seq: int | None,
        detail: Mapping[str, Any],
        bundle_seq: int,
        at: str,
    ) -> int:
        with self.transaction():
            cursor = self._conn.execute(
                "INSERT INTO sync_conflicts (case_uuid, case_no, kind, peer, origin, seq, detail, bundle_seq,"
                " found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    case_uuid,
                    case_no,
                    kind,
                    peer,
                    origin,
                    seq,
                    json.dumps(detail, ensure_ascii=False, sort_keys=True),
                    bundle_seq,
                    at,
                ),
            )
        return int(cursor.lastrowid)

    def conflicts(self, *, open_only: bool = True) -> list[Conflict]:
        sql = "SELECT * FROM sync_conflicts"
        if open_only:
            sql += " WHERE resolved_at IS NULL"
        return [_conflict(r) for r in self._rows(sql + " ORDER BY id")]

    def conflict(self, conflict_id: int) -> Conflict | None:
        rows = self._rows("SELECT * FROM sync_conflicts WHERE id = ?", (conflict_id,))
        return _conflict(rows[0]) if rows else None

    def add_time_anomaly(
        self,
        *,
        origin: str,
        seq: int,
        case_uuid: str,
        at: str,
        kind: str,
        reference: str,
        peer: str,
        bundle_seq: int,
        found_at: str,
    ) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO sync_time_anomalies (origin, seq, case_uuid, at, kind, reference, peer,"
                " bundle_seq, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (origin, seq) DO NOTHING",
                (origin, seq, case_uuid, at, kind, reference, peer, bundle_seq, found_at),
            )

    def time_anomalies(self, *, origin: str | None = None, limit: int = 1000) -> list[TimeAnomaly]:
        where, args = ("WHERE origin = ?", (origin,)) if origin is not None else ("", ())
        rows = self._rows(
            f"SELECT * FROM sync_time_anomalies {where} ORDER BY id DESC LIMIT ?", (*args, limit)
        )
        return [_time_anomaly(r) for r in rows]

    def resolve_conflict(self, conflict_id: int, resolution: str, by: str, at: str) -> bool:
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ?"
                " WHERE id = ? AND resolved_at IS NULL",
                (at, by, resolution, conflict_id),
            )
        return bool(cursor.rowcount == 1)

    # ------------------------------------------------------------------ records

    def record(self, table: str, uuid: str) -> dict[str, Any] | None:
        _check_table(table)
        rows = self._rows(f"SELECT * FROM {table} WHERE uuid = ?", (uuid,))
        return rows[0] if rows else None

    def records_of_cases(self, table: str, case_uuids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Every row of `table` belonging to the given cases (`cases` itself: the cases), in
        `ORDER[table]`: the order is read first (uuids and the ordering fields only), then the
        rows a page at a time."""
        _check_table(table)
        key = "uuid" if table == "cases" else "case_uuid"
        order = ORDER[table]
        with translated():
            found = self._in(f"SELECT uuid, {order} FROM {table} WHERE {key} IN ({{}})", case_uuids)
            uuids = [str(r["uuid"]) for r in _ordered(found, order)]
        del found
        return self._rows_in_order(table, uuids)

    def _rows_in_order(self, table: str, uuids: list[str]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(uuids), PAGE_ROWS):
            page = uuids[start : start + PAGE_ROWS]
            with translated():
                rows = {
                    str(r["uuid"]): r
                    for r in self._in(f"SELECT * FROM {table} WHERE uuid IN ({{}})", page)
                }
            yield from (rows[uuid] for uuid in page if uuid in rows)

    def cases_changed_since(self, point_code: str | None, since: str | None) -> list[str]:
        """Uuids of cases (of one point, or all) whose row or dependent rows changed after `since`."""
        where_point = "" if point_code is None else " AND c.point_code = :point"
        params = {"point": point_code, "since": since or ""}
        sql = (
            "SELECT c.uuid FROM cases c WHERE (c.updated_at >= :since"
            " OR EXISTS (SELECT 1 FROM case_materials m WHERE m.case_uuid = c.uuid AND m.updated_at >= :since)"
            " OR EXISTS (SELECT 1 FROM documents d WHERE d.case_uuid = c.uuid AND d.updated_at >= :since)"
            " OR EXISTS (SELECT 1 FROM evaluations e WHERE e.case_uuid = c.uuid AND e.updated_at >= :since))"
            + where_point
        )
        return [str(r[0]) for r in self._conn.execute(sql, params)]

    def insert_record(self, table: str, row: Mapping[str, Any], now: str) -> None:
        _check_table(table)
        values = {**row, "created_at": now, "updated_at": now}
        self._check_columns(table, values)
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        with self.transaction():
            self._conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
            if table == "cases":
                from clerk.storage.sqlite import fts

                fts.index_case(
                    self._conn,
                    values["uuid"],
                    values.get("applicant_name"),
                    values.get("unit_name"),
                )

    def replace_record(self, table: str, row: Mapping[str, Any], now: str) -> None:
        """Overwrite the travelling columns of an existing row (the owner's newer version)."""
        _check_table(table)
        values = {k: v for k, v in row.items() if k not in LOCAL_COLUMNS and k != "uuid"}
        self._check_columns(table, values)
        assignments = ", ".join(f"{k} = :{k}" for k in values)
        with self.transaction():
            names = None
            if table == "cases":
                names = self._conn.execute(
                    "SELECT applicant_name, unit_name FROM cases WHERE uuid = ?", (row["uuid"],)
                ).fetchone()
            self._conn.execute(
                f"UPDATE {table} SET {assignments}, updated_at = :_now WHERE uuid = :_uuid",
                {**values, "_now": now, "_uuid": row["uuid"]},
            )
            if names is not None and tuple(names) != (
                values.get("applicant_name", names[0]),
                values.get("unit_name", names[1]),
            ):
                # Only when a name changed: deleting from the search table scans all of it.
                from clerk.storage.sqlite import fts

                fts.reindex_case(
                    self._conn, row["uuid"], row.get("applicant_name"), row.get("unit_name")
                )

    def records_by_uuid(self, table: str, uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The rows of `table` with the given uuids, by uuid (one query per `CHUNK` uuids)."""
        _check_table(table)
        rows = self._in(f"SELECT * FROM {table} WHERE uuid IN ({{}})", uuids)
        return {str(r["uuid"]): r for r in rows}

    def insert_records(self, table: str, rows: Iterable[Mapping[str, Any]], now: str) -> int:
        """`insert_record` for many rows, in order, a few hundred rows per statement."""
        _check_table(table)
        stamped = [{**row, "created_at": now, "updated_at": now} for row in rows]
        with self.transaction():
            self._insert_many(table, stamped)
            if table == "cases" and stamped:
                from clerk.storage.sqlite import fts

                fts.index_cases(
                    self._conn,
                    ((r["uuid"], r.get("applicant_name"), r.get("unit_name")) for r in stamped),
                )
        return len(stamped)

    def table_columns(self, table: str) -> frozenset[str]:
        if table not in BATCH_TABLES:
            _check_table(table)
        if table not in self._columns:
            self._columns[table] = frozenset(
                str(r[1]) for r in self._conn.execute(f"PRAGMA table_info({table})")
            )
        return self._columns[table]

    def _check_columns(self, table: str, values: Mapping[str, Any]) -> None:
        unknown = set(values) - self.table_columns(table)
        if unknown:
            raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")

    # ------------------------------------------------------------------ events (one chain per origin)

    EVENT_COLUMNS = EVENT_COLUMNS

    def heads(self) -> dict[str, tuple[int, str]]:
        """Every chain this file holds: origin -> (last seq, its hash).

        The origins are found by skipping along the (origin, seq) index, one seek per origin,
        not by reading every event (1.5 s at 565,000 events; a million-case county has more)."""
        rows = self._conn.execute(
            "WITH RECURSIVE o(origin) AS ("
            " SELECT (SELECT MIN(origin) FROM events)"
            " UNION ALL"
            " SELECT (SELECT MIN(origin) FROM events WHERE origin > o.origin) FROM o"
            " WHERE o.origin IS NOT NULL)"
            " SELECT e.origin, e.seq, e.hash FROM o JOIN events e ON e.origin = o.origin"
            " AND e.seq = (SELECT MAX(seq) FROM events WHERE origin = o.origin)"
        )
        return {str(r[0]): (int(r[1]), str(r[2])) for r in rows}

    def head(self, origin: str) -> tuple[int, str] | None:
        row = self._conn.execute(
            "SELECT seq, hash FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1", (origin,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def events_after(self, origin: str, after_seq: int) -> Iterator[dict[str, Any]]:
        columns = ", ".join(self.EVENT_COLUMNS)
        sql = f"SELECT {columns} FROM events WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?"
        first = self._rows(sql, (origin, after_seq, PAGE_ROWS))  # read now: an error raised here
        return self._paged(sql, origin, first)

    def _paged(self, sql: str, origin: str, page: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """`page`, then the next rows of `sql` (origin, seq after, limit) a page at a time."""
        while True:
            yield from page
            if len(page) < PAGE_ROWS:
                return
            with translated():
                page = self._rows(sql, (origin, int(page[-1]["seq"]), PAGE_ROWS))

    def event_at(self, origin: str, seq: int) -> dict[str, Any] | None:
        columns = ", ".join(self.EVENT_COLUMNS)
        rows = self._rows(
            f"SELECT {columns} FROM events WHERE origin = ? AND seq = ?", (origin, seq)
        )
        return rows[0] if rows else None

    def case_events(self, case_uuid: str) -> list[dict[str, Any]]:
        """A case's events in this file's arrival order."""
        columns = ", ".join(("n", *self.EVENT_COLUMNS))
        return self._rows(
            f"SELECT {columns} FROM events WHERE case_uuid = ? ORDER BY n", (case_uuid,)
        )

    def event_hashes(self, origin: str, first: int, last: int) -> dict[int, str]:
        """The hashes of `origin`'s events numbered `first`..`last` that this file holds, by seq."""
        rows = self._conn.execute(
            "SELECT seq, hash FROM events WHERE origin = ? AND seq BETWEEN ? AND ?",
            (origin, first, last),
        )
        return {int(seq): str(digest) for seq, digest in rows}

    HISTORY_COLUMNS = HISTORY_COLUMNS

    def case_histories(self, case_uuids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """The events of many cases at once, in arrival order, with the columns the ownership fold
        and the conflict queue read (`HISTORY_COLUMNS`; cases without events are absent)."""
        columns = ", ".join(self.HISTORY_COLUMNS)
        found: dict[str, list[dict[str, Any]]] = {}
        for row in self._in(
            f"SELECT {columns} FROM events WHERE case_uuid IN ({{}}) ORDER BY case_uuid, n",
            case_uuids,
        ):
            found.setdefault(str(row["case_uuid"]), []).append(row)
        return found

    def owners(self) -> dict[str, str]:
        """Cases whose owner moved: case uuid -> the latest hand-on target or chosen owner."""
        rows = self._conn.execute(
            "SELECT case_uuid, COALESCE(json_extract(data, '$.to'), json_extract(data, '$.owner')) FROM events"
            " WHERE action IN ('hand_on', 'resolve') ORDER BY n"
        )
        owners: dict[str, str] = {}
        for case_uuid, owner in rows:
            if owner:
                owners[str(case_uuid)] = str(owner)
        return owners

    def owners_of(self, case_uuids: Iterable[str]) -> dict[str, str]:
        """`owners` for the given cases only (uses the events' case index)."""
        uuids = sorted(set(case_uuids))
        owners: dict[str, str] = {}
        for start in range(0, len(uuids), 500):
            chunk = uuids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT case_uuid, COALESCE(json_extract(data, '$.to'), json_extract(data, '$.owner'))"
                f" FROM events WHERE case_uuid IN ({marks}) AND action IN ('hand_on', 'resolve') ORDER BY n",
                chunk,
            )
            for case_uuid, owner in rows:
                if owner:
                    owners[str(case_uuid)] = str(owner)
        return owners

    def owner(self, case_uuid: str) -> str | None:
        """The case's latest hand-on target or chosen owner, if it ever moved."""
        row = self._conn.execute(
            "SELECT COALESCE(json_extract(data, '$.to'), json_extract(data, '$.owner')) FROM events"
            " WHERE case_uuid = ? AND action IN ('hand_on', 'resolve')"
            " AND COALESCE(json_extract(data, '$.to'), json_extract(data, '$.owner')) IS NOT NULL"
            " ORDER BY n DESC LIMIT 1",
            (case_uuid,),
        ).fetchone()
        return str(row[0]) if row else None

    def insert_event(self, row: Mapping[str, Any]) -> int:
        """Store an event exactly as its origin wrote it (the triggers check it extends that chain)."""
        values = {k: row[k] for k in self.EVENT_COLUMNS if k in row}
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        with self.transaction():
            cursor = self._conn.execute(f"INSERT INTO events ({names}) VALUES ({marks})", values)
        return int(cursor.lastrowid)

    def insert_events(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """`insert_event` for many events, in order (the triggers check each one as it goes in)."""
        values = list(rows)
        columns = self.EVENT_COLUMNS
        with self.transaction():
            self._insert_many(
                "events",
                values,
                checked=False,
                names_of=lambda row: tuple(filter(row.__contains__, columns)),
            )
        return len(values)

    # ------------------------------------------------------------------ roster batches

    def batch_records_of_cases(self, case_uuids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """The batch rows of the given cases: their links, their batches and the batches' materials."""
        links = self._in("SELECT * FROM batch_cases WHERE case_uuid IN ({})", case_uuids)
        batch_uuids = {str(r["batch_uuid"]) for r in links}
        return {
            "batches": _ordered(
                self._in("SELECT * FROM batches WHERE uuid IN ({})", batch_uuids), ORDER["batches"]
            ),
            "batch_materials": _ordered(
                self._in("SELECT * FROM batch_materials WHERE batch_uuid IN ({})", batch_uuids),
                ORDER["batch_materials"],
            ),
            "batch_cases": _ordered(links, ORDER["batch_cases"]),
        }

    def batch_record(self, table: str, key: str) -> dict[str, Any] | None:
        column = BATCH_TABLES[table]
        rows = self._rows(f"SELECT * FROM {table} WHERE {column} = ?", (key,))
        return rows[0] if rows else None

    def batch_records_by_key(self, table: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """`batch_record` for many keys: the rows found, by key."""
        column = BATCH_TABLES[table]
        rows = self._in(f"SELECT * FROM {table} WHERE {column} IN ({{}})", keys)
        return {str(r[column]): r for r in rows}

    def insert_batch_records(self, table: str, rows: Iterable[Mapping[str, Any]], now: str) -> int:
        if table not in BATCH_TABLES:
            raise ValueError(f"not a batch table: {table}")
        stamped = [{**row, "created_at": now, "updated_at": now} for row in rows]
        with self.transaction():
            self._insert_many(table, stamped)
        return len(stamped)

    def insert_batch_record(self, table: str, row: Mapping[str, Any], now: str) -> None:
        if table not in BATCH_TABLES:
            raise ValueError(f"not a batch table: {table}")
        values = {**row, "created_at": now, "updated_at": now}
        self._check_columns(table, values)
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        with self.transaction():
            self._conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)

    # ------------------------------------------------------------------ internals

    def _in(self, sql: str, keys: Iterable[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        ordered = sorted(set(keys))
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            found.extend(self._rows(sql.format(", ".join("?" * len(chunk))), chunk))
        return found

    def _insert_many(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        checked: bool = True,
        names_of: Callable[[Mapping[str, Any]], tuple[str, ...]] = tuple,
    ) -> None:
        """Insert `rows` in order, several per `INSERT ... VALUES (...), (...)` statement.

        One statement per row (`executemany` too) costs a statement journal per row once a
        table has triggers (the verify marks, the event log's rules): a copy of every page the
        row touches. A statement of many rows journals each page once. The triggers still run
        for every row, in order, and any failure aborts the caller's transaction as before.
        Consecutive rows with the same columns share a statement.
        """
        limit = _variable_limit(self._conn)
        keys = [names_of(row) for row in rows]
        start = 0
        while start < len(rows):
            names = keys[start]
            end = start + 1
            while end < len(rows) and keys[end] == names:
                end += 1
            if checked:
                self._check_columns(table, dict.fromkeys(names))
            per = max(1, min(CHUNK, limit // max(1, len(names))))
            one = "(" + ", ".join("?" * len(names)) + ")"
            head = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
            pick = _picker(names)
            for lo in range(start, end, per):
                chunk = rows[lo : min(end, lo + per)]
                self._conn.execute(
                    head + ", ".join([one] * len(chunk)),
                    list(chain.from_iterable(map(pick, chunk))),
                )
            start = end

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cursor = self._conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor]


def _picker(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A row's values under `names`, as a tuple (`itemgetter` of one name returns the bare value)."""
    if len(names) == 1:
        (name,) = names
        return lambda row: (row[name],)
    return itemgetter(*names)


def _variable_limit(conn: Any) -> int:
    """How many `?` one statement may hold on this SQLite build."""
    return int(conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def _ordered(rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """`rows` sorted by the fields named in `order` (rows read in chunks come back merged)."""
    names = [n.strip() for n in order.split(",")]
    return sorted(rows, key=lambda r: tuple(("" if r[n] is None else r[n]) for n in names))


# Kept importable under its old name (the bench builds one from a store).
SyncStore = SQLiteSyncStore


def _check_table(table: str) -> None:
    if table not in RECORD_TABLES:
        raise ValueError(f"not a synced table: {table}")


def _peer(row: Mapping[str, Any]) -> PeerKey:
    return PeerKey(
        id=int(row["id"]),
        point_code=row["point_code"],
        role=row["role"],
        name=row["name"],
        sign_key=row["sign_key"],
        age_recipient=row["age_recipient"],
        fingerprint=row["fingerprint"],
        added_at=row["added_at"],
        revoked_at=row["revoked_at"],
        replaced_by=row["replaced_by"],
    )


def _time_anomaly(row: Mapping[str, Any]) -> TimeAnomaly:
    return TimeAnomaly(**{f: row[f] for f in TimeAnomaly.__dataclass_fields__})


def _conflict(row: Mapping[str, Any]) -> Conflict:
    return Conflict(
        id=int(row["id"]),
        case_uuid=row["case_uuid"],
        case_no=row["case_no"],
        kind=row["kind"],
        peer=row["peer"],
        origin=row["origin"],
        seq=row["seq"],
        detail=json.loads(row["detail"]),
        bundle_seq=int(row["bundle_seq"]),
        found_at=row["found_at"],
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
        resolution=row["resolution"],
    )


if TYPE_CHECKING:  # a static check (mypy): the SQLite sync store implements the port

    def _sqlite_sync_store_is_a_sync_store(store: SQLiteSyncStore) -> SyncStorePort:
        return store
