"""`Ownership`: who this installation is and which cases it owns (a `Window` desk).

Apart from the sync desk (`clerk.service.sync_desk`, which re-exports it) so that the queues the
dashboard reads through it load none of the sync desk's moves and bundles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clerk.domain.model import CaseState
from clerk.ports.setting_keys import SETTING_POINT
from clerk.service.errors import ServiceError

if TYPE_CHECKING:
    from clerk.ports.records import CaseRecord
    from clerk.ports.store import Store
    from clerk.ports.sync import SyncStore
    from clerk.service.context import DeskContext
    from clerk.sync import peers


class Ownership:
    """Who this installation is and which cases it owns: the owner check the deciding steps are
    given and the filter the queues read through (`clerk.service.context.Owners`)."""

    def __init__(self, context: DeskContext) -> None:
        self.ctx = context

    @property
    def store(self) -> Store:
        """The window's store (the port); its sync side is `sync_store()`."""
        return self.ctx.store

    # ------------------------------------------------------------------ who and what

    def sync_store(self) -> SyncStore:
        return self.store.sync_store()

    def me(self) -> peers.Me:
        from clerk.sync import peers

        return peers.me(self.store, self.ctx.offices)

    def owner_of(self, row: CaseRecord) -> str:
        return self.sync_store().owner(row.uuid) or str(row.point_code)

    def owns(self, row: CaseRecord) -> bool:
        return self.owner_of(row) == self.me().code

    def moves_here(self, row: CaseRecord) -> bool:
        """Whether this installation may move the case on (`check_owner` would not refuse)."""
        code = self.store.get_setting(SETTING_POINT)
        return not code or self.owner_of(row) == code

    def check_owner(self, row: CaseRecord) -> None:
        """Refuse a move on a case another installation now owns (it was handed on); the city
        moves none."""
        self.ctx.check_not_city()
        owner = self.owner_of(row)
        code = self.store.get_setting(SETTING_POINT)
        if code and owner != code:
            if owner == row.point_code:
                raise ServiceError(f"该件由服务点 {owner} 办理，尚未转报本机；本机只能查看和打印。")
            raise ServiceError(
                f"该件已转报 {owner}，由其办理；本机只能查看和打印，结果会随回执包传回。"
            )

    def mine(self, rows: list[CaseRecord]) -> list[CaseRecord]:
        """The rows of cases this installation owns (a county office: its own and those handed to it)."""
        if not rows:
            return rows
        code = self.store.get_setting(SETTING_POINT)
        owners = self.sync_store().owners_of(r.uuid for r in rows)
        return [r for r in rows if owners.get(r.uuid, r.point_code) == code]

    def queue_point(self) -> str | None:
        """The point filter for queues: none at a county office (it also holds its points' cases)."""
        point = self.ctx.point()
        return None if point.kind == "county_hall" else point.code

    def handed_to_me(self) -> list[CaseRecord]:
        """Cases handed on to this office still waiting for its acceptance decision (转报待受理)."""
        code = self.store.get_setting(SETTING_POINT)
        owners = self.sync_store().owners()
        found = []
        for uuid, owner in owners.items():
            if owner != code:
                continue
            row = self.store.get_case(uuid)
            if row is not None and row.point_code != code and row.state == CaseState.DRAFT:
                found.append(row)
        return sorted(found, key=lambda r: r.received_at)
