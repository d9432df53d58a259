"""The reads behind the lists that need action (`Store.action_cases`, `Store.action_counts`):
one plain record per case on one list (`ActionQuery`: which list, and the days the service worked
out from the work calendar), in (received_at, case_no) order and keyset-paged, and how many cases
each office has on it. Each adapter runs the SQL of `clerk.storage.action_lists_sql` and hands the
row here, so both engines decode it the same way. No personal data: the case number is masked
where it is shown.

The lists (`kind`):

- `overdue`: open now (已受理, 待拨付) with a due date before `last`;
- `overdue_in`: overdue during the days `first`..`last` as the period's 超期 figure counts them
  (`clerk.domain.indicators`): finished in the period after the due date, or still being worked
  at the period's end (its state as of then) with a due date before its last day;
- `due_soon`: open now with a due date from `first` to `last`;
- `stuck_in_intake`: in 收件 now, received before `last`;
- `bad_ratings`: the latest rating bad (1–2), not followed up, given before `last`.
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
    "finished_at",  # overdue_in only (else NULL): the first event leaving it 办结 or 审核不通过
)
LIST_KINDS = ("overdue", "overdue_in", "due_soon", "stuck_in_intake", "bad_ratings")
ACTION_PAGE = 1000  # rows per page when a whole list is streamed
# The states a case waits in for someone's act (收件, 已受理, 待拨付).
WAITING_STATES = (CaseState.DRAFT, CaseState.ACCEPTED, CaseState.AWAITING_PAYMENT)
BAD_LEVELS = ("1", "2")


@dataclass(frozen=True)
class ActionQuery:
    """Which cases one list holds: `kind` (`LIST_KINDS`) and its days (see the module)."""

    kind: str
    last: date
    first: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in LIST_KINDS:
            raise ValueError(f"unknown list {self.kind!r}")
        if self.kind in ("overdue_in", "due_soon") and self.first is None:
            raise ValueError(f"list {self.kind!r} needs its first day")


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
    finished_on: date | None = None  # overdue_in only
    received_at: str = ""  # the stored instant: with case_no, the key of the page that follows

    @property
    def key(self) -> tuple[str, str]:
        return (self.received_at, self.case_no)


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
        finished_on=_day(row["finished_at"]),
        received_at=str(row["received_at"]),
    )
