"""F3 finds what a clerk types: case numbers in any letter case and by their last characters,
ID numbers by their last 6, item names and pinyin initials."""

# ruff: noqa: F811  (the window and clock fixtures are imported from test_service)
from __future__ import annotations

import pytest
from test_service import PERSON_ID, person, user, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("engine")  # on SQLite and on PostgreSQL (support.engines)


def test_a_case_number_in_lower_case_is_found(window) -> None:
    view = window.open_case(user(window, "clerk1"), 31, person())
    assert [s.case_no for s in window.search(view.case_no.lower())] == [view.case_no]


def test_a_case_number_typed_in_groups_is_found(window) -> None:
    view = window.open_case(user(window, "clerk1"), 31, person())
    grouped = f"{view.case_no[:4]} {view.case_no[4:12]}-{view.case_no[12:]}"
    assert [s.case_no for s in window.search(grouped)] == [view.case_no]


def test_a_case_is_found_by_the_last_digits_of_its_number(window) -> None:
    clerk = user(window, "clerk1")
    first = window.open_case(clerk, 31, person())
    second = window.open_case(clerk, 31, person())
    assert second.case_no[-5:-1] == "0002"
    assert [s.case_no for s in window.search("0002")] == [second.case_no]
    assert [s.case_no for s in window.search(first.case_no[-5:].lower())] == [first.case_no]


def test_a_case_is_found_by_the_last_6_of_the_id_number(window) -> None:
    view = window.open_case(user(window, "clerk1"), 31, person())
    found = window.search(PERSON_ID[-6:])
    assert [s.case_no for s in found] == [view.case_no]
    assert PERSON_ID not in repr(found[0])  # the result carries the masked name only


def test_pinyin_initials_find_the_cases_of_an_item(window) -> None:
    view = window.open_case(user(window, "clerk1"), 31, person())
    assert window.catalog.item(31).name == "住院费用报销"
    assert [s.case_no for s in window.search("zyfy")] == [view.case_no]


def test_an_item_name_finds_its_cases(window) -> None:
    view = window.open_case(user(window, "clerk1"), 31, person())
    assert [s.case_no for s in window.search("住院费用")] == [view.case_no]
