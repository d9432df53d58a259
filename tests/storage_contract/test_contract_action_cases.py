"""Contract: the read behind the lists that need action (`Store.action_cases`) gives the same
records on every engine: the cases waiting in 收件, 已受理 or 待拨付, and those whose bad rating
has no follow-up — and no other."""

from __future__ import annotations

from datetime import date, datetime

from clerk.domain.clock import TZ
from clerk.domain.model import Action, CaseState, Event, Rating
from clerk.ports.action_cases import ActionCase
from clerk.ports.records import CaseChanges, NewEvaluation
from storage_contract.contract_helpers import ORIGIN, new_case

S = CaseState


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=TZ)


def move(store, uuid: str, version: int, action: Action, before: S, after: S, **changes) -> None:  # type: ignore[no-untyped-def]
    with store.transaction():
        store.append_event(Event(uuid, action, "clerk1", at(5), before, after), ORIGIN)
        store.update_case(uuid, CaseChanges(state=after, **changes), version)


def rate(store, uuid: str, level: str, day: int) -> None:  # type: ignore[no-untyped-def]
    with store.transaction():
        store.add_evaluation(
            NewEvaluation(case_uuid=uuid, point_code=ORIGIN, level=Rating(level), at=at(day))
        )


def test_action_cases_are_the_waiting_and_the_unanswered(store):
    draft = new_case(store, 1)
    accepted = new_case(store, 2)
    move(store, accepted, 1, Action.ACCEPT, S.DRAFT, S.ACCEPTED, due_date=date(2026, 3, 20))
    closed_bad = new_case(store, 3)
    move(store, closed_bad, 1, Action.CLOSE, S.DRAFT, S.CLOSED)
    rate(store, closed_bad, "2", 6)
    answered = new_case(store, 4)
    move(store, answered, 1, Action.CLOSE, S.DRAFT, S.CLOSED)
    rate(store, answered, "1", 6)
    store.follow_up_evaluation(answered, "已回访", at(7))
    closed_good = new_case(store, 5)
    move(store, closed_good, 1, Action.CLOSE, S.DRAFT, S.CLOSED)
    rate(store, closed_good, "5", 6)

    found = list(store.action_cases())

    base = dict(office=ORIGIN, point=ORIGIN, item_no=1, received_on=date(2026, 3, 2))
    assert found == [
        ActionCase(uuid=draft, case_no="YZ01-20260302-0001", state=S.DRAFT, **base),
        ActionCase(
            uuid=accepted,
            case_no="YZ01-20260302-0002",
            state=S.ACCEPTED,
            due_date=date(2026, 3, 20),
            **base,
        ),
        ActionCase(
            uuid=closed_bad,
            case_no="YZ01-20260302-0003",
            state=S.CLOSED,
            rating=Rating.UNSATISFIED,
            rated_on=date(2026, 3, 6),
            **base,
        ),
    ]


def test_no_cases_no_action(store):
    assert list(store.action_cases()) == []
