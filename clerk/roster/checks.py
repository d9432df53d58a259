"""Every check a roster row must pass before any student of it is enrolled, all reported at once.

Input is what `clerk.roster.reader` read; output is a `RosterCheck`: the students that can be
enrolled and every problem, each with its spreadsheet row and column (the same spirit as the
one-time notice: the school corrects everything in one go). Pure: no database. Whether a student
is already enrolled is asked by `clerk.service.enrolment`, which adds those rows as `ENROLLED` problems.

Checks per row: required cells present, no cell longer than its column allows; 证件类型 one of the
list; 证件号码 valid for its type (`clerk.domain.identifiers`: check digit and birth date of citizen
numbers and residence permits, permit, pass and passport formats) and not turned into a number by
Excel (4.30121E+17 has lost its last digits); 性别 男/女 and equal to the 17th digit of an
18-character citizen number; 出生日期 a date, not in the future, equal to the one in the number;
联系电话 a mobile or landline number; 参保身份 and 补助类别 from their lists. Then across rows: the same
证件号码 or 学号 twice in the file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clerk.domain.identifiers import birth_date_from_id, normalize, validate_id, validate_phone
from clerk.roster.columns import (
    BY_KEY,
    COLUMNS,
    IDENTITIES,
    IGNORED_HEADERS,
    MAX_ROWS,
    SEXES,
    SUBSIDIES,
    header_key,
    id_type_key,
)
from clerk.roster.problems import ENROLLED, FILE, ROW, Problem
from clerk.roster.reader import Sheet

HEADER_SEARCH_ROWS = 5  # the header may sit under a title line or two (the printed 表6 has one)
# Citizen-number formats whose 17th digit gives the sex and digits 7-14 the birth date.
CITIZEN_TYPES = frozenset({"resident_id", "household_register", "hk_macau_permit", "taiwan_permit"})
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_NUMBER = "被 Excel 存成了数字（显示为 4.30121E+17 一类），后几位已经丢失"
COLUMN_ORDER = {c.name: i for i, c in enumerate(COLUMNS)}


@dataclass(frozen=True)
class Student:
    """One valid row: what enrolment stores. Personal data: never logged, masked on screen."""

    row: int
    name: str
    id_type: str
    id_number: str  # normalized
    sex: str
    birth_date: date
    phone: str
    student_no: str
    class_name: str = ""
    domicile: str = ""
    identity: str = "大学生"
    subsidy: str = ""
    note: str = ""


@dataclass(frozen=True)
class RosterCheck:
    source: str
    kind: str
    sha256: str
    data_rows: int  # rows under the header with any content
    students: tuple[Student, ...]  # rows that passed every check
    problems: tuple[Problem, ...] = field(default=())
    # (学号, 姓名) as written, for every row with a problem: the notice names rows by them
    labels: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def file_problems(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.kind == FILE)

    @property
    def row_problems(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.kind == ROW)

    @property
    def enrolled(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.kind == ENROLLED)

    @property
    def bad_rows(self) -> tuple[int, ...]:
        """Rows that need correcting, in order."""
        return tuple(sorted({p.row for p in self.row_problems}))

    @property
    def importable(self) -> bool:
        """Whether some students can be enrolled at all (a broken file enrols nobody)."""
        return not self.file_problems and bool(self.students)

    @property
    def clean(self) -> bool:
        """No file problem and no row to correct (already-enrolled rows are only skipped)."""
        return not self.file_problems and not self.row_problems

    def with_enrolled(self, enrolled: dict[str, str]) -> RosterCheck:
        """Move the students whose ID number is in `enrolled` (number -> case number) to problems."""
        keep: list[Student] = []
        extra: list[Problem] = []
        for s in self.students:
            case_no = enrolled.get(s.id_number)
            if case_no is None:
                keep.append(s)
            else:
                extra.append(
                    Problem(
                        s.row,
                        BY_KEY["id_number"].name,
                        f"该学生已在本机参保登记（办件编号 {case_no}），不再重复登记。",
                        ENROLLED,
                    )
                )
        labels = {
            **self.labels,
            **{s.row: (s.student_no, s.name) for s in self.students if s.id_number in enrolled},
        }
        return RosterCheck(
            self.source,
            self.kind,
            self.sha256,
            self.data_rows,
            tuple(keep),
            _sorted([*self.problems, *extra]),
            labels,
        )


def _sorted(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.row, COLUMN_ORDER.get(p.column, 99), p.message)))


# ---------------------------------------------------------------------- header


def _find_header(sheet: Sheet) -> tuple[int, tuple[Any, ...]] | None:
    for row_no, values in sheet.rows[:HEADER_SEARCH_ROWS]:
        known = {header_key(v) for v in values if isinstance(v, str)} - {None}
        if len(known) >= 3:
            return row_no, values
    return None


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _map_header(row_no: int, values: tuple[Any, ...], problems: list[Problem]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        text = "" if value is None else "".join(str(value).split())
        if not text:
            continue
        key = header_key(text)
        if key is None:
            if text not in IGNORED_HEADERS:
                problems.append(
                    Problem.file(
                        f"第{_letter(i)}列的栏目“{text}”不是汇总表的栏目，请改为模板中的栏目名称"
                        f"（{'、'.join(c.name for c in COLUMNS)}）或删去该列。",
                        row=row_no,
                    )
                )
            continue
        if key in seen:
            problems.append(
                Problem.file(
                    f"“{BY_KEY[key].name}”栏出现了两次（第{_letter(seen[key])}列和第{_letter(i)}列），请删去多余的一列。",
                    row=row_no,
                )
            )
            continue
        seen[key] = i
        mapping[i] = key
    for column in COLUMNS:
        if column.required and column.key not in seen:
            problems.append(
                Problem.file(
                    f"表头缺少“{column.name}”栏，请按模板补上该列并填写。",
                    row=row_no,
                    column=column.name,
                )
            )
    return mapping


# ---------------------------------------------------------------------- cells


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = normalize(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return None


class _Row:
    def __init__(self, row_no: int, values: tuple[Any, ...], mapping: dict[int, str]) -> None:
        self.row_no = row_no
        self.raw: dict[str, Any] = {
            key: values[i] if i < len(values) else None for i, key in mapping.items()
        }
        self.problems: list[Problem] = []

    def text(self, key: str) -> str:
        return _cell_text(self.raw.get(key))

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.row_no, BY_KEY[key].name, message, ROW))

    @property
    def empty(self) -> bool:
        return all(not self.text(k) for k in self.raw if k != "seq")


def _check_row(row: _Row, today: date) -> Student | None:
    for column in COLUMNS:
        if column.key not in row.raw:
            continue
        text = row.text(column.key)
        if not text:
            if column.required:
                row.fail(column.key, f"未填写，请填写{column.name}。")
            continue
        if column.key != "id_number" and not column.choices and len(text) > column.max_len:
            row.fail(column.key, f"超过{column.max_len}个字（现为{len(text)}个），请删减。")
    name = row.text("name")
    if name and any(ch.isdigit() for ch in name):
        row.fail("name", "姓名中有数字，请核对是否填错了列。")
    id_type = _check_id_type(row)
    id_number = _check_id_number(row, id_type, today)
    sex = _check_sex(row, id_type, id_number)
    birth = _check_birth(row, id_type, id_number, today)
    phone = _check_phone(row)
    identity = row.text("identity") or IDENTITIES[0]
    if identity not in IDENTITIES:
        row.fail("identity", f"大中专院校汇总表的参保身份应为“{IDENTITIES[0]}”，或留空。")
    subsidy = row.text("subsidy")
    if subsidy and subsidy not in SUBSIDIES:
        row.fail("subsidy", f"“{subsidy}”不是补助类别，请从下拉列表选择：{'、'.join(SUBSIDIES)}。")
    if row.problems or id_type is None or id_number is None or birth is None or sex is None:
        return None
    return Student(
        row=row.row_no,
        name=" ".join(name.split()),
        id_type=id_type,
        id_number=id_number,
        sex=sex,
        birth_date=birth,
        phone=phone,
        student_no=row.text("student_no"),
        class_name=row.text("class_name"),
        domicile=row.text("domicile"),
        identity=identity,
        subsidy="" if subsidy == "无" else subsidy,
        note=row.text("note"),
    )


def _check_id_type(row: _Row) -> str | None:
    label = row.text("id_type")
    if not label:
        return None
    key = id_type_key(label, normalize(row.text("id_number")))
    if key is None:
        row.fail(
            "id_type", f"“{label}”不是可选的证件类型，请从下拉列表选择（如：居民身份证、护照）。"
        )
    return key


def _check_id_number(row: _Row, id_type: str | None, today: date) -> str | None:
    raw = row.raw.get("id_number")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if isinstance(raw, float) and not raw.is_integer() or abs(raw) >= 10**15:
            row.fail(
                "id_number",
                f"证件号码{EXCEL_NUMBER}。请把该列设为“文本”格式，按证件重新填写完整号码。",
            )
            return None
        raw = str(int(raw))
    text = _cell_text(raw)
    if not text:
        return None
    if _SCIENTIFIC.match(normalize(text)):
        row.fail(
            "id_number", f"证件号码{EXCEL_NUMBER}。请把该列设为“文本”格式，按证件重新填写完整号码。"
        )
        return None
    if id_type is None:
        return None
    result = validate_id(id_type, text, today=today)
    if not result.ok:
        row.fail("id_number", result.message + "。")
        return None
    return result.normalized


def _id_sex(id_type: str | None, id_number: str | None) -> str | None:
    if id_number is None or len(id_number) != 18 or not id_number[16].isdigit():
        return None
    if id_type in CITIZEN_TYPES or (id_type == "foreign_permanent" and id_number.startswith("9")):
        return "男" if int(id_number[16]) % 2 else "女"
    return None


def _check_sex(row: _Row, id_type: str | None, id_number: str | None) -> str | None:
    sex = row.text("sex")
    if not sex:
        return None
    if sex not in SEXES:
        row.fail("sex", "性别请填“男”或“女”。")
        return None
    expected = _id_sex(id_type, id_number)
    if expected is not None and expected != sex:
        row.fail(
            "sex",
            f"与证件号码第17位不符（单数为男、双数为女，按号码应为“{expected}”），请核对性别或证件号码。",
        )
        return None
    return sex


def _check_birth(row: _Row, id_type: str | None, id_number: str | None, today: date) -> date | None:
    raw = row.raw.get("birth_date")
    if _cell_text(raw) == "":
        return None
    born = _parse_date(raw)
    if born is None:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            row.fail("birth_date", "出生日期是一个数字而不是日期，请按 2006-09-01 的格式填写。")
        else:
            row.fail("birth_date", "不是有效的日期，请按 2006-09-01 的格式填写。")
        return None
    if born > today:
        row.fail("birth_date", "出生日期晚于今天，请核对。")
        return None
    if born.year < 1900:
        row.fail("birth_date", "出生年份早于1900年，请核对。")
        return None
    in_number = birth_date_from_id(id_number) if id_number and _id_sex(id_type, id_number) else None
    if in_number is not None and in_number != born:
        row.fail("birth_date", "与证件号码第7–14位的出生日期不一致，请核对出生日期或证件号码。")
        return None
    return born


def _check_phone(row: _Row) -> str:
    raw = row.raw.get("phone")
    text = _cell_text(raw)
    if not text:
        return ""
    if _SCIENTIFIC.match(normalize(text)) or (isinstance(raw, float) and not raw.is_integer()):
        row.fail(
            "phone",
            "联系电话被 Excel 转成了科学计数法，后几位已丢失，请把该列设为文本格式后重新填写。",
        )
        return ""
    result = validate_phone(text)
    if not result.ok:
        row.fail("phone", result.message + "。")
        return ""
    return result.normalized


# ---------------------------------------------------------------------- the whole roster


def _duplicates(rows: list[_Row], key: str, value_of: dict[int, str], what: str) -> list[Problem]:
    groups: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        value = value_of.get(row.row_no)
        if value:
            groups[value].append(row.row_no)
    problems: list[Problem] = []
    for numbers in groups.values():
        if len(numbers) < 2:
            continue
        for n in numbers:
            others = "、".join(str(m) for m in numbers if m != n)
            problems.append(
                Problem(
                    n,
                    BY_KEY[key].name,
                    f"与第{others}行的{what}重复：同一学生只能登记一次，请删去重复的行或核对{what}。",
                )
            )
    return problems


def check_sheet(sheet: Sheet, *, today: date) -> RosterCheck:
    """Check every row of `sheet`; students who passed and every problem found."""
    problems: list[Problem] = list(sheet.problems)
    if sheet.kind == "unknown" or (not sheet.rows and problems):
        return RosterCheck(sheet.source, sheet.kind, sheet.sha256, 0, (), _sorted(problems))
    found = _find_header(sheet)
    if found is None:
        names = "、".join(c.name for c in COLUMNS if c.required)
        problems.append(
            Problem.file(
                f"找不到表头：第1行应为栏目名称（至少包括{names}）。"
                "请用 clerk roster template 生成的模板填写，或在第1行补上栏目名称。",
                row=sheet.rows[0][0] if sheet.rows else 0,
            )
        )
        return RosterCheck(
            sheet.source, sheet.kind, sheet.sha256, len(sheet.rows), (), _sorted(problems)
        )
    header_row, header_values = found
    mapping = _map_header(header_row, header_values, problems)
    data = [_Row(n, values, mapping) for n, values in sheet.rows if n > header_row]
    data = [r for r in data if not r.empty]
    _unlabelled_cells(sheet, header_row, len(header_values), problems)
    if len(data) > MAX_ROWS:
        problems.append(
            Problem.file(
                f"名册有 {len(data)} 行，一次最多导入 {MAX_ROWS} 行，请分成几个文件分批导入。"
            )
        )
    if not data:
        problems.append(Problem.file("表头下面没有学生，请填写后再导入。", row=header_row))
    students = {}
    id_numbers: dict[int, str] = {}
    student_nos: dict[int, str] = {}
    for row in data:
        student = _check_row(row, today)
        if student is not None:
            students[row.row_no] = student
        number = row.text("id_number")
        if number and not _SCIENTIFIC.match(normalize(number)):
            id_numbers[row.row_no] = normalize(number)
        if row.text("student_no"):
            student_nos[row.row_no] = row.text("student_no")
        problems.extend(row.problems)
    duplicated = _duplicates(data, "id_number", id_numbers, "证件号码") + _duplicates(
        data, "student_no", student_nos, "学号"
    )
    problems.extend(duplicated)
    bad = {p.row for p in problems if p.kind == ROW}
    valid = tuple(s for n, s in sorted(students.items()) if n not in bad)
    labels = {r.row_no: (r.text("student_no"), r.text("name")) for r in data if r.row_no in bad}
    return RosterCheck(
        sheet.source, sheet.kind, sheet.sha256, len(data), valid, _sorted(problems), labels
    )


def _unlabelled_cells(sheet: Sheet, header_row: int, width: int, problems: list[Problem]) -> None:
    """Cells to the right of the header, or under an empty header cell, are data nobody can read."""
    header = next(values for n, values in sheet.rows if n == header_row)
    blank = {i for i in range(width) if _cell_text(header[i]) == ""}
    columns: set[int] = set()
    for n, values in sheet.rows:
        if n <= header_row:
            continue
        for i, value in enumerate(values):
            if (i >= width or i in blank) and _cell_text(value):
                columns.add(i)
    for i in sorted(columns):
        problems.append(
            Problem.file(
                f"第{_letter(i)}列没有栏目名称，但下面填了内容：请在第{header_row}行补上栏目名称，或删去该列。",
                row=header_row,
            )
        )


def check_file(path: Any, *, today: date) -> RosterCheck:
    """Read and check a roster file (see `check_sheet`)."""
    from clerk.roster.reader import read_roster

    return check_sheet(read_roster(path), today=today)
