"""`clerk verify` on PostgreSQL: the record proof of the SQLite adapter's `verify`, on this
engine's reads, in one REPEATABLE READ snapshot.

Checks: the protections are in place (the event log's triggers, enabled); each origin's chain
link by link (the recipe of `clerk.domain.chain`); every checkpoint still in its chain; every
case row equals the replay of its events (`clerk.domain.replay`) and has the documents its
events issued; every document's files exist and the PDF has its SHA-256; (full) every file in
the documents' folders is named by a row.

Incremental (the default, after a first full one): the chains from the heads the last passed
verify reached (kept as `verified` checkpoints), the cases with events after those heads or
marked changed by the `verify_dirty` triggers, and their documents. A disabled or missing
protection, or a first verify, makes it full.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from clerk.domain import chain
from clerk.domain.chain import STORED_COLUMNS, ZERO_HASH, ChainReport, Head
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

SETTING_AT = "verify.at"
EXPECTED_TRIGGERS = {
    ("events", "events_append_at_head"),
    ("events", "events_no_update"),
    ("events", "events_no_delete"),
    ("events", "events_no_truncate"),
    ("cases", "verify_dirty_cases"),
    ("documents", "verify_dirty_documents"),
    ("case_materials", "verify_dirty_case_materials"),
    ("evaluations", "verify_dirty_evaluations"),
}
_SET_ASIDE = re.compile(r"\.unrecorded-\d+$")
LOOSE_SECONDS = 2.0
RECENT_DAYS = 8
SOURCE_LABELS = {
    "ledger": "日结单上打印的",
    "ack": "上级经办机构确认收到的",
    "verified": "上次核验通过时的",
}


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    case_no: str | None = None
    column: str | None = None
    origin: str | None = None
    seq: int | None = None


@dataclass
class Report:
    full: bool
    integrity: str | list[str] = "ok"
    chains: list[ChainReport] = field(default_factory=list)
    checkpoints: int = 0
    cases: int = 0
    documents: int = 0
    set_aside: int = 0
    problems: list[Problem] = field(default_factory=list)
    escalated: str | None = None
    marks: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def typed(self) -> VerifyReport:
        broken = next((c for c in self.chains if not c.ok), None)
        heads = {c.origin: c.head for c in self.chains if c.head is not None}
        own_head = next(iter(heads.values()), None) if len(heads) == 1 else None
        return VerifyReport(
            ok=self.ok,
            mode="full" if self.full else "incremental",
            escalated=self.escalated,
            integrity=self.integrity,
            foreign_keys="ok",
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


def verify(store: Any, *, full: bool = False, recent_files: bool = True) -> Report:
    report = Report(full=full)
    with store.snapshot() as conn:
        missing = _missing_protections(conn)
        if not full:
            if store.get_setting(SETTING_AT) is None:
                report.full, report.escalated = True, "首次核验，已做完整核验"
            elif missing:
                report.full, report.escalated = True, "数据库结构自上次核验后有改动，已做完整核验"
        if missing:
            report.problems.append(
                Problem(
                    "trigger",
                    f"保护记录的触发器缺失或被停用（{'、'.join(missing)}）：有人绕过程序改动了数据库。",
                )
            )
        if report.full:
            report.integrity = store.engine_checks(quick=True) or "ok"
            if report.integrity != "ok":
                report.problems.append(
                    Problem("integrity", "数据库自检发现问题：" + "；".join(report.integrity))
                )
        _check_record(conn, report, recent_files)
    return report


def record(store: Any, report: Report, now: str) -> None:
    """Remember a passed verify: its heads (`verified` checkpoints), and clear the marks it saw."""
    if not report.ok:
        return
    with store.transaction():
        conn = store.conn
        for c in report.chains:
            if c.head is None:
                continue
            conn.execute(
                "DELETE FROM checkpoints WHERE source = 'verified' AND origin = %s", (c.origin,)
            )
            conn.execute(
                "INSERT INTO checkpoints (origin, seq, hash, source, recorded_at)"
                " VALUES (%s, %s, %s, 'verified', %s)",
                (c.origin, c.head.seq, c.head.hash, now),
            )
        if report.marks:
            with conn.cursor() as cur:
                cur.executemany(
                    "DELETE FROM verify_dirty WHERE case_uuid = %s AND mark = %s", report.marks
                )
        store.set_setting(SETTING_AT, now)


def _missing_protections(conn: Any) -> list[str]:
    present = {
        (table, name)
        for table, name in conn.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace s ON s.oid = c.relnamespace"
            " WHERE s.nspname = current_schema() AND NOT t.tgisinternal AND t.tgenabled <> 'D'"
        )
    }
    return sorted(name for table, name in EXPECTED_TRIGGERS - present)


def _check_record(conn: Any, report: Report, recent_files: bool) -> None:
    starts = {} if report.full else _verified_heads(conn)
    origins = [str(r[0]) for r in conn.execute("SELECT origin FROM chain_heads ORDER BY origin")]
    report.chains = [walk(conn, o, starts.get(o)) for o in origins]
    for c in report.chains:
        if not c.ok:
            report.problems.append(
                Problem("chain", c.problem or "", origin=c.origin, seq=c.broken_at)
            )
    _check_checkpoints(conn, report)
    report.marks = [
        (str(u), int(m)) for u, m in conn.execute("SELECT case_uuid, mark FROM verify_dirty")
    ]
    if report.full:
        touched = None
        case_uuids = [str(r[0]) for r in conn.execute("SELECT uuid FROM cases ORDER BY uuid")]
        orphans = conn.execute(
            "SELECT DISTINCT e.case_uuid FROM events e LEFT JOIN cases c ON c.uuid = e.case_uuid"
            " WHERE c.uuid IS NULL"
        ).fetchall()
        for (orphan,) in orphans:
            report.problems.append(_orphan_events(str(orphan)))
    else:
        touched = set()
        for origin, head in starts.items():
            touched |= {
                str(r[0])
                for r in conn.execute(
                    "SELECT case_uuid FROM events WHERE origin = %s AND seq > %s",
                    (origin, head.seq),
                )
            }
        for origin in set(origins) - set(starts):
            touched |= {
                str(r[0])
                for r in conn.execute("SELECT case_uuid FROM events WHERE origin = %s", (origin,))
            }
        touched |= {u for u, _ in report.marks}
        case_uuids = sorted(touched)
    _check_cases(conn, report, case_uuids)
    named: set[str] = set()
    _check_documents(conn, report, touched, named)
    if report.full:
        _check_orphans(conn, report, named)
    elif recent_files:
        _check_recent_files(conn, report, touched or set())


def walk(conn: Any, origin: str, start: Head | None = None) -> ChainReport:
    """Check every link of `origin`'s chain after `start` (from its first event when None)."""
    expected_seq, expected_prev = 1, ZERO_HASH
    if start is not None:
        stored = conn.execute(
            "SELECT hash FROM events WHERE origin = %s AND seq = %s", (origin, start.seq)
        ).fetchone()
        if stored is None or stored[0] != start.hash:
            return ChainReport(
                origin,
                start.seq,
                0,
                None,
                start.seq,
                f"来源 {origin} 的第 {start.seq} 条事件记录已不是上次核验时的内容，记录可能被删除或改写。",
            )
        expected_seq, expected_prev = start.seq + 1, start.hash
    last: Head | None = start
    walked = 0
    with conn.cursor(name=None) as cur:
        cur.execute(
            f"SELECT {', '.join(STORED_COLUMNS)} FROM events WHERE origin = %s AND seq >= %s"
            " ORDER BY seq",
            (origin, expected_seq),
        )
        for values in cur:
            row = dict(zip(STORED_COLUMNS, values, strict=True))
            if not (
                row["seq"] == expected_seq
                and row["prev_hash"] == expected_prev
                and chain.spliced_hash(tuple(values)) == row["hash"]
            ):
                problem = chain._link_problem(row, expected_seq, expected_prev)
                if problem is not None:
                    return ChainReport(origin, expected_seq - 1, walked, last, row["seq"], problem)
            walked += 1
            expected_seq, expected_prev = row["seq"] + 1, row["hash"]
            last = Head(origin, row["seq"], row["hash"])
    return ChainReport(origin, 0 if start is None else start.seq, walked, last, None, None)


def _verified_heads(conn: Any) -> dict[str, Head]:
    rows = conn.execute(
        "SELECT origin, seq, hash FROM checkpoints WHERE source = 'verified' ORDER BY seq"
    ).fetchall()
    return {str(o): Head(str(o), int(s), str(h)) for o, s, h in rows}


def _check_checkpoints(conn: Any, report: Report) -> None:
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


_CASE_COLUMNS = ("uuid", "case_no", "point_code", *COLUMN_LABELS)
_EVENT_COLUMNS = "case_uuid, action, actor, at, to_state, data, format, from_state, origin"


def _check_cases(conn: Any, report: Report, case_uuids: list[str]) -> None:
    for start in range(0, len(case_uuids), 1000):
        chunk = case_uuids[start : start + 1000]
        cases = {
            r[0]: dict(zip(_CASE_COLUMNS, r, strict=True))
            for r in conn.execute(
                f"SELECT {', '.join(_CASE_COLUMNS)} FROM cases WHERE uuid = ANY(%s)", (chunk,)
            )
        }
        events: dict[str, list[tuple[Any, ...]]] = {}
        for r in conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_uuid = ANY(%s) ORDER BY case_uuid, n",
            (chunk,),
        ):
            events.setdefault(r[0], []).append(r)
        kinds: dict[str, list[str]] = {}
        for case_uuid, kind in conn.execute(
            "SELECT case_uuid, kind FROM documents WHERE case_uuid = ANY(%s)", (chunk,)
        ):
            kinds.setdefault(case_uuid, []).append(kind)
        for case_uuid in chunk:
            row = cases.get(case_uuid)
            if row is None:
                if events.get(case_uuid):
                    report.problems.append(_orphan_events(case_uuid))
                continue
            _compare(report, row, events.get(case_uuid, []), kinds.get(case_uuid, []))


def _orphan_events(case_uuid: str) -> Problem:
    return Problem("case", f"有事件记录指向不存在的办件（{case_uuid}）：办件记录可能被删除。")


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
        report.problems.append(
            Problem(
                "case",
                f"办件 {case_no} 的{COLUMN_LABELS[column]}为“{_shown(column, stored)}”，"
                f"但按事件记录应为“{_shown(column, expected)}”：该字段被改动而没有相应的事件记录。",
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


def _check_documents(conn: Any, report: Report, cases: set[str] | None, named: set[str]) -> None:
    sql = (
        "SELECT d.doc_no, d.path_txt, d.path_pdf, d.sha256, c.case_no"
        " FROM documents d LEFT JOIN cases c ON c.uuid = d.case_uuid"
    )
    if cases is None:
        rows = conn.execute(sql + " ORDER BY d.n").fetchall()
    else:
        rows = conn.execute(sql + " WHERE d.case_uuid = ANY(%s) ORDER BY d.n", (sorted(cases),))
    for doc_no, path_txt, path_pdf, sha256, case_no in rows:
        report.documents += 1
        named.update(p for p in (path_txt, path_pdf) if p)
        if path_txt and not os.path.isfile(path_txt):
            report.problems.append(_missing_file(case_no, doc_no, path_txt))
        if not path_pdf:
            continue
        digest = _file_sha256(path_pdf)
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


def _check_recent_files(conn: Any, report: Report, checked: set[str]) -> None:
    newest = conn.execute("SELECT MAX(issued_at) FROM documents").fetchone()[0]
    if newest is None:
        return
    since = (datetime.fromisoformat(newest) - timedelta(days=RECENT_DAYS)).isoformat()
    rows = conn.execute(
        "SELECT d.case_uuid, d.doc_no, d.path_txt, d.path_pdf, c.case_no FROM documents d"
        " LEFT JOIN cases c ON c.uuid = d.case_uuid WHERE d.issued_at >= %s",
        (since,),
    )
    for case_uuid, doc_no, path_txt, path_pdf, case_no in rows:
        if case_uuid in checked:
            continue
        for path in (path_txt, path_pdf):
            if path and not os.path.isfile(path):
                report.problems.append(_missing_file(case_no, doc_no, path))


def _missing_file(case_no: str | None, doc_no: str, path: str) -> Problem:
    return Problem(
        "document",
        f"办件 {case_no} 的文书 {doc_no} 的文件 {Path(path).name} 不见了：请从备份恢复文书目录。",
        case_no=case_no,
    )


def _file_sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def _check_orphans(conn: Any, report: Report, named: set[str]) -> None:
    for paths in conn.execute("SELECT notice_path_txt, notice_path_pdf FROM batches"):
        named.update(p for p in paths if p)
    known = {os.path.normpath(p) for p in named}
    for folder in sorted({os.path.dirname(p) for p in known}):
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
