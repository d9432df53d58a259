"""Durable SQLite storage for clerk: one `Store` per database file.

The store keeps what the service tells it and decides no workflow rule. What it guarantees:

- every connection runs in WAL mode with `synchronous=FULL`, foreign keys on and a 15 s busy
  timeout; the schema is migrated on open (`clerk.storage.sqlite.schema`);
- every write happens inside `with store.transaction():`, which begins `BEGIN IMMEDIATE`; nested
  blocks join the outer transaction (as savepoints), so a case update, its events and its
  document commit together or not at all. Write methods called outside a block open their own;
- the event log is append-only and hash-chained (`clerk.domain.chain`), enforced by triggers
  and checked by `verify()`; events carry ids and codes, never personal data;
- the concurrency contract of the port (`clerk.ports.store`) holds: every transaction owns the
  file's write lock from its start (`BEGIN IMMEDIATE`), which is the chain-head lock the port
  asks for, and `UNIQUE (origin, seq)` plus the `events_append_at_head` trigger back it up;
- every case, material record, document and event has a UUID, its owning point, a version
  counter and ISO-8601 timestamps with the +08:00 offset from the injected clock;
- rows come back as typed frozen records (`clerk.ports.records`: `CaseRecord`,
  `DocumentRecord`, `MaterialCheckRecord`, `EvaluationRecord`, `EventRecord`, `PointRecord`,
  `User`), decoded here: JSON as lists/dicts, instants as `datetime`, dates as `date`;
- SQLite errors leave the store as the neutral errors of `clerk.ports.errors` (busy, disk
  full, read-only, damaged, constraint, conflict, not found); nothing above storage sees
  `sqlite3`. The protocol the service relies on is `clerk.ports.store.Store`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.domain import chain
from clerk.domain.accounts import AuthError, PasswordPolicyError, User, UserError
from clerk.domain.admin_log import (
    RECORDED_SOURCES,
)
from clerk.domain.chain import PersonalDataError
from clerk.domain.chain_names import chain_for
from clerk.domain.clock import Clock, system_clock
from clerk.domain.model import CaseState, Event
from clerk.ports.errors import (
    BusyError,
    ConflictError,
    ConstraintError,
    DamagedError,
    DiskFullError,
    NotFoundError,
    ReadOnlyError,
    StorageError,
)
from clerk.ports.records import (
    BatchRecord,
    CaseChanges,
    CaseRecord,
    CheckpointRecord,
    DocumentRecord,
    EvaluationRecord,
    EventRecord,
    MaterialCheckRecord,
    PointRecord,
    columns_of,
)
from clerk.ports.records import instant as _instant
from clerk.ports.records import normalize as _normalize
from clerk.storage import admin_chain
from clerk.storage.administration import Administration
from clerk.storage.sqlite import (
    admin_log,
    batches,
    chain_walk,
    files,
    fts,
    queries,
    schema,
)
from clerk.storage.sqlite.connection import connect
from clerk.storage.sqlite.errors import translate, translated
from clerk.storage.sqlite.files import BackupError
from clerk.support import file_modes
from clerk.support.random_ids import random_uuid

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    # The supervision, action-list, ledger, sync and verify reads load when first used: a
    # window that only signs in, or a command that only reads a day, does not pay for them.
    from sqlite_utils import Database

    from clerk.domain.indicators import SupervisedCase
    from clerk.ports.action_cases import ActionCase, ActionQuery
    from clerk.ports.record_inputs import (  # the write inputs: annotations only here
        BatchCaseLink,
        BatchMaterial,
        MaterialCheckInput,
        NewBatch,
        NewCase,
        NewDocument,
        NewEvaluation,
        NewMaterialCheck,
    )
    from clerk.ports.supervision import FigureCases
    from clerk.ports.verify_report import VerifyReport
    from clerk.storage.sqlite import ledger_queries
    from clerk.storage.sqlite.sync import SQLiteSyncStore
    from clerk.storage.sqlite.verify import SQLiteRecordReads

__all__ = [
    "AuthError",
    "BackupError",
    "BusyError",
    "CaseRecord",
    "ConflictError",
    "ConstraintError",
    "DamagedError",
    "DiskFullError",
    "DocumentRecord",
    "EvaluationRecord",
    "EventRecord",
    "MaterialCheckRecord",
    "NotFoundError",
    "PasswordPolicyError",
    "PersonalDataError",
    "PointRecord",
    "ReadOnlyError",
    "StorageError",
    "Store",
    "User",
    "UserError",
]


def _case_values(case: NewCase) -> dict[str, Any]:
    """A new case's columns in stored form (its own point as origin when none is given)."""
    values = _normalize(columns_of(case))
    values["origin_point"] = case.origin_point or case.point_code
    return values


def _event_fields(event: Event, point_code: str, uuid: str | None = None) -> dict[str, Any]:
    """An event's stored fields before its place in a chain (`data` as the object its canonical
    JSON decodes to); refuses personal data in its reason or data."""
    chain.check_no_personal_data(event.reason, event.data)
    return {
        "uuid": uuid or random_uuid(),
        "case_uuid": event.case_uuid,
        "action": str(event.action),
        "actor": event.actor,
        "at": _instant(event.at),
        "from_state": str(event.from_state) if event.from_state is not None else None,
        "to_state": str(event.to_state),
        "reason": event.reason,
        "data": json.loads(chain.canonical_json(event.data)),
        "point_code": point_code,
    }


class Store(Administration):
    """A clerk database. Open with `Store.open(path)`; close with `close()` (or use `with`)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        clock: Clock = system_clock,
        hasher: PasswordHasher | None = None,
        path: Path | None = None,
    ) -> None:
        """Wrap a connection made by `clerk.storage.sqlite.connection.connect` and already migrated."""
        self.conn = conn
        self._db: Database | None = None
        self.clock = clock
        self._hasher = hasher
        self.path = path
        self._depth = 0
        # a connection from `connect` brings the lock its other threads' statements respect
        self._lock: Any = getattr(conn, "lock", None) or threading.RLock()
        self._columns: dict[str, frozenset[str]] = {}

    @property
    def db(self) -> Database:
        """sqlite-utils over the same connection, for the writes that use it; made on first use
        so that start-up (reads only) does not import sqlite-utils and its plugins (~80 ms)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Clock = system_clock,
        hasher: PasswordHasher | None = None,
        version: int = schema.LATEST,
    ) -> Store:
        """Open (creating if needed) and migrate the database at `path`.

        `version` stops migrations early; only tests use it, to build files of older versions.
        """
        file_modes.use_private_umask()
        with translated():
            conn = connect(path)
            try:
                schema.migrate(conn, version)
            except BaseException:
                conn.close()
                raise
        file_modes.make_private(*file_modes.database_files(path))
        return cls(conn, clock=clock, hasher=hasher, path=Path(path))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def location(self) -> str:
        """The database file's path (`:memory:` for a store on no file)."""
        return str(self.path) if self.path is not None else ":memory:"

    def schema_version(self) -> int:
        return schema.user_version(self.conn)

    def now(self) -> str:
        return _instant(self.clock())

    def sync_store(self) -> SQLiteSyncStore:
        """The sync's side of this database (`clerk.ports.sync.SyncStore`), made once."""
        found: SQLiteSyncStore | None = self.__dict__.get("_sync_store")
        if found is None:
            from clerk.storage.sqlite.sync import SQLiteSyncStore

            found = self.__dict__["_sync_store"] = SQLiteSyncStore(self)
        return found

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """`BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` if the block raises.

        Nested blocks join the outer transaction: they are savepoints, so an exception caught
        inside the outer block undoes only the inner block, and nothing is durable until the
        outermost block commits. A SQLite error inside leaves it as a `StorageError`.

        How this honours the port's concurrency contract (`clerk.ports.store`): `BEGIN IMMEDIATE`
        takes SQLite's database-wide write lock before the block runs (another store waits up to
        the busy timeout, then `BusyError`), so writers are serialised per file, which covers the
        per-case serialisation (point 2) and the per-origin chain-head lock (point 4a) at once.
        """
        with self._lock, translated():
            if self._depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                try:
                    yield self
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                finally:
                    self._depth = 0
            else:
                name = f"clerk_sp_{self._depth}"
                self.conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield self
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
                    raise
                else:
                    self.conn.execute(f"RELEASE {name}")
                finally:
                    self._depth -= 1

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def _check_columns(self, table: str, row: Mapping[str, Any]) -> None:
        if table not in self._columns:
            self._columns[table] = frozenset(self.db[table].columns_dict)
        unknown = sorted(set(row) - self._columns[table])
        if unknown:
            raise ValueError(f"unknown column(s) for {table}: {', '.join(unknown)}")

    # ------------------------------------------------------------------ settings and points

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, str(value), self.now()),
            )

    def settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM settings ORDER BY key").fetchall())

    def points(self) -> list[PointRecord]:
        """Service points declared locally."""
        rows = self.conn.execute("SELECT code, name, kind, office_code FROM points ORDER BY code")
        return [
            PointRecord(code, name, kind, office_code) for code, name, kind, office_code in rows
        ]

    @property
    def _admin(self) -> admin_log.Sql:
        """This store's connection as the administrative statements use it
        (`clerk.storage.administration`, `clerk.storage.admin_chain`)."""
        return admin_log.Sql(self.conn)

    # ------------------------------------------------------------------ cases

    def insert_case(self, case: NewCase) -> str:
        """Insert a new case (version 1) and index its names; returns its uuid.

        `origin_point` defaults to `point_code`; `circumstances` is stored as sorted JSON.
        """
        values = _case_values(case)
        self._check_columns("cases", values)
        now = self.now()
        values.update(version=1, created_at=now, updated_at=now)
        with self.transaction():
            self.db.table("cases").insert(values)
            fts.index_case(
                self.conn, values["uuid"], values.get("applicant_name"), values.get("unit_name")
            )
        return str(values["uuid"])

    def update_case(self, uuid: str, changes: CaseChanges, expected_version: int) -> int:
        """Apply `changes` if the case is still at `expected_version`; returns the new version.

        Raises `ConflictError` if another change came first, `NotFoundError` if there is no
        such case. Bumps `version` and `updated_at`.
        """
        # `CaseChanges` refuses the identity, the managed and unknown columns (again here: a
        # caller may hand any mapping at run time).
        values = _normalize(CaseChanges(changes))
        self._check_columns("cases", values)
        assignments = "".join(f"{name} = :{name}, " for name in values)
        params = {**values, "_uuid": uuid, "_expected": expected_version, "_now": self.now()}
        with self.transaction():
            cursor = self.conn.execute(
                f"UPDATE cases SET {assignments}version = version + 1, updated_at = :_now"
                " WHERE uuid = :_uuid AND version = :_expected",
                params,
            )
            if cursor.rowcount != 1:
                current = self.conn.execute(
                    "SELECT version FROM cases WHERE uuid = ?", (uuid,)
                ).fetchone()
                if current is None:
                    raise NotFoundError("找不到该办件，请刷新后重试。")
                raise ConflictError("该办件刚被其他人修改过，请刷新后重新操作。")
            if {"applicant_name", "unit_name"} & set(values):
                row = self.get_case(uuid)
                assert row is not None
                fts.reindex_case(self.conn, uuid, row.applicant_name, row.unit_name)
        return expected_version + 1

    def get_case(self, uuid: str) -> CaseRecord | None:
        return queries.by_uuid(self.conn, uuid)

    def get_case_by_no(self, case_no: str) -> CaseRecord | None:
        return queries.by_case_no(self.conn, case_no)

    def next_sequence(self, point_code: str, day: date | str) -> int:
        """The next number (1, 2, ...) in the point's daily counter; part of the caller's transaction."""
        key = day.isoformat() if isinstance(day, date) else str(day)
        with self.transaction():
            return int(
                self.conn.execute(
                    "INSERT INTO sequences (point_code, day, last) VALUES (?, ?, 1)"
                    " ON CONFLICT (point_code, day) DO UPDATE SET last = last + 1 RETURNING last",
                    (point_code, key),
                ).fetchone()[0]
            )

    # ------------------------------------------------------------------ materials

    def set_material_checks(
        self, case_uuid: str, checks: Sequence[MaterialCheckInput], point_code: str | None = None
    ) -> None:
        """Upsert material checks by (case_uuid, material_id).

        A changed row gets version + 1; an unchanged one is left alone; rows not mentioned stay.
        `point_code` defaults to the case's.
        """
        with self.transaction():
            case = self.get_case(case_uuid)
            if case is None:
                raise NotFoundError("找不到该办件，请刷新后重试。")
            owner = point_code or case.point_code
            now = self.now()
            existing = {r["material_id"]: r for r in self._material_rows(case_uuid)}
            for check in checks:
                fields = {
                    "status": check.status,
                    "alternative": check.alternative,
                    "defect": check.defect,
                }
                old = existing.get(check.material_id)
                if old is None:
                    self.db.table("case_materials").insert(
                        {
                            "uuid": random_uuid(),
                            "case_uuid": case_uuid,
                            "point_code": owner,
                            "material_id": check.material_id,
                            **fields,
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                elif any(old[k] != v for k, v in fields.items()):
                    self.conn.execute(
                        "UPDATE case_materials SET status = :status, alternative = :alternative,"
                        " defect = :defect, version = version + 1, updated_at = :now WHERE uuid = :uuid",
                        {**fields, "now": now, "uuid": old["uuid"]},
                    )

    def material_checks(self, case_uuid: str) -> list[MaterialCheckRecord]:
        return [MaterialCheckRecord.from_row(r) for r in self._material_rows(case_uuid)]

    def _material_rows(self, case_uuid: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM case_materials WHERE case_uuid = ? ORDER BY material_id", [case_uuid]
            )
        )

    # ------------------------------------------------------------------ documents and evaluations

    def add_document(self, document: NewDocument) -> str:
        """Record an issued document; returns its uuid."""
        return self._add("documents", columns_of(document))

    def documents_for(self, case_uuid: str) -> list[DocumentRecord]:
        return [
            DocumentRecord.from_row(r)
            for r in self.db.query(
                "SELECT * FROM documents WHERE case_uuid = ? ORDER BY issued_at, rowid", [case_uuid]
            )
        ]

    def document_at(self, path: Path) -> bool:
        """Whether a recorded document's text or PDF is the file at `path`."""
        same = [str(path.with_suffix(".txt")), str(path.with_suffix(".pdf"))]
        found = self.conn.execute(
            "SELECT 1 FROM documents WHERE path_txt IN (?, ?) OR path_pdf IN (?, ?) LIMIT 1",
            [*same, *same],
        ).fetchone()
        return found is not None

    # The documents' bytes are files in this machine's documents folder (clerk.documents.store).
    keeps_document_bytes = False

    def add_document_content(self, name: str, content: bytes) -> None:
        raise ValueError("this store keeps documents as files, not their bytes")

    def document_content(self, name: str) -> bytes | None:
        return None

    def add_evaluation(self, evaluation: NewEvaluation) -> str:
        """Record a rating (好差评); returns its uuid."""
        return self._add("evaluations", columns_of(evaluation))

    def evaluation_for(self, case_uuid: str) -> EvaluationRecord | None:
        """The case's latest evaluation, or None."""
        rows = list(
            self.db.query(
                "SELECT * FROM evaluations WHERE case_uuid = ? ORDER BY at DESC, rowid DESC LIMIT 1",
                [case_uuid],
            )
        )
        return EvaluationRecord.from_row(rows[0]) if rows else None

    def follow_up_evaluation(self, case_uuid: str, text: str, at: datetime | str) -> None:
        """Record the follow-up (回访) on the case's latest evaluation."""
        with self.transaction():
            latest = self.evaluation_for(case_uuid)
            if latest is None:
                raise NotFoundError("该办件还没有评价，无需回访。")
            self.conn.execute(
                "UPDATE evaluations SET follow_up = ?, followed_up_at = ?, version = version + 1,"
                " updated_at = ? WHERE uuid = ?",
                (text, _instant(at), self.now(), latest.uuid),
            )

    def _add(self, table: str, row: Mapping[str, Any]) -> str:
        values = _normalize(row)
        self._check_columns(table, values)
        now = self.now()
        values.update(version=1, created_at=now, updated_at=now)
        with self.transaction():
            self.db.table(table).insert(values)
        return str(values["uuid"])

    # ------------------------------------------------------------------ events

    def origin(self, fallback: str | None = None) -> str:
        """This installation's origin: the point code its events are written under (the
        `point_code` setting made at first run; `fallback` on a file that has none)."""
        code = self.get_setting("point_code") or fallback
        if not code:
            raise ValueError("本机尚未设置所属经办机构或服务点，不能记录事件。请先完成初始设置。")
        return code

    def append_event(self, event: Event, point_code: str, *, uuid: str | None = None) -> str:
        """Append `event` to this installation's chain; returns its hash.

        `point_code` is the case's point (which may be another origin's, for a case taken in by
        sync). Raises `PersonalDataError` if its data or reason carries personal data,
        `ValueError` if its time has no offset. A UUID is generated unless one is given.
        """
        fields = _event_fields(event, point_code, uuid)
        data = fields["data"]
        with self.transaction():
            # A county office keeps one chain per point whose cases it decides (`clerk.storage.sqlite.sync`).
            origin = chain_for(self.origin(point_code), point_code)
            seq, prev = self._lock_chain_head(origin)
            fields.update(origin=origin, seq=seq + 1)
            digest = chain.event_hash(fields, prev, chain.CURRENT_FORMAT)
            self.db.table("events").insert(
                {
                    **fields,
                    "data": chain.canonical_json(data),
                    "prev_hash": prev,
                    "hash": digest,
                    "format": chain.CURRENT_FORMAT,
                }
            )
        return digest

    def events_for(self, case_uuid: str) -> list[dict[str, Any]]:
        """The case's events in the order this file received them (`data` is the stored JSON text)."""
        return list(
            self.db.query("SELECT * FROM events WHERE case_uuid = ? ORDER BY n", [case_uuid])
        )

    def chain_head(self, origin: str | None = None) -> tuple[int, str]:
        """(seq, hash) of the last event of `origin`'s chain (this installation's by default),
        or (0, 64 zeros) for an empty chain."""
        if origin is None:
            origin = self.get_setting("point_code") or self._latest_origin()
        row = self.conn.execute(
            "SELECT seq, hash FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1", (origin,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else (0, schema.ZERO_HASH)

    def _lock_chain_head(self, origin: str) -> tuple[int, str]:
        """Step (a) and (b) of the port's chain contract (`clerk.ports.store`, point 4): hold
        `origin`'s chain head until the transaction ends, and read it.

        In SQLite the lock is the one every transaction of this store already holds: `BEGIN
        IMMEDIATE` takes the database-wide write lock before the block runs, so no other writer
        (of any origin) can append between this read and the caller's insert and commit. A
        server engine takes a row lock on the origin's chain-head row here (`SELECT ... FOR
        UPDATE`). The backstop in both is `UNIQUE (origin, seq)`: a writer that read a stale
        head fails with `ConstraintError` and its transaction rolls back; the chain never forks.
        """
        if self._depth == 0 or not self.conn.in_transaction:
            raise StorageError("a chain head is read for appending only inside a transaction")
        return self.chain_head(origin)

    def _latest_origin(self) -> str:
        row = self.conn.execute("SELECT origin FROM events ORDER BY n DESC LIMIT 1").fetchone()
        return str(row[0]) if row else ""

    # ------------------------------------------------------------------ batches (rosters)

    def insert_batch(self, batch: NewBatch, materials: Sequence[BatchMaterial]) -> str:
        """Record a batch (a roster enrolled in one go) and the materials checked for it."""
        values = _normalize(columns_of(batch))
        self._check_columns("batches", values)
        now = self.now()
        values.update(version=1, created_at=now, updated_at=now)
        checks = []
        for m in materials:
            checks.append(
                {
                    "uuid": random_uuid(),
                    "batch_uuid": values["uuid"],
                    "point_code": values["point_code"],
                    **columns_of(m),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        with self.transaction():
            batches.insert_batch(self.conn, values)
            batches.insert_materials(self.conn, checks)
        return str(values["uuid"])

    def insert_cases(self, cases: Sequence[NewCase]) -> list[str]:
        """`insert_case` for many new cases at once (one statement per table); returns their uuids.

        Same rules as `insert_case`: version 1, managed timestamps, names indexed.
        """
        if not cases:
            return []
        now = self.now()
        prepared: list[dict[str, Any]] = []
        for case in cases:
            values = _case_values(case)
            values.update(version=1, created_at=now, updated_at=now)
            prepared.append(values)
        names = list(prepared[0])
        self._check_columns("cases", prepared[0])
        with self.transaction():
            self.conn.executemany(
                f"INSERT INTO cases ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                ([v[n] for n in names] for v in prepared),
            )
            self.conn.executemany(
                f"INSERT INTO {fts.TABLE} (case_uuid, applicant_name, unit_name) VALUES (?, ?, ?)",
                (
                    (v["uuid"], fts.spaced(v.get("applicant_name")), fts.spaced(v.get("unit_name")))
                    for v in prepared
                ),
            )
        return [str(v["uuid"]) for v in prepared]

    def add_material_checks(self, checks: Sequence[NewMaterialCheck]) -> None:
        """First material checks of new cases, in one statement. For cases that already have
        checks use `set_material_checks`."""
        now = self.now()
        names = (
            "uuid",
            "case_uuid",
            "point_code",
            "material_id",
            "status",
            "alternative",
            "defect",
        )
        with self.transaction():
            self.conn.executemany(
                f"INSERT INTO case_materials ({', '.join(names)}, version, created_at, updated_at)"
                f" VALUES ({', '.join('?' for _ in names)}, 1, ?, ?)",
                (
                    (
                        random_uuid(),
                        c.case_uuid,
                        c.point_code,
                        c.material_id,
                        c.status,
                        c.alternative,
                        c.defect,
                        now,
                        now,
                    )
                    for c in checks
                ),
            )

    def append_events(self, events: Sequence[Event], point_code: str) -> list[str]:
        """`append_event` for many events in order: chained on this installation's origin from
        one read of its head and written in one statement; returns their hashes."""
        if not events:
            return []
        columns = chain.STORED_COLUMNS
        rows: list[tuple[Any, ...]] = []
        hashes: list[str] = []
        with self.transaction():
            origin = chain_for(self.origin(point_code), point_code)  # as `append_event` chains it
            seq, prev = self._lock_chain_head(origin)
            for event in events:
                fields = _event_fields(event, point_code)
                seq += 1
                fields.update(origin=origin, format=chain.CURRENT_FORMAT, seq=seq)
                digest = chain.event_hash(fields, prev, chain.CURRENT_FORMAT)
                fields.update(
                    data=chain.canonical_json(fields["data"]), prev_hash=prev, hash=digest
                )
                rows.append(tuple(fields[c] for c in columns))
                hashes.append(digest)
                prev = digest
            self.conn.executemany(
                f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                rows,
            )
        return hashes

    def add_documents(self, documents: Sequence[NewDocument]) -> None:
        """`add_document` for many documents at once (one statement)."""
        if not documents:
            return
        now = self.now()
        prepared = []
        for document in documents:
            values = _normalize(columns_of(document))
            values.update(version=1, created_at=now, updated_at=now)
            prepared.append(values)
        names = list(prepared[0])
        self._check_columns("documents", prepared[0])
        with self.transaction():
            self.conn.executemany(
                f"INSERT INTO documents ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                ([v[n] for n in names] for v in prepared),
            )

    def link_batch_cases(self, links: Sequence[BatchCaseLink]) -> None:
        """Link cases to their batch (`batch_cases` rows), in one statement."""
        rows = [_normalize(columns_of(link)) for link in links]
        for row in rows[:1]:
            self._check_columns("batch_cases", row)
        with self.transaction():
            batches.link_cases(self.conn, rows, self.now())

    def next_batch_number(self, point_code: str, day: date) -> int:
        """The next number (1, 2, ...) of the point's batches on `day`; part of the caller's transaction."""
        return batches.next_batch_no(self.conn, point_code, day.isoformat())

    def enrolled_ids(self, item_no: int, id_numbers: list[str]) -> dict[str, str]:
        """{id number: case number} of those numbers already enrolled by a live case of `item_no`."""
        return batches.enrolled(self.conn, item_no, id_numbers)

    def batch(self, uuid: str) -> dict[str, Any] | None:
        return batches.get(self.conn, uuid)

    def batches(self, point_code: str | None = None) -> list[dict[str, Any]]:
        """Batches, newest first."""
        return batches.listing(self.conn, point_code)

    def batches_with_sha(self, sha256: str) -> list[BatchRecord]:
        """Batches made from a file with these bytes, oldest first."""
        return [BatchRecord.from_row(r) for r in batches.by_sha(self.conn, sha256)]

    def batch_materials(self, batch_uuid: str) -> list[dict[str, Any]]:
        return batches.materials(self.conn, batch_uuid)

    def batch_cases(self, batch_uuid: str) -> list[dict[str, Any]]:
        """The batch's links with each case's number and state, in roster row order."""
        return batches.cases(self.conn, batch_uuid)

    # ------------------------------------------------------------------ maintenance

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        """Every origin's chain head held in this file: {origin: (seq, hash)}."""
        return {o: (h.seq, h.hash) for o, h in chain_walk.heads(self.conn).items()}

    def chain_heads_at(self, before: datetime | str) -> dict[str, tuple[int, str]]:
        """Each origin's last event stamped before `before` (an instant, or stored-format text):
        the heads a daily ledger prints."""
        bound = _instant(before) if isinstance(before, datetime) else before
        heads: dict[str, tuple[int, str]] = {}
        # Each origin found by a seek on (origin, seq), and its head by walking back from the
        # newest event to the first one stamped before the bound: the events after the bound are
        # read, never the millions before it (`at` is not indexed into the choice: `+at`).
        origin = self.conn.execute("SELECT MIN(origin) FROM events").fetchone()[0]
        while origin is not None:
            row = self.conn.execute(
                "SELECT seq, hash FROM events WHERE origin = ? AND +at < ? ORDER BY seq DESC LIMIT 1",
                (origin, bound),
            ).fetchone()
            if row is not None:
                heads[str(origin)] = (int(row[0]), str(row[1]))
            origin = self.conn.execute(
                "SELECT MIN(origin) FROM events WHERE origin > ?", (origin,)
            ).fetchone()[0]
        return heads

    def event_hash_at(self, origin: str, seq: int) -> str | None:
        """The stored hash of `origin`'s event `seq`, or None."""
        row = self.conn.execute(
            "SELECT hash FROM events WHERE origin = ? AND seq = ?", (origin, seq)
        ).fetchone()
        return str(row[0]) if row else None

    # ------------------------------------------------------------------ checkpoints and verify

    def add_checkpoint(
        self, origin: str, seq: int, digest: str, source: str, note: str = ""
    ) -> None:
        """Keep a chain head known to be good (`source`: ledger, ack or verified); a repeat is ignored."""
        with self.transaction():
            added = self.conn.execute(
                "INSERT INTO checkpoints (origin, seq, hash, source, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (origin, seq, hash, source) DO NOTHING",
                (origin, seq, digest, source, note, self.now()),
            ).rowcount
            if added and source in RECORDED_SOURCES:  # a verify's own head is not recorded
                admin_chain.checkpoint(
                    self._admin, self.now(), f"system:{source}", origin, seq, digest, source, note
                )

    def keep_checkpoints(
        self, heads: Mapping[str, tuple[int, str]], source: str, note: str = ""
    ) -> bool:
        """Keep each of `heads` ({origin: (seq, hash)}) as a checkpoint. Best effort: a file that
        cannot be written now (read-only, busy, full) keeps none and returns False; what was
        printed stays checkable by hand (`hash_at`)."""
        try:
            with self.transaction():
                for origin, (seq, digest) in heads.items():
                    self.add_checkpoint(origin, seq, digest, source, note)
        except sqlite3.Error:
            return False
        return True

    def checkpoints(self) -> list[CheckpointRecord]:
        """The chain heads kept as good, in the order they were kept."""
        return [
            CheckpointRecord.from_row(r)
            for r in self.db.query(
                "SELECT origin, seq, hash, source, note, recorded_at FROM checkpoints ORDER BY id"
            )
        ]

    def verify(
        self, *, full: bool = False, remember: bool = True, recent_files: bool = True
    ) -> VerifyReport:
        """Prove the record (`clerk.audit.proof`, on `record_reads()`): incremental from the last
        verify unless `full`. A passed verify is remembered (unless `remember` is false) so the
        next starts there. `recent_files=False`: see `clerk.audit.proof.prove` (the daily ledger's).

        The report (`clerk.ports.verify_report.VerifyReport`) has ok, mode, integrity, chain_ok,
        events (walked), first_broken, head, chains, checkpoints, cases, documents, problems,
        problem (Chinese text or None); it still reads as the mapping this returned before.
        """
        from clerk.audit import proof  # the proof loads when a verify runs, not with the store

        return proof.verify(
            self.record_reads(),
            full=full,
            remember=remember,
            recent_files=recent_files,
            at=self.now(),
        )

    def record_reads(self) -> SQLiteRecordReads:
        """What the proof of the record reads (`clerk.ports.store.RecordReads`), made once."""
        from clerk.storage.sqlite.verify import SQLiteRecordReads  # with the proof, when used

        found: SQLiteRecordReads | None = self.__dict__.get("_record_reads")
        if found is None:
            found = self.__dict__["_record_reads"] = SQLiteRecordReads(self.conn, self._lock)
        return found

    def engine_checks(self, *, quick: bool = False) -> list[str]:
        """SQLite's own checks of the file: `integrity_check` (`quick_check` when `quick`) and,
        when that passes, `foreign_key_check`. Returns what they found ([] when the file is
        sound), as SQLite words it; a damaged page is reported, not raised."""
        with self._lock:
            try:
                messages = chain_walk.integrity_messages(self.conn, quick=quick)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise
                return [str(exc)]
            if messages != ["ok"]:
                return messages
            broken = self.conn.execute("PRAGMA foreign_key_check").fetchall()
            return [
                f"foreign key: {table} row {rowid} refers to a missing {parent} row"
                for table, rowid, parent, _fk in broken
            ]

    def backup(self, out: str | Path) -> VerifyReport:
        """A consistent copy at `out` (sqlite3 backup API), verified; returns the copy's `verify()`."""
        return files.backup_file(self.conn, out)

    # ------------------------------------------------------------------ queries

    def case_events(self, case_uuid: str) -> list[EventRecord]:
        """The case's events in order, as typed records (`data` decoded)."""
        with translated():
            return [EventRecord.from_row(e) for e in self.events_for(case_uuid)]

    def find_by_id_number(self, id_number: str) -> list[CaseRecord]:
        return _cases(queries.by_id_number(self.conn, id_number))

    def find_by_credit_code(self, code: str) -> list[CaseRecord]:
        """Cases of the unit with this credit code exactly, newest first."""
        return queries.by_credit_code(self.conn, code)

    def notice_times(self, case_uuids: Sequence[str]) -> dict[str, list[datetime]]:
        """{case uuid: the instants of its one-time notices, in log order}, for the given cases
        that have any (one query per 500 cases)."""
        return {
            case_uuid: [datetime.fromisoformat(at) for at in ats]
            for case_uuid, ats in queries.notices_of(self.conn, case_uuids).items()
        }

    def find_by_name_prefix(self, prefix: str) -> list[CaseRecord]:
        return _cases(queries.by_name_prefix(self.conn, prefix))

    def search_names(self, text: str) -> list[CaseRecord]:
        """Full-text: applicant or unit names containing `text`'s characters in a row."""
        return _cases(queries.by_full_text(self.conn, text))

    def find_units(self, text: str) -> list[CaseRecord]:
        """Cases of a unit: by credit code exactly, or by unit name prefix."""
        found = {r.uuid: r for r in queries.by_credit_code(self.conn, text)}
        for r in queries.by_unit_prefix(self.conn, text):
            found.setdefault(r.uuid, r)
        return list(found.values())

    def cases_between(
        self, start: date, end: date, state: str | None = None, point_code: str | None = None
    ) -> list[CaseRecord]:
        """Cases received from `start` to `end` (inclusive), optionally in one state."""
        return _cases(queries.received_between(self.conn, start, end, state, point_code))

    def received_on(self, day: date, point_code: str | None = None) -> list[CaseRecord]:
        return _cases(queries.received_between(self.conn, day, day, None, point_code))

    def awaiting_review(self, point_code: str | None = None) -> list[CaseRecord]:
        return _cases(queries.in_state(self.conn, CaseState.ACCEPTED, point_code))

    def awaiting_supplement(self, point_code: str | None = None) -> list[CaseRecord]:
        return _cases(queries.in_state(self.conn, CaseState.AWAITING_SUPPLEMENT, point_code))

    def awaiting_payment(self, point_code: str | None = None) -> list[CaseRecord]:
        return _cases(queries.in_state(self.conn, CaseState.AWAITING_PAYMENT, point_code))

    def unfinished(self, point_code: str | None = None) -> list[CaseRecord]:
        """Cases still in 收件: received, materials not yet decided on."""
        return _cases(queries.in_state(self.conn, CaseState.DRAFT, point_code))

    def bad_ratings_awaiting_follow_up(self, point_code: str | None = None) -> list[CaseRecord]:
        return _cases(queries.bad_ratings_awaiting_follow_up(self.conn, point_code))

    def due_on_or_before(self, day: date, point_code: str | None = None) -> list[CaseRecord]:
        """Accepted (open) cases due on or before `day`, earliest first."""
        return _cases(queries.due_on_or_before(self.conn, day, point_code))

    def overdue(self, today: date, point_code: str | None = None) -> list[CaseRecord]:
        """Accepted (open) cases whose due date is before `today`."""
        return _cases(queries.overdue(self.conn, today, point_code))

    def search_tails(self, text: str) -> list[CaseRecord]:
        """Cases by the last characters of their number or the last 6 of the applicant's ID."""
        rows = queries.by_case_no_tail(self.conn, text)
        if len(text.strip()) == 6:
            rows += queries.by_id_tail(self.conn, text)
        return _cases(rows)

    def cases_of_items(self, item_nos: list[int]) -> list[CaseRecord]:
        return _cases(queries.by_items(self.conn, item_nos))

    def search(self, text: str) -> list[CaseRecord]:
        """The search box: case number, ID number, credit code, then names (see `queries.search`)."""
        return _cases(queries.search(self.conn, text))

    # ------------------------------------------------------------------ the daily ledger

    def ledger_day(self, day: date, point_code: str | None = None) -> ledger_queries.LedgerDay:
        """What the daily ledger of `day` counts (read-only; see `clerk.storage.sqlite.ledger_queries`)."""
        from clerk.storage.sqlite import ledger_queries

        with self._lock, translated():
            return ledger_queries.ledger_day(self.conn, day, point_code)

    def supervised_cases(
        self, first: date, last: date, instant_items: Collection[int] = ()
    ) -> Iterator[SupervisedCase]:
        """The supervision facts of the cases relevant to `first`..`last`, streamed from one read
        transaction (see `clerk.storage.sqlite.supervision_queries`)."""
        from clerk.storage.sqlite import supervision_queries

        with self._lock, translated():
            own = not self.conn.in_transaction
            if own:
                self.conn.execute("BEGIN")
            try:
                yield from supervision_queries.supervised_cases(
                    self.conn, first, last, instant_items
                )
            finally:
                if own and self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def figure_cases(
        self,
        figure: str,
        period: tuple[date, date],
        place: tuple[int, str, str | None],
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> FigureCases:
        """One page of the cases behind a supervision figure (see `clerk.ports.store`; `limit`
        None: `FIGURE_PAGE`)."""
        from clerk.ports.supervision import FIGURE_PAGE
        from clerk.storage.sqlite import supervision_queries

        with self._lock, translated():
            return supervision_queries.figure_cases(
                self.conn, figure, period, place, after, FIGURE_PAGE if limit is None else limit
            )

    def action_cases(
        self,
        query: ActionQuery,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> Iterator[ActionCase]:
        """The cases on one list that needs action, streamed from one read transaction (see
        `clerk.storage.sqlite.action_queries`)."""
        from clerk.storage.sqlite import action_queries

        with self._lock, translated():
            own = not self.conn.in_transaction
            if own:
                self.conn.execute("BEGIN")
            try:
                yield from action_queries.action_cases(self.conn, query, after, limit)
            finally:
                if own and self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def action_counts(self, query: ActionQuery) -> dict[str, int]:
        """How many cases one list that needs action holds, per office."""
        from clerk.storage.sqlite import action_queries

        with self._lock, translated():
            return action_queries.action_counts(self.conn, query)


def _cases(rows: list[CaseRecord]) -> list[CaseRecord]:
    return rows  # `clerk.storage.sqlite.queries` decodes its rows into records itself


def _translate_reads(cls: type) -> type:
    """Wrap every public method of the store so a SQLite error leaves it as a `StorageError`.

    `transaction` and `open` translate themselves (a context manager and a constructor).
    """
    import functools

    for name, member in list(vars(cls).items()):
        if name.startswith("_") or name in {"transaction", "open"} or not callable(member):
            continue

        def wrap(fn: Any) -> Any:
            @functools.wraps(fn)
            def call(*args: Any, **kwargs: Any) -> Any:
                try:  # what `with translated():` does, without a generator per call
                    return fn(*args, **kwargs)
                except sqlite3.Error as exc:
                    raise translate(exc) from exc

            return call

        setattr(cls, name, wrap(member))
    return cls


_translate_reads(Store)


if TYPE_CHECKING:  # a static check (mypy): the SQLite store implements the port
    from clerk.ports.store import Store as _Port

    def _sqlite_store_is_a_store(store: Store) -> _Port:
        return store
