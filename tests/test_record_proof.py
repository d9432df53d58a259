"""The proof of the record (`clerk.audit.proof`) is written against the port alone: here it runs
on an engine-free `RecordReads` that holds a real file's record in lists, tampered in Python,
and names each tampering with the message `clerk verify` prints."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from support.clock import MONDAY, Clock
from support.db import fresh_db

from clerk.audit import proof
from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.chain import STORED_COLUMNS
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant, Role
from clerk.domain.offices import default_offices
from clerk.ports.store import RecordReads
from clerk.ports.verify_report import (
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
from clerk.service.window import Window

PASSWORD = "counterpass1"
POINT = "YZ03"
ID_BODY = "43999919800203123"
PERSON_ID = ID_BODY + resident_id_check_char(ID_BODY)
SEQ = STORED_COLUMNS.index("seq")
ACTOR = STORED_COLUMNS.index("actor")


@dataclass
class MemoryReads:
    """`RecordReads` over plain lists: no engine, no SQL."""

    chains: dict[str, list[StoredEvent]]
    histories: list[CaseHistory]
    documents: list[tuple[str, DocumentFiles]]  # (case uuid, the row)
    kept: list[CheckpointInLog]
    admin: list[tuple[object, ...]] = field(default_factory=list)
    users: list[tuple[str, str, str, bool, str]] = field(default_factory=list)
    points: list[tuple[str, str, str, str]] = field(default_factory=list)
    last_verified: int | None = None
    remembered: list[tuple[object, ...]] = field(default_factory=list)

    def read_snapshot(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def verify_state(self) -> VerifyState:
        return VerifyState(self.last_verified, False)

    def record_extent(self) -> RecordExtent:
        events = sum(len(c) for c in self.chains.values())
        return RecordExtent(events, len(self.histories), len(self.documents))

    def missing_protections(self) -> list[str]:
        return []

    def origins(self) -> list[str]:
        return sorted(self.chains)

    def event_hash_at(self, origin: str, seq: int) -> str | None:
        found = [e for e in self.chains.get(origin, []) if e[SEQ] == seq]
        return found[0][-1] if found else None

    def iter_chain(self, origin: str, after_seq: int = 0) -> Iterator[StoredEvent]:
        return (e for e in self.chains[origin] if e[SEQ] > after_seq)

    def iter_admin_chain(self) -> Iterator[tuple[object, ...]]:
        return iter(self.admin)

    def accounts(self) -> list[tuple[str, str, str, bool, str]]:
        return list(self.users)

    def declared_points(self) -> list[tuple[str, str, str, str]]:
        return list(self.points)

    def checkpoints_in_log(self) -> list[CheckpointInLog]:
        return [replace(k, stored_hash=self.event_hash_at(k.origin, k.seq)) for k in self.kept]

    def change_marks(self) -> list[tuple[str, int]]:
        return []

    def cases_with_events_after(self, last_event: int) -> set[str]:
        return set()

    def iter_case_histories(self, case_uuids: Iterable[str] | None = None) -> Iterator[CaseHistory]:
        wanted = None if case_uuids is None else set(case_uuids)
        return (h for h in self.histories if wanted is None or h.uuid in wanted)

    def documents_to_check(
        self, case_uuids: Iterable[str] | None = None
    ) -> Iterator[DocumentFiles]:
        wanted = None if case_uuids is None else set(case_uuids)
        return (d for u, d in self.documents if wanted is None or u in wanted)

    def recent_files(self, days: int) -> Iterator[RecentFiles]:
        return iter(())

    def documents_with_files(self, paths: Collection[str]) -> Iterator[RecentDocument]:
        return iter(())

    def keeps_documents(self) -> bool:
        return False

    def kept_documents(self, case_uuids: Iterable[str] | None = None) -> Iterator[KeptDocument]:
        return iter(())

    def unrecorded_contents(self) -> Iterator[str]:
        return iter(())

    def batch_notice_paths(self) -> Iterator[str]:
        return iter(())

    def begin_engine_checks(self, *, quick: bool = False) -> Callable[[], EngineFindings]:
        return lambda: EngineFindings("ok", 0, "none")

    def remember_verify(
        self,
        heads: Mapping[str, tuple[int, str]],
        marks: Sequence[tuple[str, int]],
        last_event: int,
        at: str,
        files_look: FilesLook | None = None,
    ) -> None:
        self.remembered.append((dict(heads), list(marks), last_event, at))


def _reads(store: Store) -> MemoryReads:
    """The record of a real file, read once through the SQLite adapter's `RecordReads`."""
    source: RecordReads = store.record_reads()
    with source.read_snapshot():
        return MemoryReads(
            chains={o: list(source.iter_chain(o)) for o in source.origins()},
            histories=list(source.iter_case_histories()),
            documents=[
                (h.uuid, d)
                for h in source.iter_case_histories()
                for d in source.documents_to_check([h.uuid])
            ],
            kept=source.checkpoints_in_log(),
            admin=list(source.iter_admin_chain()),
            users=source.accounts(),
            points=source.declared_points(),
        )


@pytest.fixture
def window(tmp_path: Path) -> Iterator[Window]:
    w = Window(
        Store.open(fresh_db(tmp_path / "clerk.db")),
        default_catalog(),
        default_offices(),
        clock=Clock(MONDAY),
        documents_root=tmp_path / "documents",
    )
    w.setup(POINT, "admin", "王管理", PASSWORD)
    w.store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, POINT)
    clerk = w.login("clerk1", PASSWORD)
    for item_no in (31, 9):  # item 31 accepted and awaiting review, item 9 closed at once
        view = w.open_case(
            clerk,
            item_no,
            Applicant("person", "张三丰", "resident_id", PERSON_ID, phone="13812345678"),
        )
        checks = {
            m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
            for m in w.required_for(item_no, frozenset())
        }
        w.check_materials(clerk, view.uuid, checks)
        w.accept(clerk, view.uuid)
    yield w
    w.store.close()


def _messages(reads: MemoryReads) -> list[str]:
    return [p.message for p in proof.prove(reads, full=True).problems]


def test_the_untouched_record_proves_and_is_remembered(window):
    reads = _reads(window.store)
    report = proof.verify(reads, full=True, at="2026-11-02T17:00:00+08:00")
    events = sum(len(c) for c in reads.chains.values())
    assert (report.ok, report.mode, report.cases, report.documents, report.events) == (
        True,
        "full",
        2,
        3,
        events,
    )
    (heads, marks, last_event, at) = reads.remembered[0]
    assert (heads, last_event) == ({POINT: (events, reads.chains[POINT][-1][-1])}, events)


def test_a_changed_event_field_breaks_the_chain_at_that_event(window):
    reads = _reads(window.store)
    event = list(reads.chains[POINT][1])
    event[ACTOR] = "mallory"
    reads.chains[POINT][1] = tuple(event)
    report = proof.prove(reads, full=True).typed()
    assert (report.chain_ok, report.first_broken, report.first_broken_origin) == (False, 2, POINT)
    assert [p.message for p in report.problems] == [
        "来源 YZ03 的第 2 条事件记录的内容与其哈希值不符，记录可能被篡改。"
    ]


def test_a_deleted_middle_event_is_a_gap_in_the_numbers(window):
    reads = _reads(window.store)
    del reads.chains[POINT][2]
    report = proof.prove(reads, full=True).typed()
    assert report.first_broken == 4
    assert [p.message for p in report.problems] == [
        "来源 YZ03 的事件序号不连续：应为第 3 条，实际为第 4 条，之间的记录可能被删除。"
    ]


def test_a_case_column_changed_without_an_event_is_named(window):
    reads = _reads(window.store)
    history = next(h for h in reads.histories if h.row and h.row["item_no"] == 31)
    assert history.row is not None
    reads.histories[reads.histories.index(history)] = replace(
        history, row={**history.row, "state": "awaiting_payment"}
    )
    problems = proof.prove(reads, full=True).problems
    assert [(p.message, p.column) for p in problems] == [
        (
            f"办件 {history.row['case_no']} 的状态为“待拨付”，但按事件记录应为“已受理”："
            "该字段被改动而没有相应的事件记录。",
            "state",
        )
    ]


def test_a_kept_head_whose_chain_was_cut_off_is_named(window):
    seq, digest = window.store.chain_head()
    window.store.add_checkpoint(POINT, seq, digest, "ledger", "2026-11-02 日结单")
    reads = _reads(window.store)
    assert _messages(reads) == []
    del reads.chains[POINT][-3:]  # the walk of what is left finds nothing: only the head does
    assert _messages(reads) == [
        f"日结单上打印的链头（来源 YZ03 第 {seq} 条，{digest[:12]}…，2026-11-02 日结单）"
        "在事件记录中已不存在：事件记录被截断或删除。"
    ]


def test_an_edited_document_file_fails_its_hash(window):
    reads = _reads(window.store)
    case_uuid, (doc_no, _txt, pdf, _sha, case_no, _sha_txt) = next(
        (u, d) for u, d in reads.documents if d[2]
    )
    assert pdf is not None
    Path(pdf).write_bytes(Path(pdf).read_bytes() + b"\n% edited")
    assert _messages(reads) == [
        f"办件 {case_no} 的文书 {doc_no} 的 PDF 与登记的 SHA-256 不符：文件被改动或替换。"
    ]


def test_the_engine_findings_come_first_when_the_storage_is_damaged(window):
    reads = _reads(window.store)
    reads.begin_engine_checks = lambda *, quick=False: (
        lambda: EngineFindings(  # type: ignore[method-assign]
            ["page 7: btree damaged"], 0, "PRAGMA integrity_check"
        )
    )
    report = proof.prove(reads, full=True).typed()
    assert (report.integrity, report.problems[0].kind) == (["page 7: btree damaged"], "integrity")
    assert report.problems[0].message == (
        "数据库文件结构检查未通过（PRAGMA integrity_check），请从最近的备份恢复并联系技术支持。"
    )
