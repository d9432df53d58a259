"""The daily ledger's reads as typed records: what `Store.ledger_day` returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from clerk.domain.model import Action, CaseState, Rating


@dataclass(frozen=True)
class ReceivedCase:
    uuid: str
    case_no: str
    item_no: int
    created_by: str
    closing_state: CaseState  # the state at the close (the current state if no event before it)


@dataclass(frozen=True)
class DayActions:
    """One member of staff's events of one action on the day: how many, and how many of them
    were made automatically (their data has "auto": true, e.g. 即时办结's approve and close)."""

    action: Action
    actor: str
    count: int
    auto: int


# An event made automatically has `"auto": true` in its data (`clerk.domain.workflow` writes it
# on 即时办结's approve and close). The engines count those in SQL, looking into the JSON only of
# the data whose text names it (`AUTO_DATA`): a county's day is ten thousand events.
AUTO_DATA = '"auto"'


def day_actions(rows: Iterable[tuple[str, str, int, int]]) -> tuple[DayActions, ...]:
    """`DayActions` from the engine's rows: (action, actor, count, automatic count)."""
    return tuple(DayActions(Action(action), actor, n, auto or 0) for action, actor, n, auto in rows)


@dataclass(frozen=True)
class AcceptedCase:
    uuid: str
    case_no: str
    item_no: int
    applicant_kind: str
    applicant_name: str
    due_date: date
    due_provisional: bool
    closing_state: CaseState | None


@dataclass(frozen=True)
class Recomputation:
    case_uuid: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class DayEvaluation:
    level: Rating
    comment: str
    at: datetime
    recorded_by: str
    followed_up_at: datetime | None
    case_no: str
    item_no: int
    applicant_kind: str
    applicant_name: str


@dataclass(frozen=True)
class LedgerDay:
    received: tuple[ReceivedCase, ...]
    actions: tuple[DayActions, ...]  # the day's events, counted per action and actor
    accepted: tuple[AcceptedCase, ...]
    recomputed_after: tuple[Recomputation, ...]
    evaluations: tuple[DayEvaluation, ...]
    user_names: Mapping[str, str]  # casefolded login -> name
    events_on_day: int
    end: str  # the close: the first instant after the day (ISO date of the next day)
