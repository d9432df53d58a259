"""Enrolment by roster: a college's 表6 becomes item-9 cases in one transaction (a `Window` desk).

The Yongzhou guide (城乡居民参保登记): 大中专院校学生（含新生）以学校为单位在学校所在地整体参保，由学校
代收代缴居民医保费，统一办理参保登记手续，并上报《湖南省城乡居民基本医疗保险参保登记汇总表》（加盖学校公章）
（表6）. So at a college point the clerk checks the sealed paper roster once for the batch and
imports its file:

1. `check_roster(path)` reads and checks every row (`clerk.roster`), then marks the students this
   database has already enrolled: they are skipped, never enrolled twice.
2. `enrol_roster(user, check, seal_checked=..., accept_valid=...)` stores, in ONE transaction,
   every valid student as an item-9 case with its case number and the same events a single
   enrolment has (the workflow's `receive`, then `decide(ACCEPT)`: item 9 is instant, so accepted,
   approved and closed at once), its material checks, all linked to one batch record carrying the
   file's SHA-256 and the school's sealed roster as a checked material of the batch; then one
   summary receipt for the batch and, when rows were left out, one notice listing them. If anything
   fails, nothing is stored and the documents written are set aside.

Rows with problems block the import unless the clerk accepts the valid rows (`accept_valid`). The
enrolled check is repeated inside the transaction, so two imports of the same file (or of the same
students) never enrol anyone twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.documents import journal
from clerk.documents.batch import (
    BatchDocKind,
    BatchFacts,
    SavedBatchDocument,
    corrections_content,
    group_problems,
    receipt_content,
    save_batch_document,
)
from clerk.documents.issue import DEFAULT_QUERY
from clerk.documents.store import DocumentExistsError, set_aside
from clerk.domain import replay
from clerk.domain.case_numbers import MAX_SEQ, make_case_number, new_uuid
from clerk.domain.deadlines import compute_deadline
from clerk.domain.masking import mask_name
from clerk.domain.model import Action, CaseState, Channel, DocKind, Event, Role
from clerk.domain.workflow import CLERK_ROLES, CaseFacts, WorkflowError, decide, receive
from clerk.ports.records import (
    BatchCaseLink,
    BatchMaterial,
    CaseChanges,
    NewBatch,
    NewCase,
    NewDocument,
    NewMaterialCheck,
)
from clerk.service.context import ROSTER_POINT_KIND as ROSTER_POINT_KIND
from clerk.service.context import DeskContext
from clerk.service.errors import ServiceError
from clerk.service.moves import Moves, keep_document, set_aside_all, with_data
from clerk.service.write_errors import file_problem, storage_problem

if TYPE_CHECKING:  # the roster's reader loads when a roster is read, not at start-up
    from clerk.domain.accounts import User
    from clerk.roster import RosterCheck, Student
    from clerk.service.point_choice import PointChoice

ROSTER_ITEM = 9  # 城乡居民参保登记
BATCH_MATERIAL = "sealed_roster"
BATCH_MATERIAL_NAME = "《湖南省城乡居民基本医疗保险参保登记汇总表》（表6，加盖学校公章）"
CHUNK = 250  # students stored per round of bulk inserts (and per progress report)

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class EarlierBatch:
    batch_no: str
    received_at: str
    enrolled: int


@dataclass(frozen=True)
class BatchResult:
    batch_uuid: str
    batch_no: str
    enrolled: int
    first_case_no: str
    last_case_no: str
    to_correct: int
    skipped: int
    receipt: SavedBatchDocument
    notice: SavedBatchDocument | None


class Enrolment:
    """Roster enrolment; a desk of `clerk.service.window.Window`."""

    def __init__(self, context: DeskContext, moves: Moves) -> None:
        self.ctx = context
        self.moves = moves

    # ------------------------------------------------------------------ template and checks

    def roster_point_problem(self) -> str | None:
        """Why this machine cannot import rosters (Chinese), or None at a college point."""
        return self.ctx.roster_point_problem()

    def write_roster_template(self, path: str | Path) -> Path:
        from clerk.roster import write_template

        try:
            return write_template(path)
        except OSError as err:
            raise ServiceError(file_problem(err)) from None

    def check_roster(self, path: str | Path) -> RosterCheck:
        """Read and check the roster at `path`; students already enrolled here become skipped rows."""
        from clerk.roster import check_file

        try:
            check = check_file(path, today=self.ctx.today())
        except OSError as err:
            raise ServiceError(f"名册文件读不出来：{file_problem(err)}") from None
        if not check.students:
            return check
        return check.with_enrolled(
            self.ctx.store.enrolled_ids(ROSTER_ITEM, [s.id_number for s in check.students])
        )

    def earlier_batches(self, check: RosterCheck) -> list[EarlierBatch]:
        """Batches already made from a file with exactly these bytes."""
        return [
            EarlierBatch(b.batch_no, b.received_at.isoformat(), b.enrolled)
            for b in self.ctx.store.batches_with_sha(check.sha256)
        ]

    # ------------------------------------------------------------------ enrolment

    def enrol_roster(
        self,
        user: User | Any,
        check: RosterCheck,
        *,
        seal_checked: bool,
        accept_valid: bool = False,
        progress: Progress | None = None,
    ) -> BatchResult:
        """Enrol the valid students of `check` as one batch (see the module docstring)."""
        problem = self.roster_point_problem()
        if problem:
            raise ServiceError(problem)
        if Role(user.role) not in CLERK_ROLES:
            raise ServiceError(
                f"{Role(user.role).label}不能受理参保登记，请由窗口经办人员或主管导入名册。"
            )
        if check.file_problems:
            raise ServiceError(
                "名册文件本身有问题（见检查结果所列），不能导入。请学校按模板改正后重新报送。"
            )
        if check.row_problems and not accept_valid:
            raise ServiceError(
                f"名册有 {len(check.bad_rows)} 行需要更正，尚未导入任何学生。请学校改正后重新报送；"
                "或先登记无误的学生，并出具名册信息更正告知书。"
            )
        if not seal_checked:
            raise ServiceError("请先核验纸质汇总表（表6）已加盖学校公章，再导入名册。")
        item = self.ctx.catalog.item(ROSTER_ITEM)
        point = self.ctx.point()
        now = self.ctx.clock()
        today = self.ctx.today()  # the day in Beijing time, whatever the clock's zone
        deadline = compute_deadline(item, today, online=False, calendar=self.ctx.calendar)
        written: list[SavedBatchDocument] = []
        with journal.attempt() as pending:  # its files, noted before they are written
            try:
                with self.ctx.store.transaction():
                    # The account as it is now: a deactivated or demoted clerk can no longer import.
                    user = self.moves.current_actor(user)
                    # Again under the write lock: another import may have enrolled some since the check.
                    check = check.with_enrolled(
                        self.ctx.store.enrolled_ids(
                            ROSTER_ITEM, [s.id_number for s in check.students]
                        )
                    )
                    students = check.students
                    if not students:
                        raise ServiceError("名册中没有需要登记的学生：都已参保登记，或都需要更正。")
                    batch_uuid = new_uuid()
                    batch_no = f"{point.code}{today:%Y%m%d}P{self.ctx.store.next_batch_number(point.code, today):02d}"
                    links: list[BatchCaseLink] = []
                    case_nos: list[str] = []
                    total = len(students)
                    for start in range(0, total, CHUNK):
                        cases: list[NewCase] = []
                        events: list[Event] = []
                        checks: list[NewMaterialCheck] = []
                        for student in students[start : start + CHUNK]:
                            case, case_events, case_checks = self._student_case(
                                user, item, point, student, now, deadline
                            )
                            cases.append(case)
                            events += case_events
                            checks += case_checks
                            case_nos.append(case.case_no)
                            links.append(_link(student, batch_uuid, point.code, case.uuid))
                        self.ctx.store.insert_cases(cases)
                        self.ctx.store.append_events(events, point.code)
                        self.ctx.store.add_material_checks(checks)
                        if progress is not None:
                            progress(min(start + CHUNK, total), total)
                    facts = self._batch_facts(user, check, batch_no, case_nos, today)
                    receipt = self._save_batch_doc(
                        BatchDocKind.RECEIPT, receipt_content(facts), today, written
                    )
                    notice = None
                    if check.row_problems:
                        rows = group_problems(
                            [(p.row, p.column, p.message) for p in check.row_problems],
                            {r: (no, mask_name(name)) for r, (no, name) in check.labels.items()},
                        )
                        notice = self._save_batch_doc(
                            BatchDocKind.CORRECTIONS,
                            corrections_content(facts, rows),
                            today,
                            written,
                        )
                    # on a server, the files' bytes are kept with the batch (their names recorded)
                    kept = keep_document(self.ctx.store, receipt)
                    kept_notice = keep_document(self.ctx.store, notice) if notice else None
                    self.ctx.store.insert_batch(
                        _batch_row(
                            batch_uuid,
                            batch_no,
                            point,
                            facts,
                            check,
                            now,
                            user.login,
                            receipt,
                            notice,
                            kept,
                            kept_notice,
                        ),
                        [
                            BatchMaterial(
                                material_id=BATCH_MATERIAL, status="ok", checked_by=user.login
                            )
                        ],
                    )
                    self.ctx.store.link_batch_cases(links)
                    self.ctx.store.add_documents(
                        _receipt_rows(links, receipt, now, user.login, kept)
                    )
            except BaseException as exc:
                pending.close(remove=set_aside_all(written))
                if isinstance(exc, ServiceError):
                    raise
                problem = storage_problem(exc)
                if problem is None:
                    raise
                raise ServiceError(problem) from None
            pending.close()  # committed: every file it names is recorded
        return BatchResult(
            batch_uuid=batch_uuid,
            batch_no=batch_no,
            enrolled=len(case_nos),
            first_case_no=case_nos[0],
            last_case_no=case_nos[-1],
            to_correct=len(check.bad_rows),
            skipped=len(check.enrolled),
            receipt=receipt,
            notice=notice,
        )

    def _student_case(
        self, user: Any, item: Any, point: PointChoice, student: Student, now: Any, deadline: Any
    ) -> tuple[NewCase, list[Event], list[NewMaterialCheck]]:
        """One student's case row, events and material checks, numbered (the caller holds the
        transaction and stores them)."""
        today = self.ctx.today()
        seq = self.ctx.store.next_sequence(point.code, today)
        if seq > MAX_SEQ:
            raise ServiceError(
                f"本服务点今天的办件编号已用到 {MAX_SEQ}，不能再编号。请把名册分成几个文件，明天继续导入余下的学生。"
            )
        case_no = make_case_number(point.code, today, seq)
        uuid = new_uuid()
        role = Role(user.role)
        accept_data = {
            "due": deadline.due.isoformat(),
            "due_start": today.isoformat(),
            "provisional": deadline.provisional,
        }
        try:
            events = [receive(uuid, item, Channel.ON_SITE, actor=user.login, role=role, at=now)]
            facts = CaseFacts(
                uuid=uuid, item=item, state=CaseState.DRAFT, channel=Channel.ON_SITE, complete=True
            )
            events += decide(
                facts,
                Action.ACCEPT,
                actor=user.login,
                role=role,
                at=now,
                data=accept_data,
                settings=self.ctx.settings,
            )
        except WorkflowError as exc:
            raise ServiceError(str(exc)) from None
        case = NewCase(
            uuid=uuid,
            case_no=case_no,
            point_code=point.code,
            office_code=point.office_code,
            applicant_kind="person",
            applicant_name=student.name,
            id_type=student.id_type,
            id_number=student.id_number,
            phone=student.phone,
            circumstances=frozenset(),
            # every column the events determine, exactly as `clerk verify` replays them
            **CaseChanges(replay.changes(events)).decoded(),
        )
        checks = [
            NewMaterialCheck(
                case_uuid=uuid,
                point_code=point.code,
                material_id=m.id,
                status="ok",
                alternative=m.alternatives[0] if m.is_choice else None,
            )
            for m in item.materials
            if m.condition is None
        ]
        # The checks are proven with the case: its receipt carries them (`clerk verify` replays
        # them against case_materials).
        events[0] = with_data(events[0], materials=replay.material_outcome(checks))
        return case, events, checks

    def _batch_facts(
        self, user: Any, check: RosterCheck, batch_no: str, case_nos: list[str], today: Any
    ) -> BatchFacts:
        item = self.ctx.catalog.item(ROSTER_ITEM)
        office = self.ctx.office()
        query = item.local.query if item.local is not None and item.local.query else DEFAULT_QUERY
        return BatchFacts(
            batch_no=batch_no,
            school_name=self.ctx.point().name,
            office_name=(
                office.agency_name
                if self.ctx.point().kind == "county_hall"
                else self.ctx.point().name  # the college's own receipt, under its seal
            ),
            supervision_phone=office.phone,
            query_channel=query,
            item_no=item.no,
            item_name=item.name,
            source_name=check.source,
            source_sha256=check.sha256,
            rows_total=check.data_rows,
            enrolled=len(case_nos),
            first_case_no=case_nos[0],
            last_case_no=case_nos[-1],
            received_on=today,
            clerk_name=getattr(user, "name", user.login),
            to_correct=len(check.bad_rows),
            skipped=len(check.enrolled),
        )

    def _save_batch_doc(
        self, kind: BatchDocKind, content: Any, today: Any, written: list[SavedBatchDocument]
    ) -> SavedBatchDocument:
        try:
            try:
                saved = save_batch_document(kind, content, today, root=self.ctx.documents.root)
            except DocumentExistsError as exc:
                set_aside(exc.path)  # left by an attempt that never committed: no batch names it
                saved = save_batch_document(kind, content, today, root=self.ctx.documents.root)
        except OSError as err:
            raise ServiceError(file_problem(err)) from None
        written.append(saved)
        return saved


def _link(student: Student, batch_uuid: str, point_code: str, case_uuid: str) -> BatchCaseLink:
    return BatchCaseLink(
        case_uuid=case_uuid,
        batch_uuid=batch_uuid,
        point_code=point_code,
        row_no=student.row,
        student_no=student.student_no,
        class_name=student.class_name or None,
        sex=student.sex,
        birth_date=student.birth_date,
        domicile=student.domicile or None,
        identity=student.identity,
        subsidy=student.subsidy or None,
        note=student.note or None,
    )


# The batch receipt is each student's written acceptance and completion (item 9 is instant): it is
# recorded under each case with those kinds, so the case shows it, reprints it, and `clerk verify`
# finds the documents the case's events imply.
RECEIPT_KINDS = (DocKind.ACCEPTANCE, DocKind.COMPLETION)


def _receipt_rows(
    links: list[BatchCaseLink],
    receipt: SavedBatchDocument,
    at: datetime,
    login: str,
    kept: tuple[str, str],
) -> list[NewDocument]:
    return [
        NewDocument(
            case_uuid=link.case_uuid,
            point_code=link.point_code,
            kind=str(kind),
            doc_no=receipt.doc_no,
            path_txt=kept[0],
            path_pdf=kept[1],
            sha256=receipt.sha256,
            issued_at=at,
            issued_by=login,
        )
        for link in links
        for kind in RECEIPT_KINDS
    ]


def _batch_row(
    uuid: str,
    batch_no: str,
    point: PointChoice,
    facts: BatchFacts,
    check: RosterCheck,
    at: datetime,
    login: str,
    receipt: SavedBatchDocument,
    notice: SavedBatchDocument | None,
    kept: tuple[str, str],
    kept_notice: tuple[str, str] | None,
) -> NewBatch:
    return NewBatch(
        uuid=uuid,
        batch_no=batch_no,
        point_code=point.code,
        office_code=point.office_code,
        item_no=ROSTER_ITEM,
        school_name=point.name,
        source_name=check.source,
        source_kind=check.kind,
        source_sha256=check.sha256,
        rows_total=check.data_rows,
        enrolled=facts.enrolled,
        to_correct=facts.to_correct,
        skipped=facts.skipped,
        first_case_no=facts.first_case_no,
        last_case_no=facts.last_case_no,
        receipt_doc_no=receipt.doc_no,
        receipt_path_txt=kept[0],
        receipt_path_pdf=kept[1],
        receipt_sha256=receipt.sha256,
        notice_doc_no=notice.doc_no if notice else None,
        notice_path_txt=kept_notice[0] if kept_notice else None,
        notice_path_pdf=kept_notice[1] if kept_notice else None,
        notice_sha256=notice.sha256 if notice else None,
        received_at=at,
        created_by=login,
    )
