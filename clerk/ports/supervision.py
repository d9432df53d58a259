"""The supervision read's rows as `SupervisedCase` facts: what `Store.supervised_cases` yields;
and the pages of `Store.figure_cases` (the cases behind one figure, keyset-paged).

Each adapter runs its own SQL (one row per case, columns named as below, instants as stored ISO
text) and hands the row here, so both engines decode the facts the same way.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from clerk.domain.indicators import SupervisedCase
from clerk.domain.model import CaseState, Rating
from clerk.ports.records import CaseRecord

# The columns every adapter's supervision query returns, in this order.
COLUMNS = (
    "office",  # the case's office_code, else its point's office in the catalogue, else the point
    "point",  # origin_point: where it was received
    "item_no",
    "state",  # the current state
    "closing_state",  # the state its last event before the period's end left it in
    "received_at",
    "accepted_at",
    "due_date",
    "closed_at",
    "noticed_at",  # the first `notice` event
    "refused_at",  # the first `refuse` event
    "finished_at",  # the first event that left it 办结 or 审核不通过 (close, reject, approve)
    "accept_data",  # the `accept` event's data (JSON text): `deemed_from` marks Art. 32
    "level",  # the latest evaluation's rating
    "rated_at",
    "followed_up_at",
)
FINISHED_STATES = frozenset({CaseState.CLOSED, CaseState.REJECTED})


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _deemed(raw: Any) -> bool:
    if raw is None:
        return False
    if isinstance(raw, Mapping):
        data: Any = raw
    else:
        try:
            data = json.loads(raw)
        except ValueError:
            return False
    return isinstance(data, Mapping) and bool(data.get("deemed_from"))


def supervised_case(row: Mapping[str, Any], instant_items: Collection[int]) -> SupervisedCase:
    """One case's facts from its supervision row (`instant_items`: the catalogue's 即办件)."""
    state = CaseState(row["closing_state"] or row["state"])
    finished = _day(row["finished_at"])
    if finished is None and CaseState(row["state"]) in FINISHED_STATES:
        finished = _day(row["closed_at"])  # a record with no close event (an old import)
    item_no = int(row["item_no"])
    received = _day(row["received_at"])
    assert received is not None  # received_at is NOT NULL in every engine
    return SupervisedCase(
        office=str(row["office"]),
        point=str(row["point"]),
        item_no=item_no,
        instant=item_no in instant_items,
        state=state,
        received_on=received,
        noticed_on=_day(row["noticed_at"]),
        accepted_on=_day(row["accepted_at"]),
        deemed=_deemed(row["accept_data"]),
        refused_on=_day(row["refused_at"]),
        finished_on=finished,
        due_date=_day(row["due_date"]),
        rating=Rating(row["level"]) if row["level"] else None,
        rated_on=_day(row["rated_at"]),
        followed_up_on=_day(row["followed_up_at"]),
    )


# ---------------------------------------------------------------- the cases behind a figure

# The figures whose cases `Store.figure_cases` pages through, with the instant that orders them:
# received (收件量: received_at), accepted (受理量: the first accept event), closed (办结量: the
# first event leaving it 办结 or 审核不通过), refused (不予受理: the first refuse event), noticed
# (一次性告知: the first notice event), bad (差评数: its latest rating, bad, given in the period),
# overdue (超期: finished in the period after its due date — ordered by that instant — or still
# being worked at the period's end, accepted by then, with a due date before its last day —
# ordered by the due date; for a past month that is its state as of the month's end, as the
# figure counts it, so a case finished since is listed too).
FIGURE_LABELS: dict[str, str] = {
    "received": "收件",
    "accepted": "受理",
    "closed": "办结",
    "refused": "不予受理",
    "noticed": "一次性告知",
    "bad": "差评",
    "overdue": "超期",
}
FIGURE_PAGE = 100  # cases per page unless asked otherwise


@dataclass(frozen=True)
class FigureCases:
    """One page of the cases behind a figure, in key order; `after` is the key to pass for the
    next page (None: this was the last)."""

    cases: list[CaseRecord]
    after: tuple[str, str] | None


def figure_page(
    hits: list[tuple[str, str, str]], limit: int, records: Mapping[str, CaseRecord]
) -> FigureCases:
    """A page from the adapter's `(key, case_no, uuid)` rows (one more than `limit` asked for,
    to know whether another page follows) and the records of their uuids."""
    page = hits[:limit]
    after = (page[-1][0], page[-1][1]) if len(hits) > limit else None
    return FigureCases([records[uuid] for _key, _no, uuid in page], after)
