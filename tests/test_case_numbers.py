"""Case numbers with an ISO 7064 MOD 37,36 check character; UUID version 7."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.domain.case_numbers import (
    ALPHABET,
    check_case_number,
    check_char,
    make_case_number,
    new_uuid,
    parse_case_number,
)

DAY = date(2026, 9, 18)
NUMBER = "YZ01202609180001N"


def test_make_case_number() -> None:
    assert make_case_number("YZ01", DAY, 1) == NUMBER


def test_make_case_number_pads_sequence() -> None:
    assert make_case_number("YZ01", DAY, 42)[:-1] == "YZ01202609180042"


def test_check_char_value() -> None:
    # Cross-checked against an independent ISO 7064 MOD 37,36 implementation.
    assert check_char("YZ01202609180001") == "N"


def test_parse_case_number() -> None:
    assert parse_case_number(NUMBER) == ("YZ01", DAY, 1)


def test_parse_long_point_code() -> None:
    number = make_case_number("YZ01T03V12", DAY, 9999)
    assert parse_case_number(number) == ("YZ01T03V12", DAY, 9999)


def test_parse_accepts_lower_case_and_groups() -> None:
    assert parse_case_number("yz01-20260918-0001-n") == ("YZ01", DAY, 1)


def test_check_valid() -> None:
    assert check_case_number(NUMBER) is True


def test_check_wrong_check_char() -> None:
    assert check_case_number(NUMBER[:-1] + "M") is False


def test_parse_wrong_check_char_message() -> None:
    with pytest.raises(ValueError, match="^办件编号校验码不符，可能有输错的字符，请核对$"):
        parse_case_number(NUMBER[:-1] + "M")


def test_parse_bad_shape_message() -> None:
    with pytest.raises(
        ValueError, match="^办件编号格式不对：应为服务点编码＋8位日期＋4位序号＋1位校验码，请核对$"
    ):
        parse_case_number("YZ01")


def test_parse_bad_date() -> None:
    body = "YZ01202602300001"
    with pytest.raises(ValueError, match="^办件编号中的日期无效，请核对$"):
        parse_case_number(body + check_char(body))


def test_parse_zero_sequence() -> None:
    body = "YZ01202609180000"
    with pytest.raises(ValueError, match="^办件编号中的序号不能为0000，请核对$"):
        parse_case_number(body + check_char(body))


def test_point_code_too_short() -> None:
    body = "Y202609180001"
    assert check_case_number(body + check_char(body)) is False


@pytest.mark.parametrize("seq", [0, 10000])
def test_sequence_out_of_range(seq: int) -> None:
    with pytest.raises(ValueError):
        make_case_number("YZ01", DAY, seq)


def test_bad_point_code() -> None:
    with pytest.raises(ValueError):
        make_case_number("yz-1", DAY, 1)


@pytest.mark.parametrize(
    "number",
    [
        NUMBER,
        make_case_number("YZ14T9", date(2027, 12, 31), 9999),
        make_case_number("A0", date(2004, 1, 1), 7),
    ],
)
def test_every_single_character_change_is_detected(number: str) -> None:
    for i in range(len(number)):
        for c in ALPHABET:
            if c != number[i]:
                assert check_case_number(number[:i] + c + number[i + 1 :]) is False, (i, c)


def test_adjacent_transpositions_of_the_example_are_detected() -> None:
    for i in range(len(NUMBER) - 1):
        if NUMBER[i] != NUMBER[i + 1]:
            swapped = NUMBER[:i] + NUMBER[i + 1] + NUMBER[i] + NUMBER[i + 2 :]
            assert check_case_number(swapped) is False, i


@given(
    point=st.from_regex(r"[A-Z0-9]{2,10}", fullmatch=True),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    seq=st.integers(min_value=1, max_value=9999),
)
def test_round_trip(point: str, day: date, seq: int) -> None:
    assert parse_case_number(make_case_number(point, day, seq)) == (point, day, seq)


@given(
    a=st.tuples(st.from_regex(r"[A-Z0-9]{2,10}", fullmatch=True), st.integers(1, 9999)),
    b=st.tuples(st.from_regex(r"[A-Z0-9]{2,10}", fullmatch=True), st.integers(1, 9999)),
)
def test_different_points_or_sequences_never_collide(
    a: tuple[str, int], b: tuple[str, int]
) -> None:
    if a != b:
        assert make_case_number(a[0], DAY, a[1]) != make_case_number(b[0], DAY, b[1])


# -- UUIDs -------------------------------------------------------------------------------------------


def test_uuid_is_version_7() -> None:
    value = uuid.UUID(new_uuid())
    assert (value.version, value.variant) == (7, uuid.RFC_4122)


def test_uuid_standard_form() -> None:
    text = new_uuid()
    assert (len(text), text.count("-"), text) == (36, 4, text.lower())


def test_uuid_carries_the_time() -> None:
    at = datetime(2026, 9, 18, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    value = uuid.UUID(new_uuid(at))
    assert value.int >> 80 == int(at.timestamp() * 1000)


def test_uuids_sort_by_time() -> None:
    t = datetime(2026, 9, 18, 9, 30, tzinfo=UTC)
    earlier = [new_uuid(t) for _ in range(20)]
    later = [new_uuid(t + timedelta(milliseconds=1)) for _ in range(20)]
    assert max(earlier) < min(later)


def test_uuids_are_unique() -> None:
    t = datetime(2026, 9, 18, 9, 30, tzinfo=UTC)
    assert len({new_uuid(t) for _ in range(5000)}) == 5000
