"""The read behind the lists that need action (`Store.action_cases`): one plain record per case
that may need a supervisor's eye — still open (收件, 已受理, 待拨付), or rated badly and not yet
followed up. Each adapter runs its own SQL with the columns below and hands the row here, so both
engines decode it the same way. No personal data: the case number is masked where it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from clerk.domain.model import CaseState, Rating

# The columns every adapter's query returns, in this order.
COLUMNS = (
    "uuid",
    "case_no",
    "office",  # the case's office_code, else its point's office, else the point
    "point",  # origin_point: where it was received
    "item_no",
    "state",
    "received_at",
    "due_date",
    "level",  # the latest evaluation's rating
    "rated_at",
    "followed_up_at",
)
# The states a case waits in for someone's act (收件, 已受理, 待拨付).
WAITING_STATES = (CaseState.DRAFT, CaseState.ACCEPTED, CaseState.AWAITING_PAYMENT)
BAD_LEVELS = ("1", "2")


@dataclass(frozen=True)
class ActionCase:
    uuid: str
    case_no: str
    office: str
    point: str
    item_no: int
    state: CaseState
    received_on: date
    due_date: date | None = None
    rating: Rating | None = None
    rated_on: date | None = None
    followed_up_on: date | None = None


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def action_case(row: Mapping[str, Any]) -> ActionCase:
    received = _day(row["received_at"])
    assert received is not None  # NOT NULL in every engine
    level = row["level"]
    return ActionCase(
        uuid=str(row["uuid"]),
        case_no=str(row["case_no"]),
        office=str(row["office"]),
        point=str(row["point"]),
        item_no=int(row["item_no"]),
        state=CaseState(row["state"]),
        received_on=received,
        due_date=_day(row["due_date"]),
        rating=Rating(str(level)) if level is not None else None,
        rated_on=_day(row["rated_at"]),
        followed_up_on=_day(row["followed_up_at"]),
    )
