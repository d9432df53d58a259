"""What the proof of the record (`clerk.audit.proof`) reads from a PostgreSQL database.

`PostgresRecordReads` is this engine's side of `clerk.ports.store.RecordReads`:

- one snapshot for the whole proof: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`;
- streaming reads through server-side cursors (`DECLARE ... CURSOR`, psycopg's named cursors),
  a few thousand rows at a time: a county's millions of events are never held in memory;
- the guards only the engine has: the event log's triggers (append-only, at the head) and the
  change-mark triggers, present and enabled; the "schema cookie" is a digest of those triggers'
  definitions and states and of the migrations applied, so a dropped-and-recreated trigger makes
  the next verify a full one;
- the change marks: `verify_dirty`, which on this engine also marks the case of every new event
  (a trigger on `events`). An arrival number `n` is taken when a row is inserted, not when its
  transaction commits, so a verify could see n = 11 committed before n = 10; the mark of event
  10's case is what brings it into the next incremental verify;
- the engine's own checks: `PostgresStore.engine_checks` (amcheck when installed, constraints
  left NOT VALID).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from clerk.domain.admin_log import ADMIN_COLUMNS
from clerk.domain.chain import STORED_COLUMNS
from clerk.domain.replay import COLUMN_LABELS
from clerk.ports.setting_keys import SETTING_AT, SETTING_LAST_N, SETTING_SCHEMA
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
from clerk.storage.postgres import admin_log
from clerk.storage.postgres.errors import translated

MARKS_AT_ONCE = 10_000  # change marks cleared per statement after a passed verify
EXPECTED_TRIGGERS = frozenset(
    {
        "events_extend_heads",
        "events_no_update",
        "events_no_delete",
        "events_no_truncate",
        "verify_dirty_events",
        "verify_dirty_cases",
        "verify_dirty_documents",
        "verify_dirty_case_materials",
        "verify_dirty_evaluations",
        "document_contents_no_update",
        "document_contents_no_delete",
        "document_contents_no_truncate",
    }
    | admin_log.TRIGGERS
)
_CASE_COLUMNS = ("uuid", "case_no", "point_code", *COLUMN_LABELS)
_EVENT_COLUMNS = ", ".join(HISTORY_EVENT_COLUMNS)
_DOCUMENTS = (
    "SELECT d.doc_no, d.path_txt, d.path_pdf, d.sha256, c.case_no, d.sha256_txt"
    " FROM documents d LEFT JOIN cases c ON c.uuid = d.case_uuid"
)
_KEPT_DOCUMENTS = (
    "SELECT d.doc_no, d.path_txt, d.path_pdf, d.sha256, c.case_no, d.sha256_txt,"
    " encode(sha256(t.content), 'hex'), encode(sha256(p.content), 'hex')"
    " FROM documents d LEFT JOIN cases c ON c.uuid = d.case_uuid"
    " LEFT JOIN document_contents t ON t.name = d.path_txt"
    " LEFT JOIN document_contents p ON p.name = d.path_pdf"
)
_UNRECORDED_CONTENTS = (
    "SELECT c.name FROM document_contents c"
    " WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.path_pdf = c.name)"
    " AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.path_txt = c.name)"
    " AND NOT EXISTS (SELECT 1 FROM batches b WHERE c.name IN"
    " (b.receipt_path_txt, b.receipt_path_pdf, b.notice_path_txt, b.notice_path_pdf))"
    " ORDER BY c.name"
)
_TRIGGERS = (
    "SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace s ON s.oid = c.relnamespace"
    " WHERE s.nspname = current_schema() AND NOT t.tgisinternal ORDER BY t.tgname"
)
_CASE_DOCUMENTS = "SELECT case_uuid, kind, doc_no, sha256, sha256_txt FROM documents"
_CASE_MATERIALS = "SELECT case_uuid, material_id, status, alternative, defect FROM case_materials"
_CASE_EVALUATIONS = (
    "SELECT case_uuid, level, comment, at, follow_up, followed_up_at FROM evaluations"
)
BATCH = 2000


def _grouped_by_case(
    conn: Any, select: str, chunk: list[str], order: str
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of `select` for the cases of `chunk`, by case (without the case column)."""
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for r in conn.execute(
        f"{select} WHERE case_uuid = ANY(%s) ORDER BY case_uuid, {order}", (chunk,)
    ):
        grouped.setdefault(r[0], []).append(tuple(r[1:]))
    return grouped


_names = itertools.count(1)


class PostgresRecordReads:
    """`clerk.ports.store.RecordReads` on a `PostgresStore` (its connection and its lock)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    @property
    def conn(self) -> Any:
        return self.store.conn

    # ---------------------------------------------------------------- the snapshot and the marks

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        with self.store.snapshot():
            yield

    def _settings(self) -> dict[str, str]:
        with translated():
            return dict(
                self.conn.execute(
                    "SELECT key, value FROM settings WHERE key LIKE 'verify.%%'"
                ).fetchall()
            )

    def verify_state(self) -> VerifyState:
        settings = self._settings()
        if SETTING_LAST_N not in settings:
            return VerifyState(None, False)
        return VerifyState(
            int(settings[SETTING_LAST_N]), settings.get(SETTING_SCHEMA) != self._schema_cookie()
        )

    def _schema_cookie(self) -> str:
        import hashlib

        with translated():
            triggers = self.conn.execute(_TRIGGERS).fetchall()
            version = self.conn.execute("SELECT MAX(version) FROM clerk_migrations").fetchone()[0]
        text = repr((version, triggers))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def record_extent(self) -> RecordExtent:
        with translated():
            last, cases, documents = self.conn.execute(
                "SELECT (SELECT COALESCE(MAX(n), 0) FROM events), (SELECT COUNT(*) FROM cases),"
                " (SELECT COALESCE(MAX(n), 0) FROM documents)"
            ).fetchone()
        return RecordExtent(int(last), int(cases), int(documents))

    def missing_protections(self) -> list[str]:
        with translated():
            present = {
                str(name) for name, enabled, _ in self.conn.execute(_TRIGGERS) if enabled != "D"
            }
        return sorted(EXPECTED_TRIGGERS - present)

    def change_marks(self) -> list[tuple[str, int]]:
        with translated():
            return [
                (str(u), int(m))
                for u, m in self.conn.execute("SELECT case_uuid, mark FROM verify_dirty")
            ]

    def cases_with_events_after(self, last_event: int) -> set[str]:
        with translated():
            return {
                str(r[0])
                for r in self.conn.execute(
                    "SELECT case_uuid FROM events WHERE n > %s", (last_event,)
                )
            }

    # ---------------------------------------------------------------- the chains

    def origins(self) -> list[str]:
        with translated():
            return [
                str(r[0])
                for r in self.conn.execute(
                    "SELECT origin FROM chain_heads WHERE seq > 0 ORDER BY origin"
                )
            ]

    def event_hash_at(self, origin: str, seq: int) -> str | None:
        with translated():
            row = self.conn.execute(
                "SELECT hash FROM events WHERE origin = %s AND seq = %s", (origin, seq)
            ).fetchone()
        return None if row is None else str(row[0])

    def iter_chain(self, origin: str, after_seq: int = 0) -> Iterator[StoredEvent]:
        yield from self._stream(
            f"SELECT {', '.join(STORED_COLUMNS)} FROM events WHERE origin = %s AND seq > %s"
            " ORDER BY seq",
            (origin, after_seq),
        )

    def iter_admin_chain(self) -> Iterator[tuple[Any, ...]]:
        yield from self._stream(
            f"SELECT {', '.join(ADMIN_COLUMNS)} FROM admin_events ORDER BY seq", ()
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
        wanted = sorted(set(case_uuids))
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            with translated():
                rows = {
                    r[0]: dict(zip(_CASE_COLUMNS, r, strict=True))
                    for r in self.conn.execute(
                        f"SELECT {', '.join(_CASE_COLUMNS)} FROM cases WHERE uuid = ANY(%s)",
                        (chunk,),
                    )
                }
                events: dict[str, list[tuple[Any, ...]]] = {}
                for r in self.conn.execute(
                    f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_uuid = ANY(%s)"
                    " ORDER BY case_uuid, n",
                    (chunk,),
                ):
                    events.setdefault(r[0], []).append(r)
                documents = _grouped_by_case(self.conn, _CASE_DOCUMENTS, chunk, "n")
                materials = _grouped_by_case(self.conn, _CASE_MATERIALS, chunk, "material_id")
                evaluations = _grouped_by_case(self.conn, _CASE_EVALUATIONS, chunk, "at, n")
            for uuid in chunk:
                row = rows.get(uuid)
                if row is None:
                    yield CaseHistory(uuid, None, events.get(uuid, []), [])
                    continue
                docs = documents.get(uuid, [])
                yield CaseHistory(
                    uuid,
                    row,
                    events.get(uuid, []),
                    [str(d[0]) for d in docs],
                    materials.get(uuid, []),
                    evaluations.get(uuid, []),
                    docs,
                )

    def _all_histories(self) -> Iterator[CaseHistory]:
        """Merge-join cases, events and documents, all in case-uuid order (`COLLATE "C"`: the
        byte order Python compares in), three server-side cursors side by side."""
        cases = self._stream(
            f'SELECT {", ".join(_CASE_COLUMNS)} FROM cases ORDER BY uuid COLLATE "C"'
        )
        events = _Stream(
            self._stream(f'SELECT {_EVENT_COLUMNS} FROM events ORDER BY case_uuid COLLATE "C", n')
        )
        documents = _Stream(self._stream(_CASE_DOCUMENTS + ' ORDER BY case_uuid COLLATE "C", n'))
        materials = _Stream(
            self._stream(_CASE_MATERIALS + ' ORDER BY case_uuid COLLATE "C", material_id')
        )
        evaluations = _Stream(
            self._stream(_CASE_EVALUATIONS + ' ORDER BY case_uuid COLLATE "C", at, n')
        )
        for values in cases:
            uuid = values[0]
            for orphan, group in events.skip_to(uuid):
                yield CaseHistory(orphan, None, group, [])
            for stream in (documents, materials, evaluations):
                stream.skip_to(uuid)
            docs = [tuple(r[1:]) for r in documents.take(uuid)]
            yield CaseHistory(
                uuid,
                dict(zip(_CASE_COLUMNS, values, strict=True)),
                events.take(uuid),
                [str(d[0]) for d in docs],
                [tuple(r[1:]) for r in materials.take(uuid)],
                [tuple(r[1:]) for r in evaluations.take(uuid)],
                docs,
            )
        for orphan, group in events.skip_to(None):
            yield CaseHistory(orphan, None, group, [])

    # ---------------------------------------------------------------- documents

    def documents_to_check(
        self, case_uuids: Iterable[str] | None = None
    ) -> Iterator[DocumentFiles]:
        if case_uuids is None:
            yield from self._stream(_DOCUMENTS + " ORDER BY d.n")
            return
        yield from self._stream(
            _DOCUMENTS + " WHERE d.case_uuid = ANY(%s) ORDER BY d.n", (sorted(set(case_uuids)),)
        )

    def recent_files(self, days: int) -> Iterator[RecentFiles]:
        with translated():
            newest = self.conn.execute("SELECT MAX(issued_at) FROM documents").fetchone()[0]
        if newest is None:
            return
        since = (datetime.fromisoformat(newest) - timedelta(days=days)).isoformat()
        yield from self._stream(
            "SELECT path_txt, path_pdf FROM documents WHERE issued_at >= %s", (since,)
        )

    def documents_with_files(self, paths: Collection[str]) -> Iterator[RecentDocument]:
        named = list(paths)
        yield from self._stream(
            "SELECT case_uuid, doc_no, path_txt, path_pdf FROM documents"
            " WHERE path_txt = ANY(%s) OR path_pdf = ANY(%s) ORDER BY issued_at, doc_no",
            (named, named),
        )

    def keeps_documents(self) -> bool:
        return True  # in `document_contents`, hashed by the engine (sha256(), PostgreSQL 11+)

    def kept_documents(self, case_uuids: Iterable[str] | None = None) -> Iterator[KeptDocument]:
        if case_uuids is None:
            yield from self._stream(_KEPT_DOCUMENTS + " ORDER BY d.n")
            return
        yield from self._stream(
            _KEPT_DOCUMENTS + " WHERE d.case_uuid = ANY(%s) ORDER BY d.n",
            (sorted(set(case_uuids)),),
        )

    def unrecorded_contents(self) -> Iterator[str]:
        for (name,) in self._stream(_UNRECORDED_CONTENTS):
            yield name

    def batch_notice_paths(self) -> Iterator[str]:
        for paths in self._stream("SELECT notice_path_txt, notice_path_pdf FROM batches"):
            yield from (p for p in paths if p)

    # ---------------------------------------------------------------- the engine's own checks

    def begin_engine_checks(self, *, quick: bool = False) -> Callable[[], EngineFindings]:
        messages = self.store.engine_checks(quick=quick)
        findings = EngineFindings(messages or "ok", 0, "amcheck" if not quick else "pg_constraint")
        return lambda: findings

    # ---------------------------------------------------------------- remembering a passed verify

    def remember_verify(
        self,
        heads: Mapping[str, tuple[int, str]],
        marks: Sequence[tuple[str, int]],
        last_event: int,
        at: str,
        files_look: FilesLook | None = None,
    ) -> None:
        # `files_look`: never made here (the store keeps the documents' bytes, checked by the
        # engine on every verify), so nothing of it to keep
        store = self.store
        with store.transaction():
            conn = store.conn
            for origin, (seq, digest) in heads.items():
                conn.execute(
                    "DELETE FROM checkpoints WHERE source = 'verified' AND origin = %s", (origin,)
                )
                conn.execute(
                    "INSERT INTO checkpoints (origin, seq, hash, source, recorded_at)"
                    " VALUES (%s, %s, %s, 'verified', %s)",
                    (origin, seq, digest, at),
                )
            cleared = list(marks)
            for start in range(0, len(cleared), MARKS_AT_ONCE):  # a statement per batch
                uuids, values = zip(*cleared[start : start + MARKS_AT_ONCE], strict=True)
                conn.execute(
                    "DELETE FROM verify_dirty d USING unnest(%s::text[], %s::integer[]) AS m(u, k)"
                    " WHERE d.case_uuid = m.u AND d.mark = m.k",
                    (list(uuids), list(values)),
                )
            store.set_setting(SETTING_LAST_N, str(last_event))
            store.set_setting(SETTING_AT, at)
            store.set_setting(SETTING_SCHEMA, self._schema_cookie())

    # ---------------------------------------------------------------- internals

    def _stream(self, sql: str, params: Any = None) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql` through a server-side cursor, `BATCH` at a time (inside the snapshot)."""
        with translated(), self.conn.cursor(name=f"clerk_proof_{next(_names)}") as cur:
            cur.itersize = BATCH
            cur.execute(sql, params)
            yield from cur


class _Stream:
    """Rows grouped by their first column, read in order alongside the cases."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._groups = _grouped(rows)
        self._pending = next(self._groups, None)

    def skip_to(self, key: str | None) -> list[tuple[str, list[tuple[Any, ...]]]]:
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
