"""Contract: what the search box and the queues answer, and what the store says about itself."""

from __future__ import annotations

from datetime import date

from clerk.ports.records import CaseChanges
from storage_contract.contract_helpers import case_row, new_case


def _nos(records) -> list[str]:
    return [r.case_no for r in records]


def test_search_finds_a_case_by_a_name(store):
    new_case(store, 1)
    new_case(store, 2, applicant_name="李四", id_number="430104199003077777")
    assert _nos(store.search("张三丰")) == ["YZ01-20260302-0001"]


def test_search_finds_two_characters_anywhere_in_a_name(store):
    new_case(store, 1, applicant_name="欧阳小明")
    new_case(store, 2, applicant_name="李小红", id_number="430104199003077777")
    new_case(store, 3, applicant_name="王五", id_number="430104199003071111")
    assert sorted(_nos(store.search("小明"))) == ["YZ01-20260302-0001"]
    assert sorted(_nos(store.search("阳小"))) == ["YZ01-20260302-0001"]
    assert sorted(_nos(store.search("小红"))) == ["YZ01-20260302-0002"]


def test_search_of_one_character_finds_every_name_holding_it(store):
    new_case(store, 1, applicant_name="欧阳小明")
    new_case(store, 2, applicant_name="李小红", id_number="430104199003077777")
    new_case(store, 3, applicant_name="王五", id_number="430104199003071111")
    assert sorted(_nos(store.search("小"))) == ["YZ01-20260302-0001", "YZ01-20260302-0002"]


def test_search_does_not_find_a_name_that_holds_the_pairs_but_not_the_words(store):
    """王小明小王 holds every pair of 小王小 (小王, 王小) but not 小王小 itself."""
    new_case(store, 1, applicant_name="王小明小王")
    assert _nos(store.search("小王小")) == []
    assert _nos(store.search("明小王")) == ["YZ01-20260302-0001"]


def test_search_finds_a_unit_by_part_of_its_name(store):
    new_case(
        store,
        1,
        applicant_kind="unit",
        applicant_name="赵六",
        unit_name="永州市零陵区阳光食品有限公司",
        id_number=None,
    )
    assert _nos(store.search("阳光食品")) == ["YZ01-20260302-0001"]
    assert _nos(store.search("光食")) == ["YZ01-20260302-0001"]


def test_find_by_id_number_is_exact(store):
    new_case(store, 1)
    assert (
        _nos(store.find_by_id_number("11010519491231002X")),
        store.find_by_id_number("1101"),
    ) == (
        ["YZ01-20260302-0001"],
        [],
    )


def test_search_tails_finds_the_sequence_at_the_end_of_a_case_number(store):
    """A case number ends with its daily sequence and a check character (read off a slip)."""
    new_case(store, 1, case_no="YZ01202603020001K")
    new_case(store, 2, case_no="YZ01202603020002H", id_number="430104199003077777")
    assert _nos(store.search_tails("0002")) == ["YZ01202603020002H"]


def test_cases_of_items_lists_the_items_cases(store):
    new_case(store, 1)
    new_case(store, 2, item_no=2)
    assert _nos(store.cases_of_items([2])) == ["YZ01-20260302-0002"]


def test_accepted_cases_await_review_and_drafts_are_unfinished(store):
    first = new_case(store, 1)
    new_case(store, 2)
    store.update_case(first, CaseChanges(state="accepted"), 1)
    assert (_nos(store.awaiting_review()), _nos(store.unfinished())) == (
        ["YZ01-20260302-0001"],
        ["YZ01-20260302-0002"],
    )


def test_received_on_is_the_day_the_case_came_in(store):
    new_case(store, 1)
    assert (_nos(store.received_on(date(2026, 3, 2))), store.received_on(date(2026, 3, 3))) == (
        ["YZ01-20260302-0001"],
        [],
    )


def test_the_store_names_where_it_lives_its_schema_and_its_time(store):
    assert (
        bool(store.location) and "@" not in store.location,
        store.schema_version() > 0,
        store.now(),
    ) == (True, True, "2026-03-02T09:00:00+08:00")


def test_get_case_by_no_reads_the_number_exactly(store):
    new_case(store, 1)
    found = store.get_case_by_no(case_row(1).case_no)
    assert (found.uuid if found else None) == case_row(1).uuid
