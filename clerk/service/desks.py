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
```
"""

from __future__ import annotations

from dataclasses import dataclass

from clerk.service.accounts import Accounts
from clerk.service.administration import Administration
from clerk.service.case_reader import CaseReader
from clerk.service.context import DeskContext
from clerk.service.decisions import Decisions
from clerk.service.enrolment import Enrolment
from clerk.service.holidays import Holidays
from clerk.service.intake import Intake
from clerk.service.moves import Moves
from clerk.service.review_stages import ReviewStages
from clerk.service.supervision import Supervision
from clerk.service.sync_desk import Ownership, SyncDesk


@dataclass(frozen=True, eq=False)
class Desks:
    context: DeskContext
    ownership: Ownership
    reader: CaseReader
    moves: Moves
    sync: SyncDesk
    accounts: Accounts
    administration: Administration
    intake: Intake
    decisions: Decisions
    review: ReviewStages
    enrolment: Enrolment
    holidays: Holidays
    supervision: Supervision


def wire(context: DeskContext) -> Desks:
    """Every desk on `context`, each with its collaborators."""
    ownership = Ownership(context)
    reader = CaseReader(context, ownership)
    moves = Moves(context, reader, ownership)
    sync = SyncDesk(context, ownership, reader, moves)
    holidays = Holidays(context, reader, moves, ownership)
    # return bundles carry the county's holiday files (clerk.sync.holidays)
    sync.holidays = holidays
    return Desks(
        context=context,
        ownership=ownership,
        reader=reader,
        moves=moves,
        sync=sync,
        accounts=Accounts(context),
        administration=Administration(context, moves),
        intake=Intake(context, reader, moves, ownership),
        decisions=Decisions(context, reader, moves, sync),
        review=ReviewStages(context, reader, moves),
        enrolment=Enrolment(context, moves),
        holidays=holidays,
        supervision=Supervision(context),
    )
