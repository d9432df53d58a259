"""Contract: `Store.figure_cases` pages through the cases behind one supervision figure, the same
on every engine: which cases, in key order, with a key for the next page."""

from __future__ import annotations

from datetime import date

from clerk.domain.model import Action, CaseState, Rating
from clerk.ports.records import NewEvaluation
from clerk.ports.supervision import FIGURE_LABELS
from storage_contract.contract_helpers import ORIGIN, new_case
from storage_contract.test_contract_supervision import at, event, move

S = CaseState
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
ITEM = 1


def march(store) -> dict[str, str]:
    """Cases of item 1 at YZ01 in March 2026 (and one of item 2, one of February)."""
    late = new_case(store, 1)  # accepted, closed late, rated badly
    move(
        store,
        late,
        1,
        event(late, Action.ACCEPT, at(5), S.DRAFT, S.ACCEPTED),
        accepted_at=at(5),
        due_date=date(2026, 3, 9),
    )
    move(store, late, 2, event(late, Action.CLOSE, at(10), S.ACCEPTED, S.CLOSED), closed_at=at(10))
    with store.transaction():
        store.add_evaluation(
            NewEvaluation(case_uuid=late, point_code=ORIGIN, level=Rating("1"), at=at(10, hour=11))
        )
    open_late = new_case(store, 2)  # accepted, due on the 20th, still open
    move(
        store,
        open_late,
        1,
        event(open_late, Action.ACCEPT, at(6), S.DRAFT, S.ACCEPTED),
        accepted_at=at(6),
        due_date=date(2026, 3, 20),
    )
    refused = new_case(store, 3)
    move(store, refused, 1, event(refused, Action.REFUSE, at(4), S.DRAFT, S.REFUSED))
    noticed = new_case(store, 4)
    move(store, noticed, 1, event(noticed, Action.NOTICE, at(3), S.DRAFT, S.AWAITING_SUPPLEMENT))
    other_item = new_case(store, 5, item_no=2)
    move(store, other_item, 1, event(other_item, Action.REFUSE, at(4), S.DRAFT, S.REFUSED))
    return {"late": late, "open_late": open_late, "refused": refused, "noticed": noticed}


def uuids(store, figure: str, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    page = store.figure_cases(figure, MARCH, (ITEM, ORIGIN, None), **kw)
    return [c.uuid for c in page.cases]


def test_each_figure_gives_its_cases(store):
    c = march(store)
    assert uuids(store, "received") == [c["late"], c["open_late"], c["refused"], c["noticed"]]
    assert uuids(store, "accepted") == [c["late"], c["open_late"]]
    assert uuids(store, "closed") == [c["late"]]
    assert uuids(store, "refused") == [c["refused"]]
    assert uuids(store, "noticed") == [c["noticed"]]
    assert uuids(store, "bad") == [c["late"]]
    # the open one keyed by its due date (2026-03-20) sorts after the late close (03-10)
    assert uuids(store, "overdue") == [c["late"], c["open_late"]]
    assert set(FIGURE_LABELS) == {
        "received",
        "accepted",
        "closed",
        "refused",
        "noticed",
        "bad",
        "overdue",
    }


def test_pages_follow_each_other_by_key(store):
    c = march(store)
    first = store.figure_cases("received", MARCH, (ITEM, ORIGIN, None), limit=3)
    assert [x.uuid for x in first.cases] == [c["late"], c["open_late"], c["refused"]]
    assert first.after is not None and first.after[1] == first.cases[-1].case_no
    second = store.figure_cases("received", MARCH, (ITEM, ORIGIN, None), first.after, 3)
    assert [x.uuid for x in second.cases] == [c["noticed"]]
    assert second.after is None


def test_a_full_last_page_says_no_more(store):
    c = march(store)
    page = store.figure_cases("accepted", MARCH, (ITEM, ORIGIN, None), limit=2)
    assert [x.uuid for x in page.cases] == [c["late"], c["open_late"]]
    assert page.after is None


def test_another_office_point_or_month_has_none(store):
    march(store)
    assert store.figure_cases("received", MARCH, (ITEM, "YZ09", None)).cases == []
    assert store.figure_cases("received", MARCH, (ITEM, ORIGIN, "LS01")).cases == []
    assert len(store.figure_cases("received", MARCH, (ITEM, ORIGIN, ORIGIN)).cases) == 4
    april = (date(2026, 4, 1), date(2026, 4, 30))
    assert store.figure_cases("received", april, (ITEM, ORIGIN, None)).cases == []


def test_the_records_carry_the_applicant_for_masking_by_the_screen(store):
    c = march(store)
    page = store.figure_cases("refused", MARCH, (ITEM, ORIGIN, None))
    assert [(x.uuid, x.case_no, x.item_no) for x in page.cases] == [
        (c["refused"], "YZ01-20260302-0003", 1)
    ]
