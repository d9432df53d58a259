"""`Holidays`: installing a year's holiday file and recomputing the open cases' deadlines under
the new calendar, each change recorded as an event (a `Window` desk)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from clerk.domain.accounts import User
from clerk.domain.deadlines import recompute_deadline
from clerk.domain.limits import HOLIDAY_ROLES
from clerk.domain.model import Action, CaseState, Role
from clerk.service.case_reader import CaseReader
from clerk.service.context import DeskContext, Owners, SystemActor
from clerk.service.errors import ServiceError
from clerk.service.moves import Moves


@dataclass(frozen=True)
class Recomputed:
    case_no: str
    previous_due: date
    due: date
    provisional: bool


class Holidays:
    def __init__(
        self, context: DeskContext, reader: CaseReader, moves: Moves, owners: Owners
    ) -> None:
        self.ctx = context
        self.reader = reader
        self.moves = moves
        self.owners = owners

    # ------------------------------------------------------------------ holidays

    def install_holidays(
        self, user: User | SystemActor, path: Path
    ) -> tuple[int, list[Recomputed]]:
        """Install a year's holiday file, then recompute every open case's deadline."""
        actor = self.moves.current_actor(user)
        if Role(actor.role) not in HOLIDAY_ROLES:
            raise ServiceError("只有主管或系统管理员可以安装节假日文件。")
        year = self.ctx.calendar.install(path)
        return year, self.recompute_deadlines(actor)

    def recompute_deadlines(self, user: User | SystemActor) -> list[Recomputed]:
        """Recompute the deadlines of open cases under the current calendar; record each change."""
        changed: list[Recomputed] = []
        candidates = [
            r.uuid
            for r in self.owners.mine(
                self.ctx.store.awaiting_review() + self.ctx.store.awaiting_payment()
            )
        ]
        for case_uuid in candidates:
            with self.moves.deciding(user, case_uuid) as (actor, row, _attempt):
                if row.state not in (CaseState.ACCEPTED, CaseState.AWAITING_PAYMENT):
                    continue
                item = self.ctx.catalog.item(row.item_no)
                old = self.reader.deadline(row, item)
                if old is None:
                    continue
                new = recompute_deadline(old, self.ctx.calendar)
                if (new.due, new.provisional) == (old.due, old.provisional):
                    continue
                event = self.moves.record(
                    actor,
                    row,
                    Action.RECOMPUTE,
                    data={
                        "due": new.due.isoformat(),
                        "previous_due": old.due.isoformat(),
                        "provisional": new.provisional,
                    },
                )
                self.moves.commit(row, [event])
            changed.append(Recomputed(row.case_no, old.due, new.due, new.provisional))
        return changed
