"""Masked personal data: exact shapes."""

from __future__ import annotations

from clerk.domain.masking import mask_account, mask_id, mask_name, mask_phone


def test_mask_resident_id() -> None:
    assert mask_id("430102199001011234") == "430***********1234"


def test_mask_id_keeps_length() -> None:
    assert len(mask_id("11010519491231002X")) == 18


def test_mask_passport() -> None:
    assert mask_id("E12345678") == "E12**5678"


def test_mask_short_id_keeps_last_two() -> None:
    assert mask_id("AB123") == "***23"


def test_mask_id_ignores_spaces() -> None:
    assert mask_id(" 430102 19900101 1234 ") == "430***********1234"


def test_mask_empty_id() -> None:
    assert (mask_id(""), mask_id(None)) == ("", "")


def test_mask_mobile() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_mask_landline_keeps_area_code() -> None:
    assert mask_phone("0746-8223456") == "0746-***3456"


def test_mask_landline_without_hyphen() -> None:
    assert mask_phone("07468223456") == "074****3456"


def test_mask_empty_phone() -> None:
    assert mask_phone("") == ""


def test_mask_account_last_four() -> None:
    assert mask_account("6222 0212 3456 7891 234") == "****1234"


def test_mask_account_hides_length() -> None:
    assert mask_account("62220212345678") == "****5678"


def test_mask_tiny_account() -> None:
    assert mask_account("1234") == "****"


def test_mask_empty_account() -> None:
    assert mask_account(None) == ""


def test_mask_three_character_name() -> None:
    assert mask_name("张三丰") == "张*丰"


def test_mask_two_character_name() -> None:
    assert mask_name("张三") == "张*"


def test_mask_four_character_name() -> None:
    assert mask_name("欧阳娜娜") == "欧**娜"


def test_mask_one_character_name() -> None:
    assert mask_name("张") == "*"


def test_mask_name_strips_spaces() -> None:
    assert mask_name(" 李四 ") == "李*"


def test_mask_empty_name() -> None:
    assert mask_name("") == ""
