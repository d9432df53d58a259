"""Item matching at the counter: numbers, codes, Chinese words, pinyin."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.domain.catalog import default_catalog
from clerk.domain.item_search import (
    RANK_CODE,
    RANK_NUMBER,
    RANK_PINYIN,
    RANK_WORDS,
    ItemFinder,
    find_items,
)


@cache
def finder() -> ItemFinder:
    return ItemFinder(default_catalog())


def nos(query: str) -> list[int]:
    return [item.no for item in finder().find(query)]


def test_empty_query_lists_all_39_items_in_order() -> None:
    assert nos("") == list(range(1, 40))


def test_blank_query_lists_all_items() -> None:
    assert nos("   ") == list(range(1, 40))


def test_number_finds_that_item_only() -> None:
    assert nos("31") == [31]


def test_single_digit_number() -> None:
    assert nos("9") == [9]


def test_number_out_of_range_finds_nothing() -> None:
    assert nos("40") == []


def test_zero_finds_nothing() -> None:
    assert nos("0") == []


def test_twelve_digit_sub_item_code() -> None:
    assert nos("002036006002") == [31]


def test_sub_item_code_shared_by_several_items() -> None:
    assert nos("002036001002") == [3, 4, 5, 6, 7, 8]


def test_main_item_code_with_y() -> None:
    assert nos("00203600400Y") == [21, 22, 23, 24, 25]


def test_main_item_code_lower_case_y() -> None:
    assert nos("00203600400y") == [21, 22, 23, 24, 25]


def test_partial_code() -> None:
    assert nos("004001") == [21]


def test_ydjy_finds_the_remote_medical_filing_items() -> None:
    assert nos("ydjy") == [21, 22, 23, 24, 25]


def test_zyfy_finds_inpatient_reimbursement() -> None:
    assert nos("zyfy") == [31]


def test_pinyin_initials_are_case_insensitive() -> None:
    assert nos("ZYFY") == [31]


def test_pinyin_initials_skip_brackets() -> None:
    assert nos("zgjsdjztcb") == [6]


def test_full_pinyin() -> None:
    assert nos("zhuyuan") == [31, 35]


def test_full_pinyin_may_end_inside_a_syllable() -> None:
    assert nos("shengy") == [32, 33]


def test_chinese_substring() -> None:
    assert nos("住院") == [31, 35]


def test_chinese_words_all_must_match() -> None:
    assert nos("住院 救助") == [35]


def test_chinese_matches_main_item_name() -> None:
    assert nos("异地就医") == [21, 22, 23, 24, 25]


def test_nonsense_finds_nothing() -> None:
    assert nos("xyzq") == []


def test_number_ranks_before_pinyin_when_combined() -> None:
    assert finder().ranked("31")[0] == (RANK_NUMBER, default_catalog().item(31))


def test_code_rank() -> None:
    assert [rank for rank, _ in finder().ranked("002036006002")] == [RANK_CODE]


def test_words_rank_before_pinyin() -> None:
    ranked = finder().ranked("住院")
    assert {rank for rank, _ in ranked} == {RANK_WORDS}


def test_pinyin_rank() -> None:
    assert {rank for rank, _ in finder().ranked("ydjy")} == {RANK_PINYIN}


def test_find_items_convenience_matches_finder() -> None:
    assert [i.no for i in find_items(default_catalog(), "zyfy")] == [31]


@pytest.mark.parametrize("item_no", range(1, 40))
def test_every_item_found_by_its_own_name(item_no: int) -> None:
    item = default_catalog().item(item_no)
    assert item_no in nos(item.name)


@pytest.mark.parametrize("item_no", range(1, 40))
def test_every_item_found_by_its_sub_item_code(item_no: int) -> None:
    item = default_catalog().item(item_no)
    assert item_no in nos(item.sub_item.code)


@given(st.text(max_size=12))
def test_any_text_returns_items_of_the_catalogue_without_duplicates(query: str) -> None:
    found = nos(query)
    assert len(found) == len(set(found))
    assert set(found) <= set(range(1, 40))
