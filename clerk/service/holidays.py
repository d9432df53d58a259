"""`Holidays`: installing a year's holiday file and recomputing the open cases' deadlines under
the new calendar, each change recorded as an event (a `Window` desk)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.domain.accounts import User
from clerk.domain.deadlines import recompute_deadline
from clerk.domain.limits import HOLIDAY_ROLES
from clerk.domain.model import Action, CaseState, Role
from clerk.service.case_reader import CaseReader
from clerk.service.context import DeskContext, Owners, SystemActor
from clerk.service.errors import ServiceError
from clerk.service.moves import Moves

if TYPE_CHECKING:  # the sync's holiday notices load when a bundle carries them
    from clerk.sync import holidays as bundle_holidays


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
        self.record_install(actor, year)
        return year, self.recompute_deadlines(actor)

    def record_install(self, user: User | SystemActor, year: int) -> None:
        """Record the file now installed for `year` here (its SHA-256 in the administrative
        chain), as first installed at this installation now."""
        from clerk.sync import holidays as bundle_holidays

        data = self.ctx.calendar.holiday_file(year)
        if data is None or data.path is None:
            return
        text = data.path.read_bytes().decode("utf-8")
        self.ctx.store.record_holidays(
            year,
            bundle_holidays.digest(text),
            data.source,
            self.ctx.clock().isoformat(timespec="seconds"),
            self.ctx.point().code,
            actor=str(getattr(user, "login", "")),
        )

    # ------------------------------------------------------------------ in return bundles

    def notices_for_bundle(self) -> list[bundle_holidays.HolidayNotice]:
        """Every holiday file installed here, for a return bundle."""
        from clerk.sync import holidays as bundle_holidays

        return bundle_holidays.installed_notices(
            self.ctx.calendar, self.ctx.store.holiday_records()
        )

    def install_notices(
        self, manifest: Mapping[str, Any], sender: str
    ) -> tuple[list[str], list[Recomputed]]:
        """Install the holiday notices a return bundle from `sender` carries (those this machine
        lacks, never downgrading), record each, then recompute the open cases' deadlines.
        Returns the report's lines (Chinese) and the recomputed deadlines."""
        from clerk.sync import holidays as bundle_holidays

        notices, lines = bundle_holidays.from_manifest(manifest)
        if not notices:
            return lines, []
        actor = SystemActor(login=f"system:bundle:{sender}", name="回执包")
        installed = False
        for d in bundle_holidays.decide(
            notices, self.ctx.calendar, self.ctx.store.holiday_records()
        ):
            if not d.install:
                lines.append(d.why)
                continue
            try:
                self._install_text(d.notice, sender, actor)
            except (OSError, ValueError) as exc:  # the holiday folder not writable, a full disk
                lines.append(
                    f"{d.notice.year}年：未能安装（{exc}），请用 clerk holidays install 手工安装"
                )
                continue
            installed = True
            lines.append(d.why)
        return lines, self.recompute_deadlines(actor) if installed else []

    def _install_text(
        self, notice: bundle_holidays.HolidayNotice, sender: str, actor: SystemActor
    ) -> None:
        with tempfile.TemporaryDirectory(prefix="clerk-holidays-") as folder:
            staged = Path(folder) / f"{notice.year}.json"
            staged.write_bytes(notice.text.encode("utf-8"))
            self.ctx.calendar.install(staged)
        self.ctx.store.record_holidays(
            notice.year, notice.sha256, notice.source, notice.issued_at, sender, actor=actor.login
        )

    def proof(self) -> dict[int, str]:
        """Each installed year's file against its last record: "recorded" (the same SHA-256),
        "unrecorded" (installed before installs were recorded, or by hand) or "differs"."""
        from clerk.sync import holidays as bundle_holidays

        last = bundle_holidays.latest_records(self.ctx.store.holiday_records())
        out: dict[int, str] = {}
        for year in self.ctx.calendar.installed_years():
            data = self.ctx.calendar.holiday_file(year)
            if data is None or data.path is None:
                continue
            sha = bundle_holidays.digest(data.path.read_bytes().decode("utf-8", "replace"))
            record = last.get(year)
            out[year] = (
                "unrecorded" if record is None else "recorded" if record[1] == sha else "differs"
            )
        return out

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
