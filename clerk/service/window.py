"""`Window`: the application service the screens and the CLI call.

It asks the workflow whether a move is allowed, then stores the move, its events and its document
in one transaction. Screens never touch the store or the workflow directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from clerk import db as storage
from clerk.documents.issue import DocumentIssuer, IssueContext
from clerk.documents.model import DocKind
from clerk.documents.store import DocumentExistsError, SavedDocument, set_aside
from clerk.domain import field_limits, replay
from clerk.domain.accounts import AuthError, PasswordPolicyError, User, UserError
from clerk.domain.case_numbers import make_case_number, new_uuid
from clerk.domain.catalog import Catalog, Condition, Item, Material
from clerk.domain.clock import Clock, system_clock
from clerk.domain.deadlines import compute_deadline, recompute_deadline
from clerk.domain.identifiers import validate_id, validate_phone
from clerk.domain.intake import intake_problem
from clerk.domain.item_search import ItemFinder
from clerk.domain.limits import HOLIDAY_ROLES
from clerk.domain.materials import (
    MaterialCheck,
    MaterialCheckError,
    applicable_conditions,
    check_rows,
    required_materials,
)
from clerk.domain.model import (
    Action,
    Applicant,
    CaseState,
    Channel,
    Event,
    Rating,
    Role,
)
from clerk.domain.notice import NoticeContent, build_notice
from clerk.domain.offices import POINT_KINDS, Office, Offices, ServicePoint
from clerk.domain.refusal import RefusalError, refusal_terms
from clerk.domain.text_input import TextInputError
from clerk.domain.workdays import WorkCalendar
from clerk.domain.workflow import (
    OfficeSettings,
    WorkflowError,
    decide,
    receive,
    record,
)
from clerk.ports.records import CaseRecord
from clerk.ports.store import Store
from clerk.service.accounts import Accounts
from clerk.service.administration import Administration, SystemActor
from clerk.service.case_reader import (
    SETTING_POINT,
    ActorRevokedError,
    CaseReader,
    ServiceError,
    point_choice,
)
from clerk.service.enrolment import Enrolment
from clerk.service.review_stages import ReviewStages
from clerk.service.sync_desk import SyncDesk
from clerk.service.views import (
    CaseView,
    ItemChoice,
    PointChoice,
)
from clerk.service.write_errors import file_problem, storage_problem

__all__ = [
    "ActorRevokedError",
    "AuthError",
    "PasswordPolicyError",
    "Recomputed",
    "ServiceError",
    "SystemActor",
    "User",
    "UserError",
    "Window",
    "open_window",
]

CHANGED_SINCE_SHOWN = (
    "该办件在您查看之后已被修改（材料核验结果或办理决定有变），本次操作没有保存。"
    "请按 F5 刷新，核对后重新操作。"
)

REVEALABLE = {"applicant_name", "id_number", "phone", "bank_account", "agent_id_number"}


@dataclass(frozen=True)
class Recomputed:
    case_no: str
    previous_due: date
    due: date
    provisional: bool


class Window(Enrolment, Accounts, Administration, ReviewStages, SyncDesk, CaseReader):
    def __init__(
        self,
        store: Store,
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
        # Called with the Chinese message when a session's account may no longer act (the app
        # logs that session out); the `ActorRevokedError` is raised all the same.
        self.on_actor_revoked: Callable[[str], None] | None = None

    @cached_property
    def finder(self) -> ItemFinder:
        """Built on first search: spelling every item in pinyin takes a noticeable moment."""
        return ItemFinder(self.catalog)

    # ------------------------------------------------------------------ setup and login

    def setup_choices(self) -> list[PointChoice]:
        offices = self.offices
        places: list[Office | ServicePoint] = [*offices.offices, *offices.points]
        return [point_choice(p) for p in places]

    def setup(
        self, point_code: str, admin_login: str, admin_name: str, password: str
    ) -> User:
        if self.store.has_users():
            raise ServiceError("本机已完成初始设置；如需新增用户，请由管理员登录后添加。")
        admin_name = _limited(
            field_limits.checked, admin_name, "管理员姓名", field_limits.USER_NAME_MAX
        )
        try:
            self.offices.point(point_code)
        except KeyError:
            raise ServiceError(
                f"没有编码为 {point_code} 的经办机构或服务点，请从列表中选择。"
            ) from None
        with self._tx():
            self.store.set_setting(SETTING_POINT, point_code)
            return self.store.create_user(admin_login, admin_name, Role.ADMIN, password, point_code)

    def login(self, login: str, password: str) -> User:
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
            item,
            False,
            f"{POINT_KINDS.get(kind, kind)}不受理此事项，请引导申请人到县级医保服务大厅办理。",
        )

    def conditions_for(self, item_no: int) -> list[Condition]:
        return applicable_conditions(self.catalog, self.catalog.item(item_no))

    def required_for(self, item_no: int, circumstances: frozenset[str]) -> list[Material]:
        return required_materials(self.catalog, self.catalog.item(item_no), circumstances)

    # ------------------------------------------------------------------ opening a case

    def open_case(
        self,
        user: User,
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
        applicant = _check_applicant(applicant)
        unknown = circumstances - set(self.catalog.conditions)
        if unknown:
            raise ServiceError(f"未知的申请情形：{'、'.join(sorted(unknown))}")
        problem = intake_problem(
            self.catalog,
            item,
            point.kind,
            online=channel == Channel.ONLINE,
            circumstances=circumstances,
        )
        if problem is not None:
            raise ServiceError(problem)
        uuid = new_uuid()
        with self._tx():
            actor = self._current_actor(user)
            now = self.clock()
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
                    "credit_code": _normalized_id(applicant)
                    if applicant.id_type == "credit_code"
                    else None,
                    "agent_name": applicant.agent_name.strip() or None,
                    "agent_id_type": applicant.agent_id_type or None,
                    "agent_id_number": applicant.agent_id_number.strip().upper() or None,
                    "bank_account": applicant.bank_account.strip() or None,
                    "circumstances": json.dumps(sorted(circumstances)),
                    "received_at": now.isoformat(),
                    "created_by": actor.login,
                }
            )
            event = receive(uuid, item, channel, actor=actor.login, role=Role(actor.role), at=now)
            self.store.append_event(event, point.code)
        return self.case(uuid, user)

    # ------------------------------------------------------------------ materials

    def check_materials(
        self, user: User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        with self._deciding(user, case_uuid) as (_, row, _attempt):
            if row.state not in (CaseState.DRAFT, CaseState.AWAITING_SUPPLEMENT):
                raise ServiceError("该件已作出受理决定，不能再修改材料核验结果。")
            self.check_owner(row)
            self._store_checks(row, checks)
            # The case's version moves on with its checks: a decision taken on what an earlier
            # screen showed (`expected_version`) is refused rather than made on other materials.
            self.store.update_case(row.uuid, {}, expected_version=row.version)
        return self.case(case_uuid, user)

    def supplement(
        self, user: User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        with self._deciding(user, case_uuid) as (actor, row, _attempt):
            self._store_checks(row, checks)
            events = self._decide(actor, row, Action.SUPPLEMENT)
            self._commit(row, events)
        return self.case(case_uuid, user)

    def _store_checks(self, row: CaseRecord, checks: Mapping[str, MaterialCheck]) -> None:
        item = self.catalog.item(row.item_no)
        known = {m.id: m for m in item.materials} | {
            g.material.id: g.material for g in self.catalog.general_materials
        }
        try:
            rows = check_rows(known, checks, f"事项{item.no}没有编号为 {{material_id}} 的材料。")
        except MaterialCheckError as exc:
            raise ServiceError(str(exc)) from None
        self.store.set_material_checks(row.uuid, rows, point_code=row.point_code)

    # ------------------------------------------------------------------ decisions at the window

    def preview_notice(self, case_uuid: str) -> NoticeContent:
        return self._notice_content(self._row(case_uuid))

    def _notice_content(self, row: CaseRecord) -> NoticeContent:
        item = self.catalog.item(row.item_no)
        missing = self._missing(row, item)
        if not missing:
            raise ServiceError("材料已齐全，无需一次性告知，可直接受理。")
        office = self.office()
        return build_notice(
            item=item,
            case_no=row.case_no,
            missing=missing,
            issued_on=self.today(),
            office_name=office.name,
            office_address=office.address,
            supervision_phone=office.phone,
            hand_in_where=self.hand_in_place(row),
            supplement_days=self.settings.supplement_days,
        )

    def preview_notice_text(self, user: User, case_uuid: str) -> str:
        """The applicant's part of the notice exactly as it will be printed."""
        from clerk.documents.text import render_part_text

        row = self._row(case_uuid)
        data = self.documents.notice_data(self._context(row, user), self._notice_content(row))
        return render_part_text(data)

    def issue_notice(
        self,
        user: User,
        case_uuid: str,
        *,
        override_reason: str = "",
        expected_version: int | None = None,
    ) -> CaseView:
        """Issue the one-time notice of every missing material. A later notice may only name
        materials an earlier one named, unless a supervisor overrides with a reason."""
        with self._deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            content = self._notice_content(row)
            item = self.catalog.item(row.item_no)
            missing_ids = sorted(m.id for m, _ in self._missing(row, item))
            events = self._decide(
                actor, row, Action.NOTICE, reason=override_reason, data={"missing": missing_ids}
            )
            events += self.notice_hand_back(
                actor, row, events
            )  # a point's case goes back for the supplement
            saved = self._issue(attempt, self.documents.notice, self._context(row, actor), content)
            self._commit(row, events)
            self._add_document(row, saved, actor)
        return self.case(case_uuid, user)

    def accept(
        self,
        user: User,
        case_uuid: str,
        *,
        declaration_deadline: date | None = None,
        expected_version: int | None = None,
    ) -> CaseView:
        """Accept the case. With `expected_version` (the version the clerk's screen showed), a
        case changed since (its materials re-checked, or decided at another desk) is refused."""
        with self._deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            item = self.catalog.item(row.item_no)
            start = self.today()
            deemed = self.deemed_from(row)  # Art. 32: counts as accepted from receipt
            why: dict[str, Any] = {}
            if item.counts_from_declaration_deadline:
                # Items 38-39: 从申报截止次日起算, whatever the day of acceptance.
                if declaration_deadline is None:
                    raise ServiceError(
                        "本事项的办理时限从定点医药机构申报截止次日起算，请填写申报截止日期后再受理。"
                    )
                start, deemed = declaration_deadline, None
                why["declaration_deadline"] = declaration_deadline.isoformat()
            elif deemed is not None:
                start = deemed
                why["deemed_from"] = deemed.isoformat()
            deadline = compute_deadline(
                item, start, online=row.channel == Channel.ONLINE, calendar=self.calendar
            )
            # The checks the acceptance relies on are read here, inside the write transaction.
            checks = {c.material_id: c for c in self.store.material_checks(row.uuid)}
            due = {
                "due": deadline.due.isoformat(),
                "due_start": start.isoformat(),
                "provisional": deadline.provisional,
            }
            self.check_may_accept(row)
            events = self._decide(actor, row, Action.ACCEPT, data={**due, **why})
            events += self.review_hand_on(actor, row, events)  # a point hands on what needs review
            final = events[-1].to_state
            ctx = replace(
                self._context(row.with_changes(replay.changes(events)), actor), deemed_from=deemed
            )
            required = self.required_for(item.no, row.circumstances)
            docs = [
                self._issue(attempt, self.documents.acceptance, ctx, deadline, required, checks)
            ]
            if final == CaseState.CLOSED:
                ctx = replace(ctx, issued_kinds=(*ctx.issued_kinds, str(DocKind.ACCEPTANCE)))
                docs.append(self._issue(attempt, self.documents.completion, ctx))
            self._commit(row, events)
            for saved in docs:
                self._add_document(row, saved, actor)
        return self.case(case_uuid, user)

    def refuse(
        self,
        user: User,
        case_uuid: str,
        reason: str,
        *,
        apply_instead: str = "",
        expected_version: int | None = None,
    ) -> CaseView:
        """不予受理. A reason of lack of competence needs `apply_instead`: where to apply."""
        try:
            terms = refusal_terms(reason, apply_instead)
        except RefusalError as exc:
            raise ServiceError(str(exc)) from None
        return self._decide_with_document(
            user,
            case_uuid,
            Action.REFUSE,
            reason,
            "refusal",
            expected_version,
            apply_instead=terms.apply_instead,
        )

    # ------------------------------------------------------------------ after acceptance

    def approve(
        self,
        user: User,
        case_uuid: str,
        *,
        opinion: str = "",
        expected_version: int | None = None,
    ) -> CaseView:
        """审核通过, with the reviewer's opinion (optional) kept as the event's reason."""
        with self._deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            events = self._decide(actor, row, Action.APPROVE, reason=opinion)
            docs = []
            if events[-1].to_state == CaseState.CLOSED:
                docs.append(
                    self._issue(attempt, self.documents.completion, self._context(row, actor))
                )
            self._commit(row, events)
            for saved in docs:
                self._add_document(row, saved, actor)
        return self.case(case_uuid, user)

    def reject(
        self,
        user: User,
        case_uuid: str,
        reason: str,
        *,
        expected_version: int | None = None,
    ) -> CaseView:
        return self._decide_with_document(
            user, case_uuid, Action.REJECT, reason, "rejection", expected_version
        )

    def pay(
        self,
        user: User,
        case_uuid: str,
        amount_fen: int,
        reference: str,
        *,
        expected_version: int | None = None,
    ) -> CaseView:
        amount_fen = _limited(field_limits.checked_amount, amount_fen)
        reference = _limited(field_limits.checked_reference, reference)
        with self._deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            events = self._decide(
                actor,
                row,
                Action.PAY,
                data={"amount_fen": amount_fen, "reference": reference.strip()},
            )
            after = row.with_changes(replay.changes(events))
            saved = self._issue(attempt, self.documents.completion, self._context(after, actor))
            self._commit(row, events)
            self._add_document(row, saved, actor)
        return self.case(case_uuid, user)

    def withdraw(self, user: User, case_uuid: str, reason: str) -> CaseView:
        return self._close_without_document(user, case_uuid, Action.WITHDRAW, reason)

    def abandon(self, user: User, case_uuid: str, reason: str) -> CaseView:
        return self._close_without_document(user, case_uuid, Action.ABANDON, reason)

    def _close_without_document(
        self, user: User, case_uuid: str, action: Action, reason: str
    ) -> CaseView:
        with self._deciding(user, case_uuid) as (actor, row, _attempt):
            events = self._decide(actor, row, action, reason=reason)
            self._commit(row, events)
        return self.case(case_uuid, user)

    def rate(
        self, user: User, case_uuid: str, level: Rating, comment: str = ""
    ) -> CaseView:
        comment = _limited(field_limits.checked_comment, comment)
        with self._deciding(user, case_uuid) as (actor, row, _attempt):
            event = self._record(actor, row, Action.RATE, data={"level": str(level)})
            self.store.append_event(event, row.point_code)
            self.store.add_evaluation(
                {
                    "uuid": new_uuid(),
                    "case_uuid": row.uuid,
                    "point_code": row.point_code,
                    "level": str(level),
                    "comment": comment.strip(),
                    "at": event.at.isoformat(),
                    "recorded_by": actor.login,
                }
            )
        return self.case(case_uuid, user)

    def follow_up(self, user: User, case_uuid: str, text: str) -> CaseView:
        text = _limited(field_limits.checked_comment, text, "回访记录")
        with self._deciding(user, case_uuid) as (actor, row, _attempt):
            event = self._record(actor, row, Action.FOLLOW_UP, reason=text)
            self.store.append_event(event, row.point_code)
            self.store.follow_up_evaluation(row.uuid, text.strip(), event.at.isoformat())
        return self.case(case_uuid, user)

    def reveal(self, user: User, case_uuid: str, field: str) -> str:
        if field not in REVEALABLE:
            raise ServiceError(f"不能查看字段 {field}。")
        with self._deciding(user, case_uuid) as (actor, row, _attempt):
            event = self._record(actor, row, Action.REVEAL, data={"field": field})
            self.store.append_event(event, row.point_code)
        return str(getattr(row, field) or "")

    def reprint(self, user: User, case_uuid: str, document_uuid: str) -> SavedDocument:
        """Print an issued document again: the same file, the print recorded as an event."""
        with self._deciding(user, case_uuid) as (actor, row, _attempt):
            original = next(
                (d for d in self.store.documents_for(case_uuid) if d.uuid == document_uuid), None
            )
            if original is None:
                raise ServiceError("找不到该文书，请刷新后重试。")
            saved = SavedDocument(
                kind=DocKind(original.kind),
                doc_no=original.doc_no,
                path_txt=Path(original.path_txt),
                path_pdf=Path(original.path_pdf),
                sha256=original.sha256,
            )
            if not saved.path_pdf.is_file():
                raise ServiceError(
                    f"文书文件 {saved.path_pdf.name} 不在了，请联系管理员从备份恢复。"
                )
            event = self._record(actor, row, Action.PRINT, data={"document": document_uuid})
            self.store.append_event(event, row.point_code)
        return saved

    # ------------------------------------------------------------------ holidays

    def install_holidays(
        self, user: User | SystemActor, path: Path
    ) -> tuple[int, list[Recomputed]]:
        """Install a year's holiday file, then recompute every open case's deadline."""
        actor = self._current_actor(user)
        if Role(actor.role) not in HOLIDAY_ROLES:
            raise ServiceError("只有主管或系统管理员可以安装节假日文件。")
        year = self.calendar.install(path)
        return year, self.recompute_deadlines(actor)

    def recompute_deadlines(self, user: User | SystemActor) -> list[Recomputed]:
        """Recompute the deadlines of open cases under the current calendar; record each change."""
        changed: list[Recomputed] = []
        candidates = [
            r.uuid for r in self._mine(self.store.awaiting_review() + self.store.awaiting_payment())
        ]
        for case_uuid in candidates:
            with self._deciding(user, case_uuid) as (actor, row, _attempt):
                if row.state not in (CaseState.ACCEPTED, CaseState.AWAITING_PAYMENT):
                    continue
                item = self.catalog.item(row.item_no)
                old = self._deadline(row, item)
                if old is None:
                    continue
                new = recompute_deadline(old, self.calendar)
                if (new.due, new.provisional) == (old.due, old.provisional):
                    continue
                event = self._record(
                    actor,
                    row,
                    Action.RECOMPUTE,
                    data={
                        "due": new.due.isoformat(),
                        "previous_due": old.due.isoformat(),
                        "provisional": new.provisional,
                    },
                )
                self._commit(row, [event])
            changed.append(Recomputed(row.case_no, old.due, new.due, new.provisional))
        return changed

    # ------------------------------------------------------------------ internals

    @contextmanager
    def _tx(self, attempt: _Attempt | None = None) -> Iterator[None]:
        """One write transaction; storage refusals come back as Chinese `ServiceError`s.

        `attempt` collects the document files this move wrote inside the transaction: when it
        fails they (and only they) are set aside, so the next attempt can issue the same number.
        """
        try:
            with self.store.transaction():
                yield
        except BaseException as exc:
            for saved in attempt.written if attempt else ():
                with suppress(OSError):
                    set_aside(saved.path_pdf)
            problem = storage_problem(exc)
            if problem is None:
                raise
            raise ServiceError(problem) from None

    @contextmanager
    def _deciding(
        self, user: User | SystemActor, case_uuid: str, expected_version: int | None = None
    ) -> Iterator[tuple[User | SystemActor, CaseRecord, _Attempt]]:
        """The write lock first, then the actor and the case as they are now.

        Everything a decision reads (the case and its version, its material checks, its events,
        the actor's account) is read after `BEGIN IMMEDIATE`, so two processes deciding the same
        case one after the other each see what the other stored; documents are written inside
        the transaction and recorded in it.
        """
        attempt = _Attempt()
        with self._tx(attempt):
            actor = self._current_actor(user)
            row = self._row(case_uuid)
            if expected_version is not None and row.version != expected_version:
                raise ServiceError(CHANGED_SINCE_SHOWN)
            yield actor, row, attempt

    def _current_actor(self, user: User | SystemActor) -> User | SystemActor:
        """The account as stored now: one deactivated or given another role since it logged in
        can no longer act through its open session."""
        if isinstance(user, SystemActor):
            return user
        current = self.store.user(user.login)
        problem = ""
        if current is None or not current.active:
            problem = "您的账号已被停用，本次操作没有保存，已退出登录。如有疑问请联系系统管理员。"
        elif current.role != user.role:
            problem = (
                f"您的账号角色已改为“{Role(current.role).label}”，本次操作没有保存，已退出登录。"
                "请重新登录后再办理。"
            )
        if problem:
            if self.on_actor_revoked is not None:
                self.on_actor_revoked(problem)
            raise ActorRevokedError(problem)
        assert current is not None
        return current

    def _context(self, row: CaseRecord, actor: User | SystemActor) -> IssueContext:
        """The plain values a document of `row` needs."""
        point = self.point()
        return IssueContext(
            office=self.office(),
            point_code=point.code,
            point_name=point.name,
            item=self.catalog.item(row.item_no),
            case=row,
            issued_on=self.today(),
            clerk_name=actor.name,
            issued_kinds=tuple(d.kind for d in self.store.documents_for(row.uuid)),
            issued_at=self.clock(),
            deemed_from=self.accepted_from_receipt(row),
        )

    def _issue(
        self, attempt: _Attempt, make: Callable[..., SavedDocument], *args: Any
    ) -> SavedDocument:
        """Save a document for this move (inside its transaction); a full disk or a folder it may
        not write becomes a Chinese `ServiceError`.

        Files under the same number that no record names were left by an attempt that never
        committed (a killed process): we hold the write lock, so no other attempt can be about
        to record them; they are set aside and the document written again. A recorded document
        is never replaced.
        """
        try:
            try:
                saved = make(*args)
            except DocumentExistsError as exc:
                if self.store.document_at(exc.path):
                    raise ServiceError(f"{exc}请按 F5 刷新后重试。") from None
                set_aside(exc.path)
                saved = make(*args)
        except OSError as err:
            raise ServiceError(file_problem(err)) from None
        attempt.written.append(saved)
        return saved

    def _decide(
        self,
        user: User | SystemActor,
        row: CaseRecord,
        action: Action,
        *,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> list[Event]:
        """The events a state-changing action produces, or a Chinese `ServiceError`."""
        self.check_owner(row)
        item = self.catalog.item(row.item_no)
        events: list[Event] = self._ask(
            decide, user, row, action, reason, data, self._missing(row, item)
        )
        return events

    def _record(
        self,
        user: User | SystemActor,
        row: CaseRecord,
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
        user: User | SystemActor,
        row: CaseRecord,
        action: Action,
        reason: str,
        data: dict[str, Any] | None,
        missing: list[tuple[Material, str]],
    ) -> Any:
        facts = self._facts(row, self.catalog.item(row.item_no), missing)
        reason = _limited(field_limits.checked_reason, reason) if reason else reason
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

    def _commit(self, row: CaseRecord, events: list[Event]) -> None:
        """Store the events and the columns they set (`clerk.domain.replay.changes`) together, so the
        case row is the replay of its events (the caller holds the transaction)."""
        for event in events:
            self.store.append_event(event, row.point_code)
        self.store.update_case(row.uuid, replay.changes(events), expected_version=row.version)

    def _decide_with_document(
        self,
        user: User,
        case_uuid: str,
        action: Action,
        reason: str,
        kind: str,
        expected_version: int | None = None,
        *,
        apply_instead: str = "",
    ) -> CaseView:
        with self._deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            data = {"apply_instead": apply_instead} if apply_instead else None
            events = self._decide(actor, row, action, reason=reason, data=data)
            saved = self._issue(
                attempt,
                self.documents.decision,
                self._context(row, actor),
                kind,
                reason.strip(),
                apply_instead,
            )
            self._commit(row, events)
            self._add_document(row, saved, actor)
        return self.case(case_uuid, user)

    def _add_document(
        self, row: CaseRecord, saved: SavedDocument, actor: User | SystemActor
    ) -> None:
        self.store.add_document(
            {
                "uuid": new_uuid(),
                "case_uuid": row.uuid,
                "point_code": row.point_code,
                "kind": str(saved.kind),
                "doc_no": saved.doc_no,
                "path_txt": str(saved.path_txt),
                "path_pdf": str(saved.path_pdf),
                "sha256": saved.sha256,
                "issued_at": self.clock().isoformat(),
                "issued_by": actor.login,
            }
        )


class _Attempt:
    """The document files one attempt at a move has written (set aside if it fails)."""

    def __init__(self) -> None:
        self.written: list[SavedDocument] = []


# ---------------------------------------------------------------------- helpers


def open_window(
    path: Path,
    catalog: Catalog,
    offices: Offices,
    *,
    documents_root: Path | None = None,
    clock: Clock = system_clock,
) -> Window:
    """The window service on the database file at `path` (created and migrated if needed)."""
    return Window(
        storage.Store.open(path, clock=clock),
        catalog,
        offices,
        clock=clock,
        documents_root=documents_root,
    )


def _limited(check: Callable[..., Any], *args: Any) -> Any:
    """A field through its `clerk.domain.field_limits` check; a refusal becomes a `ServiceError`."""
    try:
        return check(*args)
    except TextInputError as exc:
        raise ServiceError(str(exc)) from None


def _check_applicant(applicant: Applicant) -> Applicant:
    applicant = _limited(field_limits.checked_applicant, applicant)
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
    return applicant


def _normalized_id(applicant: Applicant) -> str:
    return validate_id(applicant.id_type, applicant.id_number).normalized
