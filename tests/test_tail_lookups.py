"""Lookups a county-size file must not scan for (migration 11): a case by the last digits of its
number, an applicant by the last 6 of the ID number, and the open bad ratings, oldest first."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from support.tamper import file_connection, query_plan
from test_storage_support import case_row, open_store

from clerk.domain.case_numbers import make_case_number
from clerk.domain.model import Rating
from clerk.ports.records import NewEvaluation
from clerk.storage.sqlite import queries

IDS = ["430102199001011234", "430102199202025678", "11010519491231002X"]


def _no(day: int, seq: int) -> str:
    return make_case_number("YZ01", date(2026, 3, day), seq)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "clerk.db")
    for n, (day, seq) in enumerate(((2, 1288), (3, 1288), (3, 1), (4, 12)), start=1):
        s.insert_case(
            case_row(
                n,
                case_no=_no(day, seq),
                id_number=IDS[n % 3],
                received_at=datetime.fromisoformat(f"2026-03-0{day}T09:{n:02d}:00+08:00"),
                point_code="YZ0101" if n == 4 else "YZ01",
            )
        )
    yield s
    s.close()


def nos(rows):
    return [r.case_no for r in rows]


def _plan(store, sql, params):
    return query_plan(store, sql, params)


@pytest.fixture
def conn(store):
    """A connection of its own to the store's file: the adapter's query functions take one."""
    with file_connection(store) as c:
        yield c


def test_four_digits_find_every_day_with_that_sequence_newest_first(store, conn):
    assert nos(queries.by_case_no_tail(conn, "1288")) == [_no(3, 1288), _no(2, 1288)]


def test_the_sequence_with_its_check_character_finds_one_case(store, conn):
    tail = _no(2, 1288)[-5:]
    assert nos(queries.by_case_no_tail(conn, tail.lower())) == [_no(2, 1288)]


def test_a_longer_tail_with_the_date_narrows_to_that_day(store, conn):
    assert nos(queries.by_case_no_tail(conn, "202603021288")) == [_no(2, 1288)]


def test_fewer_than_four_digits_still_find_by_the_end_of_the_number(store, conn):
    assert nos(queries.by_case_no_tail(conn, "12")) == [_no(4, 12)]
    assert nos(queries.by_case_no_tail(conn, "288")) == [_no(3, 1288), _no(2, 1288)]


def test_four_digit_tails_read_the_sequence_index_not_every_case(store):
    params = {
        "seq_check": "1288",
        "seq": None,
        "tail": "%1288",
        "tail_check": "%1288_",
        "limit": 10,
    }
    plan = _plan(store, queries.BY_CASE_SEQ_TAIL, params)
    assert "idx_cases_seq_tail" in plan
    assert "SCAN cases" not in plan


def test_the_last_6_of_an_id_number_use_their_index(store, conn):
    assert nos(queries.by_id_tail(conn, "01234")) == []  # exactly the last 6, not 5
    assert nos(queries.by_id_tail(conn, "011234")) == [_no(3, 1)]
    assert nos(queries.by_id_tail(conn, "31002x")) == [_no(3, 1288)]  # upper-case X, as stored
    assert nos(queries.by_id_tail(conn, "025678")) == [_no(4, 12), _no(2, 1288)]
    plan = _plan(store, queries.BY_ID_TAIL, {"tail": "011234", "limit": 10})
    assert "idx_cases_id_tail" in plan and "SCAN cases" not in plan


def _rate(store, n, level, at, followed=False):
    case_uuid = f"00000000-0000-4000-8000-{n:012d}"
    store.add_evaluation(
        NewEvaluation(
            case_uuid=case_uuid,
            point_code="YZ01",
            level=Rating(level),
            at=datetime.fromisoformat(at),
        )
    )
    if followed:
        store.follow_up_evaluation(case_uuid, "已回访", "2026-03-09T10:00:00+08:00")


def test_open_bad_ratings_come_oldest_rating_first_each_case_once(store, conn):
    _rate(store, 3, "1", "2026-03-05T10:00:00+08:00")
    _rate(store, 1, "2", "2026-03-06T10:00:00+08:00")
    _rate(store, 3, "2", "2026-03-07T10:00:00+08:00")  # the same case again
    _rate(store, 2, "1", "2026-03-04T10:00:00+08:00", followed=True)  # followed up: gone
    _rate(store, 4, "5", "2026-03-03T10:00:00+08:00")  # a good rating: not a queue entry
    assert nos(queries.bad_ratings_awaiting_follow_up(conn)) == [_no(3, 1), _no(2, 1288)]


def test_the_bad_ratings_queue_is_a_page_and_filters_by_point(store, conn):
    for n in (1, 2, 3, 4):
        _rate(store, n, "1", f"2026-03-0{n + 4}T10:00:00+08:00")
    assert nos(queries.bad_ratings_awaiting_follow_up(conn, limit=2)) == [
        _no(2, 1288),
        _no(3, 1288),
    ]
    assert nos(queries.bad_ratings_awaiting_follow_up(conn, point_code="YZ0101")) == [_no(4, 12)]


def test_the_bad_ratings_queue_reads_its_partial_index(store):
    plan = _plan(store, queries.BAD_RATINGS_OPEN + " ORDER BY v.at LIMIT 10", {})
    assert "idx_evaluations_bad_open" in plan


@pytest.mark.parametrize("name", ["NOTICES_OF", "NOTICES_OF_ONE"])
def test_a_lists_notices_are_read_by_case_not_by_action(store, name):
    sql = getattr(queries, name).format(marks="?, ?")
    args = ("a", "b") if "{marks}" in getattr(queries, name) else ("a",)
    plan = query_plan(store, sql, args)
    assert "idx_events_case" in plan and "idx_events_action_at" not in plan
