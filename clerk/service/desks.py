"""The window service's desks and how they are wired: one function, `wire`, builds them all on one
`DeskContext`, each given the collaborators it needs (no desk reaches into another's privates).

```
Ownership(context)                         who owns a case: the owner check, the queues' filter
CaseReader(context, ownership)             views, queues, search, the daily ledger
Moves(context, reader, ownership)          the shared steps of a move (lock, actor, workflow, documents)
SyncDesk(context, ownership, reader, moves) keys, 收件转报, hand-ons, bundles, conflicts
Accounts(context)                          signing in, one's own password
Administration(context, moves)             setup, accounts, points
Intake(context, reader, moves, ownership)  items, opening a case, its materials
Decisions(context, reader, moves, sync)    notice, acceptance, refusal, review, payment, ...
ReviewStages(context, reader, moves)       items 36-37's review stages
Enrolment(context, moves)                  a college's roster as item-9 cases
Holidays(context, reader, moves, ownership) holiday files and the deadlines they move
Supervision(context)                       the supervision figures per office, point and item
SupervisionLists(context)                  the lists that need action across the counties
```

Each desk is built, and its module imported, the first time it is asked for: `clerk report`
needs the reader alone, and the login screen the accounts desk, so neither pays for the
decisions, the roster, the holidays or the supervision figures (issue 25, item 4).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from clerk.service.context import DeskContext

if TYPE_CHECKING:
    from clerk.service.accounts import Accounts
    from clerk.service.administration import Administration
    from clerk.service.case_reader import CaseReader
    from clerk.service.decisions import Decisions
    from clerk.service.enrolment import Enrolment
    from clerk.service.holidays import Holidays
    from clerk.service.intake import Intake
    from clerk.service.moves import Moves
    from clerk.service.ownership import Ownership
    from clerk.service.review_stages import ReviewStages
    from clerk.service.supervision import Supervision
    from clerk.service.supervision_lists import SupervisionLists
    from clerk.service.sync_desk import SyncDesk

T = TypeVar("T")


class Desks:
    """Every desk on one `DeskContext`, each built once, on first use, with its collaborators."""

    def __init__(self, context: DeskContext) -> None:
        self.context = context
        self._built: dict[str, object] = {}
        self._lock = threading.RLock()  # decisions run in workers: one desk of each kind

    def _desk(self, name: str, build: Callable[[], T]) -> T:
        desk = self._built.get(name)
        if desk is None:
            with self._lock:
                desk = self._built.get(name)
                if desk is None:
                    desk = build()
                    self._built[name] = desk
        return cast(T, desk)

    @property
    def ownership(self) -> Ownership:
        def build() -> Ownership:
            from clerk.service.ownership import Ownership

            return Ownership(self.context)

        return self._desk("ownership", build)

    @property
    def reader(self) -> CaseReader:
        def build() -> CaseReader:
            from clerk.service.case_reader import CaseReader

            return CaseReader(self.context, self.ownership)

        return self._desk("reader", build)

    @property
    def moves(self) -> Moves:
        def build() -> Moves:
            from clerk.service.moves import Moves

            return Moves(self.context, self.reader, self.ownership)

        return self._desk("moves", build)

    @property
    def sync(self) -> SyncDesk:
        def build() -> SyncDesk:
            from clerk.service.sync_desk import SyncDesk

            sync = SyncDesk(self.context, self.ownership, self.reader, self.moves)
            # return bundles carry the county's holiday files (clerk.sync.holidays)
            sync.holidays = self.holidays
            return sync

        return self._desk("sync", build)

    @property
    def holidays(self) -> Holidays:
        def build() -> Holidays:
            from clerk.service.holidays import Holidays

            return Holidays(self.context, self.reader, self.moves, self.ownership)

        return self._desk("holidays", build)

    @property
    def accounts(self) -> Accounts:
        def build() -> Accounts:
            from clerk.service.accounts import Accounts

            return Accounts(self.context)

        return self._desk("accounts", build)

    @property
    def administration(self) -> Administration:
        def build() -> Administration:
            from clerk.service.administration import Administration

            return Administration(self.context, self.moves)

        return self._desk("administration", build)

    @property
    def intake(self) -> Intake:
        def build() -> Intake:
            from clerk.service.intake import Intake

            return Intake(self.context, self.reader, self.moves, self.ownership)

        return self._desk("intake", build)

    @property
    def decisions(self) -> Decisions:
        def build() -> Decisions:
            from clerk.service.decisions import Decisions

            return Decisions(self.context, self.reader, self.moves, self.sync)

        return self._desk("decisions", build)

    @property
    def review(self) -> ReviewStages:
        def build() -> ReviewStages:
            from clerk.service.review_stages import ReviewStages

            return ReviewStages(self.context, self.reader, self.moves)

        return self._desk("review", build)

    @property
    def enrolment(self) -> Enrolment:
        def build() -> Enrolment:
            from clerk.service.enrolment import Enrolment

            return Enrolment(self.context, self.moves)

        return self._desk("enrolment", build)

    @property
    def supervision(self) -> Supervision:
        def build() -> Supervision:
            from clerk.service.supervision import Supervision

            return Supervision(self.context)

        return self._desk("supervision", build)

    @property
    def lists(self) -> SupervisionLists:
        def build() -> SupervisionLists:
            from clerk.service.supervision_lists import SupervisionLists

            return SupervisionLists(self.context)

        return self._desk("lists", build)


def wire(context: DeskContext) -> Desks:
    """The desks on `context`, each built with its collaborators when first used."""
    return Desks(context)
