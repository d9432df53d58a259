"""`PostgresSyncStore`: the sync's side of a PostgreSQL database (`clerk.ports.sync.SyncStore`).

Rows cross as the same dicts the SQLite adapter gives (the same column names and stored forms;
this database's own arrival numbers stay here). Writes join the main store's transaction; every
psycopg error leaves as a neutral one. JSON fields are read with `->>` instead of SQLite's
`json_extract`; new ids come from `RETURNING id`.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import psycopg
from psycopg import sql

from clerk.ports.sync import (
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
from clerk.storage.postgres.errors import translate

if TYPE_CHECKING:
    from clerk.ports.sync import SyncStore as SyncStorePort

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

ORDER = {
    "cases": "received_at, uuid",
    "case_materials": "case_uuid, material_id",
    "documents": "issued_at, uuid",
    "evaluations": "at, uuid",
    "batches": "created_at, uuid",
    "batch_materials": "batch_uuid, material_id",
    "batch_cases": "batch_uuid, row_no",
}
_OWNER = "COALESCE(data::jsonb ->> 'to', data::jsonb ->> 'owner')"


def _neutral(method: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0].store._lock:  # type: ignore[attr-defined]
            try:
                return method(*args, **kwargs)
            except psycopg.Error as exc:
                raise translate(exc) from exc

    return wrapper


def _neutral_methods(cls: type[T]) -> type[T]:
    for name, value in list(vars(cls).items()):
        if not name.startswith("_") and name != "transaction" and inspect.isfunction(value):
            setattr(cls, name, _neutral(value))
    return cls


def server_anchor(url: str) -> Path:
    """`data_dir()/servers/HOST_PORT_DATABASE`: the local name of a server database."""
    from urllib.parse import urlsplit

    from clerk.support.paths import data_dir

    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    name = f"{host}_{parts.port or 5432}_{parts.path.lstrip('/') or 'clerk'}"
    return data_dir() / "servers" / "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def _check_table(table: str) -> None:
    if table not in RECORD_TABLES:
        raise ValueError(f"not a synced table: {table}")


CHAIN_LOCKS = 21  # the advisory locks' first key: an installation's chains (issue 21)


@_neutral_methods
class PostgresSyncStore:
    def __init__(self, store: Any) -> None:
        self.store = store

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.store.transaction():
            yield

    def lock_chains(self, installations: Iterable[str]) -> None:
        """Transaction-scoped advisory locks keyed on each installation's code, taken in one
        order (no deadlock between two imports naming the same ones): a second import carrying
        the same point's chains waits here until the first commits or rolls back."""
        codes = sorted(set(installations))
        if codes:
            self._x(
                "SELECT pg_advisory_xact_lock(%s, k) FROM"
                " (SELECT DISTINCT hashtext(c) AS k FROM unnest(%s::text[]) c ORDER BY 1) x",
                (CHAIN_LOCKS, codes),
            )

    def _rows(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return self.store._dicts(sql, params)

    def _x(self, sql: str, params: Any = None) -> Any:
        return self.store._x(sql, params)

    def _cols(self, table: str) -> str:
        return ", ".join(self.store.table_columns(table))

    # ------------------------------------------------------------------ the installation

    def now(self) -> str:
        return self.store.now()

    def schema_version(self) -> int:
        return self.store.schema_version()

    def database_path(self) -> Path | None:
        """Where this installation's sync keys are anchored (`<path>.keys`): a server database
        has no file, so a name for it in the data directory (host, port, database)."""
        return server_anchor(self.store.url)

    # ------------------------------------------------------------------ keys

    def peer_keys(self, *, include_revoked: bool = True) -> list[PeerKey]:
        sql = "SELECT * FROM sync_keys"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        return [_peer(r) for r in self._rows(sql + " ORDER BY point_code, id")]

    def active_key(self, point_code: str) -> PeerKey | None:
        rows = self._rows(
            "SELECT * FROM sync_keys WHERE point_code = %s AND revoked_at IS NULL", (point_code,)
        )
        return _peer(rows[0]) if rows else None

    def key_by_fingerprint(self, fingerprint: str) -> PeerKey | None:
        rows = self._rows(
            "SELECT * FROM sync_keys WHERE fingerprint = %s ORDER BY id DESC", (fingerprint,)
        )
        return _peer(rows[0]) if rows else None

    def key_by_id(self, key_id: int) -> PeerKey | None:
        rows = self._rows("SELECT * FROM sync_keys WHERE id = %s", (key_id,))
        return _peer(rows[0]) if rows else None

    def escrow_keys(self) -> list[PeerKey]:
        return [
            _peer(r)
            for r in self._rows(
                "SELECT * FROM sync_keys WHERE role = 'escrow' AND revoked_at IS NULL ORDER BY id"
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
                self._x(
                    "UPDATE sync_keys SET revoked_at = COALESCE(revoked_at, %s) WHERE id = %s",
                    (at, replaces),
                )
            new_id = int(
                self._x(
                    "INSERT INTO sync_keys (point_code, role, name, sign_key, age_recipient,"
                    " fingerprint, added_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (point_code, role, name, sign_key, age_recipient, fingerprint, at),
                ).fetchone()[0]
            )
            if replaces is not None:
                self._x("UPDATE sync_keys SET replaced_by = %s WHERE id = %s", (new_id, replaces))
            self._x(
                "UPDATE sync_keys SET replaced_by = %s WHERE id = (SELECT id FROM sync_keys"
                " WHERE point_code = %s AND revoked_at IS NOT NULL AND replaced_by IS NULL"
                " AND id <> %s ORDER BY id DESC LIMIT 1)",
                (new_id, point_code, new_id),
            )
        return new_id

    def revoke_key(self, point_code: str, at: str) -> PeerKey | None:
        key = self.active_key(point_code)
        if key is None:
            return None
        with self.transaction():
            self._x("UPDATE sync_keys SET revoked_at = %s WHERE id = %s", (at, key.id))
        return self.key_by_id(key.id)

    # ------------------------------------------------------------------ bundles

    _BUNDLE = "direction, peer, seq, hash, prev_hash, manifest, file_name, at"

    def last_bundle(self, direction: str, peer: str) -> dict[str, Any] | None:
        rows = self._rows(
            f"SELECT id, {self._BUNDLE} FROM sync_bundles WHERE direction = %s AND peer = %s"
            " ORDER BY seq DESC LIMIT 1",
            (direction, peer),
        )
        return rows[0] if rows else None

    def bundle(self, direction: str, peer: str, seq: int) -> dict[str, Any] | None:
        rows = self._rows(
            f"SELECT id, {self._BUNDLE} FROM sync_bundles WHERE direction = %s AND peer = %s"
            " AND seq = %s",
            (direction, peer, seq),
        )
        return rows[0] if rows else None

    def bundles(
        self, direction: str, peer: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        if peer is None:
            return self._rows(
                f"SELECT id, {self._BUNDLE} FROM sync_bundles WHERE direction = %s"
                " ORDER BY id DESC LIMIT %s",
                (direction, limit),
            )
        return self._rows(
            f"SELECT id, {self._BUNDLE} FROM sync_bundles WHERE direction = %s AND peer = %s"
            " ORDER BY seq DESC LIMIT %s",
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
            self._x(
                f"INSERT INTO sync_bundles ({self._BUNDLE}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
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
        return {
            r["origin"]: (int(r["seq"]), str(r["hash"]))
            for r in self._rows("SELECT * FROM sync_acks WHERE peer = %s", (peer,))
        }

    def set_ack(self, peer: str, origin: str, seq: int, digest: str, at: str) -> None:
        with self.transaction():
            self._x(
                "INSERT INTO sync_acks (peer, origin, seq, hash, at) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (peer, origin) DO UPDATE SET seq = excluded.seq,"
                " hash = excluded.hash, at = excluded.at WHERE excluded.seq > sync_acks.seq",
                (peer, origin, seq, digest, at),
            )

    def acked_bundle(self, peer: str) -> int:
        row = self._x(
            "SELECT acked_bundle FROM sync_peer_state WHERE peer = %s", (peer,)
        ).fetchone()
        return int(row[0]) if row else 0

    def set_acked_bundle(self, peer: str, seq: int) -> None:
        with self.transaction():
            self._x(
                "INSERT INTO sync_peer_state (peer, acked_bundle) VALUES (%s, %s)"
                " ON CONFLICT (peer) DO UPDATE SET acked_bundle ="
                " GREATEST(sync_peer_state.acked_bundle, excluded.acked_bundle)",
                (peer, seq),
            )

    def add_checkpoint(self, origin: str, seq: int, digest: str, note: str) -> None:
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
            row = self._x(
                "INSERT INTO sync_conflicts (case_uuid, case_no, kind, peer, origin, seq, detail,"
                " bundle_seq, found_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
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
            ).fetchone()
        return int(row[0])

    def conflicts(self, *, open_only: bool = True) -> list[Conflict]:
        sql = "SELECT * FROM sync_conflicts"
        if open_only:
            sql += " WHERE resolved_at IS NULL"
        return [_conflict(r) for r in self._rows(sql + " ORDER BY id")]

    def conflict(self, conflict_id: int) -> Conflict | None:
        rows = self._rows("SELECT * FROM sync_conflicts WHERE id = %s", (conflict_id,))
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
            self._x(
                "INSERT INTO sync_time_anomalies (origin, seq, case_uuid, at, kind, reference, peer,"
                " bundle_seq, found_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (origin, seq) DO NOTHING",
                (origin, seq, case_uuid, at, kind, reference, peer, bundle_seq, found_at),
            )

    def time_anomalies(self, *, origin: str | None = None, limit: int = 1000) -> list[TimeAnomaly]:
        where, args = ("WHERE origin = %s", (origin,)) if origin is not None else ("", ())
        rows = self._rows(
            f"SELECT * FROM sync_time_anomalies {where} ORDER BY id DESC LIMIT %s", (*args, limit)
        )
        return [_time_anomaly(r) for r in rows]

    def resolve_conflict(self, conflict_id: int, resolution: str, by: str, at: str) -> bool:
        with self.transaction():
            cursor = self._x(
                "UPDATE sync_conflicts SET resolved_at = %s, resolved_by = %s, resolution = %s"
                " WHERE id = %s AND resolved_at IS NULL",
                (at, by, resolution, conflict_id),
            )
        return bool(cursor.rowcount == 1)

    # ------------------------------------------------------------------ records

    def record(self, table: str, uuid: str) -> dict[str, Any] | None:
        _check_table(table)
        rows = self._rows(f"SELECT {self._cols(table)} FROM {table} WHERE uuid = %s", (uuid,))
        return rows[0] if rows else None

    def records_by_uuid(self, table: str, uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        _check_table(table)
        rows = self._rows(
            f"SELECT {self._cols(table)} FROM {table} WHERE uuid = ANY(%s)", (sorted(set(uuids)),)
        )
        return {str(r["uuid"]): r for r in rows}

    def records_of_cases(self, table: str, case_uuids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """In `ORDER[table]`: the order read first (uuids only), then the rows a page at a time."""
        _check_table(table)
        key = "uuid" if table == "cases" else "case_uuid"
        uuids = [
            str(r["uuid"])
            for r in self._rows(
                f"SELECT uuid FROM {table} WHERE {key} = ANY(%s) ORDER BY {ORDER[table]}",
                (sorted(set(case_uuids)),),
            )
        ]
        return self._rows_in_order(table, uuids)

    def _rows_in_order(self, table: str, uuids: list[str]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(uuids), PAGE_ROWS):
            page = uuids[start : start + PAGE_ROWS]
            sql = f"SELECT {self._cols(table)} FROM {table} WHERE uuid = ANY(%s)"
            rows = {str(r["uuid"]): r for r in self._page(sql, (page,))}
            yield from (rows[uuid] for uuid in page if uuid in rows)

    def _page(self, sql: str, params: Any) -> list[dict[str, Any]]:
        """One page of an iterating read, under the store's lock, its errors neutral."""
        with self.store._lock:
            try:
                return self._rows(sql, params)
            except psycopg.Error as exc:
                raise translate(exc) from exc

    def cases_changed_since(self, point_code: str | None, since: str | None) -> list[str]:
        where_point = "" if point_code is None else " AND c.point_code = %(point)s"
        params = {"point": point_code, "since": since or ""}
        sql = (
            "SELECT c.uuid FROM cases c WHERE (c.updated_at >= %(since)s"
            " OR EXISTS (SELECT 1 FROM case_materials m WHERE m.case_uuid = c.uuid"
            " AND m.updated_at >= %(since)s)"
            " OR EXISTS (SELECT 1 FROM documents d WHERE d.case_uuid = c.uuid"
            " AND d.updated_at >= %(since)s)"
            " OR EXISTS (SELECT 1 FROM evaluations e WHERE e.case_uuid = c.uuid"
            " AND e.updated_at >= %(since)s))" + where_point
        )
        return [str(r[0]) for r in self._x(sql, params)]

    def table_columns(self, table: str) -> frozenset[str]:
        if table not in BATCH_TABLES:
            _check_table(table)
        return frozenset(self.store.table_columns(table))

    def _check_columns(self, table: str, values: Mapping[str, Any]) -> None:
        known = set(EVENT_COLUMNS) if table == "events" else self.table_columns(table)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")

    def _insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert rows in order; rows with the same columns go in one `COPY ... FROM STDIN`
        (psycopg's `cursor.copy`: the engine's bulk path, one round trip per run of rows). The
        tables' row triggers fire as for an INSERT: each event must still extend its chain."""
        start = 0
        while start < len(rows):
            names = tuple(rows[start])
            end = start + 1
            while end < len(rows) and tuple(rows[end]) == names:
                end += 1
            self._check_columns(table, dict.fromkeys(names))
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(n) for n in names)
            )
            with self.store.conn.cursor() as cur, cur.copy(statement) as copy:
                for row in rows[start:end]:
                    copy.write_row([row[n] for n in names])
            start = end

    def insert_record(self, table: str, row: Mapping[str, Any], now: str) -> None:
        self.insert_records(table, [row], now)

    def insert_records(self, table: str, rows: Iterable[Mapping[str, Any]], now: str) -> int:
        _check_table(table)
        stamped = [{**row, "created_at": now, "updated_at": now} for row in rows]
        with self.transaction():
            self._insert_rows(table, stamped)
            if table == "cases":
                self.store.index_new_names(stamped)
        return len(stamped)

    def replace_record(self, table: str, row: Mapping[str, Any], now: str) -> None:
        _check_table(table)
        values = {k: v for k, v in row.items() if k not in LOCAL_COLUMNS and k != "uuid"}
        self._check_columns(table, values)
        assignments = ", ".join(f"{k} = %({k})s" for k in values)
        with self.transaction():
            self._x(
                f"UPDATE {table} SET {assignments}, updated_at = %(_now)s WHERE uuid = %(_uuid)s",
                {**values, "_now": now, "_uuid": row["uuid"]},
            )
            if table == "cases" and {"applicant_name", "unit_name"} & set(values):
                current = self.record("cases", row["uuid"])
                if current is not None:
                    self.store.index_names([current])

    # ------------------------------------------------------------------ events

    EVENT_COLUMNS = EVENT_COLUMNS
    HISTORY_COLUMNS = HISTORY_COLUMNS

    def heads(self) -> dict[str, tuple[int, str]]:
        return self.store.chain_heads()

    def head(self, origin: str) -> tuple[int, str] | None:
        row = self._x(
            "SELECT seq, hash FROM events WHERE origin = %s ORDER BY seq DESC LIMIT 1", (origin,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def events_after(self, origin: str, after_seq: int) -> Iterator[dict[str, Any]]:
        sql = (
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE origin = %s AND seq > %s"
            " ORDER BY seq LIMIT %s"
        )
        first = self._rows(sql, (origin, after_seq, PAGE_ROWS))  # read now: an error raised here
        return self._events_paged(sql, origin, first)

    def _events_paged(
        self, sql: str, origin: str, page: list[dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        while True:
            yield from page
            if len(page) < PAGE_ROWS:
                return
            page = self._page(sql, (origin, int(page[-1]["seq"]), PAGE_ROWS))

    def event_at(self, origin: str, seq: int) -> dict[str, Any] | None:
        rows = self._rows(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE origin = %s AND seq = %s",
            (origin, seq),
        )
        return rows[0] if rows else None

    def case_events(self, case_uuid: str) -> list[dict[str, Any]]:
        return self._rows(
            f"SELECT n, {', '.join(EVENT_COLUMNS)} FROM events WHERE case_uuid = %s ORDER BY n",
            (case_uuid,),
        )

    def event_hashes(self, origin: str, first: int, last: int) -> dict[int, str]:
        rows = self._x(
            "SELECT seq, hash FROM events WHERE origin = %s AND seq BETWEEN %s AND %s",
            (origin, first, last),
        )
        return {int(s): str(h) for s, h in rows}

    def case_histories(self, case_uuids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for row in self._rows(
            f"SELECT {', '.join(HISTORY_COLUMNS)} FROM events WHERE case_uuid = ANY(%s)"
            " ORDER BY case_uuid, n",
            (sorted(set(case_uuids)),),
        ):
            found.setdefault(str(row["case_uuid"]), []).append(row)
        return found

    def owners(self) -> dict[str, str]:
        owners: dict[str, str] = {}
        for case_uuid, owner in self._x(
            f"SELECT case_uuid, {_OWNER} FROM events WHERE action IN ('hand_on', 'resolve')"
            " ORDER BY n"
        ):
            if owner:
                owners[str(case_uuid)] = str(owner)
        return owners

    def owners_of(self, case_uuids: Iterable[str]) -> dict[str, str]:
        owners: dict[str, str] = {}
        for case_uuid, owner in self._x(
            f"SELECT case_uuid, {_OWNER} FROM events WHERE case_uuid = ANY(%s)"
            " AND action IN ('hand_on', 'resolve') ORDER BY n",
            (sorted(set(case_uuids)),),
        ):
            if owner:
                owners[str(case_uuid)] = str(owner)
        return owners

    def owner(self, case_uuid: str) -> str | None:
        row = self._x(
            f"SELECT {_OWNER} FROM events WHERE case_uuid = %s AND action IN ('hand_on', 'resolve')"
            f" AND {_OWNER} IS NOT NULL ORDER BY n DESC LIMIT 1",
            (case_uuid,),
        ).fetchone()
        return str(row[0]) if row else None

    def insert_event(self, row: Mapping[str, Any]) -> int:
        values = {k: row[k] for k in EVENT_COLUMNS if k in row}
        names = ", ".join(values)
        marks = ", ".join(f"%({k})s" for k in values)
        with self.transaction():
            n = self._x(f"INSERT INTO events ({names}) VALUES ({marks}) RETURNING n", values)
            return int(n.fetchone()[0])

    def insert_events(self, rows: Iterable[Mapping[str, Any]]) -> int:
        values = [{k: row[k] for k in EVENT_COLUMNS if k in row} for row in rows]
        with self.transaction():
            self._insert_rows("events", values)
        return len(values)

    # ------------------------------------------------------------------ roster batches

    def batch_records_of_cases(self, case_uuids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        links = self._rows(
            f"SELECT {self._cols('batch_cases')} FROM batch_cases WHERE case_uuid = ANY(%s)"
            f" ORDER BY {ORDER['batch_cases']}",
            (sorted(set(case_uuids)),),
        )
        batch_uuids = sorted({str(r["batch_uuid"]) for r in links})
        return {
            "batches": self._rows(
                f"SELECT {self._cols('batches')} FROM batches WHERE uuid = ANY(%s)"
                f" ORDER BY {ORDER['batches']}",
                (batch_uuids,),
            ),
            "batch_materials": self._rows(
                f"SELECT {self._cols('batch_materials')} FROM batch_materials"
                f" WHERE batch_uuid = ANY(%s) ORDER BY {ORDER['batch_materials']}",
                (batch_uuids,),
            ),
            "batch_cases": links,
        }

    def batch_record(self, table: str, key: str) -> dict[str, Any] | None:
        column = BATCH_TABLES[table]
        rows = self._rows(f"SELECT {self._cols(table)} FROM {table} WHERE {column} = %s", (key,))
        return rows[0] if rows else None

    def batch_records_by_key(self, table: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        column = BATCH_TABLES[table]
        rows = self._rows(
            f"SELECT {self._cols(table)} FROM {table} WHERE {column} = ANY(%s)",
            (sorted(set(keys)),),
        )
        return {str(r[column]): r for r in rows}

    def insert_batch_records(self, table: str, rows: Iterable[Mapping[str, Any]], now: str) -> int:
        if table not in BATCH_TABLES:
            raise ValueError(f"not a batch table: {table}")
        stamped = [{**row, "created_at": now, "updated_at": now} for row in rows]
        with self.transaction():
            self._insert_rows(table, stamped)
        return len(stamped)

    def insert_batch_record(self, table: str, row: Mapping[str, Any], now: str) -> None:
        self.insert_batch_records(table, [row], now)


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


if TYPE_CHECKING:  # a static check (mypy): the PostgreSQL sync store implements the port

    def _postgres_sync_store_is_a_sync_store(store: PostgresSyncStore) -> SyncStorePort:
        return store
