"""What the proof of the record reads from a SQLite file, and SQLite's own checks of it.

The proof itself (chains, checkpoints, every case replayed, documents against their files) is
written once against the port, in `clerk.audit.proof`; `SQLiteRecordReads` is the SQLite side of
`clerk.ports.store.RecordReads`:

- streaming reads in one snapshot (`BEGIN` ... `ROLLBACK`), each a cursor SQLite steps through
  (a million-case county file is never read into memory);
- the guards of the record that only an engine has: the triggers that keep the log append-only
  and mark changed cases (`verify_dirty`), and the schema cookie that tells a verify whether the
  schema changed since the last one passed;
- the engine's own checks: `integrity_check` (on a second connection in a thread when the
  database is a file, so a full verify takes about the longer of it and the proof, not their
  sum) and `foreign_key_check`, or `quick_check` alone for a fresh backup copy;
- remembering a passed verify: checkpoints with source `verified`, the local event number, the
  schema cookie, and the change marks it saw cleared.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from clerk.audit import proof
from clerk.audit.document_check import file_sha256, hash_files
from clerk.audit.findings import Proof
from clerk.domain.admin_log import ADMIN_COLUMNS
from clerk.domain.chain import STORED_COLUMNS
from clerk.domain.replay import COLUMN_LABELS
from clerk.ports.setting_keys import SETTING_AT, SETTING_FILES, SETTING_LAST_N, SETTING_SCHEMA
from clerk.ports.verify_report import (
    HISTORY_EVENT_COLUMNS,
    CaseHistory,
    CheckpointInLog,
    DocumentFiles,
    EngineFindings,
    FilesLook,
    KeptDocument,
    RecentDocument,
    RecentFiles,
    RecordExtent,
    StoredEvent,
    VerifyState,
)
from clerk.storage.sqlite import admin_log, chain_walk
from clerk.storage.sqlite.errors import translate, translated
from clerk.support.progress import Progress

__all__ = ["SETTING_SCHEMA", "SQLiteRecordReads", "file_sha256", "hash_files", "record", "verify"]


EXPECTED_TRIGGERS = frozenset(
    {
        "events_no_update",
        "events_no_delete",
        "events_no_replace",
        "events_local_order",
        "events_append_at_head",
    }
    | {
        f"verify_dirty_{table}_{op}"
        for table in ("cases", "documents", "case_materials", "evaluations")
        for op in ("insert", "update", "delete")
    }
    | admin_log.TRIGGERS
)

_CASE_COLUMNS = ("uuid", "case_no", "point_code", *COLUMN_LABELS)
_EVENT_COLUMNS = ", ".join(HISTORY_EVENT_COLUMNS)
_DOCUMENTS = (
    "SELECT d.doc_no, d.path_txt, d.path_pdf, d.sha256, c.case_no, d.sha256_txt"
    " FROM documents d LEFT JOIN cases c ON c.uuid = d.case_uuid"
)
_CASE_DOCUMENTS = "SELECT case_uuid, kind, doc_no, sha256, sha256_txt FROM documents"
_CASE_MATERIALS = "SELECT case_uuid, material_id, status, alternative, defect FROM case_materials"
_CASE_EVALUATIONS = (
    "SELECT case_uuid, level, comment, at, follow_up, followed_up_at FROM evaluations"
)
BATCH = 500  # rows fetched from a cursor at a time


class SQLiteRecordReads:
    """`clerk.ports.store.RecordReads` on a SQLite connection (`lock`: the store's, held for a
    snapshot, so a store's threads do not interleave their statements with the proof's)."""

    def __init__(self, conn: sqlite3.Connection, lock: Any = None) -> None:
        self.conn = conn
        self._lock = lock if lock is not None else threading.RLock()

    # ---------------------------------------------------------------- the snapshot and the marks

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        with self._lock:
            with translated():
                self.conn.execute("BEGIN")  # one snapshot for the whole check
            try:
                yield
            finally:
                if self.conn.in_transaction:
                    with translated():
                        self.conn.execute("ROLLBACK")

    def verify_state(self) -> VerifyState:
        with translated():
            settings = dict(
                self.conn.execute(
                    "SELECT key, value FROM settings WHERE key LIKE 'verify.%'"
                ).fetchall()
            )
            cookie = _schema_cookie(self.conn)
        if SETTING_LAST_N not in settings:
            return VerifyState(None, False)
        return VerifyState(
            int(settings[SETTING_LAST_N]),
            settings.get(SETTING_SCHEMA) != str(cookie),
            FilesLook.from_text(settings.get(SETTING_FILES)),
        )

    def record_extent(self) -> RecordExtent:
        with translated():
            last, cases, documents = (
                int(self.conn.execute(f"SELECT COALESCE(MAX({c}), 0) FROM {t}").fetchone()[0])
                for c, t in (("n", "events"), ("rowid", "cases"), ("rowid", "documents"))
            )
        return RecordExtent(last, cases, documents)

    def missing_protections(self) -> list[str]:
        with translated():
            present = {
                str(r[0])
                for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            }
        return sorted(EXPECTED_TRIGGERS - present)

    def change_marks(self) -> list[tuple[str, int]]:
        with translated():
            return [
                (str(u), int(m))
                for u, m in self.conn.execute("SELECT case_uuid, mark FROM verify_dirty")
            ]

    def cases_with_events_after(self, last_event: int) -> set[str]:
        # a range of the log's rowid, then a set: DISTINCT in SQL would walk the case index (all
        # of it: a fifth of a second at a million cases) to find nothing new
        with translated():
            return {
                str(r[0])
                for r in self.conn.execute(
                    "SELECT case_uuid FROM events WHERE n > ?", (last_event,)
                )
            }

    # ---------------------------------------------------------------- the chains

    def origins(self) -> list[str]:
        with translated():
            return chain_walk.origins(self.conn)

    def event_hash_at(self, origin: str, seq: int) -> str | None:
        with translated():
            row = self.conn.execute(
                "SELECT hash FROM events WHERE origin = ? AND seq = ?", (origin, seq)
            ).fetchone()
        return None if row is None else row[0]

    def iter_chain(self, origin: str, after_seq: int = 0) -> Iterator[StoredEvent]:
        columns = ", ".join(STORED_COLUMNS)
        yield from _rows(
            self.conn,
            f"SELECT {columns} FROM events WHERE origin = ? AND seq > ? ORDER BY seq",
            (origin, after_seq),
        )

    def iter_admin_chain(self) -> Iterator[tuple[Any, ...]]:
        yield from _rows(
            self.conn, f"SELECT {', '.join(ADMIN_COLUMNS)} FROM admin_events ORDER BY seq"
        )

    def accounts(self) -> list[tuple[str, str, str, bool, str]]:
        with translated():
            return [
                (str(login), str(role), str(point), bool(active), str(stored))
                for login, role, point, active, stored in self.conn.execute(
                    "SELECT login, role, point_code, active, password_hash FROM users"
                    " ORDER BY login"
                )
            ]

    def declared_points(self) -> list[tuple[str, str, str, str]]:
        with translated():
            return [
                (str(c), str(n), str(k), str(o))
                for c, n, k, o in self.conn.execute(
                    "SELECT code, name, kind, office_code FROM points ORDER BY code"
                )
            ]

    def checkpoints_in_log(self) -> list[CheckpointInLog]:
        with translated():
            rows = self.conn.execute(
                "SELECT c.origin, c.seq, c.hash, c.source, c.note, e.hash FROM checkpoints c"
                " LEFT JOIN events e ON e.origin = c.origin AND e.seq = c.seq ORDER BY c.id"
            ).fetchall()
        return [
            CheckpointInLog(str(o), int(s), str(h), str(src), note or "", stored)
            for o, s, h, src, note, stored in rows
        ]

    # ---------------------------------------------------------------- cases

    def iter_case_histories(self, case_uuids: Iterable[str] | None = None) -> Iterator[CaseHistory]:
        if case_uuids is None:
            yield from self._all_histories()
            return
        for uuid in case_uuids:
            with translated():
                values = self.conn.execute(
                    f"SELECT {', '.join(_CASE_COLUMNS)} FROM cases WHERE uuid = ?", (uuid,)
                ).fetchone()
                events = self.conn.execute(
                    f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_uuid = ? ORDER BY n", (uuid,)
                ).fetchall()
                if values is None:
                    yield CaseHistory(uuid, None, events, [])
                    continue
                documents = [
                    r[1:]
                    for r in self.conn.execute(_CASE_DOCUMENTS + " WHERE case_uuid = ?", (uuid,))
                ]
                materials = [
                    r[1:]
                    for r in self.conn.execute(_CASE_MATERIALS + " WHERE case_uuid = ?", (uuid,))
                ]
                evaluations = [
                    r[1:]
                    for r in self.conn.execute(
                        _CASE_EVALUATIONS + " WHERE case_uuid = ? ORDER BY at, rowid", (uuid,)
                    )
                ]
            row = dict(zip(_CASE_COLUMNS, values, strict=True))
            yield CaseHistory(
                uuid, row, events, [d[0] for d in documents], materials, evaluations, documents
            )

    def _all_histories(self) -> Iterator[CaseHistory]:
        """Merge-join cases, events and documents, all in case-uuid order: one pass, little memory."""
        cases = _rows(self.conn, f"SELECT {', '.join(_CASE_COLUMNS)} FROM cases ORDER BY uuid")
        events = _Stream(
            _rows(self.conn, f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY case_uuid, n")
        )
        documents = _Stream(_rows(self.conn, _CASE_DOCUMENTS + " ORDER BY case_uuid"))
        materials = _Stream(_rows(self.conn, _CASE_MATERIALS + " ORDER BY case_uuid"))
        evaluations = _Stream(
            _rows(self.conn, _CASE_EVALUATIONS + " ORDER BY case_uuid, at, rowid")
        )
        for values in cases:
            uuid = values[0]
            for orphan, group in events.skip_to(uuid):
                yield CaseHistory(orphan, None, group, [])
            for stream in (documents, materials, evaluations):
                stream.skip_to(uuid)
            docs = [r[1:] for r in documents.take(uuid)]
            yield CaseHistory(
                uuid,
                dict(zip(_CASE_COLUMNS, values, strict=True)),
                events.take(uuid),
                [str(d[0]) for d in docs],
                [r[1:] for r in materials.take(uuid)],
                [r[1:] for r in evaluations.take(uuid)],
                docs,
            )
        for orphan, group in events.skip_to(None):
            yield CaseHistory(orphan, None, group, [])

    # ---------------------------------------------------------------- documents

    def documents_to_check(
        self, case_uuids: Iterable[str] | None = None
    ) -> Iterator[DocumentFiles]:
        if case_uuids is None:
            yield from _rows(self.conn, _DOCUMENTS + " ORDER BY d.rowid")
            return
        for uuid in case_uuids:
            yield from _rows(self.conn, _DOCUMENTS + " WHERE d.case_uuid = ?", (uuid,))

    def recent_files(self, days: int) -> Iterator[RecentFiles]:
        with translated():
            newest = self.conn.execute("SELECT MAX(issued_at) FROM documents").fetchone()[0]
            if newest is None:
                return iter(())
            since = (datetime.fromisoformat(newest) - timedelta(days=days)).isoformat()
            # two short columns, fetched at once: a week's paths are a few MB at a county
            return iter(
                self.conn.execute(
                    "SELECT path_txt, path_pdf FROM documents WHERE issued_at >= ?", (since,)
                ).fetchall()
            )

    def documents_with_files(self, paths: Collection[str]) -> Iterator[RecentDocument]:
        named = json.dumps(list(paths))
        yield from _rows(
            self.conn,
            "SELECT case_uuid, doc_no, path_txt, path_pdf FROM documents"
            " WHERE path_txt IN (SELECT value FROM json_each(?1))"
            " OR path_pdf IN (SELECT value FROM json_each(?1))"
            " ORDER BY issued_at, doc_no",
            (named,),
        )

    def keeps_documents(self) -> bool:
        return False  # files in the documents folder, checked by the proof itself

    def kept_documents(self, case_uuids: Iterable[str] | None = None) -> Iterator[KeptDocument]:
        return iter(())

    def unrecorded_contents(self) -> Iterator[str]:
        return iter(())  # orphan files are found by the proof's walk of the documents folder

    def batch_notice_paths(self) -> Iterator[str]:
        for paths in _rows(self.conn, "SELECT notice_path_txt, notice_path_pdf FROM batches"):
            yield from (p for p in paths if p)

    # ---------------------------------------------------------------- the engine's own checks

    def begin_engine_checks(self, *, quick: bool = False) -> Callable[[], EngineFindings]:
        if quick:
            with translated():
                messages = chain_walk.integrity_messages(self.conn, quick=True)
            findings = EngineFindings(
                "ok" if messages == ["ok"] else messages, 0, "PRAGMA quick_check"
            )
            return lambda: findings
        return _Structure.start(self.conn).result

    # ---------------------------------------------------------------- remembering a passed verify

    def remember_verify(
        self,
        heads: Mapping[str, tuple[int, str]],
        marks: Sequence[tuple[str, int]],
        last_event: int,
        at: str,
        files_look: FilesLook | None = None,
    ) -> None:
        with self._lock, translated():
            _remember(self.conn, heads, marks, last_event, at, files_look)


def _remember(
    conn: sqlite3.Connection,
    heads: Mapping[str, tuple[int, str]],
    marks: Sequence[tuple[str, int]],
    last_event: int,
    now: str,
    files_look: FilesLook | None = None,
) -> None:
    """Clears only the change marks the verify saw; changes made since stay marked."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for origin, (seq, digest) in heads.items():
            conn.execute(
                "DELETE FROM checkpoints WHERE source = 'verified' AND origin = ?", (origin,)
            )
            conn.execute(
                "INSERT INTO checkpoints (origin, seq, hash, source, recorded_at) VALUES (?, ?, ?, 'verified', ?)",
                (origin, seq, digest, now),
            )
        for case_uuid, mark in marks:
            conn.execute(
                "DELETE FROM verify_dirty WHERE case_uuid = ? AND mark = ?", (case_uuid, mark)
            )
        for key, value in ((SETTING_LAST_N, str(last_event)), (SETTING_AT, now)):
            _set(conn, key, value, now)
        _set(conn, SETTING_SCHEMA, str(_schema_cookie(conn)), now)
        if files_look is not None:
            _set(conn, SETTING_FILES, files_look.to_text(), now)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------------- conveniences on a connection


def verify(
    conn: sqlite3.Connection,
    *,
    full: bool = False,
    quick_check: bool = False,
    recent_files: bool = True,
    progress: Progress | None = None,
) -> Proof:
    """The proof (`clerk.audit.proof.prove`) of the file on `conn`, read only."""
    return proof.prove(
        SQLiteRecordReads(conn),
        full=full,
        quick_check=quick_check,
        recent_files=recent_files,
        progress=progress,
    )


def record(conn: sqlite3.Connection, report: Proof, now: str) -> None:
    """Remember a passed proof on `conn`, so the next incremental one starts where it ended."""
    proof.record(SQLiteRecordReads(conn), report, now)


# ---------------------------------------------------------------------- the engine's own checks


class _Structure:
    """`integrity_check` and `foreign_key_check`, on a second connection in a thread when the
    database is a file (on `conn` itself, first, when it is not)."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._messages: list[str] = []
        self._foreign_keys: list[Any] = []
        self._error: BaseException | None = None

    @classmethod
    def start(cls, conn: sqlite3.Connection) -> _Structure:
        structure = cls()
        path = _database_file(conn)
        if path is None:
            structure._run(conn)
        else:
            structure._thread = threading.Thread(
                target=structure._run_on, args=(path,), daemon=True
            )
            structure._thread.start()
        return structure

    def _run_on(self, path: str) -> None:
        try:
            other = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            self._error = exc
            return
        try:
            self._run(other)
        finally:
            other.close()

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            self._messages = chain_walk.integrity_messages(conn)
            if self._messages == ["ok"]:
                self._foreign_keys = conn.execute("PRAGMA foreign_key_check").fetchall()
        except sqlite3.Error as exc:
            self._error = exc

    def result(self) -> EngineFindings:
        """Wait for the check; what it found."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None and not self._messages:
            if isinstance(self._error, sqlite3.DatabaseError) and not isinstance(
                self._error, sqlite3.OperationalError
            ):
                self._messages = [str(self._error)]
            elif isinstance(self._error, sqlite3.Error):
                raise translate(self._error) from self._error
            else:
                raise self._error
        return EngineFindings(
            "ok" if self._messages == ["ok"] else self._messages,
            len(self._foreign_keys),
            "PRAGMA integrity_check",
        )


def _database_file(conn: sqlite3.Connection) -> str | None:
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) if file else None
    return None


# ---------------------------------------------------------------------- helpers


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Any]:
    """The rows of `sql`, fetched `BATCH` at a time; a SQLite error leaves as a neutral one."""
    with translated():
        cursor = conn.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            yield from batch


class _Stream:
    """Rows grouped by their first column, read in order alongside the cases."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._groups = _grouped(rows)
        self._pending = next(self._groups, None)

    def skip_to(self, key: str | None) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """Drop the groups before `key` (all when None); returns them."""
        skipped = []
        while self._pending is not None and (key is None or self._pending[0] < key):
            skipped.append(self._pending)
            self._pending = next(self._groups, None)
        return skipped

    def take(self, key: str) -> list[tuple[Any, ...]]:
        if self._pending is not None and self._pending[0] == key:
            group = self._pending[1]
            self._pending = next(self._groups, None)
            return group
        return []


def _grouped(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    current: str | None = None
    group: list[tuple[Any, ...]] = []
    for values in rows:
        if values[0] != current:
            if current is not None:
                yield current, group
            current, group = values[0], []
        group.append(values)
    if current is not None:
        yield current, group


def _schema_cookie(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def _set(conn: sqlite3.Connection, key: str, value: str, now: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
        " SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, now),
    )
