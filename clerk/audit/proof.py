"""`clerk verify`: prove the whole record, not just the log, through the port alone.

What the proof checks (every read through `clerk.ports.store.RecordReads`):

- each origin's hash chain, link by link: seq gap-free, `prev_hash` the hash before, each hash by
  `clerk.domain.chain`'s recipe (the fast path hashes the stored tuple with `spliced_hash`);
- every checkpoint (a chain head printed on a daily ledger, acknowledged by a peer, or reached by
  an earlier verify) is still contained in its chain: a truncated or rewritten chain fails here;
- every case row equals the replay of its events (`clerk.domain.replay`): a column changed without
  an event is named by case number and column; so do its material checks, ratings and
  follow-ups, and the documents its moves named (number, kind, SHA-256 of PDF and text);
- the administrative chain (`clerk.domain.admin_log`), always whole: accounts, declared points
  and the kept ledger/acknowledged heads replayed against it;
- every document row has its files, with the recorded SHA-256s (the text's since SQLite migration 14);
  (full) every file under the documents folders (every month, and `received/`) is named by a row;
- the engine's guards of the record (append-only log, change marks) are all in place;
- (full) the engine's own checks (`RecordReads.begin_engine_checks`: SQLite's `integrity_check`
  and `foreign_key_check`), run alongside.

**Incremental** (the default): chains from the last verified head of each origin, cases with
events since the last verify or marked changed, their documents, and all checkpoints. **Full**:
everything. A verify that passes on an unchanged schema is remembered (`remember`), so the next
incremental verify starts there; a schema change since then makes the next verify a full one.

What this proves and what it does not: someone who edits the file with SQL and recomputes every
later hash (and the marks) leaves a self-consistent file; only a chain head held elsewhere (a
printed ledger, the county office's acknowledgement) shows that it was rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from clerk.domain import admin_log
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
from clerk.domain.model import ROLE_LABELS, STATE_LABELS, CaseState, DocKind, Rating, Role
from clerk.domain.replay import (
    COLUMN_LABELS,
    INSTANT_COLUMNS,
    LEGACY_NULLABLE,
    Projection,
    ReplayedEvent,
    ReplayError,
    apply,
    text_digest,
)
from clerk.ports.errors import StorageError
from clerk.ports.verify_report import (
    CaseHistory,
    ChainSummary,
    CheckpointInLog,
    DocumentRow,
    EngineFindings,
    EvaluationRow,
    MaterialRow,
    VerifyProblem,
    VerifyReport,
)
from clerk.support.progress import Progress, silent

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from clerk.ports.store import RecordReads

T = TypeVar("T")
_SET_ASIDE = re.compile(r"\.unrecorded-\d+$")
LOOSE_SECONDS = 2.0
RECENT_DAYS = 8
TICK = 1 << 16  # events between two progress reports of a chain walk

SOURCE_LABELS = {
    "ledger": "日结单上打印的",
    "ack": "上级经办机构确认收到的",
    "verified": "上次核验通过时的",
}


@dataclass(frozen=True)
class Problem:
    kind: str  # integrity | foreign_key | trigger | chain | checkpoint | case | document | orphan
    message: str  # Chinese
    case_no: str | None = None
    column: str | None = None
    origin: str | None = None
    seq: int | None = None


@dataclass
class Proof:
    """A proof as it goes: what was checked, what was found, and where it got to."""

    full: bool
    integrity: str | list[str] = "ok"  # "not checked" in an incremental verify
    chains: list[ChainReport] = field(default_factory=list)
    checkpoints: int = 0
    cases: int = 0
    documents: int = 0
    set_aside: int = 0
    problems: list[Problem] = field(default_factory=list)
    escalated: str | None = None  # why an incremental verify became a full one
    last_n: int = 0  # the local event number the check reached
    marks: list[tuple[str, int]] = field(default_factory=list)  # (case uuid, mark) seen
    quick_check: bool = False  # an incremental verify that also ran the engine's quick check
    recent_files: bool = True  # an incremental verify also stats the last days' document files
    progress: Progress = field(default=silent, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def heads(self) -> dict[str, tuple[int, str]]:
        """{origin: (seq, hash)} of every chain head this proof reached."""
        return {c.origin: (c.head.seq, c.head.hash) for c in self.chains if c.head is not None}

    def as_dict(self) -> dict[str, Any]:
        return self.typed().as_dict()

    def typed(self) -> VerifyReport:
        """The port's report (`clerk.ports.verify_report.VerifyReport`) of this proof."""
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


# ---------------------------------------------------------------------- entry points


def verify(
    reads: RecordReads,
    *,
    full: bool = False,
    remember: bool = True,
    recent_files: bool = True,
    quick_check: bool = False,
    progress: Progress | None = None,
    at: str = "",
) -> VerifyReport:
    """`prove`, then (when it passed and `remember`) `remember` it at `at`; the typed report."""
    proof = prove(
        reads, full=full, recent_files=recent_files, quick_check=quick_check, progress=progress
    )
    if remember:
        record(reads, proof, at)
    return proof.typed()


def prove(
    reads: RecordReads,
    *,
    full: bool = False,
    quick_check: bool = False,
    recent_files: bool = True,
    progress: Progress | None = None,
) -> Proof:
    """Check the record `reads` offers (read only; see `record` for remembering a passed proof).

    `quick_check` adds the engine's quick structural check to an incremental verify: what a
    fresh backup copy needs. `recent_files=False` leaves out an incremental verify's look at the
    files of the last `RECENT_DAYS` days' documents of cases it does not replay (the daily
    ledger's verify: that look moves no mark, so the next `clerk verify` makes it again; the
    replayed cases' own documents are always checked, hashes included).
    """
    proof = Proof(full=full, quick_check=quick_check, recent_files=recent_files)
    proof.progress = progress or silent
    with reads.read_snapshot():
        state = reads.verify_state()
        if not full:
            if state.last_event is None:
                proof.full, proof.escalated = True, "首次核验，已做完整核验"
            elif state.schema_changed:
                proof.full, proof.escalated = True, "数据库结构自上次核验后有改动，已做完整核验"
        if not proof.full:
            proof.progress = silent  # an incremental verify takes a moment: nothing to watch
        _check(reads, proof, state.last_event or 0)
    return proof


def record(reads: RecordReads, proof: Proof, at: str) -> None:
    """Remember a passed proof, so the next incremental one starts where this one ended.

    Clears only the change marks this proof saw; changes made since stay marked."""
    if proof.ok:
        reads.remember_verify(proof.heads(), proof.marks, proof.last_n, at)


# ---------------------------------------------------------------------- the checks


def _check(reads: RecordReads, proof: Proof, since: int) -> None:
    if proof.full:
        # The engine's own check reads every page; the adapter runs it alongside (SQLite: on its
        # own connection in a thread) while the proof replays the record.
        engine = reads.begin_engine_checks()
        try:
            _check_record(reads, proof, since)
        except StorageError:
            if not _engine_result(proof, engine()).sound:
                return  # a damaged file: say that, not the error it raised
            raise
        _engine_result(proof, engine())
        return
    if proof.quick_check:
        findings = reads.begin_engine_checks(quick=True)()
        proof.integrity = findings.integrity
        if not findings.sound:
            proof.problems.append(Problem("integrity", _structure_message(findings)))
            return
    else:
        proof.integrity = "not checked"
    _check_record(reads, proof, since)


def _structure_message(findings: EngineFindings) -> str:
    return f"数据库文件结构检查未通过（{findings.check}），请从最近的备份恢复并联系技术支持。"


def _engine_result(proof: Proof, findings: EngineFindings) -> EngineFindings:
    """Put the engine's findings in `proof`."""
    proof.integrity = findings.integrity
    if not findings.sound:
        proof.problems.insert(0, Problem("integrity", _structure_message(findings)))
    elif findings.foreign_keys:
        proof.problems.append(
            Problem("foreign_key", f"有 {findings.foreign_keys} 条记录引用了不存在的办件或文书。")
        )
    return findings


def _check_record(reads: RecordReads, proof: Proof, since: int) -> None:
    missing = reads.missing_protections()
    if missing:
        proof.problems.append(
            Problem(
                "trigger",
                f"保护记录的触发器缺失（{'、'.join(sorted(missing))}）：有人绕过程序改动了数据库。",
            )
        )
    kept = reads.checkpoints_in_log()
    starts: dict[str, Head] = {}
    if not proof.full:
        for k in sorted((k for k in kept if k.source == "verified"), key=lambda k: k.seq):
            starts[k.origin] = Head(k.origin, k.seq, k.hash)
    extent = reads.record_extent()
    events_total = extent.last_event
    walked = [0]

    def tick(n: int) -> None:
        walked[0] += n
        proof.progress("核验事件记录", walked[0], events_total)

    proof.chains = [walk(reads, o, starts.get(o), tick) for o in reads.origins()]
    proof.progress("核验事件记录", events_total, events_total)
    for c in proof.chains:
        if not c.ok:
            proof.problems.append(
                Problem("chain", c.problem or "", origin=c.origin, seq=c.broken_at)
            )
    _check_checkpoints(proof, kept)
    _check_admin(reads, proof, kept)
    proof.last_n = extent.last_event
    proof.marks = reads.change_marks()
    in_store = reads.keeps_documents()  # the bytes are in the store (a server), not files here
    if proof.full:
        _check_cases(proof, reads.iter_case_histories(None), extent.cases)
        if in_store:
            _check_kept_documents(reads, proof, None, extent.documents)
            for name in reads.unrecorded_contents():
                proof.problems.append(
                    Problem(
                        "orphan",
                        f"数据库中的文书内容 {name} 没有任何登记记录：它可能是登记记录被删除后"
                        "留下的，或被另行写入。",
                    )
                )
            return
        named: set[str] = set()
        _check_documents(reads, proof, None, named, extent.documents)
        _check_orphans(reads, proof, named)
    else:
        touched = reads.cases_with_events_after(since)
        touched |= {u for u, _ in proof.marks}
        _check_cases(proof, reads.iter_case_histories(sorted(touched)), 0)
        if in_store:
            _check_kept_documents(reads, proof, touched)
            return
        _check_documents(reads, proof, touched)
        if proof.recent_files:
            _check_recent_files(reads, proof, touched)


# ---------------------------------------------------------------------- the chains


def walk(
    reads: RecordReads,
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
        if reads.event_hash_at(origin, start.seq) != start.hash:
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
    last: Head | None = start
    last_seq, last_hash = (start.seq, start.hash) if start is not None else (0, "")
    walked = 0
    for values in reads.iter_chain(origin, expected_seq - 1):
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


def _check_checkpoints(proof: Proof, kept: Iterable[CheckpointInLog]) -> None:
    for c in kept:
        proof.checkpoints += 1
        if c.stored_hash == c.hash:
            continue
        what = (
            SOURCE_LABELS.get(c.source, "")
            + f"链头（来源 {c.origin} 第 {c.seq} 条，{c.hash[:12]}…{c.note and '，' + c.note}）"
        )
        if c.stored_hash is None:
            message = f"{what}在事件记录中已不存在：事件记录被截断或删除。"
        else:
            message = f"{what}与现存第 {c.seq} 条事件的哈希不同：事件记录被改写。"
        proof.problems.append(Problem("checkpoint", message, origin=c.origin, seq=c.seq))


# ---------------------------------------------------------------------- accounts, points, heads


def _check_admin(reads: RecordReads, proof: Proof, kept: list[CheckpointInLog]) -> None:
    """Walk the administrative chain (a few thousand events: always whole) and replay the
    accounts, the declared points and the kept ledger and acknowledged heads against it."""
    events: list[tuple[Any, ...]] = []
    expected_seq, expected_prev = 1, ZERO_HASH
    for values in reads.iter_admin_chain():
        problem = admin_log.link_problem(tuple(values), expected_seq, expected_prev)
        if problem is not None:
            proof.problems.append(Problem("chain", problem, origin=ADMIN_ORIGIN, seq=values[0]))
            return  # what follows a broken link proves nothing
        seq, uuid, action, actor, at, subject, data, _prev, digest = values
        events.append((seq, uuid, action, actor, at, subject, _decoded(data)))
        expected_seq, expected_prev = seq + 1, digest
    recorded = admin_log.replay(events)
    _compare_accounts(proof, recorded, reads.accounts())
    _compare_points(proof, recorded, reads.declared_points())
    _compare_kept(proof, recorded, kept)


ADMIN_ORIGIN = "accounts"
_TAMPERED_ACCOUNT = "账号被改动而没有相应的管理记录。"


def _role(value: str) -> str:
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value


def _compare_accounts(
    proof: Proof,
    recorded: admin_log.AdminProjection,
    stored: Iterable[tuple[str, str, str, bool, str]],
) -> None:
    seen: set[str] = set()
    for login, role, point, active, password_hash in stored:
        key = login.casefold()
        seen.add(key)
        account = recorded.accounts.get(key)
        if account is None:
            proof.problems.append(
                Problem(
                    "account",
                    f"账号 {login} 没有新增记录：它不是经本程序新增的，是绕过程序写入的。",
                )
            )
            continue
        for label, now, expected in (
            ("角色", _role(role), _role(account.role)),
            ("所属经办机构或服务点", point, account.point),
            ("状态", _active(active), _active(account.active)),
        ):
            if now != expected:
                proof.problems.append(
                    Problem(
                        "account",
                        f"账号 {login} 的{label}为“{now}”，但按管理记录应为“{expected}”："
                        + _TAMPERED_ACCOUNT,
                    )
                )
        if admin_log.password_digest(password_hash) != account.passwords:
            proof.problems.append(
                Problem(
                    "account",
                    f"账号 {login} 的密码哈希不是有记录的设置或重设所留下的：密码被绕过程序替换。",
                )
            )
    for key, account in recorded.accounts.items():
        if key not in seen:
            proof.problems.append(
                Problem(
                    "account",
                    f"管理记录表明有账号 {account.login}，但用户表中已没有它：账号被删除。",
                )
            )


def _active(active: bool) -> str:
    return "在用" if active else "已停用"


def _compare_points(
    proof: Proof,
    recorded: admin_log.AdminProjection,
    stored: Iterable[tuple[str, str, str, str]],
) -> None:
    seen: set[str] = set()
    for code, *values in stored:
        seen.add(code)
        expected = recorded.points.get(code)
        if expected is None:
            proof.problems.append(
                Problem("account", f"服务点 {code} 没有登记记录：它是绕过程序写入的。")
            )
            continue
        for label, now, should in zip(
            ("名称", "类型", "所属经办机构"), values, expected, strict=True
        ):
            if now != should:
                proof.problems.append(
                    Problem(
                        "account",
                        f"服务点 {code} 的{label}为“{now}”，但按管理记录应为“{should}”："
                        "服务点被改动而没有相应的管理记录。",
                    )
                )
    for code in sorted(set(recorded.points) - seen):
        proof.problems.append(
            Problem(
                "account", f"管理记录表明登记过服务点 {code}，但服务点表中已没有它：记录被删除。"
            )
        )


def _head_label(source: str, origin: str, seq: int, digest: str, note: str) -> str:
    return (
        SOURCE_LABELS.get(source, "")
        + f"链头（来源 {origin} 第 {seq} 条，{digest[:12]}…{note and '，' + note}）"
    )


def _compare_kept(
    proof: Proof, recorded: admin_log.AdminProjection, kept: Iterable[CheckpointInLog]
) -> None:
    present: set[str] = set()
    for c in kept:
        if c.source not in admin_log.RECORDED_SOURCES:
            continue
        subject = admin_log.checkpoint_subject(c.origin, c.seq, c.hash, c.source)
        present.add(subject)
        if subject not in recorded.checkpoints:
            proof.problems.append(
                Problem(
                    "checkpoint",
                    _head_label(c.source, c.origin, c.seq, c.hash, c.note)
                    + "没有相应的管理记录：检查点是绕过程序写入的。",
                    origin=c.origin,
                    seq=c.seq,
                )
            )
    for subject, (origin, seq, digest, source, note) in recorded.checkpoints.items():
        if subject not in present:
            proof.problems.append(
                Problem(
                    "checkpoint",
                    _head_label(source, origin, seq, digest, note)
                    + "的检查点记录已不存在：检查点被删除。",
                    origin=origin,
                    seq=seq,
                )
            )


# ---------------------------------------------------------------------- cases


def _check_cases(proof: Proof, histories: Iterable[CaseHistory], total: int) -> None:
    """Replay each history against its row; `total` (full) the cases' upper bound, for progress."""
    for history in histories:
        if history.row is None:
            if history.events:
                proof.problems.append(_orphan_events(history.uuid))
            continue
        _compare(proof, history)
        if proof.full and not proof.cases % 50_000:
            proof.progress("核对办件", proof.cases, max(total, proof.cases))
    if proof.full:
        proof.progress("核对办件", proof.cases, proof.cases)


def _orphan_events(case_uuid: str) -> Problem:
    return Problem("case", f"有事件记录指向不存在的办件（{case_uuid}）：办件记录可能被删除。")


def _decoded(data: Any) -> Any:
    """An event's `data` as the replay reads it: stored JSON text decoded (or a mapping an engine
    stored natively); anything else, or text that is not JSON, as no data."""
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            return {}
    return data if isinstance(data, Mapping) else {}


def _compare(proof: Proof, history: CaseHistory) -> None:
    proof.cases += 1
    row = history.row
    assert row is not None
    case_no = row["case_no"]
    if not history.events:
        proof.problems.append(
            Problem(
                "case",
                f"办件 {case_no} 没有任何事件记录：它不是经本程序办理建立的。",
                case_no=case_no,
            )
        )
        return
    projection = Projection(owner=row["point_code"])
    loads = json.loads
    for _, action, actor, at, to_state, data, fmt, from_state, origin, reason in history.events:
        if data.__class__ is str:  # stored JSON text (inline: a million cases, a call each saved)
            try:
                decoded = loads(data)
            except ValueError:
                decoded = {}
        else:
            decoded = _decoded(data)
        try:
            apply(
                projection,
                ReplayedEvent(
                    action, actor, at, to_state, decoded, fmt == 1, from_state, origin, reason
                ),
            )
        except ReplayError as exc:
            proof.problems.append(Problem("case", f"办件 {case_no}：{exc}。", case_no=case_no))
            return
        except (ValueError, TypeError, AttributeError):
            proof.problems.append(
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
        proof.problems.append(
            Problem(
                "case",
                f"办件 {case_no} 的{label}为“{_shown(column, stored)}”，但按事件记录应为“{_shown(column, expected)}”："
                "该字段被改动而没有相应的事件记录。",
                case_no=case_no,
                column=column,
            )
        )
    _compare_materials(proof, case_no, projection, history.materials)
    _compare_ratings(proof, case_no, projection, history.evaluations)
    _compare_issued(proof, case_no, projection, history.documents)
    kinds = list(history.document_kinds)
    for kind, expected_count in projection.documents.items():
        found = kinds.count(str(kind))
        if found < expected_count:
            proof.problems.append(
                Problem(
                    "document",
                    f"办件 {case_no} 的事件记录表明已出具 {expected_count} 份{kind.label}，"
                    f"但只登记了 {found} 份：文书登记记录被删除。",
                    case_no=case_no,
                )
            )


_STATUS_LABELS = {"ok": "齐全", "missing": "缺少", "defective": "有缺陷", "na": "不适用"}


def _outcome(values: Sequence[Any]) -> str:
    status, alternative = values[0], values[1] if len(values) > 1 else None
    shown = _STATUS_LABELS.get(str(status), str(status))
    return f"{shown}（{alternative}）" if alternative else shown


def _compare_materials(
    proof: Proof, case_no: str, projection: Projection, stored: Sequence[MaterialRow]
) -> None:
    """The case's material checks against the outcomes its events recorded. A case received
    before the checks entered the events has only the materials later events named proven."""
    seen: set[str] = set()
    for material_id, status, alternative, defect in stored:
        seen.add(material_id)
        expected = projection.materials.get(material_id)
        if expected is None:
            if projection.materials_whole:
                proof.problems.append(
                    Problem(
                        "material",
                        f"办件 {case_no} 的材料 {material_id} 有核验记录（{_outcome((status, alternative))}），"
                        "但事件记录中没有这次核验：核验记录是绕过程序写入的。",
                        case_no=case_no,
                    )
                )
            continue
        now = [status, alternative or None, text_digest(defect)]
        if now != list(expected):
            same_look = _outcome(now) == _outcome(expected)
            proof.problems.append(
                Problem(
                    "material",
                    f"办件 {case_no} 的材料 {material_id} 的核验结果为“{_outcome(now)}”，"
                    f"但按事件记录应为“{_outcome(expected)}”"
                    + ("（缺陷说明不同）" if same_look else "")
                    + "：核验记录被改动而没有相应的事件记录。",
                    case_no=case_no,
                )
            )
    for material_id in sorted(set(projection.materials) - seen):
        proof.problems.append(
            Problem(
                "material",
                f"办件 {case_no} 的事件记录表明材料 {material_id} 已核验"
                f"（{_outcome(projection.materials[material_id])}），但核验记录已不存在：被删除。",
                case_no=case_no,
            )
        )


def _level(level: Any) -> str:
    try:
        return Rating(str(level)).label
    except ValueError:
        return str(level)


def _compare_ratings(
    proof: Proof, case_no: str, projection: Projection, stored: Sequence[EvaluationRow]
) -> None:
    """Each rating against the event that recorded it (by its time), with its follow-up."""
    recorded = {str(r[0]): r for r in projection.ratings}
    rows = {
        str(at): (level, comment, follow_up, followed_at)
        for level, comment, at, follow_up, followed_at in stored
    }
    for at, (level, comment, follow_up, followed_at) in rows.items():
        expected = recorded.get(at)
        if expected is None:
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 有一条 {at} 的评价（{_level(level)}），但事件记录中没有这次评价："
                    "评价记录是绕过程序写入的。",
                    case_no=case_no,
                )
            )
            continue
        _, level_should, comment_digest, follow_should, followed_at_should = expected
        if str(level) != str(level_should):
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 在 {at} 的评价为“{_level(level)}”，但按事件记录应为"
                    f"“{_level(level_should)}”：评价被改动而没有相应的事件记录。",
                    case_no=case_no,
                )
            )
        if comment_digest is not None and text_digest(comment) != comment_digest:
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 在 {at} 的评价意见与事件记录的 SHA-256 不符：意见被改动。",
                    case_no=case_no,
                )
            )
        if (follow_up or None, followed_at or None) != (follow_should, followed_at_should):
            what = "没有回访" if follow_up is None else f"回访于 {followed_at}"
            should = "没有回访" if follow_should is None else f"已于 {followed_at_should} 回访"
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 在 {at} 的评价{what}，但按事件记录{should}，或回访内容不同："
                    "回访记录被改动而没有相应的事件记录。",
                    case_no=case_no,
                )
            )
    for at in sorted(set(recorded) - set(rows)):
        proof.problems.append(
            Problem(
                "rating",
                f"办件 {case_no} 的事件记录表明 {at} 有一条评价（{_level(recorded[at][1])}），"
                "但评价记录已不存在：评价被删除。",
                case_no=case_no,
            )
        )


def _compare_issued(
    proof: Proof, case_no: str, projection: Projection, stored: Sequence[DocumentRow]
) -> None:
    """Each document a move named in its event has its record: the same number, kind and the
    SHA-256s of its PDF and text (so a file replaced together with its recorded hash is seen)."""
    by_no = {str(doc_no): (kind, pdf, txt) for kind, doc_no, pdf, txt in stored}
    kinds = [str(d[0]) for d in stored]
    for issued in projection.issued:
        doc_no = str(issued.get("no"))
        found = by_no.get(doc_no)
        kind = str(issued.get("kind"))
        label = _kind_label(kind)
        if found is None:
            if kinds.count(kind) >= sum(1 for i in projection.issued if i.get("kind") == kind):
                # as many records of the kind as issued: a number changed (a deleted record is
                # counted by the kinds' check)
                proof.problems.append(
                    Problem(
                        "document",
                        f"办件 {case_no} 的事件记录表明已出具{label} {doc_no}，"
                        "但没有这个编号的文书登记：文书编号被改动。",
                        case_no=case_no,
                    )
                )
            continue
        stored_kind, pdf, txt = found
        if (str(stored_kind), pdf) != (kind, issued.get("pdf")) or (
            issued.get("txt") is not None and txt != issued.get("txt")
        ):
            proof.problems.append(
                Problem(
                    "document",
                    f"办件 {case_no} 的文书 {doc_no} 的登记（种类或文件的 SHA-256）与事件记录不符："
                    "文书登记被改动，文件可能被替换。",
                    case_no=case_no,
                )
            )


def _kind_label(kind: str) -> str:
    try:
        return DocKind(kind).label
    except ValueError:
        return kind


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
    reads: RecordReads,
    proof: Proof,
    cases: set[str] | None,
    named: set[str] | None = None,
    total: int = 0,
) -> None:
    """Each document row's files exist and its PDF has the recorded SHA-256 (`cases`: only
    theirs; None: all). `named` collects every path the rows name, for `_check_orphans`."""
    rows = reads.documents_to_check(None if cases is None else sorted(cases))
    isfile = os.path.isfile  # plain strings and one system call a file: a county has millions
    for chunk in _chunks(rows, 512):
        # Hashing the PDFs is most of a full verify's time; hashlib and file reads release the
        # GIL, so a few threads hash a chunk while the engine's own check runs in another.
        digests = _hash_files([r[2] for r in chunk], threads=cases is None)
        texts = _hash_files(
            [r[1] if r[5] else None for r in chunk], threads=cases is None
        )  # the texts whose SHA-256 was recorded (documents issued since SQLite migration 14)
        if total:
            proof.progress(
                "核对文书文件",
                proof.documents + len(chunk),
                max(total, proof.documents + len(chunk)),
            )
        for (doc_no, path_txt, path_pdf, sha256, case_no, sha256_txt), digest, text in zip(
            chunk, digests, texts, strict=True
        ):
            proof.documents += 1
            if named is not None:
                named.update(p for p in (path_txt, path_pdf) if p)
            if path_txt and not (text is not None if sha256_txt else isfile(path_txt)):
                proof.problems.append(_missing_file(case_no, doc_no, path_txt))
            elif sha256_txt and text != sha256_txt:
                proof.problems.append(
                    Problem(
                        "document",
                        f"办件 {case_no} 的文书 {doc_no} 的文本文件与登记的 SHA-256 不符：文件被改动或替换。",
                        case_no=case_no,
                    )
                )
            if not path_pdf:
                continue
            if digest is None:
                proof.problems.append(_missing_file(case_no, doc_no, path_pdf))
            elif sha256 and digest != sha256:
                proof.problems.append(
                    Problem(
                        "document",
                        f"办件 {case_no} 的文书 {doc_no} 的 PDF 与登记的 SHA-256 不符：文件被改动或替换。",
                        case_no=case_no,
                    )
                )


def _check_kept_documents(
    reads: RecordReads, proof: Proof, cases: set[str] | None, total: int = 0
) -> None:
    """Each document row's bytes are kept by the store under the names it records, and hash to
    the SHA-256 it records (its text's too, where recorded): `cases` only theirs; None: all."""
    rows = reads.kept_documents(None if cases is None else sorted(cases))
    for doc_no, name_txt, name_pdf, sha256, case_no, sha256_txt, got_txt, got_pdf in rows:
        proof.documents += 1
        if total and proof.documents % 512 == 0:
            proof.progress("核对文书", proof.documents, max(total, proof.documents))
        if name_txt and got_txt is None:
            proof.problems.append(_missing_kept(case_no, doc_no, name_txt))
        elif name_txt and sha256_txt and got_txt != sha256_txt:
            proof.problems.append(_changed_kept(case_no, doc_no, "文本"))
        if name_pdf and got_pdf is None:
            proof.problems.append(_missing_kept(case_no, doc_no, name_pdf))
        elif name_pdf and sha256 and got_pdf != sha256:
            proof.problems.append(_changed_kept(case_no, doc_no, "PDF"))


def _missing_kept(case_no: str | None, doc_no: str, name: str) -> Problem:
    return Problem(
        "document",
        f"办件 {case_no} 的文书 {doc_no} 的内容（{name}）不在数据库中：请从备份恢复数据库。",
        case_no=case_no,
    )


def _changed_kept(case_no: str | None, doc_no: str, part: str) -> Problem:
    return Problem(
        "document",
        f"办件 {case_no} 的文书 {doc_no} 的{part}与登记的 SHA-256 不符：数据库中的文书内容被改动。",
        case_no=case_no,
    )


HASH_THREADS = max(1, min(4, os.cpu_count() or 1))
_pool: ThreadPoolExecutor | None = None


def _hash_files(paths: list[str | None], *, threads: bool) -> list[str | None]:
    """`_file_sha256` of each path (None for an empty one), in order."""
    global _pool
    if not threads or HASH_THREADS == 1 or len(paths) < 16:
        return [_file_sha256(p) if p else None for p in paths]
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # a full verify's, not every proof's

        _pool = ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="verify-hash")
    n = HASH_THREADS
    parts = list(_pool.map(_hash_all, [paths[i::n] for i in range(n)]))  # a slice a thread
    out: list[str | None] = [None] * len(paths)
    for i, part in enumerate(parts):
        out[i::n] = part
    return out


def _hash_all(paths: list[str | None]) -> list[str | None]:
    return [_file_sha256(p) if p else None for p in paths]


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_recent_files(reads: RecordReads, proof: Proof, checked: set[str]) -> None:
    """Incremental: the files of every document issued in the last days are still there (a
    stat each; their hashes are checked by `--full`, and for the cases this verify replayed)."""
    isfile = os.path.isfile  # a stat per file; no Path object (tens of thousands a week)
    for case_uuid, doc_no, path_txt, path_pdf, case_no in reads.recent_documents(RECENT_DAYS):
        if case_uuid in checked:
            continue
        for path in (path_txt, path_pdf):
            if path and not isfile(path):
                proof.problems.append(_missing_file(case_no, doc_no, path))


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


_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^\d{2}$")
RECEIVED = "received"  # where an import writes the documents a bundle brought


def documents_roots(paths: Iterable[str]) -> set[str]:
    """The documents folders the recorded files live under: `ROOT/YYYY/MM/file` (issued here)
    and `ROOT/received/SENDER/...` (brought by a bundle)."""
    roots: set[str] = set()
    for path in paths:
        parts = Path(path).parts
        if RECEIVED in parts[:-1]:
            roots.add(str(Path(*parts[: len(parts) - 1 - parts[:-1][::-1].index(RECEIVED)])))
        elif len(parts) >= 4 and _YEAR.match(parts[-3]) and _MONTH.match(parts[-2]):
            roots.add(str(Path(*parts[:-3])))
    return roots


def _check_orphans(reads: RecordReads, proof: Proof, named: set[str]) -> None:
    """Every document file under the documents folders is named by a row (`named`: the paths
    the document rows name, collected by `_check_documents`): the whole tree is walked, every
    month folder (a forged file in a month that holds no recorded document too) and the
    imports' folder (a file an interrupted import left behind)."""
    # A roster batch's correction notice concerns rows that became no case: the batch names it.
    named.update(reads.batch_notice_paths())
    known = {os.path.normpath(p) for p in named}
    for root in sorted(documents_roots(known)):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            relative = Path(folder).relative_to(root).parts
            received = relative[:1] == (RECEIVED,)
            if not received and relative and not _YEAR.match(relative[0]):
                continue  # not a folder documents are issued into
            for name in sorted(files):
                if name.startswith(".") or not name.endswith((".pdf", ".txt")):
                    continue
                if _SET_ASIDE.search(os.path.splitext(name)[0]):
                    proof.set_aside += 1
                    continue
                if os.path.join(folder, name) in known:
                    continue
                if received:
                    message = (
                        f"导入的文书文件 {name}（{folder}）没有任何登记记录：它是一次中断的导入"
                        "留下的（或登记记录被删除），请核对后删除。"
                    )
                else:
                    message = (
                        f"文书文件 {name}（{folder}）没有任何登记记录："
                        "它可能是登记记录被删除后留下的。"
                    )
                proof.problems.append(Problem("orphan", message))
