"""`Decisions`: every decision at the window on a case already open (a `Window` desk).

The one-time notice, acceptance, refusal, review, payment, withdrawal and the actions that leave
the state as it is (rating, follow-up, reveal, reprint). Each runs the shared steps of `Moves` in
one transaction; the sync desk adds the hand-ons a point's cases need and refuses acceptance of
what a point must collect instead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from clerk.documents.model import DocKind
from clerk.documents.store import SavedDocument
from clerk.domain import field_limits, replay
from clerk.domain.accounts import User
from clerk.domain.case_numbers import new_uuid
from clerk.domain.deadlines import compute_deadline
from clerk.domain.model import Action, CaseState, Channel, Rating
from clerk.domain.notice import NoticeContent, build_notice
from clerk.domain.refusal import RefusalError, refusal_terms
from clerk.ports.records import CaseRecord, NewEvaluation
from clerk.service.case_reader import CaseReader
from clerk.service.context import DeskContext
from clerk.service.document_copies import printable
from clerk.service.errors import ServiceError, limited
from clerk.service.moves import Moves, with_data
from clerk.service.sync_desk import SyncDesk
from clerk.service.views import CaseView

REVEALABLE = {"applicant_name", "id_number", "phone", "bank_account", "agent_id_number"}


class Decisions:
    def __init__(
        self, context: DeskContext, reader: CaseReader, moves: Moves, sync: SyncDesk
    ) -> None:
        self.ctx = context
        self.reader = reader
        self.moves = moves
        self.sync = sync

    # ------------------------------------------------------------------ decisions at the window

    def preview_notice(self, case_uuid: str) -> NoticeContent:
        return self._notice_content(self.reader.row(case_uuid))

    def _notice_content(self, row: CaseRecord) -> NoticeContent:
        item = self.ctx.catalog.item(row.item_no)
        missing = self.reader.missing(row, item)
        if not missing:
            raise ServiceError("材料已齐全，无需一次性告知，可直接受理。")
        office = self.ctx.office()
        return build_notice(
            item=item,
            case_no=row.case_no,
            missing=missing,
            issued_on=self.ctx.today(),
            office_name=office.agency_name,
            office_address=office.address,
            supervision_phone=office.phone,
            hand_in_where=self.sync.hand_in_place(row),
            supplement_days=self.ctx.settings.supplement_days,
        )

    def preview_notice_text(self, user: User, case_uuid: str) -> str:
        """The applicant's part of the notice exactly as it will be printed."""
        from clerk.documents.text import render_part_text

        row = self.reader.row(case_uuid)
        data = self.ctx.documents.notice_data(
            self.moves.issue_context(row, user), self._notice_content(row)
        )
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
        with self.moves.deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            content = self._notice_content(row)
            item = self.ctx.catalog.item(row.item_no)
            missing_ids = sorted(m.id for m, _ in self.reader.missing(row, item))
            events = self.moves.decide(
                actor, row, Action.NOTICE, reason=override_reason, data={"missing": missing_ids}
            )
            events += self.sync.notice_hand_back(
                actor, row, events
            )  # a point's case goes back for the supplement
            saved = self.moves.issue(
                attempt, self.ctx.documents.notice, self.moves.issue_context(row, actor), content
            )
            self.moves.commit(row, events, [saved])
            self.moves.add_document(row, saved, actor)
        return self.reader.case(case_uuid, user)

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
        with self.moves.deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            item = self.ctx.catalog.item(row.item_no)
            start = self.ctx.today()
            deemed = self.reader.deemed_from(row)  # Art. 32: counts as accepted from receipt
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
                item, start, online=row.channel == Channel.ONLINE, calendar=self.ctx.calendar
            )
            # The checks the acceptance relies on are read here, inside the write transaction.
            checks = {c.material_id: c for c in self.ctx.store.material_checks(row.uuid)}
            due = {
                "due": deadline.due.isoformat(),
                "due_start": start.isoformat(),
                "provisional": deadline.provisional,
            }
            self.sync.check_may_accept(row)
            events = self.moves.decide(actor, row, Action.ACCEPT, data={**due, **why})
            events += self.sync.review_hand_on(
                actor, row, events
            )  # a point hands on what needs review
            final = events[-1].to_state
            ctx = replace(
                self.moves.issue_context(row.with_changes(replay.changes(events)), actor),
                deemed_from=deemed,
            )
            required = self.reader.required_for(item.no, row.circumstances)
            docs = [
                self.moves.issue(
                    attempt, self.ctx.documents.acceptance, ctx, deadline, required, checks
                )
            ]
            if final == CaseState.CLOSED:
                ctx = replace(ctx, issued_kinds=(*ctx.issued_kinds, str(DocKind.ACCEPTANCE)))
                docs.append(self.moves.issue(attempt, self.ctx.documents.completion, ctx))
            self.moves.commit(row, events, docs)
            for saved in docs:
                self.moves.add_document(row, saved, actor)
        return self.reader.case(case_uuid, user)

    def preview_refusal_text(
        self, user: User, case_uuid: str, reason: str, *, apply_instead: str = ""
    ) -> str:
        """The applicant's part of the refusal exactly as `refuse` would print it; the same
        Chinese refusal as `refuse` for a reason it would not take."""
        from clerk.documents.text import render_part_text

        try:
            terms = refusal_terms(reason, apply_instead)
        except RefusalError as exc:
            raise ServiceError(str(exc)) from None
        row = self.reader.row(case_uuid)
        data = self.ctx.documents.decision_data(
            self.moves.issue_context(row, user), "refusal", reason.strip(), terms.apply_instead
        )
        return render_part_text(data)

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
        with self.moves.deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            events = self.moves.decide(actor, row, Action.APPROVE, reason=opinion)
            docs = []
            if events[-1].to_state == CaseState.CLOSED:
                docs.append(
                    self.moves.issue(
                        attempt, self.ctx.documents.completion, self.moves.issue_context(row, actor)
                    )
                )
            self.moves.commit(row, events, docs)
            for saved in docs:
                self.moves.add_document(row, saved, actor)
        return self.reader.case(case_uuid, user)

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
        amount_fen = limited(field_limits.checked_amount, amount_fen)
        reference = limited(field_limits.checked_reference, reference)
        with self.moves.deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            events = self.moves.decide(
                actor,
                row,
                Action.PAY,
                data={"amount_fen": amount_fen, "reference": reference.strip()},
            )
            after = row.with_changes(replay.changes(events))
            saved = self.moves.issue(
                attempt, self.ctx.documents.completion, self.moves.issue_context(after, actor)
            )
            self.moves.commit(row, events, [saved])
            self.moves.add_document(row, saved, actor)
        return self.reader.case(case_uuid, user)

    def withdraw(self, user: User, case_uuid: str, reason: str) -> CaseView:
        return self._close_without_document(user, case_uuid, Action.WITHDRAW, reason)

    def abandon(self, user: User, case_uuid: str, reason: str) -> CaseView:
        return self._close_without_document(user, case_uuid, Action.ABANDON, reason)

    def _close_without_document(
        self, user: User, case_uuid: str, action: Action, reason: str
    ) -> CaseView:
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            events = self.moves.decide(actor, row, action, reason=reason)
            self.moves.commit(row, events)
        return self.reader.case(case_uuid, user)

    def rate(self, user: User, case_uuid: str, level: Rating, comment: str = "") -> CaseView:
        comment = limited(field_limits.checked_comment, comment)
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            event = self.moves.record(actor, row, Action.RATE, data={"level": str(level)})
            if comment.strip():  # its SHA-256, never the text: see `clerk.domain.replay`
                event = with_data(event, comment=replay.text_digest(comment.strip()))
            self.ctx.store.append_event(event, row.point_code)
            self.ctx.store.add_evaluation(
                NewEvaluation(
                    uuid=new_uuid(),
                    case_uuid=row.uuid,
                    point_code=row.point_code,
                    level=level,
                    comment=comment.strip(),
                    at=event.at,
                    recorded_by=actor.login,
                )
            )
        return self.reader.case(case_uuid, user)

    def follow_up(self, user: User, case_uuid: str, text: str) -> CaseView:
        text = limited(field_limits.checked_comment, text, "回访记录")
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            event = self.moves.record(actor, row, Action.FOLLOW_UP, reason=text)
            self.ctx.store.append_event(event, row.point_code)
            self.ctx.store.follow_up_evaluation(row.uuid, text.strip(), event.at.isoformat())
        return self.reader.case(case_uuid, user)

    def reveal(self, user: User, case_uuid: str, field: str) -> str:
        if field not in REVEALABLE:
            raise ServiceError(f"不能查看字段 {field}。")
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            event = self.moves.record(actor, row, Action.REVEAL, data={"field": field})
            self.ctx.store.append_event(event, row.point_code)
        return str(getattr(row, field) or "")

    def reprint(self, user: User, case_uuid: str, document_uuid: str) -> SavedDocument:
        """Print an issued document again: the same file (on a server, the bytes it keeps, copied
        to this window), the print recorded as an event."""
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            original = next(
                (d for d in self.ctx.store.documents_for(case_uuid) if d.uuid == document_uuid),
                None,
            )
            if original is None:
                raise ServiceError("找不到该文书，请刷新后重试。")
            # the same file, or (the bytes on the server) this window's copy of them
            saved = printable(self.ctx.store, original, self.ctx.documents.root)
            event = self.moves.record(actor, row, Action.PRINT, data={"document": document_uuid})
            self.ctx.store.append_event(event, row.point_code)
        return saved

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
        with self.moves.deciding(user, case_uuid, expected_version) as (actor, row, attempt):
            data = {"apply_instead": apply_instead} if apply_instead else None
            events = self.moves.decide(actor, row, action, reason=reason, data=data)
            saved = self.moves.issue(
                attempt,
                self.ctx.documents.decision,
                self.moves.issue_context(row, actor),
                kind,
                reason.strip(),
                apply_instead,
            )
            self.moves.commit(row, events, [saved])
            self.moves.add_document(row, saved, actor)
        return self.reader.case(case_uuid, user)
