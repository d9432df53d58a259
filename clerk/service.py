"""`Window`: the application service the screens and the CLI call.

It asks the workflow whether a move is allowed, then stores the move, its events and its document
in one transaction. Screens never touch the store or the workflow directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from clerk import db as storage
from clerk import replay
from clerk.administration import Administration
from clerk.case_numbers import make_case_number, new_uuid
from clerk.case_reader import SETTING_POINT, CaseReader, ServiceError, point_choice
from clerk.catalog import Catalog, Condition, Item, Material
from clerk.clock import Clock, system_clock
from clerk.deadlines import compute_deadline, recompute_deadline
from clerk.documents.issue import DocumentIssuer
from clerk.documents.model import DocKind
from clerk.documents.store import DocumentExistsError, SavedDocument, set_aside
from clerk.identifiers import validate_id, validate_phone
from clerk.item_search import ItemFinder
from clerk.materials import (
    MaterialCheck,
    MaterialCheckError,
    applicable_conditions,
    required_materials,
    validate_check,
)
from clerk.model import (
    Action,
    Applicant,
    CaseState,
    Channel,
    Event,
    Rating,
    Role,
)
from clerk.notice import NoticeContent, build_notice
from clerk.offices import POINT_KINDS, Office, Offices, ServicePoint
from clerk.views import (
    CaseView,
    ItemChoice,
    PointChoice,
)
from clerk.workdays import WorkCalendar
from clerk.workflow import (
    OfficeSettings,
    WorkflowError,
    decide,
    receive,
    record,
)
from clerk.write_errors import file_problem, storage_problem

REVEALABLE = {"applicant_name", "id_number", "phone", "bank_account", "agent_id_number"}


@dataclass(frozen=True)
class Recomputed:
    case_no: str
    previous_due: date
    due: date
    provisional: bool


@dataclass(frozen=True)
class SystemActor:
    """The actor recorded for maintenance the machine does itself (e.g. `clerk holidays install`)."""

    login: str
    name: str = "系统维护"
    role: str = Role.ADMIN


class Window(Administration, CaseReader):
    def __init__(
        self,
        store: storage.Store,
        catalog: Catalog,
        offices: Offices,
        *,
        clock: Clock = system_clock,
        calendar: WorkCalendar | None = None,
        documents_root: Path | None = None,
        settings: OfficeSettings | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.base_offices = offices
        self.clock = clock
        self.calendar = calendar or WorkCalendar.default()
        self.settings = settings or OfficeSettings()
        self.documents = DocumentIssuer(documents_root)

    @cached_property
    def finder(self) -> ItemFinder:
        """Built on first search: spelling every item in pinyin takes a noticeable moment."""
        return ItemFinder(self.catalog)

    # ------------------------------------------------------------------ setup and login

    def setup_choices(self) -> list[PointChoice]:
        offices = self.offices
        places: list[Office | ServicePoint] = [*offices.offices, *offices.points]
        return [point_choice(p) for p in places]

    def setup(self, point_code: str, admin_login: str, admin_name: str, password: str) -> storage.User:
        if self.store.has_users():
            raise ServiceError("本机已完成初始设置；如需新增用户，请由管理员登录后添加。")
        try:
            self.offices.point(point_code)
        except KeyError:
            raise ServiceError(f"没有编码为 {point_code} 的经办机构或服务点，请从列表中选择。") from None
        with self._tx():
            self.store.set_setting(SETTING_POINT, point_code)
            return self.store.create_user(admin_login, admin_name, Role.ADMIN, password, point_code)

    def login(self, login: str, password: str) -> storage.User:
        return self.store.authenticate(login, password)

    # ------------------------------------------------------------------ items

    def item_choices(self) -> list[ItemChoice]:
        kind = self.point().kind
        return [self._choice(item, kind) for item in self.catalog.items]

    def find_items(self, query: str) -> list[ItemChoice]:
        kind = self.point().kind
        return [self._choice(item, kind) for item in self.finder.find(query)]

    def _choice(self, item: Item, kind: str) -> ItemChoice:
        if item.accepted_at(kind):
            return ItemChoice(item, True)
        return ItemChoice(
            item, False, f"{POINT_KINDS.get(kind, kind)}不受理此事项，请引导申请人到县级医保服务大厅办理。"
        )

    def conditions_for(self, item_no: int) -> list[Condition]:
        return applicable_conditions(self.catalog, self.catalog.item(item_no))

    def required_for(self, item_no: int, circumstances: frozenset[str]) -> list[Material]:
        return required_materials(self.catalog, self.catalog.item(item_no), circumstances)

    # ------------------------------------------------------------------ opening a case

    def open_case(
        self,
        user: storage.User,
        item_no: int,
        applicant: Applicant,
        *,
        channel: Channel = Channel.ON_SITE,
        circumstances: frozenset[str] = frozenset(),
    ) -> CaseView:
        item = self.catalog.item(item_no)
        point = self.point()
        if not item.accepted_at(point.kind):
            raise ServiceError(self._choice(item, point.kind).why_not)
        _check_applicant(applicant)
        unknown = circumstances - set(self.catalog.conditions)
        if unknown:
            raise ServiceError(f"未知的申请情形：{'、'.join(sorted(unknown))}")
        now = self.clock()
        uuid = new_uuid()
        with self._tx():
            seq = self.store.next_sequence(point.code, now.date())
            case_no = make_case_number(point.code, now.date(), seq)
            self.store.insert_case(
                {
                    "uuid": uuid,
                    "case_no": case_no,
                    "point_code": point.code,
                    "office_code": point.office_code,
                    "item_no": item.no,
                    "channel": str(channel),
                    "state": str(CaseState.DRAFT),
                    "applicant_kind": applicant.kind,
                    "applicant_name": applicant.name.strip(),
                    "id_type": applicant.id_type,
                    "id_number": _normalized_id(applicant),
                    "phone": applicant.phone.strip(),
                    "unit_name": applicant.name.strip() if applicant.kind != "person" else None,
                    "credit_code": _normalized_id(applicant) if applicant.id_type == "credit_code" else None,
                    "agent_name": applicant.agent_name.strip() or None,
                    "agent_id_type": applicant.agent_id_type or None,
                    "agent_id_number": applicant.agent_id_number.strip().upper() or None,
                    "bank_account": applicant.bank_account.strip() or None,
                    "circumstances": json.dumps(sorted(circumstances)),
                    "received_at": now.isoformat(),
                    "created_by": user.login,
                }
            )
            event = receive(uuid, item, channel, actor=user.login, role=Role(user.role), at=now)
            self.store.append_event(event, point.code)
        return self.case(uuid, user)

    # ------------------------------------------------------------------ materials

    def check_materials(
        self, user: storage.User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        row = self._row(case_uuid)
        if CaseState(row["state"]) not in (CaseState.DRAFT, CaseState.AWAITING_SUPPLEMENT):
            raise ServiceError("该件已作出受理决定，不能再修改材料核验结果。")
        self._store_checks(row, checks)
        return self.case(case_uuid, user)

    def supplement(
        self, user: storage.User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        row = self._row(case_uuid)
        with self._tx():
            self._store_checks(row, checks)
            self._apply(user, row, Action.SUPPLEMENT)
        return self.case(case_uuid, user)

    def _store_checks(self, row: Mapping[str, Any], checks: Mapping[str, MaterialCheck]) -> None:
        item = self.catalog.item(row["item_no"])
        known = {m.id: m for m in item.materials} | {g.material.id: g.material for g in self.catalog.general_materials}
        rows: list[Mapping[str, Any]] = []
        for material_id, check in checks.items():
            material = known.get(material_id)
            if material is None:
                raise ServiceError(f"事项{item.no}没有编号为 {material_id} 的材料。")
            try:
                validate_check(material, check)
            except MaterialCheckError as exc:
                raise ServiceError(str(exc)) from None
            rows.append(
                {
                    "material_id": material_id,
                    "status": check.status,
                    "alternative": check.alternative,
                    "defect": check.defect,
                }
            )
        self.store.set_material_checks(row["uuid"], rows, point_code=row["point_code"])

    # ------------------------------------------------------------------ decisions at the window

    def preview_notice(self, case_uuid: str) -> NoticeContent:
        row = self._row(case_uuid)
        item = self.catalog.item(row["item_no"])
        missing = self._missing(row, item)
        if not missing:
            raise ServiceError("材料已齐全，无需一次性告知，可直接受理。")
        office = self.office()
        return build_notice(
            item=item,
            case_no=row["case_no"],
            missing=missing,
            issued_on=self.today(),
            office_name=office.name,
            office_address=office.address,
            supervision_phone=office.phone,
            hand_in_where=self.point().name,
            supplement_days=self.settings.supplement_days,
        )

    def issue_notice(self, user: storage.User, case_uuid: str, *, override_reason: str = "") -> CaseView:
        """Issue the one-time notice of every missing material. A later notice may only name
        materials an earlier one named, unless a supervisor overrides with a reason."""
        content = self.preview_notice(case_uuid)
        row = self._row(case_uuid)
        missing_ids = sorted(m.id for m, _ in self._missing(row, self.catalog.item(row["item_no"])))
        events = self._decide(user, row, Action.NOTICE, reason=override_reason, data={"missing": missing_ids})
        saved = self._issue(self.documents.notice, row, content, user)
        with self._tx(written=[saved]):
            self._commit(row, events)
            self._add_document(row, saved, user)
        return self.case(case_uuid, user)

    def accept(
        self, user: storage.User, case_uuid: str, *, declaration_deadline: date | None = None
    ) -> CaseView:
        row = self._row(case_uuid)
        item = self.catalog.item(row["item_no"])
        start = self.today()
        if item.time_limit.start == "after_declaration_deadline":
            start = declaration_deadline or start
        deadline = compute_deadline(
            item, start, online=row["channel"] == Channel.ONLINE, calendar=self.calendar
        )
        events = self._decide(
            user,
            row,
            Action.ACCEPT,
            data={"due": deadline.due.isoformat(), "due_start": start.isoformat(), "provisional": deadline.provisional},
        )
        final = events[-1].to_state
        changes = replay.changes(events)
        row_after = {**row, **changes}
        docs = [self._issue(self.documents.acceptance, row_after, deadline, user)]
        if final == CaseState.CLOSED:
            docs.append(self._issue(self.documents.completion, row_after, user))
        with self._tx(written=docs):
            self._commit(row, events)
            for saved in docs:
                self._add_document(row, saved, user)
        return self.case(case_uuid, user)

    def refuse(self, user: storage.User, case_uuid: str, reason: str) -> CaseView:
        return self._decide_with_document(user, case_uuid, Action.REFUSE, reason, "refusal")

    # ------------------------------------------------------------------ after acceptance

    def approve(self, user: storage.User, case_uuid: str) -> CaseView:
        row = self._row(case_uuid)
        events = self._decide(user, row, Action.APPROVE)
        docs = []
        if events[-1].to_state == CaseState.CLOSED:
            docs.append(self._issue(self.documents.completion, row, user))
        with self._tx(written=docs):
            self._commit(row, events)
            for saved in docs:
                self._add_document(row, saved, user)
        return self.case(case_uuid, user)

    def reject(self, user: storage.User, case_uuid: str, reason: str) -> CaseView:
        return self._decide_with_document(user, case_uuid, Action.REJECT, reason, "rejection")

    def pay(self, user: storage.User, case_uuid: str, amount_fen: int, reference: str) -> CaseView:
        row = self._row(case_uuid)
        events = self._decide(
            user, row, Action.PAY, data={"amount_fen": amount_fen, "reference": reference.strip()}
        )
        row_after = {**row, **replay.changes(events)}
        saved = self._issue(self.documents.completion, row_after, user)
        with self._tx(written=[saved]):
            self._commit(row, events)
            self._add_document(row, saved, user)
        return self.case(case_uuid, user)

    def withdraw(self, user: storage.User, case_uuid: str, reason: str) -> CaseView:
        row = self._row(case_uuid)
        events = self._decide(user, row, Action.WITHDRAW, reason=reason)
        with self._tx():
            self._commit(row, events)
        return self.case(case_uuid, user)

    def abandon(self, user: storage.User, case_uuid: str, reason: str) -> CaseView:
        row = self._row(case_uuid)
        events = self._decide(user, row, Action.ABANDON, reason=reason)
        with self._tx():
            self._commit(row, events)
        return self.case(case_uuid, user)

    def rate(self, user: storage.User, case_uuid: str, level: Rating, comment: str = "") -> CaseView:
        row = self._row(case_uuid)
        event = self._record(user, row, Action.RATE, data={"level": str(level)})
        with self._tx():
            self.store.append_event(event, row["point_code"])
            self.store.add_evaluation(
                {
                    "uuid": new_uuid(),
                    "case_uuid": row["uuid"],
                    "point_code": row["point_code"],
                    "level": str(level),
                    "comment": comment.strip(),
                    "at": event.at.isoformat(),
                    "recorded_by": user.login,
                }
            )
        return self.case(case_uuid, user)

    def follow_up(self, user: storage.User, case_uuid: str, text: str) -> CaseView:
        row = self._row(case_uuid)
        event = self._record(user, row, Action.FOLLOW_UP, reason=text)
        with self._tx():
            self.store.append_event(event, row["point_code"])
            self.store.follow_up_evaluation(row["uuid"], text.strip(), event.at.isoformat())
        return self.case(case_uuid, user)

    def reveal(self, user: storage.User, case_uuid: str, field: str) -> str:
        if field not in REVEALABLE:
            raise ServiceError(f"不能查看字段 {field}。")
        row = self._row(case_uuid)
        event = self._record(user, row, Action.REVEAL, data={"field": field})
        with self._tx():
            self.store.append_event(event, row["point_code"])
        return str(row.get(field) or "")

    def reprint(self, user: storage.User, case_uuid: str, document_uuid: str) -> SavedDocument:
        """Print an issued document again: the same file, the print recorded as an event."""
        row = self._row(case_uuid)
        original = next((d for d in self.store.documents_for(case_uuid) if d["uuid"] == document_uuid), None)
        if original is None:
            raise ServiceError("找不到该文书，请刷新后重试。")
        saved = SavedDocument(
            kind=DocKind(original["kind"]),
            doc_no=original["doc_no"],
            path_txt=Path(original["path_txt"]),
            path_pdf=Path(original["path_pdf"]),
            sha256=original["sha256"],
        )
        if not saved.path_pdf.is_file():
            raise ServiceError(f"文书文件 {saved.path_pdf.name} 不在了，请联系管理员从备份恢复。")
        event = self._record(user, row, Action.PRINT, data={"document": document_uuid})
        with self._tx():
            self.store.append_event(event, row["point_code"])
        return saved

    # ------------------------------------------------------------------ holidays

    def install_holidays(self, user: storage.User, path: Path) -> tuple[int, list[Recomputed]]:
        """Install a year's holiday file, then recompute every open case's deadline."""
        if Role(user.role) not in (Role.SUPERVISOR, Role.ADMIN):
            raise ServiceError("只有主管或系统管理员可以安装节假日文件。")
        year = self.calendar.install(path)
        return year, self.recompute_deadlines(user)

    def recompute_deadlines(self, user: storage.User | SystemActor) -> list[Recomputed]:
        """Recompute the deadlines of open cases under the current calendar; record each change."""
        changed: list[Recomputed] = []
        rows = self.store.awaiting_review() + self.store.awaiting_payment()
        for row in rows:
            item = self.catalog.item(row["item_no"])
            old = self._deadline(row, item)
            if old is None:
                continue
            new = recompute_deadline(old, self.calendar)
            if (new.due, new.provisional) == (old.due, old.provisional):
                continue
            event = self._record(
                user,
                row,
                Action.RECOMPUTE,
                data={"due": new.due.isoformat(), "previous_due": old.due.isoformat(), "provisional": new.provisional},
            )
            with self._tx():
                self._commit(row, [event])
            changed.append(Recomputed(row["case_no"], old.due, new.due, new.provisional))
        return changed

    # ------------------------------------------------------------------ internals

    @contextmanager
    def _tx(self, *, written: Sequence[SavedDocument] = ()) -> Iterator[None]:
        """One write transaction; storage refusals come back as Chinese `ServiceError`s.

        `written` are the documents this move saved before the transaction: when it fails they
        are set aside, so the next attempt can issue the same document number.
        """
        try:
            with self.store.transaction():
                yield
        except BaseException as exc:
            for saved in written:
                with suppress(OSError):
                    set_aside(saved.path_pdf)
            problem = storage_problem(exc)
            if problem is None:
                raise
            raise ServiceError(problem) from None

    def _issue(self, make: Callable[..., SavedDocument], row: Mapping[str, Any], *args: Any) -> SavedDocument:
        """Save a document for this move; a full disk or a folder it may not write becomes a
        Chinese `ServiceError`.

        Files under the same number that no record names were left by an attempt that never
        committed (a killed process, a full disk): they are set aside and the document written
        again. A recorded document is never replaced.
        """
        try:
            try:
                return make(self, row, *args)
            except DocumentExistsError as exc:
                if self.store.document_at(exc.path):
                    raise ServiceError(f"{exc}请按 F5 刷新后重试。") from None
                set_aside(exc.path)
                return make(self, row, *args)
        except OSError as err:
            raise ServiceError(file_problem(err)) from None

    def _decide(
        self,
        user: storage.User,
        row: Mapping[str, Any],
        action: Action,
        *,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> list[Event]:
        """The events a state-changing action produces, or a Chinese `ServiceError`."""
        item = self.catalog.item(row["item_no"])
        events: list[Event] = self._ask(decide, user, row, action, reason, data, self._missing(row, item))
        return events

    def _record(
        self,
        user: storage.User | SystemActor,
        row: Mapping[str, Any],
        action: Action,
        *,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> Event:
        """The event of an action that leaves the state as it is (rating, reveal, print, ...)."""
        event: Event = self._ask(record, user, row, action, reason, data, [])
        return event

    def _ask(
        self,
        rule: Any,
        user: storage.User | SystemActor,
        row: Mapping[str, Any],
        action: Action,
        reason: str,
        data: dict[str, Any] | None,
        missing: list[tuple[Material, str]],
    ) -> Any:
        facts = self._facts(row, self.catalog.item(row["item_no"]), missing)
        try:
            return rule(
                facts,
                action,
                actor=user.login,
                role=Role(user.role),
                at=self.clock(),
                reason=reason.strip(),
                data=data,
                settings=self.settings,
            )
        except WorkflowError as exc:
            raise ServiceError(str(exc)) from None

    def _apply(
        self,
        user: storage.User,
        row: Mapping[str, Any],
        action: Action,
        *,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> list[Event]:
        events = self._decide(user, row, action, reason=reason, data=data)
        self._commit(row, events)
        return events

    def _commit(self, row: Mapping[str, Any], events: list[Event]) -> None:
        """Store the events and the columns they set (`clerk.replay.changes`) together, so the
        case row is the replay of its events (the caller holds the transaction)."""
        with self._tx():
            for event in events:
                self.store.append_event(event, row["point_code"])
            self.store.update_case(row["uuid"], replay.changes(events), expected_version=row["version"])

    def _decide_with_document(
        self, user: storage.User, case_uuid: str, action: Action, reason: str, kind: str
    ) -> CaseView:
        row = self._row(case_uuid)
        events = self._decide(user, row, action, reason=reason)
        saved = self._issue(self.documents.decision, row, kind, reason.strip(), user)
        with self._tx(written=[saved]):
            self._commit(row, events)
            self._add_document(row, saved, user)
        return self.case(case_uuid, user)

    def _add_document(self, row: Mapping[str, Any], saved: SavedDocument, user: storage.User) -> None:
        self.store.add_document(
            {
                "uuid": new_uuid(),
                "case_uuid": row["uuid"],
                "point_code": row["point_code"],
                "kind": str(saved.kind),
                "doc_no": saved.doc_no,
                "path_txt": str(saved.path_txt),
                "path_pdf": str(saved.path_pdf),
                "sha256": saved.sha256,
                "issued_at": self.clock().isoformat(),
                "issued_by": user.login,
            }
        )


# ---------------------------------------------------------------------- helpers


def _check_applicant(applicant: Applicant) -> None:
    if not applicant.name.strip():
        raise ServiceError("请填写申请人（单位）名称。")
    result = validate_id(applicant.id_type, applicant.id_number)
    if not result.ok:
        raise ServiceError(result.message)
    if applicant.phone.strip():
        phone = validate_phone(applicant.phone)
        if not phone.ok:
            raise ServiceError(phone.message)
    if applicant.agent_id_number.strip():
        agent = validate_id(applicant.agent_id_type or "resident_id", applicant.agent_id_number)
        if not agent.ok:
            raise ServiceError("代理人：" + agent.message)


def _normalized_id(applicant: Applicant) -> str:
    return validate_id(applicant.id_type, applicant.id_number).normalized



