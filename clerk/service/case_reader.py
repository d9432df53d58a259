"""Reading cases: the views, queues and searches the screens show, with personal data masked.

`CaseReader` is the read side of the window service: a desk on the shared `DeskContext`, given the
ownership (`Owners`) that filters the queues. `clerk.service.window.Window` forwards to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from clerk.domain.accounts import User
from clerk.domain.catalog import Condition, Item, Material
from clerk.domain.clock import TZ
from clerk.domain.deadlines import remaining_working_days
from clerk.domain.limits import REVIEWER_ROLES
from clerk.domain.masking import mask_account, mask_id, mask_name, mask_phone
from clerk.domain.materials import (
    MaterialCheck,
    applicable_conditions,
    missing_materials,
    required_materials,
)
from clerk.domain.model import (
    ACTION_LABELS,
    FINAL_STATES,
    STATE_LABELS,
    Action,
    CaseState,
    Channel,
    Deadline,
    Role,
)
from clerk.domain.notice import deemed_acceptance_day, deemed_accepted, notice_window_end
from clerk.domain.workflow import CaseFacts, allowed_actions, allowed_records
from clerk.ports.records import CaseRecord, DocumentRecord, EventRecord, MaterialCheckRecord
from clerk.service.context import SETTING_POINT as SETTING_POINT
from clerk.service.context import DeskContext, Owners
from clerk.service.context import declared_points as declared_points
from clerk.service.context import point_choice as point_choice
from clerk.service.errors import ActorRevokedError as ActorRevokedError
from clerk.service.errors import ServiceError
from clerk.service.views import (
    CaseSummary,
    CaseView,
    DocumentRow,
    EventRow,
    MaterialRow,
    Queues,
)

if TYPE_CHECKING:
    from clerk.domain.item_search import ItemFinder
    from clerk.service.ledger import Ledger

_new = object.__new__


class CaseReader:
    """Case views, queues, search and the daily ledger, with personal data masked."""

    def __init__(self, context: DeskContext, owners: Owners) -> None:
        self.ctx = context
        self.owners = owners

    @cached_property
    def finder(self) -> ItemFinder:
        """Built on first search: spelling every item in pinyin takes a noticeable moment."""
        from clerk.domain.item_search import ItemFinder  # loaded by the first search

        return ItemFinder(self.ctx.catalog)

    def known_item(self, item_no: int) -> Item:
        """The catalogue's item `item_no`, or a `ServiceError` saying which numbers exist."""
        catalog = self.ctx.catalog
        if not isinstance(item_no, int) or not 1 <= item_no <= len(catalog.items):
            raise ServiceError(
                f"没有第 {item_no} 项事项：事项序号为 1–{len(catalog.items)}，请从事项清单中选择。"
            )
        return catalog.item(item_no)

    def conditions_for(self, item_no: int) -> list[Condition]:
        return applicable_conditions(self.ctx.catalog, self.known_item(item_no))

    def required_for(self, item_no: int, circumstances: frozenset[str]) -> list[Material]:
        return required_materials(self.ctx.catalog, self.known_item(item_no), circumstances)

    # ------------------------------------------------------------------ reading

    def case(self, case_uuid: str, user: User | None = None) -> CaseView:
        from clerk.service.ledger import (
            mask_digits,  # the ledger module is not needed before a case opens
        )

        if user is not None:
            self.ctx.check_session(user)  # a session that may no longer act may not read either

        row = self.row(case_uuid)
        item = self.ctx.catalog.item(row.item_no)
        checks = self._checks(case_uuid)
        required = required_materials(self.ctx.catalog, item, row.circumstances)
        required_ids = {m.id for m in required}
        rows = [MaterialRow(m, checks.get(m.id), True) for m in required]
        for m in item.materials:
            if m.id not in required_ids:
                rows.append(MaterialRow(m, checks.get(m.id), False))
        missing = missing_materials(required, checks)
        state = row.state
        deadline = self.deadline(row, item)
        today = self.ctx.today()
        remaining = None
        if deadline is not None and not state.is_final:
            remaining = remaining_working_days(deadline, today, self.ctx.calendar)
        events = [_event_row(e) for e in self.ctx.store.case_events(case_uuid)]
        documents = [_document_row(d) for d in self.ctx.store.documents_for(case_uuid)]
        evaluation = self.ctx.store.evaluation_for(case_uuid)
        allowed: list[Action] = []
        if user is not None:
            facts = self.facts(row, item, missing)
            role = Role(user.role)
            if self.owners.moves_here(row):  # a case handed on is moved by its new owner
                allowed = allowed_actions(
                    facts, actor=user.login, role=role, settings=self.ctx.settings
                )
            allowed += [
                a
                for a in allowed_records(facts, role=role)
                if (a != Action.PRINT or documents) and a != Action.CHECK  # checked in its form
            ]
        return CaseView(
            uuid=row.uuid,
            case_no=row.case_no,
            item=item,
            state=state,
            channel=row.channel,
            applicant_kind=row.applicant_kind,
            applicant_name_masked=_mask_applicant_name(row),
            applicant_id_type=row.id_type or "",
            applicant_id_masked=mask_id(row.id_number or ""),
            phone_masked=mask_phone(row.phone or ""),
            agent=mask_name(row.agent_name) if row.agent_name else "",
            circumstances=row.circumstances,
            received_at=row.received_at,
            accepted_at=row.accepted_at,
            deadline=deadline,
            remaining_working_days=remaining,
            overdue=remaining is not None and remaining < 0,
            deemed_accepted=self._deemed_accepted(row, state, today),
            materials=rows,
            missing=missing,
            events=events,
            documents=documents,
            rating=evaluation.level if evaluation else None,
            allowed=allowed,
            amount_fen=row.amount_fen,
            version=row.version,
            rating_comment=mask_digits(evaluation.comment) if evaluation else "",
            follow_up=mask_digits(evaluation.follow_up or "") if evaluation else "",
            bank_account_masked=mask_account(row.bank_account or ""),
        )

    def summary(self, row: CaseRecord) -> CaseSummary:
        state = row.state
        today = self.ctx.today()
        noticed = None
        past_window = False
        if state is CaseState.AWAITING_SUPPLEMENT or (
            state is CaseState.DRAFT
            and (
                past_window := today
                > self._notice_window_end(row.received_at.astimezone(TZ).date())
            )
        ):
            noticed = self.ctx.store.notice_times([row.uuid]).get(row.uuid)
        return self._summary(row, today, past_window and not noticed, noticed)

    def summaries(self, rows: Sequence[CaseRecord]) -> list[CaseSummary]:
        """`summary` of each row, with today, each receipt day's notice window and the notices
        the rows need (待补正's hand-in day; 收件 past its window) read once for all of them."""
        today = self.ctx.today()
        past_window: set[str] = set()
        need: list[str] = []
        for row in rows:
            if row.state is CaseState.AWAITING_SUPPLEMENT:
                need.append(row.uuid)
            elif row.state is CaseState.DRAFT and today > self._notice_window_end(
                row.received_at.astimezone(TZ).date()
            ):
                past_window.add(row.uuid)  # deemed accepted unless a notice was given
                need.append(row.uuid)
        notices = self.ctx.store.notice_times(need) if need else {}
        summary = self._summary
        return [
            summary(
                row,
                today,
                row.uuid in past_window and row.uuid not in notices,
                notices.get(row.uuid),
            )
            for row in rows
        ]

    def _summary(
        self, row: CaseRecord, today: date, deemed: bool, noticed: list[datetime] | None
    ) -> CaseSummary:
        state = row.state
        due = row.due_date
        hand_in_by = None
        if noticed and state is CaseState.AWAITING_SUPPLEMENT:
            # 告知之日起 supplement_days 个自然日: from the case's latest notice
            hand_in_by = noticed[-1].astimezone(TZ).date() + timedelta(
                days=self.ctx.settings.supplement_days
            )
        item = self.ctx.catalog.item(row.item_no)
        summary = _new(CaseSummary)
        summary.__dict__.update(  # frozen: filled once here, as __init__ would (a queue builds hundreds)
            uuid=row.uuid,
            case_no=row.case_no,
            item_no=item.no,
            item_name=item.name,
            state=state,
            state_label=STATE_LABELS[state],
            applicant_name_masked=_mask_applicant_name(row),
            received_at=row.received_at,
            due=due,
            due_provisional=row.due_provisional,
            overdue=due is not None and due < today and state not in FINAL_STATES,
            deemed_accepted=deemed,
            hand_in_by=hand_in_by,
        )
        return summary

    def _notice_window_end(self, day: date) -> date:
        """`notice_window_end(day)` under this reader's calendar, remembered (a calendar walk
        takes ~10 µs and a queue's drafts share a few receipt days)."""
        cache: dict[tuple[int, date], date] = self.__dict__.setdefault("_window_end_cache", {})
        key = (id(self.ctx.calendar), day)
        end = cache.get(key)
        if end is None:
            if len(cache) > 4096:
                cache.clear()
            end = cache[key] = notice_window_end(day, self.ctx.calendar)
        return end

    def queues(self, user: User) -> Queues:
        self.ctx.check_session(user)
        today = self.ctx.today()
        point = self.owners.queue_point()
        mine = self.owners.mine
        next_day, _ = self.ctx.calendar.add_working_days(today, 1)
        due_soon = [
            r
            for r in mine(self.ctx.store.due_on_or_before(next_day, point_code=point))
            if r.due_date is not None and r.due_date >= today
        ]
        review = mine(self.ctx.store.awaiting_review(point))
        if user.role not in REVIEWER_ROLES:
            review = []
        elif self.ctx.settings.reviewer_must_differ:
            review = [r for r in review if r.accepted_by != user.login]
        s = self.summaries
        return Queues(
            today=s(self.ctx.store.received_on(today, point_code=self.ctx.point().code)),
            my_review=s(review),
            due_soon=s(due_soon),
            overdue=s(mine(self.ctx.store.overdue(today, point_code=point))),
            awaiting_supplement=s(mine(self.ctx.store.awaiting_supplement(point_code=point))),
            awaiting_payment=s(mine(self.ctx.store.awaiting_payment(point_code=point))),
            unfinished=s(mine(self.ctx.store.unfinished(point_code=point))),
            # Not only the cases this machine owns: a point's bad ratings are followed up by the
            # county's supervisor (a township has none), and its ledger lists them too.
            bad_ratings=s(self.ctx.store.bad_ratings_awaiting_follow_up(point_code=point)),
        )

    def search(self, text: str) -> list[CaseSummary]:
        """Case number (any case, or its last characters), ID number (whole or last 6), names,
        then the newest cases of the items the text names (item name or pinyin initials)."""
        from clerk.service.case_search import search_rows

        return self.summaries(search_rows(self.ctx.store, self.finder, text))

    def daily_ledger(self, day: date) -> Ledger:
        """This machine's 日结单 for `day` (raises `LedgerError` with a Chinese message)."""
        point = self.ctx.point()
        return self.ledger(day, point.code, point_name=point.name)

    def ledger(
        self,
        day: date,
        point_code: str | None = None,
        *,
        today: date | None = None,
        point_name: str | None = None,
    ) -> Ledger:
        """The 日结单 of `day` for one office or point (`clerk.service.ledger.point_ledger`)."""
        from clerk.service.ledger import point_ledger

        return point_ledger(self.ctx, day, point_code, today=today, point_name=point_name)

    def row(self, case_uuid: str) -> CaseRecord:
        row = self.ctx.store.get_case(case_uuid)
        if row is None:
            raise ServiceError("找不到该办件，请刷新后重试。")
        return row

    def deadline(self, row: CaseRecord, item: Item) -> Deadline | None:
        if row.due_date is None:
            return None
        limit = item.time_limit.for_channel(row.channel == Channel.ONLINE)
        start = row.due_start
        if start is None:
            assert row.accepted_at is not None
            start = row.accepted_at.astimezone(TZ).date()
        return Deadline(
            due=row.due_date,
            provisional=row.due_provisional,
            kind=limit.kind,
            days=limit.days,
            start=start,
        )

    def _deemed_accepted(self, row: CaseRecord, state: CaseState, today: date) -> bool:
        if state != CaseState.DRAFT:
            return False
        received = row.received_at.astimezone(TZ).date()
        if not deemed_accepted(received, today, decided=False, calendar=self.ctx.calendar):
            return False  # still within the window: no need to read the log
        # a notice was given in time; the supplemented case is decided afresh
        return not any(e.action == Action.NOTICE for e in self.ctx.store.case_events(row.uuid))

    def facts(self, row: CaseRecord, item: Item, missing: list[tuple[Material, str]]) -> CaseFacts:
        noticed: list[frozenset[str]] = []
        approved: set[str] = set()
        noticed_on: date | None = None
        stages: list[str] = []
        for e in self.ctx.store.case_events(row.uuid):
            if e.action == Action.NOTICE:
                noticed.append(frozenset(e.data.get("missing", [])))
                noticed_on = e.at.astimezone(TZ).date()
            elif e.action == Action.OVERRIDE:
                approved.update(e.data.get("missing", []))
            elif e.action == Action.STAGE:
                stages.append(str(e.data.get("stage", "")))
        evaluation = self.ctx.store.evaluation_for(row.uuid)
        return CaseFacts(
            uuid=row.uuid,
            item=item,
            state=row.state,
            channel=row.channel,
            complete=not missing,
            accepted_by=row.accepted_by,
            noticed_ids=tuple(noticed),
            rating=evaluation.level if evaluation else None,
            approved_ids=frozenset(approved),
            supplement_due=(
                noticed_on + timedelta(days=self.ctx.settings.supplement_days)
                if noticed_on
                else None
            ),
            today=self.ctx.today(),
            notice_late=not noticed and self._notice_window_passed(row),
            review_missing=tuple(m.name for m, _ in self._review_missing(row, item)),
            stages_done=tuple(stages),
        )

    def _review_missing(self, row: CaseRecord, item: Item) -> list[tuple[Material, str]]:
        """Item 36: the materials 申请环节可不提供 that the review stage asks for, not yet in order."""
        later = [
            m
            for m in required_materials(self.ctx.catalog, item, row.circumstances, stage="review")
            if m.stage == "review"
        ]
        return missing_materials(later, self._checks(row.uuid)) if later else []

    def _notice_window_passed(self, row: CaseRecord) -> bool:
        """Whether Art. 32's 5 working days after receipt are over (a notice now would be late)."""
        return self.ctx.today() > notice_window_end(
            row.received_at.astimezone(TZ).date(), self.ctx.calendar
        )

    def deemed_from(self, row: CaseRecord) -> date | None:
        """The receipt day when the case counts as accepted from it (Art. 32): its first notice,
        or its acceptance today when it had none, came after the 5-working-day window."""
        received = row.received_at.astimezone(TZ).date()
        first_notice = next(
            (
                e.at.astimezone(TZ).date()
                for e in self.ctx.store.case_events(row.uuid)
                if e.action == Action.NOTICE
            ),
            None,
        )
        return deemed_acceptance_day(received, first_notice or self.ctx.today(), self.ctx.calendar)

    def accepted_from_receipt(self, row: CaseRecord) -> date | None:
        """The receipt day an accepted case counts as accepted from (its ACCEPT event says so)."""
        for e in self.ctx.store.case_events(row.uuid):
            if e.action == Action.ACCEPT and e.data.get("deemed_from"):
                return date.fromisoformat(str(e.data["deemed_from"]))
        return None

    def _checks(self, case_uuid: str) -> dict[str, MaterialCheck]:
        return checks_by_material(self.ctx.store.material_checks(case_uuid))

    def missing(self, row: CaseRecord, item: Item) -> list[tuple[Material, str]]:
        required = required_materials(self.ctx.catalog, item, row.circumstances)
        return missing_materials(required, self._checks(row.uuid))


def checks_by_material(records: Iterable[MaterialCheckRecord]) -> dict[str, MaterialCheck]:
    """The stored checks as the domain's `MaterialCheck`s, by material id."""
    return {
        c.material_id: MaterialCheck(
            material_id=c.material_id,
            status=c.status,
            alternative=c.alternative,
            defect=c.defect,
        )
        for c in records
    }


def _mask_applicant_name(row: CaseRecord) -> str:
    if row.applicant_kind != "person":
        return row.applicant_name  # a unit's name is not personal data
    return mask_name(row.applicant_name)


def _event_row(e: EventRecord) -> EventRow:
    return EventRow(
        at=e.at,
        action=e.action,
        action_label=ACTION_LABELS[e.action],
        actor=e.actor,
        reason=e.reason,
    )


def _document_row(d: DocumentRecord) -> DocumentRow:
    from clerk.documents.model import DocKind  # a case's documents: not the queues' reads

    kind = DocKind(d.kind)
    return DocumentRow(
        uuid=d.uuid,
        kind=d.kind,
        kind_label=kind.label,
        doc_no=d.doc_no,
        path_pdf=d.path_pdf,
        path_txt=d.path_txt,
        issued_at=d.issued_at,
    )
