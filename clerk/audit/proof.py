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

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from clerk.audit.admin_check import _check_admin
from clerk.audit.case_check import _check_cases
from clerk.audit.document_check import (
    _check_documents,
    _check_kept_documents,
    _check_orphans,
    _check_recent_files,
)
from clerk.audit.findings import SOURCE_LABELS, Problem, Proof
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
from clerk.ports.errors import StorageError
from clerk.ports.verify_report import (
    CheckpointInLog,
    EngineFindings,
    VerifyReport,
)
from clerk.support.progress import Progress, silent

if TYPE_CHECKING:
    from clerk.ports.store import RecordReads

TICK = 1 << 16  # events between two progress reports of a chain walk


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
        proof.last_look = state.files_look
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
        reads.remember_verify(proof.heads(), proof.marks, proof.last_n, at, proof.files_look)


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
            _check_recent_files(reads, proof, touched, extent.documents)


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
