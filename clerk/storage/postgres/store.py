"""`PostgresStore`: the `clerk.ports.store.Store` port on a PostgreSQL server.

One store is one connection (the port's contract, point 1), taken from a psycopg_pool pool of
one: the pool opens it, checks it, and gives a fresh one after a lost connection between
transactions. Everything the store guarantees, and how (see `clerk.ports.store`):

1. transactions: `with store.transaction():` is psycopg's transaction block on an autocommit
   connection: `BEGIN` (READ COMMITTED) ... `COMMIT`; a nested block is a `SAVEPOINT`;
2. writers of one case: PostgreSQL's row locks (`UPDATE` of the case row; the chain-head lock);
   a lock waited on longer than `lock_timeout` (15 s, SQLite's busy timeout) is a `BusyError`;
3. the case version: `UPDATE cases ... WHERE uuid = %s AND version = %s`, one statement;
4. the chains: `clerk_lock_chain_head(origin)` (`SELECT ... FROM chain_heads WHERE origin = ...
   FOR UPDATE`, the row made on the origin's first event), then the inserts; the
   `events_extend_heads` trigger (once per statement, migration 6) takes the same lock and
   refuses rows that do not extend the head, `UNIQUE (origin, seq)` and `UNIQUE (hash)` back
   it up;
5. append-only: triggers refuse UPDATE, DELETE and TRUNCATE of `events` even for the owner, and
   the application role `clerk_app` is granted only SELECT and INSERT on it (migration 2);
6. reads: READ COMMITTED; `verify()` and the ledger run in one REPEATABLE READ snapshot.

Stored forms are the SQLite adapter's (instants as ISO text with offset, JSON as canonical text,
flags as 0/1), so records, events and hashes are identical on both engines.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from clerk.audit import proof
from clerk.domain import chain
from clerk.domain.admin_log import (
    RECORDED_SOURCES,
)
from clerk.domain.chain_names import chain_for
from clerk.domain.clock import Clock, system_clock
from clerk.domain.indicators import SupervisedCase
from clerk.domain.model import CaseState, Event
from clerk.ports.action_cases import ActionCase, ActionQuery
from clerk.ports.document_names import document_name
from clerk.ports.errors import ConflictError, ConstraintError, NotFoundError, StorageError
from clerk.ports.ledger import LedgerDay
from clerk.ports.records import (
    BatchCaseLink,
    BatchMaterial,
    BatchRecord,
    CaseChanges,
    CaseRecord,
    CheckpointRecord,
    DocumentRecord,
    EvaluationRecord,
    EventRecord,
    MaterialCheckInput,
    MaterialCheckRecord,
    NewBatch,
    NewCase,
    NewDocument,
    NewEvaluation,
    NewMaterialCheck,
    PointRecord,
    columns_of,
)
from clerk.ports.records import instant as _instant
from clerk.ports.records import normalize as _normalize
from clerk.ports.supervision import FIGURE_PAGE, FigureCases
from clerk.ports.verify_report import VerifyReport
from clerk.storage import admin_chain
from clerk.storage.administration import Administration
from clerk.storage.postgres import action_lists, admin_log, queries, schema, supervision
from clerk.storage.postgres.errors import translate, translated
from clerk.storage.postgres.verify import PostgresRecordReads
from clerk.support.random_ids import random_uuid

if TYPE_CHECKING:
    from argon2 import PasswordHasher

ZERO_HASH = chain.ZERO_HASH
LOCK_TIMEOUT = "15s"
F = TypeVar("F", bound=Callable[..., Any])


def safe_location(url: str) -> str:
    """`url` as a person may see it: no password (neither in the authority nor as a `password=`
    parameter), the user name as a `user=` parameter (so nothing before an `@` is shown)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    params = [(k, v) for k, v in parse_qsl(parts.query) if k != "password"]
    if "@" in netloc:
        auth, netloc = netloc.rsplit("@", 1)
        user = unquote(auth.split(":", 1)[0])
        if user and not any(k == "user" for k, _ in params):
            params.insert(0, ("user", user))
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(params), parts.fragment))


def _case_values(case: NewCase) -> dict[str, Any]:
    values = _normalize(columns_of(case))
    values["origin_point"] = case.origin_point or case.point_code
    return values


def _event_fields(event: Event, point_code: str, uuid: str | None = None) -> dict[str, Any]:
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


def _insert_sql(table: str, names: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('%s' for _ in names)})"


class PostgresStore(Administration):
    """A clerk database on a PostgreSQL server. `PostgresStore.open(url)`; `close()` after."""

    def __init__(
        self,
        pool: ConnectionPool,
        url: str,
        *,
        clock: Clock = system_clock,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.pool = pool
        self.url = url
        self.clock = clock
        self._hasher = hasher
        self._lock = threading.RLock()
        self._conn: psycopg.Connection[Any] | None = None
        self._depth = 0
        self._writing = 0  # depth of `transaction()` blocks (a read-only snapshot is not one)
        self._columns: dict[str, tuple[str, ...]] = {}
        self._sync: Any = None
        self._record_reads: PostgresRecordReads | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        url: str,
        *,
        clock: Clock = system_clock,
        hasher: PasswordHasher | None = None,
        migrate: bool = True,
    ) -> PostgresStore:
        """Connect to `url` (a libpq URL: the password from `PGPASSFILE`/`~/.pgpass`,
        `PGPASSWORD` or a `passfile=` parameter) and bring the schema up to date."""

        def configure(conn: psycopg.Connection[Any]) -> None:
            conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            conn.execute("SET TIME ZONE 'Asia/Shanghai'")

        try:  # fail fast with the server's answer (the pool would retry until its timeout)
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            raise StorageError(
                f"无法连接数据库服务器 {safe_location(url)}，请检查地址、密码文件和网络。"
            ) from exc
        pool = ConnectionPool(
            url,
            min_size=1,
            max_size=1,
            open=False,
            kwargs={"autocommit": True, "application_name": "clerk"},
            configure=configure,
            num_workers=1,
            name="clerk",
        )
        try:
            pool.open(wait=True, timeout=30)
        except Exception as exc:  # PoolTimeout: the server refused or is not there
            pool.close()
            raise StorageError(
                f"无法连接数据库服务器 {safe_location(url)}，请检查地址、密码文件和网络。"
            ) from exc
        store = cls(pool, url, clock=clock, hasher=hasher)
        try:
            with store._lock, translated():
                conn = store.conn
                if migrate:
                    schema.migrate(conn)
                    with store.transaction():  # accounts from before the proof, as found
                        admin_chain.begin(admin_log.Sql(conn), store.now())
                elif schema.current_version(conn) < schema.latest():
                    raise StorageError("数据库尚未升级到本程序的版本，请由数据库管理员升级。")
        except BaseException:
            store.close()
            raise
        return store

    @property
    def conn(self) -> psycopg.Connection[Any]:
        """This store's connection (a new one from the pool after a lost one, between transactions)."""
        conn = self._conn
        if conn is not None and (conn.closed or conn.broken) and self._depth == 0:
            self.pool.putconn(conn)
            conn = self._conn = None
        if conn is None:
            conn = self._conn = self.pool.getconn(timeout=30)
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self.pool.putconn(self._conn)
                finally:
                    self._conn = None
            self.pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def location(self) -> str:
        return safe_location(self.url)

    @property
    def path(self) -> Path | None:
        return None

    def schema_version(self) -> int:
        return schema.RECORD_VERSION

    def database_version(self) -> int:
        """The PostgreSQL schema's own migration number."""
        return schema.current_version(self.conn)

    def now(self) -> str:
        return _instant(self.clock())

    def sync_store(self) -> Any:
        if self._sync is None:
            from clerk.storage.postgres.sync import PostgresSyncStore

            self._sync = PostgresSyncStore(self)
        return self._sync

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[PostgresStore]:
        """`BEGIN` ... `COMMIT` (a `SAVEPOINT` when nested), rolled back if the block raises."""
        with self._lock, translated():
            conn = self.conn
            with conn.transaction():
                self._depth += 1
                self._writing += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                    self._writing -= 1

    @contextmanager
    def snapshot(self) -> Iterator[psycopg.Connection[Any]]:
        """One REPEATABLE READ, read-only snapshot for several reads (inside a transaction
        already begun: that transaction's view)."""
        with self._lock, translated():
            conn = self.conn
            if self._depth:
                yield conn
                return
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                self._depth += 1
                yield conn
            finally:
                self._depth -= 1
                conn.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def _x(self, sql: str, params: Any = None) -> Any:
        return self.conn.execute(sql, params)

    def _dicts(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def table_columns(self, table: str) -> tuple[str, ...]:
        """The columns of `table` a record has (the arrival number `n` is this database's own)."""
        found = self._columns.get(table)
        if found is None:
            found = tuple(
                r[0]
                for r in self._x(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                    " current_schema() AND table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
                if not (r[0] == "n" and table != "events")
            )
            self._columns[table] = found
        return found

    def _check_columns(self, table: str, row: Mapping[str, Any]) -> None:
        unknown = sorted(set(row) - set(self.table_columns(table)))
        if unknown:
            raise ValueError(f"unknown column(s) for {table}: {', '.join(unknown)}")

    def _insert(self, table: str, values: Mapping[str, Any]) -> None:
        names = list(values)
        self._x(_insert_sql(table, names), [values[n] for n in names])

    # ------------------------------------------------------------------ settings and points

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self._x("SELECT value FROM settings WHERE key = %s", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self._x(
                "INSERT INTO settings (key, value, updated_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                (key, str(value), self.now()),
            )

    def settings(self) -> dict[str, str]:
        return dict(self._x("SELECT key, value FROM settings ORDER BY key").fetchall())

    def points(self) -> list[PointRecord]:
        rows = self._x("SELECT code, name, kind, office_code FROM points ORDER BY code")
        return [PointRecord(c, n, k, o) for c, n, k, o in rows]

    @property
    def _admin(self) -> admin_log.Sql:
        """This store's connection as the administrative statements use it
        (`clerk.storage.administration`, `clerk.storage.admin_chain`)."""
        return admin_log.Sql(self.conn)

    # ------------------------------------------------------------------ cases

    def index_new_names(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """`index_names` for cases just inserted (none indexed yet): one COPY, the bulk path."""
        if not rows:
            return
        with (
            self.conn.cursor() as cur,
            cur.copy("COPY case_search (case_uuid, applicant_key, unit_key) FROM STDIN") as copy,
        ):
            for r in rows:
                copy.write_row(
                    (
                        r["uuid"],
                        queries.search_key(r.get("applicant_name")),
                        queries.search_key(r.get("unit_name")),
                    )
                )

    def index_names(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Put cases' names into the search table (inside the caller's transaction)."""
        if not rows:
            return
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO case_search (case_uuid, applicant_key, unit_key) VALUES (%s, %s, %s)"
                " ON CONFLICT (case_uuid) DO UPDATE SET applicant_key = excluded.applicant_key,"
                " unit_key = excluded.unit_key",
                [
                    (
                        r["uuid"],
                        queries.search_key(r.get("applicant_name")),
                        queries.search_key(r.get("unit_name")),
                    )
                    for r in rows
                ],
            )

    def insert_case(self, case: NewCase) -> str:
        values = _case_values(case)
        self._check_columns("cases", values)
        now = self.now()
        values.update(version=1, created_at=now, updated_at=now)
        with self.transaction():
            self._insert("cases", values)
            self.index_names([values])
        return str(values["uuid"])

    def insert_cases(self, cases: Sequence[NewCase]) -> list[str]:
        if not cases:
            return []
        now = self.now()
        prepared = []
        for case in cases:
            values = _case_values(case)
            values.update(version=1, created_at=now, updated_at=now)
            prepared.append(values)
        names = list(prepared[0])
        self._check_columns("cases", prepared[0])
        with self.transaction(), self.conn.cursor() as cur:
            cur.executemany(_insert_sql("cases", names), [[v[n] for n in names] for v in prepared])
            self.index_names(prepared)
        return [str(v["uuid"]) for v in prepared]

    def update_case(self, uuid: str, changes: CaseChanges, expected_version: int) -> int:
        values = _normalize(CaseChanges(changes))
        self._check_columns("cases", values)
        assignments = "".join(f"{name} = %({name})s, " for name in values)
        params = {**values, "_uuid": uuid, "_expected": expected_version, "_now": self.now()}
        with self.transaction():
            cursor = self._x(
                f"UPDATE cases SET {assignments}version = version + 1, updated_at = %(_now)s"
                " WHERE uuid = %(_uuid)s AND version = %(_expected)s",
                params,
            )
            if cursor.rowcount != 1:
                current = self._x("SELECT version FROM cases WHERE uuid = %s", (uuid,)).fetchone()
                if current is None:
                    raise NotFoundError("找不到该办件，请刷新后重试。")
                raise ConflictError("该办件刚被其他人修改过，请刷新后重新操作。")
            if {"applicant_name", "unit_name"} & set(values):
                row = self.get_case(uuid)
                assert row is not None
                self.index_names(
                    [
                        {
                            "uuid": uuid,
                            "applicant_name": row.applicant_name,
                            "unit_name": row.unit_name,
                        }
                    ]
                )
        return expected_version + 1

    def get_case(self, uuid: str) -> CaseRecord | None:
        """The case; inside a write transaction its row is locked (`FOR UPDATE`) until the
        commit, as SQLite's `BEGIN IMMEDIATE` holds the file: a second desk deciding the same
        case waits, then reads what the first stored and gets the workflow's refusal, not a
        lost compare-and-set after rendering its own documents."""
        return queries.by_uuid(self.conn, uuid, lock=self._writing > 0)

    def get_case_by_no(self, case_no: str) -> CaseRecord | None:
        return queries.by_case_no(self.conn, case_no)

    def next_sequence(self, point_code: str, day: date | str) -> int:
        key = day.isoformat() if isinstance(day, date) else str(day)
        with self.transaction():
            row = self._x(
                "INSERT INTO sequences (point_code, day, last) VALUES (%s, %s, 1)"
                " ON CONFLICT (point_code, day) DO UPDATE SET last = sequences.last + 1"
                " RETURNING last",
                (point_code, key),
            ).fetchone()
        return int(row[0])

    # ------------------------------------------------------------------ materials

    def set_material_checks(
        self, case_uuid: str, checks: Sequence[MaterialCheckInput], point_code: str | None = None
    ) -> None:
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
                    self._insert(
                        "case_materials",
                        {
                            "uuid": random_uuid(),
                            "case_uuid": case_uuid,
                            "point_code": owner,
                            "material_id": check.material_id,
                            **fields,
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        },
                    )
                elif any(old[k] != v for k, v in fields.items()):
                    self._x(
                        "UPDATE case_materials SET status = %(status)s, alternative = %(alternative)s,"
                        " defect = %(defect)s, version = version + 1, updated_at = %(now)s"
                        " WHERE uuid = %(uuid)s",
                        {**fields, "now": now, "uuid": old["uuid"]},
                    )

    def material_checks(self, case_uuid: str) -> list[MaterialCheckRecord]:
        return [MaterialCheckRecord.from_row(r) for r in self._material_rows(case_uuid)]

    def _material_rows(self, case_uuid: str) -> list[dict[str, Any]]:
        return self._dicts(
            "SELECT * FROM case_materials WHERE case_uuid = %s ORDER BY material_id", (case_uuid,)
        )

    def add_material_checks(self, checks: Sequence[NewMaterialCheck]) -> None:
        now = self.now()
        names = (
            "uuid",
            "case_uuid",
            "point_code",
            "material_id",
            "status",
            "alternative",
            "defect",
            "version",
            "created_at",
            "updated_at",
        )
        with self.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                _insert_sql("case_materials", names),
                [
                    (
                        random_uuid(),
                        c.case_uuid,
                        c.point_code,
                        c.material_id,
                        c.status,
                        c.alternative,
                        c.defect,
                        1,
                        now,
                        now,
                    )
                    for c in checks
                ],
            )

    # ------------------------------------------------------------------ documents and evaluations

    def _add(self, table: str, row: Mapping[str, Any]) -> str:
        values = _normalize(row)
        self._check_columns(table, values)
        now = self.now()
        values.update(version=1, created_at=now, updated_at=now)
        with self.transaction():
            self._insert(table, values)
        return str(values["uuid"])

    def add_document(self, document: NewDocument) -> str:
        return self._add("documents", columns_of(document))

    def add_documents(self, documents: Sequence[NewDocument]) -> None:
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
        with self.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                _insert_sql("documents", names), [[v[n] for n in names] for v in prepared]
            )

    def documents_for(self, case_uuid: str) -> list[DocumentRecord]:
        return [
            DocumentRecord.from_row(r)
            for r in self._dicts(
                "SELECT * FROM documents WHERE case_uuid = %s ORDER BY issued_at, n", (case_uuid,)
            )
        ]

    def document_at(self, path: Path) -> bool:
        """Whether a recorded document is the file at `path`: by its path, or by the name a
        window's copy of it at `path` has (`clerk.ports.document_names`)."""
        same = [str(path.with_suffix(".txt")), str(path.with_suffix(".pdf"))]
        same += [document_name(p) for p in list(same)]
        found = self._x(
            "SELECT 1 FROM documents WHERE path_txt = ANY(%s) OR path_pdf = ANY(%s) LIMIT 1",
            (same, same),
        ).fetchone()
        return found is not None

    # The documents' bytes live here, in `document_contents` (migration 7): every window reaches
    # them, they commit with the row that names them, and pg_dump carries them.
    keeps_document_bytes = True

    def add_document_content(self, name: str, content: bytes) -> None:
        if not name:
            raise ValueError("a document's content needs a name")
        with self.transaction():
            added = self._x(
                "INSERT INTO document_contents (name, content, kept_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO NOTHING RETURNING 1",
                (name, bytes(content), self.now()),
            ).fetchone()
            if added is not None:
                return
            same = self._x(
                "SELECT content = %s FROM document_contents WHERE name = %s",
                (bytes(content), name),
            ).fetchone()
            if not (same and same[0]):
                raise ConstraintError(f"文书 {name} 已保存过不同的内容，不能覆盖。")

    def document_content(self, name: str) -> bytes | None:
        row = self._x("SELECT content FROM document_contents WHERE name = %s", (name,)).fetchone()
        return bytes(row[0]) if row else None

    def add_evaluation(self, evaluation: NewEvaluation) -> str:
        return self._add("evaluations", columns_of(evaluation))

    def evaluation_for(self, case_uuid: str) -> EvaluationRecord | None:
        rows = self._dicts(
            "SELECT * FROM evaluations WHERE case_uuid = %s ORDER BY at DESC, n DESC LIMIT 1",
            (case_uuid,),
        )
        return EvaluationRecord.from_row(rows[0]) if rows else None

    def follow_up_evaluation(self, case_uuid: str, text: str, at: datetime | str) -> None:
        with self.transaction():
            latest = self.evaluation_for(case_uuid)
            if latest is None:
                raise NotFoundError("该办件还没有评价，无需回访。")
            self._x(
                "UPDATE evaluations SET follow_up = %s, followed_up_at = %s,"
                " version = version + 1, updated_at = %s WHERE uuid = %s",
                (text, _instant(at), self.now(), latest.uuid),
            )

    # ------------------------------------------------------------------ events

    def origin(self, fallback: str | None = None) -> str:
        code = self.get_setting("point_code") or fallback
        if not code:
            raise ValueError("本机尚未设置所属经办机构或服务点，不能记录事件。请先完成初始设置。")
        return code

    def _lock_chain_head(self, origin: str) -> tuple[int, str]:
        """Steps (a) and (b) of the port's chain contract: lock `origin`'s chain-head row until
        the transaction ends (`SELECT ... FOR UPDATE` inside `clerk_lock_chain_head`), read it."""
        if self._depth == 0:
            raise StorageError("a chain head is read for appending only inside a transaction")
        row = self._x("SELECT seq, hash FROM clerk_lock_chain_head(%s)", (origin,)).fetchone()
        return int(row[0]), str(row[1])

    def append_event(self, event: Event, point_code: str, *, uuid: str | None = None) -> str:
        return self.append_events([event], point_code, uuids=[uuid])[0]

    def append_events(
        self,
        events: Sequence[Event],
        point_code: str,
        *,
        uuids: Sequence[str | None] | None = None,
    ) -> list[str]:
        if not events:
            return []
        columns = chain.STORED_COLUMNS
        prepared = [
            _event_fields(e, point_code, (uuids or [None] * len(events))[i])
            for i, e in enumerate(events)
        ]
        rows: list[tuple[Any, ...]] = []
        hashes: list[str] = []
        with self.transaction():
            origin = chain_for(self.origin(point_code), point_code)
            seq, prev = self._lock_chain_head(origin)
            for fields in prepared:
                seq += 1
                fields.update(origin=origin, format=chain.CURRENT_FORMAT, seq=seq)
                digest = chain.event_hash(fields, prev, chain.CURRENT_FORMAT)
                fields.update(
                    data=chain.canonical_json(fields["data"]), prev_hash=prev, hash=digest
                )
                rows.append(tuple(fields[c] for c in columns))
                hashes.append(digest)
                prev = digest
            with self.conn.cursor() as cur:
                cur.executemany(_insert_sql("events", columns), rows)
        return hashes

    def events_for(self, case_uuid: str) -> list[dict[str, Any]]:
        return self._dicts("SELECT * FROM events WHERE case_uuid = %s ORDER BY n", (case_uuid,))

    def case_events(self, case_uuid: str) -> list[EventRecord]:
        return [EventRecord.from_row(e) for e in self.events_for(case_uuid)]

    def chain_head(self, origin: str | None = None) -> tuple[int, str]:
        if origin is None:
            origin = self.get_setting("point_code") or self._latest_origin()
        row = self._x(
            "SELECT seq, hash FROM events WHERE origin = %s ORDER BY seq DESC LIMIT 1", (origin,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else (0, ZERO_HASH)

    def _latest_origin(self) -> str:
        row = self._x("SELECT origin FROM events ORDER BY n DESC LIMIT 1").fetchone()
        return str(row[0]) if row else ""

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        rows = self._x(
            "SELECT e.origin, e.seq, e.hash FROM chain_heads h JOIN events e"
            " ON e.origin = h.origin AND e.seq = h.seq WHERE h.seq > 0 ORDER BY e.origin"
        )
        return {str(o): (int(s), str(h)) for o, s, h in rows}

    def chain_heads_at(self, before: datetime | str) -> dict[str, tuple[int, str]]:
        bound = _instant(before) if isinstance(before, datetime) else before
        rows = self._x(
            "SELECT h.origin, e.seq, e.hash FROM chain_heads h CROSS JOIN LATERAL"
            " (SELECT seq, hash FROM events WHERE origin = h.origin AND at < %s"
            " ORDER BY seq DESC LIMIT 1) e ORDER BY h.origin",
            (bound,),
        )
        return {str(o): (int(s), str(h)) for o, s, h in rows}

    def event_hash_at(self, origin: str, seq: int) -> str | None:
        row = self._x(
            "SELECT hash FROM events WHERE origin = %s AND seq = %s", (origin, seq)
        ).fetchone()
        return str(row[0]) if row else None

    # ------------------------------------------------------------------ batches (rosters)

    def insert_batch(self, batch: NewBatch, materials: Sequence[BatchMaterial]) -> str:
        values = _normalize(columns_of(batch))
        self._check_columns("batches", values)
        now = self.now()
        values.update(version=1, created_at=now, updated_at=now)
        with self.transaction():
            self._insert("batches", values)
            for m in materials:
                self._insert(
                    "batch_materials",
                    {
                        "uuid": random_uuid(),
                        "batch_uuid": values["uuid"],
                        "point_code": values["point_code"],
                        **columns_of(m),
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
        return str(values["uuid"])

    def link_batch_cases(self, links: Sequence[BatchCaseLink]) -> None:
        rows = [_normalize(columns_of(link)) for link in links]
        if not rows:
            return
        self._check_columns("batch_cases", rows[0])
        now = self.now()
        names = [*rows[0], "created_at", "updated_at"]
        with self.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                _insert_sql("batch_cases", names),
                [[*(r.get(n) for n in names[:-2]), now, now] for r in rows],
            )

    def next_batch_number(self, point_code: str, day: date) -> int:
        key = day.isoformat()
        found = self._x(
            "SELECT COUNT(*) FROM batches WHERE point_code = %s AND received_at >= %s"
            " AND received_at < %s",
            (point_code, key, key + "T99"),
        ).fetchone()[0]
        return int(found) + 1

    def enrolled_ids(self, item_no: int, id_numbers: list[str]) -> dict[str, str]:
        ended = [
            str(s)
            for s in (
                CaseState.REFUSED,
                CaseState.REJECTED,
                CaseState.WITHDRAWN,
                CaseState.ABANDONED,
            )
        ]
        found: dict[str, str] = {}
        rows = self._x(
            "SELECT id_number, case_no FROM cases WHERE id_number = ANY(%s) AND item_no = %s"
            " AND NOT (state = ANY(%s)) ORDER BY received_at",
            (sorted(set(id_numbers)), item_no, ended),
        )
        for number, case_no in rows:
            found.setdefault(number, case_no)
        return found

    def batches_with_sha(self, sha256: str) -> list[BatchRecord]:
        return [
            BatchRecord.from_row(r)
            for r in self._dicts(
                "SELECT * FROM batches WHERE source_sha256 = %s ORDER BY received_at", (sha256,)
            )
        ]

    def batch(self, uuid: str) -> dict[str, Any] | None:
        rows = self._dicts("SELECT * FROM batches WHERE uuid = %s", (uuid,))
        return rows[0] if rows else None

    def batches(self, point_code: str | None = None) -> list[dict[str, Any]]:
        if point_code is None:
            return self._dicts("SELECT * FROM batches ORDER BY received_at DESC")
        return self._dicts(
            "SELECT * FROM batches WHERE point_code = %s ORDER BY received_at DESC", (point_code,)
        )

    def batch_materials(self, batch_uuid: str) -> list[dict[str, Any]]:
        return self._dicts(
            "SELECT * FROM batch_materials WHERE batch_uuid = %s ORDER BY material_id",
            (batch_uuid,),
        )

    def batch_cases(self, batch_uuid: str) -> list[dict[str, Any]]:
        return self._dicts(
            "SELECT b.*, c.case_no, c.state FROM batch_cases b JOIN cases c ON c.uuid = b.case_uuid"
            " WHERE b.batch_uuid = %s ORDER BY b.row_no",
            (batch_uuid,),
        )

    # ------------------------------------------------------------------ checkpoints and verify

    def add_checkpoint(
        self, origin: str, seq: int, digest: str, source: str, note: str = ""
    ) -> None:
        with self.transaction():
            added = self._x(
                "INSERT INTO checkpoints (origin, seq, hash, source, note, recorded_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (origin, seq, hash, source) DO NOTHING",
                (origin, seq, digest, source, note, self.now()),
            ).rowcount
            if added and source in RECORDED_SOURCES:  # a verify's own head is not recorded
                admin_chain.checkpoint(
                    self._admin, self.now(), f"system:{source}", origin, seq, digest, source, note
                )

    def keep_checkpoints(
        self, heads: Mapping[str, tuple[int, str]], source: str, note: str = ""
    ) -> bool:
        try:
            with self.transaction():
                for origin, (seq, digest) in heads.items():
                    self.add_checkpoint(origin, seq, digest, source, note)
        except StorageError:
            return False
        return True

    def checkpoints(self) -> list[CheckpointRecord]:
        return [
            CheckpointRecord.from_row(r)
            for r in self._dicts(
                "SELECT origin, seq, hash, source, note, recorded_at FROM checkpoints ORDER BY id"
            )
        ]

    def verify(
        self, *, full: bool = False, remember: bool = True, recent_files: bool = True
    ) -> VerifyReport:
        """Prove the record (`clerk.audit.proof`, on `record_reads()`): incremental from the last
        passed verify unless `full`; a passed verify is remembered unless `remember` is false."""
        return proof.verify(
            self.record_reads(),
            full=full,
            remember=remember,
            recent_files=recent_files,
            at=self.now(),
        )

    def record_reads(self) -> PostgresRecordReads:
        """What the proof of the record reads (`clerk.ports.store.RecordReads`), made once."""
        if self._record_reads is None:
            self._record_reads = PostgresRecordReads(self)
        return self._record_reads

    def engine_checks(self, *, quick: bool = False) -> list[str]:
        """PostgreSQL's own checks: with the `amcheck` extension installed, `bt_index_check` of
        every B-tree index of clerk's tables (skipped when `quick`); constraints left NOT VALID;
        [] when sound or when there is nothing the engine offers to run."""
        messages = [
            f"约束 {name}（表 {table}）未经验证（NOT VALID）"
            for name, table in self._x(
                "SELECT c.conname, t.relname FROM pg_constraint c JOIN pg_class t"
                " ON t.oid = c.conrelid JOIN pg_namespace s ON s.oid = t.relnamespace"
                " WHERE s.nspname = current_schema() AND NOT c.convalidated"
            )
        ]
        if quick:
            return messages
        has_amcheck = self._x(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')"
        ).fetchone()[0]
        if not has_amcheck:
            return messages
        indexes = [
            r[0]
            for r in self._x(
                "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c"
                " ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace s"
                " ON s.oid = c.relnamespace WHERE a.amname = 'btree'"
                " AND s.nspname = current_schema()"
            )
        ]
        for index in indexes:
            try:
                with self.transaction():
                    self._x("SELECT bt_index_check(%s::regclass)", (index,))
            except StorageError as exc:
                messages.append(f"index {index}: {exc}")
        return messages

    # ------------------------------------------------------------------ moving a store here

    def row_counts(self) -> dict[str, int]:
        """Rows in each table a record lives in (`bulk.LOAD_ORDER`; settings without the
        engine's own `verify.*`)."""
        from clerk.storage.postgres import bulk

        with self.snapshot():
            return bulk.row_counts(self)

    def bulk_load(
        self, rows_of: Callable[[str], tuple[Sequence[str], Iterable[Sequence[Any]]]]
    ) -> dict[str, int]:
        """Load whole tables of raw stored rows into this empty database, in one transaction:
        `rows_of(table)` gives the columns and the rows (in the source's arrival order) of each
        table, asked in an order the constraints accept; each table goes in with one `COPY`.
        The chain-head and verify-mark triggers are off during the load and their work done once
        after it (`bulk.finish_derived`): a chain that arrives broken, reordered or forked is
        refused. The documents' files named by the rows are read and their bytes kept here
        (`bulk.load_contents`). Refuses a database that already holds a record. Returns the rows
        loaded per table (see `bulk`), and `document_contents`."""
        from clerk.storage.postgres import bulk

        with self.transaction():
            held = {t: n for t, n in bulk.row_counts(self).items() if n}
            if held:
                raise StorageError(
                    "目标数据库不是空的（"
                    + "、".join(f"{t} {n} 行" for t, n in held.items())
                    + "），为免混淆两处记录，不导入。请换一个新建的空数据库。"
                )
            loaded = {}
            files: dict[str, str] = {}  # document name -> the file on this machine
            bulk.set_load_triggers(self, enabled=False)
            for table in bulk.LOAD_ORDER:
                columns, rows = rows_of(table)
                loaded[table] = bulk.load(
                    self, table, columns, bulk.named(table, columns, rows, files)
                )
            try:
                bulk.finish_derived(self)
            except bulk.BrokenChainError as broken:
                raise StorageError(
                    f"数据库文件中来源 {broken.origin} 的事件链在第 {broken.seq} 条接不上前一条"
                    "（缺失、重复或被改动），未迁移，目标数据库保持为空。"
                    "请先在原机器上运行 clerk verify --full 查明原因。"
                ) from None
            # the deferred foreign-key checks run now: a table with pending trigger events
            # cannot be altered
            self.conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            bulk.set_load_triggers(self, enabled=True)
            # a file that cannot be read: the full verify after the move names its document
            loaded[bulk.CONTENTS], _unread = bulk.load_contents(self, files, self.now())
        return loaded

    def loadable_tables(self) -> tuple[str, ...]:
        """The tables `bulk_load` fills, in the order it asks for them."""
        from clerk.storage.postgres import bulk

        return bulk.LOAD_ORDER

    def loadable_columns(self, table: str) -> tuple[str, ...]:
        """The columns a raw row of `table` may bring to `bulk_load`."""
        from clerk.storage.postgres import bulk

        return bulk.loadable_columns(self, table)

    # ------------------------------------------------------------------ queries

    def find_by_id_number(self, id_number: str) -> list[CaseRecord]:
        return queries.by_id_number(self.conn, id_number)

    def find_by_credit_code(self, code: str) -> list[CaseRecord]:
        return queries.by_credit_code(self.conn, code)

    def notice_times(self, case_uuids: Sequence[str]) -> dict[str, list[datetime]]:
        return {
            case_uuid: [datetime.fromisoformat(at) for at in ats]
            for case_uuid, ats in queries.notices_of(self.conn, case_uuids).items()
        }

    def find_by_name_prefix(self, prefix: str) -> list[CaseRecord]:
        return queries.by_prefix(self.conn, "applicant_name", prefix)

    def search_names(self, text: str) -> list[CaseRecord]:
        return queries.by_full_text(self.conn, text)

    def find_units(self, text: str) -> list[CaseRecord]:
        found = {r.uuid: r for r in queries.by_credit_code(self.conn, text)}
        for r in queries.by_prefix(self.conn, "unit_name", text):
            found.setdefault(r.uuid, r)
        return list(found.values())

    def cases_between(
        self, start: date, end: date, state: str | None = None, point_code: str | None = None
    ) -> list[CaseRecord]:
        return queries.received_between(self.conn, start, end, state, point_code)

    def received_on(self, day: date, point_code: str | None = None) -> list[CaseRecord]:
        return queries.received_between(self.conn, day, day, None, point_code)

    def awaiting_review(self, point_code: str | None = None) -> list[CaseRecord]:
        return queries.in_state(self.conn, CaseState.ACCEPTED, point_code)

    def awaiting_supplement(self, point_code: str | None = None) -> list[CaseRecord]:
        return queries.in_state(self.conn, CaseState.AWAITING_SUPPLEMENT, point_code)

    def awaiting_payment(self, point_code: str | None = None) -> list[CaseRecord]:
        return queries.in_state(self.conn, CaseState.AWAITING_PAYMENT, point_code)

    def unfinished(self, point_code: str | None = None) -> list[CaseRecord]:
        return queries.in_state(self.conn, CaseState.DRAFT, point_code)

    def bad_ratings_awaiting_follow_up(self, point_code: str | None = None) -> list[CaseRecord]:
        return queries.bad_ratings_awaiting_follow_up(self.conn, point_code)

    def due_on_or_before(self, day: date, point_code: str | None = None) -> list[CaseRecord]:
        return queries.due_on_or_before(self.conn, day, point_code)

    def overdue(self, today: date, point_code: str | None = None) -> list[CaseRecord]:
        return queries.overdue(self.conn, today, point_code)

    def search_tails(self, text: str) -> list[CaseRecord]:
        rows = queries.by_case_no_tail(self.conn, text)
        if len(text.strip()) == 6:
            rows += queries.by_id_tail(self.conn, text)
        return rows

    def cases_of_items(self, item_nos: list[int]) -> list[CaseRecord]:
        return queries.by_items(self.conn, item_nos)

    def search(self, text: str) -> list[CaseRecord]:
        return queries.search(self.conn, text)

    def ledger_day(self, day: date, point_code: str | None = None) -> LedgerDay:
        with self.snapshot() as conn:
            return queries.ledger_day(conn, day, point_code)

    def supervised_cases(
        self, first: date, last: date, instant_items: Collection[int] = ()
    ) -> Iterator[SupervisedCase]:
        """The supervision facts of the cases relevant to `first`..`last`, streamed from one
        REPEATABLE READ snapshot (see `clerk.storage.postgres.supervision`)."""
        with self.snapshot() as conn:
            yield from supervision.supervised_cases(conn, first, last, instant_items)

    def figure_cases(
        self,
        figure: str,
        period: tuple[date, date],
        place: tuple[int, str, str | None],
        after: tuple[str, str] | None = None,
        limit: int = FIGURE_PAGE,
    ) -> FigureCases:
        """One page of the cases behind a supervision figure (see `clerk.ports.store`)."""
        with self.snapshot() as conn:
            return supervision.figure_cases(conn, figure, period, place, after, limit)

    def action_cases(
        self,
        query: ActionQuery,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> Iterator[ActionCase]:
        """The cases on one list that needs action, streamed from one REPEATABLE READ snapshot
        (see `clerk.storage.postgres.action_lists`)."""
        with self.snapshot() as conn:
            yield from action_lists.action_cases(conn, query, after, limit)

    def action_counts(self, query: ActionQuery) -> dict[str, int]:
        """How many cases one list that needs action holds, per office."""
        with self.snapshot() as conn:
            return action_lists.action_counts(conn, query)


def _guard(cls: type) -> type:
    """Every public method holds the store's lock (one connection, threads serialised) and lets
    no psycopg error out (`transaction`/`snapshot` translate themselves; `open` is a constructor)."""
    import functools

    # the inherited methods (`Administration`) first, so the class's own win where both define one
    members = {n: m for klass in reversed(cls.__mro__[:-1]) for n, m in vars(klass).items()}
    for name, member in members.items():
        if name.startswith("_") or name in {"transaction", "snapshot", "open", "record_reads"}:
            continue
        if not callable(member):
            continue

        def wrap(fn: Any) -> Any:
            @functools.wraps(fn)
            def call(self: PostgresStore, *args: Any, **kwargs: Any) -> Any:
                with self._lock:
                    try:
                        return fn(self, *args, **kwargs)
                    except psycopg.Error as exc:
                        raise translate(exc) from exc

            return call

        setattr(cls, name, wrap(member))
    return cls


_guard(PostgresStore)


if TYPE_CHECKING:  # a static check (mypy): the PostgreSQL store implements the port
    from clerk.ports.store import Store as _Port

    def _postgres_store_is_a_store(store: PostgresStore) -> _Port:
        return store
