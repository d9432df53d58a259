"""The columns of the 表6 roster (《湖南省城乡居民基本医疗保险参保登记汇总表》) as clerk reads it.

The Yongzhou guide's 表6 prints 序号, 姓名, 性别, 户籍所在地, 参保身份, 身份证号码, 联系电话, 补助类别,
本年缴费金额, 实际缴费时间, 备注. Colleges enrol 港澳台 and foreign students too, so clerk's template
asks for the document type and number instead of only a resident ID, plus the student number and
class a college needs to find a student again. Columns are matched by their header text, in any
order; `aliases` are the other spellings found on real rosters (表6 says 身份证号码).
"""

from __future__ import annotations

from dataclasses import dataclass

from clerk.domain.identifiers import ID_TYPE_LABELS

SHEET_NAME = "参保登记汇总表"
INSTRUCTIONS_SHEET = "填写说明"
MAX_ROWS = 9999  # a point numbers at most 9999 cases a day (clerk.domain.case_numbers.MAX_SEQ)

# Document types a student may enrol with (no credit code: a student is a person).
ID_TYPES: dict[str, str] = {
    label: key for key, label in ID_TYPE_LABELS.items() if key != "credit_code"
}
ID_TYPE_ALIASES: dict[str, str] = {
    "身份证": "resident_id",
    "居民身份证号码": "resident_id",
    "港澳居民居住证": "hk_macau_permit",
    "港澳台居民居住证": "taiwan_permit",  # resolved by the number's prefix (810000/820000/830000)
    "永久居留身份证": "foreign_permanent",
    "外国人永久居留证": "foreign_permanent",
    "外国护照": "passport",
    "港澳通行证": "hk_macau_pass",
    "台胞证": "taiwan_pass",
}
SEXES = ("男", "女")
IDENTITIES = ("大学生",)
SUBSIDIES = (
    "无",
    "低保",
    "特困人员",
    "重度残疾人",
    "孤儿",
    "监测户",
    "稳定脱贫户",
    "低保边缘家庭成员",
    "事实无人抚养儿童",
    "其他",
)


@dataclass(frozen=True)
class Column:
    key: str
    name: str  # the header text of clerk's template
    required: bool
    max_len: int
    width: int  # column width in the template
    hint: str  # one line of the instructions sheet
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", False, 10, 6, "可留空；不作核对。"),
    Column("name", "姓名", True, 50, 12, "必填，与证件上的姓名一致，不超过50个字。"),
    Column(
        "id_type",
        "证件类型",
        True,
        20,
        22,
        "必填，从下拉列表选择：居民身份证；港澳台学生选居住证或通行证；外国留学生选护照或永久居留身份证。",
        ("身份证件类型",),
        tuple(ID_TYPES),
    ),
    Column(
        "id_number",
        "证件号码",
        True,
        30,
        24,
        "必填。本列已设为文本格式，请勿改成数字格式，否则 Excel 会把18位号码变成 4.30121E+17 并丢掉后几位。",
        ("身份证号码", "身份证号", "身份证件号码", "公民身份号码"),
    ),
    Column(
        "sex",
        "性别",
        True,
        1,
        6,
        "必填，男或女；须与身份证号码第17位一致（单数为男，双数为女）。",
        (),
        SEXES,
    ),
    Column(
        "birth_date",
        "出生日期",
        True,
        10,
        12,
        "必填，格式 2006-09-01；须与身份证号码中的出生日期一致。",
        ("出生年月日",),
    ),
    Column("phone", "联系电话", False, 20, 14, "选填，11位手机号码或带区号的固定电话。"),
    Column("student_no", "学号", True, 30, 14, "必填，不超过30个字符；同一名册内不能重复。"),
    Column(
        "class_name",
        "院系/班级",
        False,
        60,
        22,
        "选填，如“护理学院2026级1班”，不超过60个字。",
        ("院系", "班级", "院系班级"),
    ),
    Column(
        "domicile",
        "户籍所在地",
        False,
        60,
        22,
        "选填，如“湖南省永州市冷水滩区”，不超过60个字。",
        ("户籍所在地（居住证登记地）",),
    ),
    Column("identity", "参保身份", False, 10, 10, "选填，留空即为“大学生”。", (), IDENTITIES),
    Column(
        "subsidy",
        "补助类别",
        False,
        20,
        16,
        "选填，从下拉列表选择；没有补助的留空或选“无”。",
        (),
        SUBSIDIES,
    ),
    Column("note", "备注", False, 100, 20, "选填，不超过100个字。"),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
# Columns of the printed 表6 that enrolment does not use: accepted and ignored.
IGNORED_HEADERS = frozenset({"本年缴费金额", "实际缴费时间"})


def header_key(text: str) -> str | None:
    """The column key a header cell names, or None."""
    cleaned = "".join(str(text).split()).replace("／", "/")
    for column in COLUMNS:
        if cleaned == column.name or cleaned in column.aliases:
            return column.key
    return None


def id_type_key(label: str, number: str = "") -> str | None:
    """The `clerk.domain.identifiers` id type for a 证件类型 cell, or None when it names none."""
    text = "".join(label.split())
    key = ID_TYPES.get(text) or ID_TYPE_ALIASES.get(text)
    if (
        key == "taiwan_permit"
        and text == "港澳台居民居住证"
        and number.startswith(("810000", "820000"))
    ):
        return "hk_macau_permit"
    return key
