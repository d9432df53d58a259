"""ID, permit, credit-code and phone validators: vectors, exact messages, single-character errors."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.domain.identifiers import (
    CREDIT_CHARSET,
    ID_TYPE_LABELS,
    IdCheck,
    birth_date_from_id,
    credit_code_check_char,
    resident_id_check_char,
    validate_credit_code,
    validate_foreign_permanent,
    validate_hk_macau_pass,
    validate_hk_macau_permit,
    validate_id,
    validate_landline,
    validate_mobile,
    validate_passport,
    validate_phone,
    validate_resident_id,
    validate_taiwan_pass,
    validate_taiwan_permit,
)

TODAY = date(2026, 9, 18)
GB_EXAMPLE = "11010519491231002X"  # GB 11643-1999
HUNAN_ID = "431102199001011239"
CREDIT_EXAMPLE = "91110000600037341L"  # GB 32100-2015
OTHER_CREDIT = "91350100M000100Y43"
CHECK_HINT = "，请核对最后一位；若最后一位无误，则是前17位有输错"


def ok(value: str) -> IdCheck:
    return IdCheck(True, "校验通过", value)


# -- check characters --------------------------------------------------------------------------


def test_id_check_char_of_gb_example() -> None:
    assert resident_id_check_char("11010519491231002") == "X"


def test_id_check_char_of_second_gb_example() -> None:
    assert resident_id_check_char("44052418800101001") == "4"


def test_credit_check_char_of_gb_example() -> None:
    assert credit_code_check_char("91110000600037341") == "L"


def test_credit_check_char_of_letters() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_check_char_rejects_bad_body() -> None:
    with pytest.raises(ValueError):
        resident_id_check_char("1101051949123100")


# -- resident ID ---------------------------------------------------------------------------------


def test_gb_example_is_valid() -> None:
    assert validate_resident_id(GB_EXAMPLE, today=TODAY) == ok(GB_EXAMPLE)


def test_lower_case_x_is_normalised() -> None:
    assert validate_resident_id("11010519491231002x", today=TODAY) == ok(GB_EXAMPLE)


def test_spaces_and_full_width_digits_are_normalised() -> None:
    assert validate_resident_id(" 110105 19491231 002Ｘ", today=TODAY) == ok(GB_EXAMPLE)
    assert validate_resident_id("４３１１０２１９９００１０１１２３９", today=TODAY) == ok(HUNAN_ID)


def test_wrong_check_char_message() -> None:
    result = validate_resident_id("110105194912310021", today=TODAY)
    assert result == IdCheck(False, "身份证号校验位应为 X" + CHECK_HINT, "110105194912310021")


def test_invalid_birth_date_message() -> None:
    assert validate_resident_id("110105194902301234", today=TODAY).message == (
        "第7–14位不是有效的出生日期，请核对出生年月日"
    )


def test_future_birth_date_message() -> None:
    future = "43112320260301001"
    value = future + resident_id_check_char(future)
    assert validate_resident_id(value, today=date(2026, 2, 28)).message == (
        "第7–14位的出生日期晚于今天，请核对出生年月日"
    )
    assert validate_resident_id(value, today=date(2026, 3, 1)).ok is True


def test_birth_before_1900_message() -> None:
    assert validate_resident_id("440524188001010014", today=TODAY).message == (
        "第7–14位的出生年份早于1900年，请核对出生年月日"
    )


def test_short_id_message() -> None:
    assert validate_resident_id("4311021990010112", today=TODAY).message == (
        "身份证号应为18位，现为16位，请核对是否漏输或多输"
    )


def test_first_generation_id_message() -> None:
    assert validate_resident_id("431102900101123", today=TODAY).message == (
        "这是15位的第一代身份证号码，已停止使用，请提供18位身份证号码"
    )


def test_letter_inside_message() -> None:
    assert (
        validate_resident_id("4311021990010A1239", today=TODAY).message
        == "身份证号第14位应为数字，请核对"
    )


def test_bad_last_char_message() -> None:
    assert validate_resident_id("43110219900101123Y", today=TODAY).message == (
        "身份证号最后一位应为数字或X，请核对"
    )


def test_bad_province_message() -> None:
    body = "99110219900101123"
    assert validate_resident_id(body + resident_id_check_char(body), today=TODAY).message == (
        "这是外国人永久居留身份证号码，请把证件类型改为“外国人永久居留身份证”"
    )
    body = "40110219900101123"
    assert validate_resident_id(body + resident_id_check_char(body), today=TODAY).message == (
        "身份证号第1–2位不是有效的省级行政区划代码，请核对"
    )


def test_permit_number_as_resident_id_hints_the_type() -> None:
    assert validate_resident_id("810000199001011230", today=TODAY).message == (
        "这是港澳居民居住证号码，请把证件类型改为“港澳居民居住证”"
    )
    assert validate_resident_id("830000200002297890", today=TODAY).message == (
        "这是台湾居民居住证号码，请把证件类型改为“台湾居民居住证”"
    )


def test_empty_message() -> None:
    assert validate_resident_id("  ", today=TODAY) == IdCheck(False, "请填写身份证号", "")


def test_household_register_uses_citizen_number() -> None:
    assert validate_id("household_register", GB_EXAMPLE, today=TODAY) == ok(GB_EXAMPLE)
    assert validate_id("household_register", "110105194912310021", today=TODAY).message == (
        "户口簿上的公民身份号码校验位应为 X" + CHECK_HINT
    )


@pytest.mark.parametrize("valid", [GB_EXAMPLE, HUNAN_ID])
def test_every_single_character_change_is_rejected(valid: str) -> None:
    for i in range(18):
        for c in "0123456789X":
            if c == valid[i]:
                continue
            changed = valid[:i] + c + valid[i + 1 :]
            assert validate_resident_id(changed, today=TODAY).ok is False, changed


# -- residence permits and permanent-residence cards ------------------------------------------------


def test_hong_kong_permit_is_valid() -> None:
    assert validate_hk_macau_permit("810000199001011230", today=TODAY) == ok("810000199001011230")


def test_macau_permit_is_valid() -> None:
    assert validate_id("hk_macau_permit", "820000198512314564", today=TODAY).ok is True


def test_taiwan_permit_is_valid() -> None:
    assert validate_taiwan_permit("830000200002297890", today=TODAY) == ok("830000200002297890")


def test_hk_permit_wrong_prefix_message() -> None:
    assert validate_hk_macau_permit(HUNAN_ID, today=TODAY).message == (
        "港澳居民居住证号码应以810000（香港）或820000（澳门）开头，请核对证件类型和号码"
    )


def test_taiwan_number_as_hk_permit_hints_the_type() -> None:
    assert validate_hk_macau_permit("830000200002297890", today=TODAY).message == (
        "这是台湾居民居住证号码，请把证件类型改为“台湾居民居住证”"
    )


def test_taiwan_permit_wrong_prefix_message() -> None:
    assert validate_taiwan_permit(HUNAN_ID, today=TODAY).message == (
        "台湾居民居住证号码应以830000开头，请核对证件类型和号码"
    )


def test_permit_check_char_message() -> None:
    assert validate_hk_macau_permit("810000199001011234", today=TODAY).message == (
        "居住证号码校验位应为 0" + CHECK_HINT
    )


def test_new_permanent_residence_card_is_valid() -> None:
    assert validate_foreign_permanent("911840198001010013", today=TODAY) == ok("911840198001010013")


def test_new_permanent_residence_card_check_message() -> None:
    assert validate_foreign_permanent("911840198001010014", today=TODAY).message == (
        "永久居留身份证号码校验位应为 3" + CHECK_HINT
    )


def test_new_card_must_start_with_nine() -> None:
    assert validate_foreign_permanent(HUNAN_ID, today=TODAY).message == (
        "2023版外国人永久居留身份证号码应以9开头，请核对证件类型和号码"
    )


def test_old_permanent_residence_card_is_valid() -> None:
    assert validate_foreign_permanent("usa110012345678", today=TODAY) == ok("USA110012345678")


def test_old_card_format_message() -> None:
    assert validate_foreign_permanent("US1110012345678", today=TODAY).message == (
        "旧版外国人永久居留证号码应为3个字母加12位数字，请核对"
    )


def test_permanent_card_length_message() -> None:
    assert validate_foreign_permanent("USA1100123", today=TODAY).message == (
        "外国人永久居留身份证号码应为18位（2023版，以9开头）或15位（旧版，3个字母加12位数字），现为10位"
    )


# -- passports and travel permits -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["E12345678", "EA1234567", "G12345678", "534567890", "k1234567"])
def test_passports_are_valid(value: str) -> None:
    assert validate_passport(value).ok is True


def test_passport_is_upper_cased() -> None:
    assert validate_passport("ea1234567").normalized == "EA1234567"


@pytest.mark.parametrize("value", ["E123", "E1234567-8", "ABCDEFGHI", "E" + "1" * 17])
def test_bad_passports(value: str) -> None:
    assert (
        validate_passport(value).message
        == "护照号码应为5–17位字母和数字（不含符号），请对照护照资料页核对"
    )


@pytest.mark.parametrize("value", ["H12345678", "M12345678", "H1234567801"])
def test_hk_macau_passes_are_valid(value: str) -> None:
    assert validate_hk_macau_pass(value) == ok(value)


@pytest.mark.parametrize("value", ["C12345678", "H1234567", "H123456780"])
def test_bad_hk_macau_passes(value: str) -> None:
    assert validate_hk_macau_pass(value).message == (
        "港澳居民来往内地通行证号码应为 H（香港）或 M（澳门）加8位数字（可另带2位换证次数），请核对"
    )


def test_taiwan_pass() -> None:
    assert validate_taiwan_pass("12345678") == ok("12345678")
    assert (
        validate_taiwan_pass("1234567").message
        == "台湾居民来往大陆通行证号码应为8位数字（旧证10位），请核对"
    )


# -- credit codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [CREDIT_EXAMPLE, OTHER_CREDIT])
def test_credit_codes_are_valid(value: str) -> None:
    assert validate_credit_code(value) == ok(value)


def test_credit_code_lower_case_is_normalised() -> None:
    assert validate_credit_code("91110000600037341l") == ok(CREDIT_EXAMPLE)


def test_credit_code_check_message() -> None:
    assert (
        validate_credit_code("91110000600037341M").message
        == "统一社会信用代码校验位应为 L" + CHECK_HINT
    )


def test_credit_code_excluded_letter_message() -> None:
    assert validate_credit_code("9111000060003734OL").message == (
        "统一社会信用代码第17位不能是字母O（代码不使用 I、O、Z、S、V），请核对是否应为数字"
    )


def test_credit_code_symbol_message() -> None:
    assert (
        validate_credit_code("91110000-00037341L").message
        == "统一社会信用代码第9位只能是数字或大写字母，请核对"
    )


def test_credit_code_length_message() -> None:
    assert validate_credit_code("9111000060003734").message == (
        "统一社会信用代码应为18位，现为16位，请对照营业执照或登记证书核对"
    )


@pytest.mark.parametrize(
    "value",
    ["12431100MB1234567E", "52431100MJ1234567Q", "Y1431100MJ12345672", "91100000600037341G"],
)
def test_credit_codes_of_other_authorities_and_national_registration_are_valid(value: str) -> None:
    assert validate_credit_code(value) == ok(value)


def test_credit_code_with_letters_in_the_division_code_is_rejected() -> None:
    # The check character is right: only the structure is wrong (python-stdnum rejects it too).
    assert validate_credit_code("9143AB00600037341M").message == (
        "统一社会信用代码第3–8位（登记管理机关行政区划码）应为6位数字，请核对"
    )


def test_credit_code_with_an_unknown_province_in_the_division_code_is_rejected() -> None:
    assert validate_credit_code("91991100600037341W").message == (
        "统一社会信用代码第3–8位（登记管理机关行政区划码）不是有效的行政区划代码，请核对"
    )


def test_credit_code_with_an_unknown_registration_authority_is_rejected() -> None:
    assert validate_credit_code("04431100600037341J").message == (
        "统一社会信用代码第1位（登记管理部门代码）不能是0，应为1–9、A、N或Y，请对照营业执照或登记证书核对"
    )


def test_credit_code_with_a_type_the_authority_does_not_have_is_rejected() -> None:
    assert validate_credit_code("954311006000373416").message == (
        "统一社会信用代码第2位（机构类别代码）不能是5：登记管理部门为市场监管（工商）时应为1、2、3，请核对"
    )


@pytest.mark.parametrize("valid", [CREDIT_EXAMPLE, OTHER_CREDIT])
def test_every_single_character_change_of_a_credit_code_is_rejected(valid: str) -> None:
    for i in range(18):
        for c in CREDIT_CHARSET + "IOZSV":
            if c == valid[i]:
                continue
            changed = valid[:i] + c + valid[i + 1 :]
            assert validate_credit_code(changed).ok is False, changed


# -- phones ------------------------------------------------------------------------------------------


def test_mobile_is_valid() -> None:
    assert validate_mobile("13812345678") == ok("13812345678")


def test_mobile_with_country_code_and_spaces() -> None:
    assert validate_mobile("+86 138 1234 5678") == ok("13812345678")


def test_mobile_length_message() -> None:
    assert validate_mobile("1381234567").message == "手机号码应为11位，现为10位，请核对"


def test_mobile_second_digit_message() -> None:
    assert validate_mobile("12812345678").message == "手机号码第2位应为3–9，请核对"


def test_landline_with_hyphen() -> None:
    assert validate_landline("0746-8223456") == ok("0746-8223456")


def test_landline_without_hyphen_gets_one() -> None:
    assert validate_landline("07468223456") == ok("0746-8223456")


def test_beijing_landline_has_three_digit_area_code() -> None:
    assert validate_landline("01088776655") == ok("010-88776655")


def test_landline_without_area_code_message() -> None:
    assert validate_landline("8223456").message == "固定电话请加区号，例如永州为 0746-8223456"


def test_landline_local_length_message() -> None:
    assert validate_landline("0746-82234").message == "区号0746后应为7–8位号码，现为5位，请核对"


def test_phone_accepts_mobile_and_landline() -> None:
    assert (validate_phone("13812345678").ok, validate_phone("0746-8223456").ok) == (True, True)


def test_phone_empty_message() -> None:
    assert validate_phone("").message == "请填写联系电话（手机号码或带区号的固定电话）"


def test_phone_other_message() -> None:
    assert (
        validate_phone("23456").message == "请填写11位手机号码或带区号的固定电话，例如 0746-8223456"
    )


# -- dispatcher --------------------------------------------------------------------------------------


def test_labels_cover_every_type() -> None:
    for id_type in ID_TYPE_LABELS:
        assert validate_id(id_type, "").message != "证件类型无效，请从列表中选择证件类型"


def test_labels_are_chinese() -> None:
    assert ID_TYPE_LABELS["resident_id"] == "居民身份证"
    assert ID_TYPE_LABELS["hk_macau_pass"] == "港澳居民来往内地通行证"
    assert ID_TYPE_LABELS["credit_code"] == "统一社会信用代码"


def test_unknown_type() -> None:
    assert validate_id("driving_licence", "123") == IdCheck(
        False, "证件类型无效，请从列表中选择证件类型", "123"
    )


def test_dispatch_to_credit_code() -> None:
    assert validate_id("credit_code", CREDIT_EXAMPLE) == ok(CREDIT_EXAMPLE)


def test_messages_never_contain_the_number() -> None:
    for value in ("110105194912310021", "110105194902301234", "4311021990010A1239"):
        assert value[:6] not in validate_resident_id(value, today=TODAY).message


@given(id_type=st.sampled_from(sorted(ID_TYPE_LABELS) + ["nonsense"]), value=st.text(max_size=30))
def test_validators_never_raise(id_type: str, value: str) -> None:
    result = validate_id(id_type, value, today=TODAY)
    assert isinstance(result, IdCheck) and isinstance(result.message, str)


@given(value=st.text(max_size=30))
def test_phone_validator_never_raises(value: str) -> None:
    assert isinstance(validate_phone(value), IdCheck)


# -- birth dates --------------------------------------------------------------------------------------


def test_birth_date_from_id() -> None:
    assert birth_date_from_id("11010519491231002x") == date(1949, 12, 31)


def test_birth_date_from_permit() -> None:
    assert birth_date_from_id("830000200002297890") == date(2000, 2, 29)


def test_birth_date_from_invalid_id_is_none() -> None:
    assert birth_date_from_id("110105194912310021") is None


def test_birth_date_from_short_number_is_none() -> None:
    assert birth_date_from_id("E12345678") is None
