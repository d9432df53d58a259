"""The review of a designated-institution application (items 36-37), as the Yongzhou guide runs it.

The provincial list lets item 36 hand in only materials 1 and 2 when applying (申请环节可只需提供第1项
和第2项材料，其它材料可在审核评估环节提供): the review asks for the rest and checks them before it can
pass. The guide names the steps inside 审核: 考察评估, 结果公示, 协商谈判, 签署协议, and 开通联网结算 at
办结; each is recorded (an event) with its date, and shown as the day of the 80 natural days it fell on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from clerk.domain import replay
from clerk.domain.catalog import Item
from clerk.domain.clock import TZ
from clerk.domain.materials import MaterialCheck, MaterialCheckError, check_rows
from clerk.domain.model import Action, CaseState
from clerk.ports.records import EventRecord
from clerk.service.case_reader import CaseReader
from clerk.service.context import DeskContext
from clerk.service.errors import ServiceError
from clerk.service.moves import Moves, material_inputs

if TYPE_CHECKING:  # pragma: no cover
    from clerk.domain.accounts import User
    from clerk.service.views import CaseView


@dataclass(frozen=True)
class StageRow:
    stage: str
    done_on: date | None
    day_no: int | None  # the natural day of the limit it was done on (1 = the day after the start)


def stage_rows(item: Item, start: date | None, events: Iterable[EventRecord]) -> list[StageRow]:
    """Each of the item's review stages with the day it was recorded, counted from the limit's start."""
    done: dict[str, date] = {}
    for e in events:
        if e.action == Action.STAGE:
            done.setdefault(str(e.data.get("stage", "")), e.at.astimezone(TZ).date())
    rows = []
    for stage in item.review_stages:
        on = done.get(stage)
        rows.append(StageRow(stage, on, (on - start).days if on and start else None))
    return rows


class ReviewStages:
    """A desk of `clerk.service.window.Window`: review-stage materials and the guide's review steps."""

    def __init__(self, context: DeskContext, reader: CaseReader, moves: Moves) -> None:
        self.ctx = context
        self.reader = reader
        self.moves = moves

    def check_review_materials(
        self, user: User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        """Record the check of materials the application stage could leave out (item 36)."""
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            if row.state != CaseState.ACCEPTED:
                raise ServiceError("只有已受理、待审核的办件在审核评估环节核验材料。")
            item = self.ctx.catalog.item(row.item_no)
            later = {m.id: m for m in item.materials if m.stage == "review"}
            try:
                rows = check_rows(later, checks, "“{material_id}”不是审核评估环节核验的材料。")
            except MaterialCheckError as exc:
                raise ServiceError(str(exc)) from None
            inputs = material_inputs(rows)
            self.ctx.store.set_material_checks(case_uuid, inputs, point_code=row.point_code)
            # The review stage's checks are proven like the window's: an event carries them
            event = self.moves.record(
                actor, row, Action.CHECK, data={"materials": replay.material_outcome(inputs)}
            )
            self.ctx.store.append_event(event, row.point_code)
        return self.reader.case(case_uuid, user)

    def record_stage(self, user: User, case_uuid: str, stage: str) -> CaseView:
        """Record that a review stage (考察评估 ...) was completed today."""
        with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
            event = self.moves.record(actor, row, Action.STAGE, data={"stage": stage})
            self.ctx.store.append_event(event, row.point_code)
        return self.reader.case(case_uuid, user)

    def review_stages(self, case_uuid: str) -> list[StageRow]:
        row = self.reader.row(case_uuid)
        item = self.ctx.catalog.item(row.item_no)
        return stage_rows(item, row.due_start, self.ctx.store.case_events(case_uuid))
