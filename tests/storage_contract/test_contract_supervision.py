"""Contract: the supervision read (`Store.supervised_cases`) gives the same facts on every engine,
and only the cases relevant to the period."""

from __future__ import annotations

from datetime import date, datetime

from clerk.domain.clock import TZ
from clerk.domain.indicators import SupervisedCase
from clerk.domain.model import Action, CaseState, Event, Rating
from clerk.ports.records import CaseChanges, NewEvaluation
from storage_contract.contract_helpers import ORIGIN, case_row, new_case, received

S = CaseState


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


def event(uuid: str, action: Action, when: datetime, before: S, after: S, **data: object) -> Event:
    return Event(uuid, action, "clerk1", when, before, after, data=dict(data))


def move(store, uuid: str, version: int, e: Event, **changes: object) -> None:
    with store.transaction():
        store.append_event(e, ORIGIN)
        store.update_case(uuid, CaseChanges(state=e.to_state, **changes), version)


def test_supervised_cases_give_each_case_its_facts(store):
    # 1: noticed, accepted, closed late, rated badly and followed up.
    one = new_case(store, 1)
    move(store, one, 1, event(one, Action.NOTICE, at(3), S.DRAFT, S.AWAITING_SUPPLEMENT))
    move(
        store,
        one,
        2,
        event(one, Action.ACCEPT, at(5), S.AWAITING_SUPPLEMENT, S.ACCEPTED),
        accepted_at=at(5),
        due_date=date(2026, 3, 9),
    )
    move(store, one, 3, event(one, Action.CLOSE, at(10), S.ACCEPTED, S.CLOSED), closed_at=at(10))
    with store.transaction():
        store.add_evaluation(
            NewEvaluation(case_uuid=one, point_code=ORIGIN, level=Rating("1"), at=at(10, hour=11))
        )
    store.follow_up_evaluation(one, "已回访", at(12))
    # 2: deemed accepted under Art. 32 and still open; the 1st item is instant.
    two = new_case(store, 2, item_no=1)
    move(
        store,
        two,
        1,
        event(two, Action.ACCEPT, at(10), S.DRAFT, S.ACCEPTED, deemed_from="2026-03-02"),
        accepted_at=at(10),
        due_date=date(2026, 3, 31),
    )
    # 3: refused on the day it came in.
    three = new_case(store, 3, item_no=2)
    move(store, three, 1, event(three, Action.REFUSE, at(2), S.DRAFT, S.REFUSED))
    # 4: still in 收件 from February: nothing to say about March.
    with store.transaction():
        four = store.insert_case(case_row(4, received_at="2026-02-02T09:00:00+08:00"))
        store.append_event(received(four, at=at(2, month=2)), ORIGIN)

    facts = list(store.supervised_cases(date(2026, 3, 1), date(2026, 3, 31), instant_items={1}))

    base = dict(office=ORIGIN, point=ORIGIN, received_on=date(2026, 3, 2))
    assert facts == [
        SupervisedCase(
            **base,
            item_no=1,
            instant=True,
            state=S.CLOSED,
            noticed_on=date(2026, 3, 3),
            accepted_on=date(2026, 3, 5),
            finished_on=date(2026, 3, 10),
            due_date=date(2026, 3, 9),
            rating=Rating.VERY_UNSATISFIED,
            rated_on=date(2026, 3, 10),
            followed_up_on=date(2026, 3, 12),
        ),
        SupervisedCase(
            **base,
            item_no=1,
            instant=True,
            state=S.ACCEPTED,
            accepted_on=date(2026, 3, 10),
            deemed=True,
            due_date=date(2026, 3, 31),
        ),
        SupervisedCase(
            **base, item_no=2, instant=False, state=S.REFUSED, refused_on=date(2026, 3, 2)
        ),
    ]


def test_supervised_cases_give_the_state_at_the_period_end(store):
    """A case closed after the period was still open at its end, and is open in its figures."""
    one = new_case(store, 1)
    move(
        store,
        one,
        1,
        event(one, Action.ACCEPT, at(2), S.DRAFT, S.ACCEPTED),
        accepted_at=at(2),
        due_date=date(2026, 3, 3),
    )
    move(store, one, 2, event(one, Action.CLOSE, at(6), S.ACCEPTED, S.CLOSED), closed_at=at(6))
    (fact,) = store.supervised_cases(date(2026, 3, 2), date(2026, 3, 4))
    assert (fact.state, fact.finished_on) == (S.ACCEPTED, date(2026, 3, 6))
    assert list(store.supervised_cases(date(2026, 3, 9), date(2026, 3, 9))) == []
