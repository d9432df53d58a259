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
from typing import TYPE_CHECKING, Any

from clerk.domain.catalog import Item
from clerk.domain.clock import TZ
from clerk.domain.materials import MaterialCheck, MaterialCheckError, check_rows
from clerk.domain.model import Action, CaseState
from clerk.ports.records import EventRecord

if TYPE_CHECKING:  # pragma: no cover
    from clerk.domain.accounts import User


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
    """Mixin of `clerk.service.window.Window`: review-stage materials and the guide's review steps."""

    def check_review_materials(
        self, user: User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> Any:
        """Record the check of materials the application stage could leave out (item 36)."""
        from clerk.service.window import ServiceError

        with self._deciding(user, case_uuid) as (_actor, row, _attempt):  # type: ignore[attr-defined]
            if row.state != CaseState.ACCEPTED:
                raise ServiceError("只有已受理、待审核的办件在审核评估环节核验材料。")
            item = self.catalog.item(row.item_no)  # type: ignore[attr-defined]
            later = {m.id: m for m in item.materials if m.stage == "review"}
            try:
                rows = check_rows(later, checks, "“{material_id}”不是审核评估环节核验的材料。")
            except MaterialCheckError as exc:
                raise ServiceError(str(exc)) from None
            self.store.set_material_checks(case_uuid, rows, point_code=row.point_code)  # type: ignore[attr-defined]
        return self.case(case_uuid, user)  # type: ignore[attr-defined]

    def record_stage(self, user: User, case_uuid: str, stage: str) -> Any:
        """Record that a review stage (考察评估 ...) was completed today."""
        with self._deciding(user, case_uuid) as (actor, row, _attempt):  # type: ignore[attr-defined]
            event = self._record(actor, row, Action.STAGE, data={"stage": stage})  # type: ignore[attr-defined]
            self.store.append_event(event, row.point_code)  # type: ignore[attr-defined]
        return self.case(case_uuid, user)  # type: ignore[attr-defined]

    def review_stages(self, case_uuid: str) -> list[StageRow]:
        row = self._row(case_uuid)  # type: ignore[attr-defined]
        item = self.catalog.item(row.item_no)  # type: ignore[attr-defined]
        return stage_rows(item, row.due_start, self.store.case_events(case_uuid))  # type: ignore[attr-defined]
