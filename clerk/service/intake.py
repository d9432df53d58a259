"""`Intake`: the items a window offers and opening a case, then checking its materials (a `Window`
desk)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from clerk.domain import field_limits, replay
from clerk.domain.accounts import User
from clerk.domain.case_numbers import make_case_number, new_uuid
from clerk.domain.catalog import Item
from clerk.domain.clock import TZ
from clerk.domain.identifiers import validate_id, validate_phone
from clerk.domain.intake import intake_problem
from clerk.domain.materials import (
    MaterialCheck,
    MaterialCheckError,
    check_rows,
    missing_materials,
    required_materials,
)
from clerk.domain.model import Action, Applicant, CaseState, Channel, Role
from clerk.domain.offices import POINT_KINDS
from clerk.domain.workflow import receive
from clerk.ports.records import CaseChanges, CaseRecord, MaterialCheckInput, NewCase
from clerk.service.case_reader import CaseReader
from clerk.service.context import DeskContext, Owners
from clerk.service.errors import ServiceError, limited
from clerk.service.moves import Moves, material_inputs, with_data
from clerk.service.views import CaseView, ItemChoice, PriorCase

RECENT_DAYS = 90  # a same-item case this recent is shown before another is opened
MAX_PRIOR_CASES = 6


class Intake:
    def __init__(
        self, context: DeskContext, reader: CaseReader, moves: Moves, owners: Owners
    ) -> None:
        self.ctx = context
        self.reader = reader
        self.moves = moves
        self.owners = owners

    # ------------------------------------------------------------------ items

    def item_choices(self) -> list[ItemChoice]:
        kind = self.ctx.point().kind
        return [_choice(item, kind) for item in self.ctx.catalog.items]

    def find_items(self, query: str) -> list[ItemChoice]:
        kind = self.ctx.point().kind
        return [_choice(item, kind) for item in self.reader.finder.find(query)]

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
        self.ctx.check_not_city()
        catalog = self.ctx.catalog
        store = self.ctx.store
        item = self.reader.known_item(item_no)
        point = self.ctx.point()
        if not item.accepted_at(point.kind):
            raise ServiceError(_choice(item, point.kind).why_not)
        applicant = _check_applicant(applicant)
        unknown = circumstances - set(catalog.conditions)
        if unknown:
            raise ServiceError(f"未知的申请情形：{'、'.join(sorted(unknown))}")
        problem = intake_problem(
            catalog,
            item,
            point.kind,
            online=channel == Channel.ONLINE,
            circumstances=circumstances,
        )
        if problem is not None:
            raise ServiceError(problem)
        uuid = new_uuid()
        with self.moves.tx():
            actor = self.moves.current_actor(user)
            now = self.ctx.clock()
            seq = store.next_sequence(point.code, now.date())
            case_no = make_case_number(point.code, now.date(), seq)
            store.insert_case(
                NewCase(
                    uuid=uuid,
                    case_no=case_no,
                    point_code=point.code,
                    office_code=point.office_code,
                    item_no=item.no,
                    channel=Channel(channel),
                    state=CaseState.DRAFT,
                    applicant_kind=applicant.kind,
                    applicant_name=applicant.name.strip(),
                    id_type=applicant.id_type,
                    id_number=_normalized_id(applicant),
                    phone=applicant.phone.strip(),
                    unit_name=applicant.name.strip() if applicant.kind != "person" else None,
                    credit_code=_normalized_id(applicant)
                    if applicant.id_type == "credit_code"
                    else None,
                    agent_name=applicant.agent_name.strip() or None,
                    agent_id_type=applicant.agent_id_type or None,
                    agent_id_number=applicant.agent_id_number.strip().upper() or None,
                    bank_account=applicant.bank_account.strip() or None,
                    circumstances=frozenset(circumstances),
                    received_at=now,
                    created_by=actor.login,
                )
            )
            event = receive(uuid, item, channel, actor=actor.login, role=Role(actor.role), at=now)
            # No checks yet: the receipt says so, and every later check is an event
            store.append_event(with_data(event, materials=[]), point.code)
        return self.reader.case(uuid, user)

    def prior_cases(self, item_no: int, applicant: Applicant) -> list[PriorCase]:
        """Cases to show before a new one is opened: with the same ID number, those of the same
        item received in the last `RECENT_DAYS` days (any state: enrolled twice, or a case still
        open), and any recorded under another name (a mistyped number, or the wrong person)."""
        result = validate_id(applicant.id_type, applicant.id_number)
        if not result.ok:
            return []
        store = self.ctx.store
        rows = (
            store.find_by_credit_code(result.normalized)
            if applicant.id_type == "credit_code"
            else store.find_by_id_number(result.normalized)
        )
        since = self.ctx.today() - timedelta(days=RECENT_DAYS)
        name = applicant.name.strip()
        found: list[tuple[CaseRecord, str]] = []
        for row in rows:
            reasons = []
            if row.item_no == item_no and row.received_at.astimezone(TZ).date() >= since:
                reasons.append(f"近{RECENT_DAYS}天内办过本事项")
            if name and row.applicant_name.strip() != name:
                reasons.append("证件号相同但姓名（名称）不同")
            if reasons:
                found.append((row, "；".join(reasons)))
        found = found[:MAX_PRIOR_CASES]
        summaries = self.reader.summaries([row for row, _ in found])
        return [PriorCase(s, why) for s, (_, why) in zip(summaries, found, strict=True)]

    # ------------------------------------------------------------------ materials

    def check_materials(
        self, user: User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            if row.state not in (CaseState.DRAFT, CaseState.AWAITING_SUPPLEMENT):
                raise ServiceError("该件已作出受理决定，不能再修改材料核验结果。")
            self.owners.check_owner(row)
            stored = self._store_checks(row, checks)
            event = self.moves.record(
                actor, row, Action.CHECK, data={"materials": replay.material_outcome(stored)}
            )
            self.ctx.store.append_event(event, row.point_code)
            # The case's version moves on with its checks: a decision taken on what an earlier
            # screen showed (`expected_version`) is refused rather than made on other materials.
            self.ctx.store.update_case(row.uuid, CaseChanges(), expected_version=row.version)
        return self.reader.case(case_uuid, user)

    def still_missing(self, case_uuid: str, checks: Mapping[str, MaterialCheck]) -> list[str]:
        """The required materials `checks` leave missing or defective, by name, in list order."""
        row = self.reader.row(case_uuid)
        catalog = self.ctx.catalog
        required = required_materials(catalog, catalog.item(row.item_no), row.circumstances)
        return [m.name for m, _ in missing_materials(required, checks)]

    def supplement(
        self,
        user: User,
        case_uuid: str,
        checks: Mapping[str, MaterialCheck],
        *,
        incomplete: bool = False,
    ) -> CaseView:
        """补正交回. A material still missing refuses it, naming them, unless the clerk says
        `incomplete` (the applicant brought only part, or a handed-in material is defective)."""
        missing = self.still_missing(case_uuid, checks)
        if missing and not incomplete:
            raise ServiceError(
                f"仍缺 {len(missing)} 项：{'、'.join(missing)}。补正材料未交齐，未登记交回；"
                "请申请人交齐后再登记，或确认仍要登记未交齐的交回。"
            )
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            stored = self._store_checks(row, checks)
            events = self.moves.decide(actor, row, Action.SUPPLEMENT)
            events[0] = with_data(events[0], materials=replay.material_outcome(stored))
            self.moves.commit(row, events)
        return self.reader.case(case_uuid, user)

    def _store_checks(
        self, row: CaseRecord, checks: Mapping[str, MaterialCheck]
    ) -> list[MaterialCheckInput]:
        catalog = self.ctx.catalog
        item = catalog.item(row.item_no)
        known = {m.id: m for m in item.materials} | {
            g.material.id: g.material for g in catalog.general_materials
        }
        try:
            rows = check_rows(known, checks, f"事项{item.no}没有编号为 {{material_id}} 的材料。")
        except MaterialCheckError as exc:
            raise ServiceError(str(exc)) from None
        inputs = material_inputs(rows)
        self.ctx.store.set_material_checks(row.uuid, inputs, point_code=row.point_code)
        return inputs


def _choice(item: Item, kind: str) -> ItemChoice:
    if item.accepted_at(kind):
        return ItemChoice(item, True)
    return ItemChoice(
        item,
        False,
        f"{POINT_KINDS.get(kind, kind)}不受理此事项，请引导申请人到县级医保服务大厅办理。",
    )


def _check_applicant(applicant: Applicant) -> Applicant:
    applicant = limited(field_limits.checked_applicant, applicant)
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
