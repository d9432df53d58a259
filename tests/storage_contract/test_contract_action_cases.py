"""Contract: the reads behind the lists that need action (`Store.action_cases`,
`Store.action_counts`) give the same records on every engine: each list its cases and no other,
oldest received first, keyset-paged; counted per office; and `overdue_in`, a past period's
overdue cases as its 超期 figure counts them (finished late in it, or still being worked at its
end past the due date) — whatever they have become since."""

from __future__ import annotations

from datetime import date, datetime

from clerk.domain.clock import TZ
from clerk.domain.indicators import Period, figures
from clerk.domain.model import Action, CaseState, Event, Rating
from clerk.domain.workdays import WorkCalendar
from clerk.ports.action_cases import ActionCase, ActionQuery
from clerk.ports.records import CaseChanges, NewEvaluation
from storage_contract.contract_helpers import ORIGIN, new_case

S = CaseState


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


def move(
    store,
    uuid: str,
    version: int,
    action: Action,
    before: S,
    after: S,
    when: datetime | None = None,
    **changes,
) -> None:  # type: ignore[no-untyped-def]
    with store.transaction():
        store.append_event(Event(uuid, action, "clerk1", when or at(5), before, after), ORIGIN)
        store.update_case(uuid, CaseChanges(state=after, **changes), version)


def rate(store, uuid: str, level: str, day: int) -> None:  # type: ignore[no-untyped-def]
    with store.transaction():
        store.add_evaluation(
            NewEvaluation(case_uuid=uuid, point_code=ORIGIN, level=Rating(level), at=at(day))
        )


def five_cases(store):  # type: ignore[no-untyped-def]
    """In 收件; accepted due 20 March; closed and rated badly on 6 March; rated badly and
    answered; rated well. All received Monday 2 March."""
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
    return draft, accepted, closed_bad


def listed(store, kind: str, last: date, first: date | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.case_no for c in store.action_cases(ActionQuery(kind, last=last, first=first))]


def no(n: int) -> str:
    return f"YZ01-20260302-{n:04d}"


def test_each_list_holds_its_cases_and_no_other(store):
    five_cases(store)
    assert listed(store, "overdue", date(2026, 3, 21)) == [no(2)]
    assert listed(store, "overdue", date(2026, 3, 20)) == []  # due that day: not yet overdue
    assert listed(store, "due_soon", date(2026, 3, 20), date(2026, 3, 18)) == [no(2)]
    assert listed(store, "due_soon", date(2026, 3, 23), date(2026, 3, 21)) == []
    assert listed(store, "stuck_in_intake", date(2026, 3, 3)) == [no(1)]  # received before
    assert listed(store, "stuck_in_intake", date(2026, 3, 2)) == []
    assert listed(store, "bad_ratings", date(2026, 3, 7)) == [no(3)]  # rated before the 7th
    assert listed(store, "bad_ratings", date(2026, 3, 6)) == []


def test_a_listed_case_carries_what_the_list_shows(store):
    _draft, accepted, closed_bad = five_cases(store)
    base = dict(office=ORIGIN, point=ORIGIN, item_no=1, received_on=date(2026, 3, 2))
    key = "2026-03-02T09:00:00+08:00"
    assert list(store.action_cases(ActionQuery("overdue", last=date(2026, 3, 23)))) == [
        ActionCase(
            uuid=accepted,
            case_no=no(2),
            state=S.ACCEPTED,
            due_date=date(2026, 3, 20),
            received_at=key,
            **base,
        )
    ]
    assert list(store.action_cases(ActionQuery("bad_ratings", last=date(2026, 3, 9)))) == [
        ActionCase(
            uuid=closed_bad,
            case_no=no(3),
            state=S.CLOSED,
            rating=Rating.UNSATISFIED,
            rated_on=date(2026, 3, 6),
            received_at=key,
            **base,
        )
    ]


def test_counts_per_office(store):
    five_cases(store)
    new_case(store, 6, office_code="YZ05")
    query = ActionQuery("stuck_in_intake", last=date(2026, 3, 3))
    assert store.action_counts(query) == {ORIGIN: 1, "YZ05": 1}
    assert store.action_counts(ActionQuery("overdue", last=date(2026, 3, 3))) == {}


def test_pages_follow_each_other_by_key(store):
    for n in range(1, 6):
        new_case(store, n)
    query = ActionQuery("stuck_in_intake", last=date(2026, 3, 3))
    first = list(store.action_cases(query, None, 2))
    second = list(store.action_cases(query, first[-1].key, 2))
    third = list(store.action_cases(query, second[-1].key, 2))
    assert [[c.case_no for c in page] for page in (first, second, third)] == [
        [no(1), no(2)],
        [no(3), no(4)],
        [no(5)],
    ]
    assert list(store.action_cases(query, third[-1].key, 2)) == []
    streamed = store.action_cases(query, first[-1].key)  # no limit: the rest, streamed
    assert [c.case_no for c in streamed] == [no(3), no(4), no(5)]


def test_no_cases_no_action(store):
    for kind in ("overdue", "stuck_in_intake", "bad_ratings"):
        assert list(store.action_cases(ActionQuery(kind, last=date(2026, 3, 31)))) == []
        assert store.action_counts(ActionQuery(kind, last=date(2026, 3, 31))) == {}


def overdue_world(store):  # type: ignore[no-untyped-def]
    """Accepted 3 March, all due 10 March but the last: 1 closed late on 12 March; 2 still
    open; 3 closed on 3 April (open at March's end); 4 closed in time on 9 March; 5 due 31
    March, still open; 6 rejected late on 13 March."""

    def accepted(n: int, due: date) -> str:
        uuid = new_case(store, n)
        move(
            store,
            uuid,
            1,
            Action.ACCEPT,
            S.DRAFT,
            S.ACCEPTED,
            at(3),
            accepted_at=at(3),
            due_date=due,
        )
        return uuid

    late = accepted(1, date(2026, 3, 10))
    move(store, late, 2, Action.CLOSE, S.ACCEPTED, S.CLOSED, at(12), closed_at=at(12))
    accepted(2, date(2026, 3, 10))
    since = accepted(3, date(2026, 3, 10))
    move(
        store, since, 2, Action.CLOSE, S.ACCEPTED, S.CLOSED, at(3, month=4), closed_at=at(3, 10, 4)
    )
    in_time = accepted(4, date(2026, 3, 10))
    move(store, in_time, 2, Action.CLOSE, S.ACCEPTED, S.CLOSED, at(9), closed_at=at(9))
    accepted(5, date(2026, 3, 31))
    rejected = accepted(6, date(2026, 3, 10))
    move(store, rejected, 2, Action.REJECT, S.ACCEPTED, S.REJECTED, at(13), closed_at=at(13))


def test_a_past_months_overdue_cases_are_those_of_its_figure(store):
    overdue_world(store)
    march = ActionQuery("overdue_in", first=date(2026, 3, 1), last=date(2026, 3, 31))
    rows = list(store.action_cases(march))
    assert [c.case_no for c in rows] == [no(1), no(2), no(3), no(6)]
    assert [c.finished_on for c in rows] == [
        date(2026, 3, 12),
        None,
        date(2026, 4, 3),
        date(2026, 3, 13),
    ]
    assert store.action_counts(march) == {ORIGIN: 4}
    facts = store.supervised_cases(date(2026, 3, 1), date(2026, 3, 31))
    overdue = figures(facts, Period.month(2026, 3), WorkCalendar()).overdue
    assert overdue.part == 4  # the same cases the figure counts late


def test_a_later_month_sees_what_became_of_them(store):
    overdue_world(store)
    april = ActionQuery("overdue_in", first=date(2026, 4, 1), last=date(2026, 4, 30))
    assert listed(store, "overdue_in", april.last, april.first) == [no(2), no(3), no(5)]
    # ... and today's list (open now past due) has neither the one closed since nor the late ones
    assert listed(store, "overdue", date(2026, 4, 30)) == [no(2), no(5)]


def test_a_period_page_follows_by_key(store):
    overdue_world(store)
    march = ActionQuery("overdue_in", first=date(2026, 3, 1), last=date(2026, 3, 31))
    first = list(store.action_cases(march, None, 3))
    rest = list(store.action_cases(march, first[-1].key, 3))
    assert [c.case_no for c in first + rest] == [no(1), no(2), no(3), no(6)]


def test_the_overdue_figures_cases_of_a_past_month_include_those_closed_since(store):
    """The drill-down behind a past month's 超期 (`Store.figure_cases`) agrees with the list and
    the figure: case 3, open at March's end and closed on 3 April, is among them."""
    overdue_world(store)
    page = store.figure_cases("overdue", (date(2026, 3, 1), date(2026, 3, 31)), (1, ORIGIN, None))
    assert [c.case_no for c in page.cases] == [no(2), no(3), no(1), no(6)]
    assert page.after is None
