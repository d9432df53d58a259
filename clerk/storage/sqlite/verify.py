"""`clerk verify`: prove the whole record, not just the log.

What a verify checks:

- each origin's hash chain, link by link (`clerk.storage.sqlite.chain_walk.walk`);
- every checkpoint (a chain head printed on a daily ledger, acknowledged by a peer, or reached by
  an earlier verify) is still contained in its chain: a truncated or rewritten chain fails here;
- every case row equals the replay of its events (`clerk.domain.replay`): a column changed without an
  event is named by case number and column;
- every document row has its file, and the PDF has the recorded SHA-256; (full) every issued file
  under the document folders is named by a row;
- the triggers that keep the log append-only and mark changed cases are all in place;
- (full) SQLite's `integrity_check` and `foreign_key_check`.

**Incremental** (the default): chains from the last verified head of each origin, cases with
events since the last verify or marked changed by the `verify_dirty` triggers, their documents,
and all checkpoints. **Full**: everything. A verify that passes on a file at the current schema
records where it got to (checkpoints with source `verified`, the local event number, the schema
cookie), so the next incremental verify starts there; a schema change since then (a trigger
dropped and recreated, say) makes the next verify a full one.

What this proves and what it does not: someone who edits the file with SQL and recomputes every
later hash (and the marks) leaves a self-consistent file; only a chain head held elsewhere (a
printed ledger, the county office's acknowledgement) shows that it was rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from clerk.domain import chain
from clerk.domain.chain import Head
from clerk.domain.model import STATE_LABELS, CaseState
from clerk.domain.replay import (
    COLUMN_LABELS,
    INSTANT_COLUMNS,
    LEGACY_NULLABLE,
    Projection,
    ReplayedEvent,
    ReplayError,
    apply,
)
from clerk.ports.verify_report import ChainSummary, VerifyProblem, VerifyReport
from clerk.storage.sqlite import chain_walk
from clerk.support.progress import Progress, silent

SETTING_LAST_N = "verify.last_n"
SETTING_SCHEMA = "verify.schema_cookie"
SETTING_AT = "verify.at"

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
)
_SET_ASIDE = re.compile(r"\.unrecorded-\d+$")
LOOSE_SECONDS = 2.0


@dataclass(frozen=True)
class Problem:
    kind: str  # integrity | foreign_key | trigger | chain | checkpoint | case | document | orphan
    message: str  # Chinese
    case_no: str | None = None
    column: str | None = None
    origin: str | None = None
    seq: int | None = None


@dataclass
class Report:
    full: bool
    integrity: str | list[str] = "ok"  # "not checked" in an incremental verify
    chains: list[chain.ChainReport] = field(default_factory=list)
    checkpoints: int = 0
    cases: int = 0
    documents: int = 0
    set_aside: int = 0
    problems: list[Problem] = field(default_factory=list)
    escalated: str | None = None  # why an incremental verify became a full one
    last_n: int = 0  # the local event number the check reached
    marks: list[tuple[str, int]] = field(
        default_factory=list
    )  # change marks seen (case uuid, mark)
    quick_check: bool = False  # an incremental verify that also ran PRAGMA quick_check
    recent_files: bool = True  # an incremental verify also stats the last days' document files
    progress: Progress = field(default=silent, repr=False, compare=False)  # told as stages go by

    @property
    def ok(self) -> bool:
        return not self.problems

    def typed(self) -> VerifyReport:
        """The port's report (`clerk.ports.verify_report.VerifyReport`) of this check."""
        broken = next((c for c in self.chains if not c.ok), None)
        heads = {c.origin: c.head for c in self.chains if c.head is not None}
        own_head = next(iter(heads.values()), None) if len(heads) == 1 else None
        return VerifyReport(
            ok=self.ok,
            mode="full" if self.full else "incremental",
            escalated=self.escalated,
            integrity=self.integrity,
            foreign_keys="ok"
            if not any(p.kind == "foreign_key" for p in self.problems)
            else "problems",
            chain_ok=broken is None,
            events=sum(c.walked for c in self.chains),
            first_broken=broken.broken_at if broken else None,
            first_broken_origin=broken.origin if broken else None,
            head=own_head.hash if own_head and broken is None else None,
            chains=tuple(
                ChainSummary(
                    origin=c.origin,
                    from_seq=c.start,
                    walked=c.walked,
                    seq=c.head.seq if c.head else 0,
                    hash=c.head.hash if c.head else None,
                    ok=c.ok,
                    broken_at=c.broken_at,
                )
                for c in self.chains
            ),
            checkpoints=self.checkpoints,
            cases=self.cases,
            documents=self.documents,
            set_aside_files=self.set_aside,
            problems=tuple(
                VerifyProblem(p.kind, p.message, p.case_no, p.column, p.origin, p.seq)
                for p in self.problems
            ),
            problem="；".join(p.message for p in self.problems[:20]) if self.problems else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return self.typed().as_dict()


# ---------------------------------------------------------------------- entry point


def verify(
    conn: sqlite3.Connection,
    *,
    full: bool = False,
    quick_check: bool = False,
    recent_files: bool = True,
    progress: Progress | None = None,
) -> Report:
    """Check the file on `conn` (read only; see `record` for remembering a passed verify).

    `quick_check` adds SQLite's `quick_check` (page structure, not every index entry against its
    row) to an incremental verify: what a fresh backup copy needs (see `files.backup_file`).
    `recent_files=False` leaves out an incremental verify's look at the files of the last
    `RECENT_DAYS` days' documents of cases it does not replay (the daily ledger's verify: that
    look moves no mark, so the next `clerk verify` makes it again; the replayed cases' own
    documents are always checked, hashes included).
    """
    report = Report(full=full)
    report.quick_check = quick_check
    report.recent_files = recent_files
    report.progress = progress or silent
    settings = dict(
        conn.execute("SELECT key, value FROM settings WHERE key LIKE 'verify.%'").fetchall()
    )
    cookie = _schema_cookie(conn)
    if not full:
        if SETTING_LAST_N not in settings:
            report.full, report.escalated = True, "首次核验，已做完整核验"
        elif settings.get(SETTING_SCHEMA) != str(cookie):
            report.full, report.escalated = True, "数据库结构自上次核验后有改动，已做完整核验"
    if not report.full:
        report.progress = silent  # an incremental verify takes a moment: nothing to watch
    conn.execute("BEGIN")  # one snapshot for the whole check
    try:
        _check(conn, report, settings)
    finally:
        conn.execute("ROLLBACK")
    return report


def record(conn: sqlite3.Connection, report: Report, now: str) -> None:
    """Remember a passed verify, so the next incremental one starts where this one ended.

    Clears only the change marks this verify saw; changes made since stay marked.
    """
    if not report.ok:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for c in report.chains:
            if c.head is None:
                continue
            conn.execute(
                "DELETE FROM checkpoints WHERE source = 'verified' AND origin = ?", (c.origin,)
            )
            conn.execute(
                "INSERT INTO checkpoints (origin, seq, hash, source, recorded_at) VALUES (?, ?, ?, 'verified', ?)",
                (c.origin, c.head.seq, c.head.hash, now),
            )
        for case_uuid, mark in report.marks:
            conn.execute(
                "DELETE FROM verify_dirty WHERE case_uuid = ? AND mark = ?", (case_uuid, mark)
            )
        for key, value in ((SETTING_LAST_N, str(report.last_n)), (SETTING_AT, now)):
            _set(conn, key, value, now)
        _set(conn, SETTING_SCHEMA, str(_schema_cookie(conn)), now)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------------- the checks


def _check(conn: sqlite3.Connection, report: Report, settings: dict[str, str]) -> None:
    structure: _Structure | None = None
    if report.full:
        # SQLite's own check reads every page; it runs on its own connection in a thread (SQLite
        # releases the GIL) while this one replays the record, so a full verify takes about the
        # longer of the two, not their sum.
        structure = _Structure.start(conn)
        try:
            _check_record(conn, report, settings)
        except sqlite3.DatabaseError:
            if (
                structure.result(report) != "ok"
            ):  # a damaged file: say that, not the error it raised
                return
            raise
        structure.result(report)
        return
    if report.quick_check:
        messages = chain_walk.integrity_messages(conn, quick=True)
        report.integrity = "ok" if messages == ["ok"] else messages
        if report.integrity != "ok":
            report.problems.append(
                Problem(
                    "integrity",
                    "数据库文件结构检查未通过（PRAGMA quick_check），请从最近的备份恢复并联系技术支持。",
                )
            )
            return
    else:
        report.integrity = "not checked"
    _check_record(conn, report, settings)


class _Structure:
    """`integrity_check` and `foreign_key_check`, on a second connection in a thread when the
    database is a file (on `conn` itself, first, when it is not)."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._messages: list[str] = []
        self._foreign_keys: list[Any] = []
        self._error: BaseException | None = None
        self._reported = False

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

    def result(self, report: Report) -> str | list[str]:
        """Wait for the check, put its findings in `report` (once), and return the integrity result."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None and not self._messages:
            if isinstance(self._error, sqlite3.DatabaseError) and not isinstance(
                self._error, sqlite3.OperationalError
            ):
                self._messages = [str(self._error)]
            else:
                raise self._error
        report.integrity = "ok" if self._messages == ["ok"] else self._messages
        if not self._reported:
            self._reported = True
            if report.integrity != "ok":
                report.problems.insert(
                    0,
                    Problem(
                        "integrity",
                        "数据库文件结构检查未通过（PRAGMA integrity_check），请从最近的备份恢复并联系技术支持。",
                    ),
                )
            elif self._foreign_keys:
                report.problems.append(
                    Problem(
                        "foreign_key",
                        f"有 {len(self._foreign_keys)} 条记录引用了不存在的办件或文书。",
                    )
                )
        return report.integrity


def _database_file(conn: sqlite3.Connection) -> str | None:
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) if file else None
    return None


def _check_record(conn: sqlite3.Connection, report: Report, settings: dict[str, str]) -> None:
    _check_triggers(conn, report)
    starts = {} if report.full else _verified_heads(conn)
    events_total = int(conn.execute("SELECT COALESCE(MAX(n), 0) FROM events").fetchone()[0])
    walked = [0]

    def tick(n: int) -> None:
        walked[0] += n
        report.progress("核验事件记录", walked[0], events_total)

    report.chains = chain_walk.walk_all(conn, starts, tick=tick)
    report.progress("核验事件记录", events_total, events_total)
    for c in report.chains:
        if not c.ok:
            report.problems.append(
                Problem("chain", c.problem or "", origin=c.origin, seq=c.broken_at)
            )
    _check_checkpoints(conn, report)
    report.last_n = int(conn.execute("SELECT COALESCE(MAX(n), 0) FROM events").fetchone()[0])
    report.marks = [
        (str(u), int(m)) for u, m in conn.execute("SELECT case_uuid, mark FROM verify_dirty")
    ]
    if report.full:
        _check_all_cases(conn, report)
        named: set[str] = set()
        _check_documents(conn, report, None, named)
        _check_orphans(conn, report, named)
    else:
        since = int(settings.get(SETTING_LAST_N, "0"))
        # a range of the log's rowid, then a set: DISTINCT in SQL would walk the case index (all
        # of it: a fifth of a second at a million cases) to find nothing new
        touched = {
            str(r[0]) for r in conn.execute("SELECT case_uuid FROM events WHERE n > ?", (since,))
        }
        touched |= {u for u, _ in report.marks}
        for case_uuid in sorted(touched):
            _check_one_case(conn, report, case_uuid)
        _check_documents(conn, report, touched)
        if report.recent_files:
            _check_recent_files(conn, report, touched)


def _check_triggers(conn: sqlite3.Connection, report: Report) -> None:
    present = {
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    missing = sorted(EXPECTED_TRIGGERS - present)
    if missing:
        report.problems.append(
            Problem(
                "trigger",
                f"保护记录的触发器缺失（{'、'.join(missing)}）：有人绕过程序改动了数据库。",
            )
        )


def _verified_heads(conn: sqlite3.Connection) -> dict[str, Head]:
    rows = conn.execute(
        "SELECT origin, seq, hash FROM checkpoints WHERE source = 'verified' ORDER BY seq"
    ).fetchall()
    return {str(o): Head(str(o), int(s), str(h)) for o, s, h in rows}


SOURCE_LABELS = {
    "ledger": "日结单上打印的",
    "ack": "上级经办机构确认收到的",
    "verified": "上次核验通过时的",
}


def _check_checkpoints(conn: sqlite3.Connection, report: Report) -> None:
    rows = conn.execute(
        "SELECT c.origin, c.seq, c.hash, c.source, c.note, e.hash FROM checkpoints c"
        " LEFT JOIN events e ON e.origin = c.origin AND e.seq = c.seq ORDER BY c.id"
    ).fetchall()
    for origin, seq, digest, source, note, stored in rows:
        report.checkpoints += 1
        if stored == digest:
            continue
        what = (
            SOURCE_LABELS.get(source, "")
            + f"链头（来源 {origin} 第 {seq} 条，{digest[:12]}…{note and '，' + note}）"
        )
        if stored is None:
            message = f"{what}在事件记录中已不存在：事件记录被截断或删除。"
        else:
            message = f"{what}与现存第 {seq} 条事件的哈希不同：事件记录被改写。"
        report.problems.append(Problem("checkpoint", message, origin=origin, seq=seq))


# ---------------------------------------------------------------------- cases


_CASE_COLUMNS = ("uuid", "case_no", "point_code", *COLUMN_LABELS)

_EVENT_COLUMNS = "case_uuid, action, actor, at, to_state, data, format, from_state, origin"
_DOCUMENT_KINDS = "case_uuid, kind"


def _check_all_cases(conn: sqlite3.Connection, report: Report) -> None:
    """Merge-join cases, events and documents, all in case-uuid order: one pass, little memory."""
    total = int(conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM cases").fetchone()[0])
    cases = conn.execute(f"SELECT {', '.join(_CASE_COLUMNS)} FROM cases ORDER BY uuid")
    events = _Stream(conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY case_uuid, n"))
    documents = _Stream(conn.execute(f"SELECT {_DOCUMENT_KINDS} FROM documents ORDER BY case_uuid"))
    for values in cases:
        row = dict(zip(_CASE_COLUMNS, values, strict=True))
        for orphan in events.skip_to(row["uuid"]):
            report.problems.append(_orphan_events(orphan))
        documents.skip_to(row["uuid"])
        _compare(report, row, events.take(row["uuid"]), [r[1] for r in documents.take(row["uuid"])])
        if not report.cases % 50_000:
            report.progress("核对办件", report.cases, max(total, report.cases))
    report.progress("核对办件", report.cases, report.cases)
    for orphan in events.skip_to(None):
        report.problems.append(_orphan_events(orphan))


class _Stream:
    """Rows grouped by their first column, read in order alongside the cases."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._groups = _grouped(cursor)
        self._pending = next(self._groups, None)

    def skip_to(self, key: str | None) -> list[str]:
        """Drop the groups before `key` (all when None); returns their keys."""
        skipped = []
        while self._pending is not None and (key is None or self._pending[0] < key):
            skipped.append(self._pending[0])
            self._pending = next(self._groups, None)
        return skipped

    def take(self, key: str) -> list[tuple[Any, ...]]:
        if self._pending is not None and self._pending[0] == key:
            group = self._pending[1]
            self._pending = next(self._groups, None)
            return group
        return []


def _grouped(cursor: sqlite3.Cursor) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    current: str | None = None
    group: list[tuple[Any, ...]] = []
    for values in cursor:
        if values[0] != current:
            if current is not None:
                yield current, group
            current, group = values[0], []
        group.append(values)
    if current is not None:
        yield current, group


def _orphan_events(case_uuid: str) -> Problem:
    return Problem("case", f"有事件记录指向不存在的办件（{case_uuid}）：办件记录可能被删除。")


def _check_one_case(conn: sqlite3.Connection, report: Report, case_uuid: str) -> None:
    values = conn.execute(
        f"SELECT {', '.join(_CASE_COLUMNS)} FROM cases WHERE uuid = ?", (case_uuid,)
    ).fetchone()
    events = conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_uuid = ? ORDER BY n", (case_uuid,)
    ).fetchall()
    if values is None:
        if events:
            report.problems.append(_orphan_events(case_uuid))
        return
    kinds = [
        r[0] for r in conn.execute("SELECT kind FROM documents WHERE case_uuid = ?", (case_uuid,))
    ]
    _compare(report, dict(zip(_CASE_COLUMNS, values, strict=True)), events, kinds)


def _compare(
    report: Report, row: dict[str, Any], events: list[tuple[Any, ...]], kinds: list[str]
) -> None:
    report.cases += 1
    case_no = row["case_no"]
    if not events:
        report.problems.append(
            Problem(
                "case",
                f"办件 {case_no} 没有任何事件记录：它不是经本程序办理建立的。",
                case_no=case_no,
            )
        )
        return
    projection = Projection(owner=row["point_code"])
    for _, action, actor, at, to_state, data, fmt, from_state, origin in events:
        try:
            decoded = json.loads(data)
        except (TypeError, ValueError):
            decoded = {}
        try:
            apply(
                projection,
                ReplayedEvent(action, actor, at, to_state, decoded, fmt == 1, from_state, origin),
            )
        except ReplayError as exc:
            report.problems.append(Problem("case", f"办件 {case_no}：{exc}。", case_no=case_no))
            return
        except (ValueError, TypeError, AttributeError):
            report.problems.append(
                Problem(
                    "case",
                    f"办件 {case_no} 有一条事件记录无法重放（操作或状态无效）：记录可能被改动。",
                    case_no=case_no,
                )
            )
            return
    for column, expected in projection.values.items():
        stored = row[column]
        if _same(column, stored, expected, column in projection.loose):
            continue
        label = COLUMN_LABELS[column]
        report.problems.append(
            Problem(
                "case",
                f"办件 {case_no} 的{label}为“{_shown(column, stored)}”，但按事件记录应为“{_shown(column, expected)}”："
                "该字段被改动而没有相应的事件记录。",
                case_no=case_no,
                column=column,
            )
        )
    for kind, expected_count in projection.documents.items():
        found = kinds.count(str(kind))
        if found < expected_count:
            report.problems.append(
                Problem(
                    "document",
                    f"办件 {case_no} 的事件记录表明已出具 {expected_count} 份{kind.label}，"
                    f"但只登记了 {found} 份：文书登记记录被删除。",
                    case_no=case_no,
                )
            )


def _same(column: str, stored: Any, expected: Any, loose: bool) -> bool:
    if stored == expected:
        return True
    if loose and stored is None and column in LEGACY_NULLABLE:
        return True
    if column in INSTANT_COLUMNS and loose and stored is not None and expected is not None:
        try:
            gap = datetime.fromisoformat(str(stored)) - datetime.fromisoformat(str(expected))
        except ValueError:
            return False
        return abs(gap.total_seconds()) <= LOOSE_SECONDS
    return False


def _shown(column: str, value: Any) -> str:
    if value is None:
        return "空"
    if column == "state":
        try:
            return STATE_LABELS[CaseState(value)]
        except ValueError:
            return str(value)
    if column == "amount_fen" and isinstance(value, int):
        return f"{value / 100:.2f} 元"
    return str(value)


# ---------------------------------------------------------------------- documents


def _check_documents(
    conn: sqlite3.Connection, report: Report, cases: set[str] | None, named: set[str] | None = None
) -> None:
    """Each document row's files exist and its PDF has the recorded SHA-256 (`cases`: only
    theirs; None: all). `named` collects every path the rows name, for `_check_orphans`."""
    sql = (
        "SELECT d.doc_no, d.path_txt, d.path_pdf, d.sha256, c.case_no"
        " FROM documents d LEFT JOIN cases c ON c.uuid = d.case_uuid"
    )
    rows: Iterable[tuple[Any, ...]]
    total = 0
    if cases is None:
        total = int(conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM documents").fetchone()[0])
        rows = conn.execute(sql + " ORDER BY d.rowid")
    else:
        rows = (
            r for u in sorted(cases) for r in conn.execute(sql + " WHERE d.case_uuid = ?", (u,))
        )
    isfile = os.path.isfile  # plain strings and one system call a file: a county has millions
    for chunk in _chunks(rows, 512):
        # Hashing the PDFs is most of a full verify's time; hashlib and file reads release the
        # GIL, so a few threads hash a chunk while SQLite's own check runs in another.
        digests = _hash_files([r[2] for r in chunk], threads=cases is None)
        if total:
            report.progress(
                "核对文书文件",
                report.documents + len(chunk),
                max(total, report.documents + len(chunk)),
            )
        for (doc_no, path_txt, path_pdf, sha256, case_no), digest in zip(
            chunk, digests, strict=True
        ):
            report.documents += 1
            if named is not None:
                named.update(p for p in (path_txt, path_pdf) if p)
            if path_txt and not isfile(path_txt):
                report.problems.append(_missing_file(case_no, doc_no, path_txt))
            if not path_pdf:
                continue
            if digest is None:
                report.problems.append(_missing_file(case_no, doc_no, path_pdf))
            elif sha256 and digest != sha256:
                report.problems.append(
                    Problem(
                        "document",
                        f"办件 {case_no} 的文书 {doc_no} 的 PDF 与登记的 SHA-256 不符：文件被改动或替换。",
                        case_no=case_no,
                    )
                )


HASH_THREADS = max(1, min(4, os.cpu_count() or 1))
_pool: ThreadPoolExecutor | None = None


def _hash_files(paths: list[str | None], *, threads: bool) -> list[str | None]:
    """`_file_sha256` of each path (None for an empty one), in order."""
    global _pool
    if not threads or HASH_THREADS == 1 or len(paths) < 16:
        return [_file_sha256(p) if p else None for p in paths]
    if _pool is None:
        _pool = ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="verify-hash")
    n = HASH_THREADS
    parts = list(_pool.map(_hash_all, [paths[i::n] for i in range(n)]))  # a slice a thread
    out: list[str | None] = [None] * len(paths)
    for i, part in enumerate(parts):
        out[i::n] = part
    return out


def _hash_all(paths: list[str | None]) -> list[str | None]:
    return [_file_sha256(p) if p else None for p in paths]


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


RECENT_DAYS = 8


def _check_recent_files(conn: sqlite3.Connection, report: Report, checked: set[str]) -> None:
    """Incremental: the files of every document issued in the last weeks are still there (a
    stat each; their hashes are checked by `--full`, and for the cases this verify replayed)."""
    newest = conn.execute("SELECT MAX(issued_at) FROM documents").fetchone()[0]
    if newest is None:
        return
    since = (datetime.fromisoformat(newest) - timedelta(days=RECENT_DAYS)).isoformat()
    rows = conn.execute(
        "SELECT d.case_uuid, d.doc_no, d.path_txt, d.path_pdf, c.case_no FROM documents d"
        " LEFT JOIN cases c ON c.uuid = d.case_uuid WHERE d.issued_at >= ?",
        (since,),
    )
    isfile = os.path.isfile  # a stat per file; no Path object (tens of thousands a week)
    for case_uuid, doc_no, path_txt, path_pdf, case_no in rows:
        if case_uuid in checked:
            continue
        for path in (path_txt, path_pdf):
            if path and not isfile(path):
                report.problems.append(_missing_file(case_no, doc_no, path))


def _missing_file(case_no: str | None, doc_no: str, path: str) -> Problem:
    return Problem(
        "document",
        f"办件 {case_no} 的文书 {doc_no} 的文件 {Path(path).name} 不见了：请从备份恢复文书目录。",
        case_no=case_no,
    )


def _file_sha256(path: str) -> str | None:
    """The SHA-256 of the file at `path`; None when it is not a readable file."""
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > 1 << 24:
                return hashlib.file_digest(handle, "sha256").hexdigest()
            return hashlib.sha256(handle.read()).hexdigest()  # a document: one read
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def _check_orphans(conn: sqlite3.Connection, report: Report, named: set[str]) -> None:
    """Every document file in the folders the rows' files live in is named by a row (`named`:
    the paths the document rows name, collected by `_check_documents`)."""
    # A roster batch's correction notice concerns rows that became no case: the batch names it.
    for paths in conn.execute("SELECT notice_path_txt, notice_path_pdf FROM batches"):
        named.update(p for p in paths if p)
    known = {os.path.normpath(p) for p in named}
    folders = sorted({os.path.dirname(p) for p in known})
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not name.endswith((".pdf", ".txt")) or not entry.is_file():
                continue
            if _SET_ASIDE.search(os.path.splitext(name)[0]):
                report.set_aside += 1
                continue
            if entry.path not in known:
                report.problems.append(
                    Problem(
                        "orphan",
                        f"文书文件 {name}（{folder}）没有任何登记记录：它可能是登记记录被删除后留下的。",
                    )
                )


# ---------------------------------------------------------------------- helpers


def _schema_cookie(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def _set(conn: sqlite3.Connection, key: str, value: str, now: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
        " SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, now),
    )
