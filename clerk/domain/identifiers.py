"""Validators for identity documents, unit credit codes and phone numbers.

Every validator takes what the clerk typed and returns an `IdCheck`; none raises for bad input.
`normalized` is the value to store: full-width characters made half-width (NFKC), spaces removed,
letters upper-cased (so a lower-case x in an ID becomes X).

Messages are Chinese, say what is wrong and what to do, and never repeat the number itself (they
may end up in an exception shown on screen, and an ID number is sensitive personal information).

Checks:
- 18-character citizen numbers (GB 11643-1999): resident ID, the number on a household register,
  residence permits for Hong Kong/Macau (prefix 810000/820000) and Taiwan (830000) residents, and
  the 2023 foreigners' permanent residence card (starts with 9). 17 digits + check character,
  weights 2^(17-i) mod 11, check "10X98765432"[S mod 11]; digits 7-14 a real birth date, not in the
  future.
- Older foreigners' permanent residence card: 3 letters + 12 digits, format only (its check digit
  scheme is not published in a standard we can cite).
- Passports and mainland travel permits: format only.
- Unified social credit code (GB 32100-2015): 18 characters of 0-9A-HJ-NP-RTUW-Y; check character
  (31 - S mod 31) mod 31 with weights 3^i mod 31. The structure is checked too: character 1 is a
  registration-authority code and character 2 an organisation-type code of that authority (the
  standard's table 1 with its amendments: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游,
  7 宗教, 8 工会, 9 市场监管（工商）, A 军队编制, N 农业农村, Y 其他), characters 3-8 a six-digit
  administrative-division code (GB/T 2260: a provincial code, or 100000 for national registration).
  python-stdnum's `cn.uscc` only requires digits in 1-8, which rejects the authorities A, N and Y
  and accepts any pair of digits as authority and type, so the table is kept here.
- Phones: mobile 1[3-9] + 9 digits; landline 0 + area code (010/02x, else 4 digits) + 7-8 digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from clerk.domain.clock import system_clock
from clerk.domain.clock import today as clock_today

ID_TYPE_LABELS: dict[str, str] = {
    "resident_id": "居民身份证",
    "household_register": "户口簿",
    "hk_macau_permit": "港澳居民居住证",
    "taiwan_permit": "台湾居民居住证",
    "foreign_permanent": "外国人永久居留身份证",
    "passport": "护照",
    "hk_macau_pass": "港澳居民来往内地通行证",
    "taiwan_pass": "台湾居民来往大陆通行证",
    "credit_code": "统一社会信用代码",
}

ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_EXCLUDED = "IOZSV"

# Provincial-level division codes that begin mainland citizen numbers (71: Taiwan-born residents).
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71".split()
)
HK_PREFIX, MACAU_PREFIX, TAIWAN_PREFIX = "810000", "820000", "830000"
EARLIEST_BIRTH = date(1900, 1, 1)

# GB 32100-2015 table 1 (with its amendments): registration authority -> organisation types.
CREDIT_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("市场监管（工商）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业农村",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}
NATIONAL_DIVISION = "100000"

OK_MESSAGE = "校验通过"


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    message: str  # Chinese: what is wrong and what to do ("校验通过" when ok)
    normalized: str


def _ok(value: str) -> IdCheck:
    return IdCheck(True, OK_MESSAGE, value)


def _bad(value: str, message: str) -> IdCheck:
    return IdCheck(False, message, value)


def normalize(value: str) -> str:
    """Half-width, no whitespace, upper case."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).upper()


def resident_id_check_char(body: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of a citizen number."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("body must be 17 digits")
    s = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[s % 11]


def credit_code_check_char(body: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    if len(body) != 17 or any(c not in CREDIT_CHARSET for c in body):
        raise ValueError("body must be 17 characters of the credit-code charset")
    s = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - s % 31) % 31]


def _birth_date(v: str) -> date | None:
    digits = v[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _check_citizen_number(v: str, noun: str, today: date | None) -> str | None:
    """Length, characters, birth date and check character of an 18-character number whose
    prefix the caller has checked. Returns the problem, or None."""
    if len(v) != 18:
        return f"{noun}应为18位，现为{len(v)}位，请核对是否漏输或多输"
    for i, c in enumerate(v[:17]):
        if not ("0" <= c <= "9"):
            return f"{noun}第{i + 1}位应为数字，请核对"
    if not ("0" <= v[17] <= "9" or v[17] == "X"):
        return f"{noun}最后一位应为数字或X，请核对"
    born = _birth_date(v)
    if born is None:
        return "第7–14位不是有效的出生日期，请核对出生年月日"
    if born < EARLIEST_BIRTH:
        return "第7–14位的出生年份早于1900年，请核对出生年月日"
    if born > (today or clock_today(system_clock)):
        return "第7–14位的出生日期晚于今天，请核对出生年月日"
    expected = resident_id_check_char(v[:17])
    if v[17] != expected:
        return f"{noun}校验位应为 {expected}，请核对最后一位；若最后一位无误，则是前17位有输错"
    return None


def _wrong_type_hint(v: str) -> str | None:
    """A hint when a number clearly belongs to another document type."""
    if v.startswith((HK_PREFIX, MACAU_PREFIX)):
        return "这是港澳居民居住证号码，请把证件类型改为“港澳居民居住证”"
    if v.startswith(TAIWAN_PREFIX):
        return "这是台湾居民居住证号码，请把证件类型改为“台湾居民居住证”"
    if v.startswith("9") and len(v) == 18:
        return "这是外国人永久居留身份证号码，请把证件类型改为“外国人永久居留身份证”"
    return None


def _empty(noun: str) -> str:
    return f"请填写{noun}"


# ------------------------------------------------------------------------------------------------
# Identity documents


def validate_resident_id(
    value: str, *, today: date | None = None, noun: str = "身份证号"
) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty(noun))
    if len(v) == 15 and v.isdigit():
        return _bad(v, "这是15位的第一代身份证号码，已停止使用，请提供18位身份证号码")
    hint = _wrong_type_hint(v)
    if hint is not None:
        return _bad(v, hint)
    if len(v) == 18 and v[:2].isdigit() and v[:2] not in PROVINCE_CODES:
        return _bad(v, f"{noun}第1–2位不是有效的省级行政区划代码，请核对")
    problem = _check_citizen_number(v, noun, today)
    return _bad(v, problem) if problem else _ok(v)


def validate_household_register(value: str, *, today: date | None = None) -> IdCheck:
    """A household register (户口簿) is identified by the holder's citizen number."""
    return validate_resident_id(value, today=today, noun="户口簿上的公民身份号码")


def validate_hk_macau_permit(value: str, *, today: date | None = None) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty("港澳居民居住证号码"))
    if v.startswith(TAIWAN_PREFIX):
        return _bad(v, "这是台湾居民居住证号码，请把证件类型改为“台湾居民居住证”")
    if not v.startswith((HK_PREFIX, MACAU_PREFIX)):
        return _bad(
            v, "港澳居民居住证号码应以810000（香港）或820000（澳门）开头，请核对证件类型和号码"
        )
    problem = _check_citizen_number(v, "居住证号码", today)
    return _bad(v, problem) if problem else _ok(v)


def validate_taiwan_permit(value: str, *, today: date | None = None) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty("台湾居民居住证号码"))
    if v.startswith((HK_PREFIX, MACAU_PREFIX)):
        return _bad(v, "这是港澳居民居住证号码，请把证件类型改为“港澳居民居住证”")
    if not v.startswith(TAIWAN_PREFIX):
        return _bad(v, "台湾居民居住证号码应以830000开头，请核对证件类型和号码")
    problem = _check_citizen_number(v, "居住证号码", today)
    return _bad(v, problem) if problem else _ok(v)


_OLD_FOREIGN_CARD = re.compile(r"^[A-Z]{3}\d{12}$")


def validate_foreign_permanent(value: str, *, today: date | None = None) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty("外国人永久居留身份证号码"))
    if len(v) == 15:
        if _OLD_FOREIGN_CARD.match(v):
            return _ok(v)
        return _bad(v, "旧版外国人永久居留证号码应为3个字母加12位数字，请核对")
    if len(v) == 18:
        if not v.startswith("9"):
            return _bad(v, "2023版外国人永久居留身份证号码应以9开头，请核对证件类型和号码")
        problem = _check_citizen_number(v, "永久居留身份证号码", today)
        return _bad(v, problem) if problem else _ok(v)
    return _bad(
        v,
        f"外国人永久居留身份证号码应为18位（2023版，以9开头）或15位（旧版，3个字母加12位数字），现为{len(v)}位",
    )


_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")


def validate_passport(value: str, *, today: date | None = None) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty("护照号码"))
    if not _PASSPORT.match(v) or not any(c.isdigit() for c in v):
        return _bad(v, "护照号码应为5–17位字母和数字（不含符号），请对照护照资料页核对")
    return _ok(v)


_HK_MACAU_PASS = re.compile(r"^[HM]\d{8}(\d{2})?$")


def validate_hk_macau_pass(value: str, *, today: date | None = None) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty("港澳居民来往内地通行证号码"))
    if not _HK_MACAU_PASS.match(v):
        return _bad(
            v,
            "港澳居民来往内地通行证号码应为 H（香港）或 M（澳门）加8位数字（可另带2位换证次数），请核对",
        )
    return _ok(v)


_TAIWAN_PASS = re.compile(r"^\d{8}(\d{2})?$")


def validate_taiwan_pass(value: str, *, today: date | None = None) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty("台湾居民来往大陆通行证号码"))
    if not _TAIWAN_PASS.match(v):
        return _bad(v, "台湾居民来往大陆通行证号码应为8位数字（旧证10位），请核对")
    return _ok(v)


# ------------------------------------------------------------------------------------------------
# Units


def validate_credit_code(value: str, *, today: date | None = None) -> IdCheck:
    v = normalize(value)
    if not v:
        return _bad(v, _empty("统一社会信用代码"))
    if len(v) != 18:
        return _bad(v, f"统一社会信用代码应为18位，现为{len(v)}位，请对照营业执照或登记证书核对")
    for i, c in enumerate(v):
        if c in CREDIT_EXCLUDED:
            return _bad(
                v,
                f"统一社会信用代码第{i + 1}位不能是字母{c}（代码不使用 I、O、Z、S、V），请核对是否应为数字",
            )
        if c not in CREDIT_CHARSET:
            return _bad(v, f"统一社会信用代码第{i + 1}位只能是数字或大写字母，请核对")
    structure = _credit_structure_problem(v)
    if structure is not None:
        return _bad(v, structure)
    expected = credit_code_check_char(v[:17])
    if v[17] != expected:
        return _bad(
            v,
            f"统一社会信用代码校验位应为 {expected}，请核对最后一位；若最后一位无误，则是前17位有输错",
        )
    return _ok(v)


def _credit_structure_problem(v: str) -> str | None:
    """What is wrong with the authority, type or division part of a credit code, if anything."""
    authority = CREDIT_AUTHORITIES.get(v[0])
    if authority is None:
        return (
            f"统一社会信用代码第1位（登记管理部门代码）不能是{v[0]}，"
            "应为1–9、A、N或Y，请对照营业执照或登记证书核对"
        )
    name, types = authority
    if v[1] not in types:
        allowed = "、".join(types)
        return (
            f"统一社会信用代码第2位（机构类别代码）不能是{v[1]}："
            f"登记管理部门为{name}时应为{allowed}，请核对"
        )
    division = v[2:8]
    if not division.isdigit():
        return "统一社会信用代码第3–8位（登记管理机关行政区划码）应为6位数字，请核对"
    if division != NATIONAL_DIVISION and division[:2] not in PROVINCE_CODES - {"71"}:
        return "统一社会信用代码第3–8位（登记管理机关行政区划码）不是有效的行政区划代码，请核对"
    return None


# ------------------------------------------------------------------------------------------------
# Phones


def _phone_digits(value: str) -> str:
    text = normalize(value)
    return re.sub(r"[-()]", "", text)


def _strip_country_code(digits: str) -> str:
    for prefix in ("+86", "0086", "86"):
        if (
            digits.startswith(prefix)
            and len(digits) - len(prefix) == 11
            and digits[len(prefix)] == "1"
        ):
            return digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> IdCheck:
    digits = _strip_country_code(_phone_digits(value))
    if not digits:
        return _bad(digits, "请填写手机号码")
    if not digits.isascii() or not digits.isdigit():
        return _bad(digits, "手机号码只能包含数字，请核对")
    if len(digits) != 11:
        return _bad(digits, f"手机号码应为11位，现为{len(digits)}位，请核对")
    if digits[0] != "1":
        return _bad(digits, "手机号码应以1开头，请核对")
    if digits[1] not in "3456789":
        return _bad(digits, "手机号码第2位应为3–9，请核对")
    return _ok(digits)


def _area_code_length(digits: str) -> int:
    """3 for 010 and 020-029, else 4 (digits start with 0)."""
    return 3 if digits[1] in "12" else 4


def validate_landline(value: str) -> IdCheck:
    raw = normalize(value)
    digits = _phone_digits(value)
    if not digits:
        return _bad(raw, "请填写固定电话号码")
    if not digits.isascii() or not digits.isdigit():
        return _bad(raw, "固定电话只能包含数字和“-”，例如 0746-8223456")
    if digits[0] != "0":
        if len(digits) in (7, 8):
            return _bad(raw, "固定电话请加区号，例如永州为 0746-8223456")
        return _bad(raw, "固定电话应以区号开头（0开头），例如 0746-8223456")
    if len(digits) < 2 or digits[1] == "0":
        return _bad(raw, "区号不能以00开头（那是国际长途），请核对")
    n = _area_code_length(digits)
    if digits[1] == "1" and digits[:3] != "010":
        return _bad(raw, "区号有误：以01开头的区号只有010（北京），请核对")
    area, local = digits[:n], digits[n:]
    if len(local) not in (7, 8):
        return _bad(raw, f"区号{area}后应为7–8位号码，现为{len(local)}位，请核对")
    if local[0] in "01":
        return _bad(raw, "区号后的号码不能以0或1开头，请核对区号和号码")
    return _ok(f"{area}-{local}")


def validate_phone(value: str) -> IdCheck:
    """A mobile number or a landline with area code (either is accepted as a contact phone)."""
    digits = _strip_country_code(_phone_digits(value))
    if not digits:
        return _bad(digits, "请填写联系电话（手机号码或带区号的固定电话）")
    if digits.startswith("1"):
        return validate_mobile(value)
    if digits.startswith("0") or len(digits) in (7, 8):
        return validate_landline(value)
    return _bad(normalize(value), "请填写11位手机号码或带区号的固定电话，例如 0746-8223456")


# ------------------------------------------------------------------------------------------------
# Dispatch


_VALIDATORS: dict[str, Callable[..., IdCheck]] = {
    "resident_id": validate_resident_id,
    "household_register": validate_household_register,
    "hk_macau_permit": validate_hk_macau_permit,
    "taiwan_permit": validate_taiwan_permit,
    "foreign_permanent": validate_foreign_permanent,
    "passport": validate_passport,
    "hk_macau_pass": validate_hk_macau_pass,
    "taiwan_pass": validate_taiwan_pass,
    "credit_code": validate_credit_code,
}


def validate_id(id_type: str, value: str, *, today: date | None = None) -> IdCheck:
    """Validate `value` as a document of `id_type` (a key of `ID_TYPE_LABELS`). Never raises."""
    validator = _VALIDATORS.get(id_type)
    if validator is None:
        return _bad(normalize(value), "证件类型无效，请从列表中选择证件类型")
    return validator(value if isinstance(value, str) else "", today=today)


def birth_date_from_id(value: str) -> date | None:
    """The birth date in an 18-character citizen number (resident ID, residence permit, 2023
    permanent-residence card) that passes its check; None for anything else."""
    v = normalize(value)
    if len(v) != 18 or _check_citizen_number(v, "", date.max) is not None:
        return None
    return _birth_date(v)
