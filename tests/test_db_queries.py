"""The window's queries: exact results, and an index behind each one."""

from __future__ import annotations

from datetime import date

import pytest
from support.tamper import raw_rows, raw_value
from test_storage_support import case_row, open_store

from clerk.storage.sqlite import queries

UNIT = {
    "applicant_kind": "unit",
    "id_type": "credit_code",
    "id_number": "91110000600037341L",
    "credit_code": "91110000600037341L",
}


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "clerk.db")
    rows = [
        case_row(
            1,
            applicant_name="张三丰",
            state="accepted",
            due_date="2026-03-05",
            received_at="2026-03-02T09:00:00+08:00",
        ),
        case_row(
            2,
            applicant_name="张小三",
            state="accepted",
            due_date="2026-03-10",
            id_number="430102199001011234",
            received_at="2026-03-03T10:00:00+08:00",
            point_code="YZ0101",
            office_code="YZ01",
        ),
        case_row(
            3,
            applicant_name="李四",
            state="awaiting_supplement",
            id_number="430102199001011234",
            received_at="2026-03-03T11:00:00+08:00",
            point_code="YZ02",
            office_code="YZ02",
        ),
        case_row(
            4,
            applicant_name="永州演示商贸有限公司",
            unit_name="永州演示商贸有限公司",
            state="awaiting_payment",
            received_at="2026-03-04T08:30:00+08:00",
            **UNIT,
        ),
        case_row(
            5,
            applicant_name="王五",
            state="closed",
            due_date="2026-03-03",
            received_at="2026-03-01T16:00:00+08:00",
        ),
    ]
    for r in rows:
        s.insert_case(r)
    yield s
    s.close()


def nos(rows):
    return [r.case_no[-4:] for r in rows]


def test_full_text_finds_a_name_containing_the_query(store):
    assert nos(store.search_names("张三")) == ["0001"]


def test_full_text_needs_the_characters_in_a_row(store):
    assert nos(store.search_names("张小")) == ["0002"]
    assert nos(store.search_names("三丰")) == ["0001"]


def test_full_text_finds_one_character_anywhere(store):
    assert sorted(nos(store.search_names("三"))) == ["0001", "0002"]


def test_full_text_pages_the_newest_matches_newest_first(store):
    # 张三丰 (0001) and 张小三 (0002) both hold 张; a page of one holds only the newer one.
    def page(limit):  # type: ignore[no-untyped-def]
        return [r.case_no[-4:] for r in queries.by_full_text(store.db, "张", limit=limit)]

    assert page(1) == ["0002"]
    assert page(2) == ["0002", "0001"]


def test_full_text_covers_unit_names(store):
    assert nos(store.search_names("商贸")) == ["0004"]


def test_full_text_ignores_punctuation_only_queries(store):
    assert store.search_names('"*') == []


def test_quotes_in_a_query_do_not_break_the_match(store):
    assert store.search_names('张"三') == store.search_names("张三")


def test_id_numbers_are_never_in_the_search_index(store):
    indexed = raw_value(
        store, "SELECT group_concat(applicant_name || unit_name, '') FROM cases_fts"
    )
    assert not any(ch.isdigit() for ch in indexed)
    assert store.search_names("11010519491231002X") == []
    columns = [r[1] for r in raw_rows(store, "PRAGMA table_info(cases_fts)")]
    assert columns == ["case_uuid", "applicant_name", "unit_name"]


def test_name_prefix(store):
    assert nos(store.find_by_name_prefix("张")) == ["0001", "0002"]
    assert nos(store.find_by_name_prefix("张三")) == ["0001"]
    assert store.find_by_name_prefix("") == []


def test_id_number_exact_newest_first(store):
    assert nos(store.find_by_id_number("430102199001011234")) == ["0003", "0002"]
    assert nos(store.find_by_id_number("11010519491231002x")) == ["0001", "0005"]
    assert store.find_by_id_number("43010219900101123") == []


def test_units_by_credit_code_or_name_prefix(store):
    assert nos(store.find_units("91110000600037341l")) == ["0004"]
    assert nos(store.find_units("永州演示")) == ["0004"]


def test_cases_between_dates(store):
    assert nos(store.cases_between(date(2026, 3, 2), date(2026, 3, 3))) == ["0001", "0002", "0003"]


def test_cases_between_dates_in_a_state(store):
    assert nos(store.cases_between(date(2026, 3, 1), date(2026, 3, 4), state="accepted")) == [
        "0001",
        "0002",
    ]


def test_received_on(store):
    assert nos(store.received_on(date(2026, 3, 3))) == ["0002", "0003"]
    assert nos(store.received_on(date(2026, 3, 3), point_code="YZ02")) == ["0003"]


def test_awaiting_review_includes_the_offices_points(store):
    assert nos(store.awaiting_review("YZ01")) == ["0001", "0002"]
    assert nos(store.awaiting_review("YZ0101")) == ["0002"]


def test_due_on_or_before_only_open_cases(store):
    assert nos(store.due_on_or_before(date(2026, 3, 5))) == ["0001"]
    assert nos(store.due_on_or_before(date(2026, 3, 10))) == ["0001", "0002"]


def test_overdue(store):
    assert nos(store.overdue(date(2026, 3, 5))) == []
    assert nos(store.overdue(date(2026, 3, 6))) == ["0001"]


def test_awaiting_supplement_and_payment(store):
    assert nos(store.awaiting_supplement()) == ["0003"]
    assert nos(store.awaiting_supplement(point_code="YZ01")) == []
    assert nos(store.awaiting_payment("YZ01")) == ["0004"]


def test_search_box_by_case_number_id_and_name(store):
    assert nos(store.search("YZ01-20260302-0003")) == ["0003"]
    assert nos(store.search("430102199001011234")) == ["0003", "0002"]
    assert nos(store.search("91110000600037341L")) == ["0004"]
    assert nos(store.search("张三")) == ["0001"]
    assert store.search("  ") == []


# ---------------------------------------------------------------------- plans

PARAMS = {
    "case_no": "x",
    "id_number": "x",
    "code": "x",
    "low": "张",
    "high": "张",
    "limit": 10,
    "match": '"张"',
    "start": "2026-03-01",
    "end": "2026-03-02",
    "state": "accepted",
    "paying": "awaiting_payment",
    "day": "2026-03-02",
    "point": "YZ01",
}
PLANS = {
    "BY_CASE_NO": "USING INDEX sqlite_autoindex_cases_2 (case_no=?)",
    "BY_ID_NUMBER": "USING INDEX idx_cases_id_number (id_number=?)",
    "BY_CREDIT_CODE": "USING INDEX idx_cases_credit_code (credit_code=?)",
    "BY_NAME_PREFIX": "USING INDEX idx_cases_applicant_name (applicant_name>? AND applicant_name<?)",
    "BY_UNIT_PREFIX": "USING INDEX idx_cases_unit_name (unit_name>? AND unit_name<?)",
    "BY_FULL_TEXT": "VIRTUAL TABLE INDEX",
    "RECEIVED_BETWEEN": "USING INDEX idx_cases_received_at (received_at>? AND received_at<?)",
    "IN_STATE_BETWEEN": "USING INDEX idx_cases_state_received (state=? AND received_at>? AND received_at<?)",
    "IN_STATE": "USING INDEX idx_cases_state_received (state=?)",
    "DUE_BY": "USING INDEX idx_cases_state_due (state=? AND due_date<?)",
    "DUE_BEFORE": "USING INDEX idx_cases_state_due (state=? AND due_date<?)",
}


# The ORDER BY the queue functions append (it changes which index the planner picks).
ORDER = {
    "IN_STATE": " ORDER BY received_at, case_no",
    "IN_STATE_BETWEEN": " ORDER BY received_at, case_no",
    "RECEIVED_BETWEEN": " ORDER BY received_at, case_no",
    "DUE_BY": " ORDER BY due_date, received_at, case_no",
    "DUE_BEFORE": " ORDER BY due_date, received_at, case_no",
}


def _plan(store, sql):
    return " | ".join(r[3] for r in raw_rows(store, "EXPLAIN QUERY PLAN " + sql, PARAMS))


@pytest.mark.parametrize("name", sorted(PLANS))
def test_each_query_uses_an_index(store, name):
    plan = _plan(store, getattr(queries, name) + ORDER.get(name, ""))
    assert PLANS[name] in plan
    assert "SCAN cases" not in plan and "SCAN c " not in plan


@pytest.mark.parametrize("name", ["IN_STATE", "DUE_BY", "RECEIVED_BETWEEN"])
def test_the_point_filter_keeps_the_index(store, name):
    point = " AND (point_code = :point OR office_code = :point)"
    plan = _plan(store, getattr(queries, name) + point + ORDER[name])
    assert PLANS[name] in plan


def test_full_text_joins_cases_by_primary_key(store):
    assert "SEARCH c USING INDEX sqlite_autoindex_cases_1 (uuid=?)" in _plan(
        store, queries.BY_FULL_TEXT
    )


def test_events_of_a_case_use_an_index(store):
    plan = _plan(store, "SELECT * FROM events WHERE case_uuid = 'x' ORDER BY seq")
    assert "USING INDEX idx_events_case (case_uuid=?)" in plan


def test_material_checks_of_a_case_use_an_index(store):
    plan = _plan(store, "SELECT * FROM case_materials WHERE case_uuid = 'x' ORDER BY material_id")
    assert "USING INDEX sqlite_autoindex_case_materials_2 (case_uuid=?)" in plan
