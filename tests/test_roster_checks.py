"""Every roster row is checked before anything is stored, and every problem is reported by row and
column in Chinese, all at once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from roster_support import TODAY, roster, rows_of

from clerk.domain.identifiers import resident_id_check_char
from clerk.roster import FILE, ROW, check_file
from clerk.roster.sample import BAD_KINDS, HEADER, bad_row, student_row, write_csv, write_xlsx


def check(path: Path):
    return check_file(path, today=TODAY)


def texts(path: Path) -> list[str]:
    return [p.text() for p in check(path).problems]


def one_bad(tmp_path: Path, kind: str):
    return check(roster(tmp_path, 3, bad={1: kind}))


# ---------------------------------------------------------------------- good rosters


def test_a_clean_roster_has_every_student_and_no_problem(tmp_path):
    result = check(roster(tmp_path, 5))
    assert (result.data_rows, len(result.students), result.problems) == (5, 5, ())


def test_students_carry_their_spreadsheet_row_numbers(tmp_path):
    assert [s.row for s in check(roster(tmp_path, 3)).students] == [2, 3, 4]


def test_a_student_is_read_normalised(tmp_path):
    row = student_row(0)
    path = write_xlsx(
        tmp_path / "r.xlsx", [{**row, "证件号码": row["证件号码"].lower(), "姓名": " 王  芳 "}]
    )
    student = check(path).students[0]
    assert (student.name, student.id_number, student.birth_date, student.identity) == (
        "王 芳",
        row["证件号码"].upper(),
        date.fromisoformat(row["出生日期"]),
        "大学生",
    )


def test_the_sha256_is_that_of_the_file(tmp_path):
    import hashlib

    path = roster(tmp_path, 2)
    assert check(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_in_the_same_columns_is_accepted(tmp_path):
    result = check(write_csv(tmp_path / "r.csv", rows_of(4)))
    assert (result.kind, len(result.students), result.problems) == ("csv", 4, ())


def test_csv_saved_by_chinese_excel_in_gbk_is_accepted(tmp_path):
    result = check(write_csv(tmp_path / "r.csv", rows_of(2), encoding="gb18030"))
    assert [s.name for s in result.students] == [r["姓名"] for r in rows_of(2)]


def test_columns_may_come_in_any_order(tmp_path):
    header = tuple(reversed(HEADER))
    assert len(check(write_xlsx(tmp_path / "r.xlsx", rows_of(3), header=header)).students) == 3


def test_the_printed_table_6_spelling_of_the_id_column_is_accepted(tmp_path):
    rows = [{**r, "身份证号码": r["证件号码"]} for r in rows_of(2)]
    header = tuple("身份证号码" if h == "证件号码" else h for h in HEADER)
    assert len(check(write_xlsx(tmp_path / "r.xlsx", rows, header=header)).students) == 2


def test_a_hong_kong_residence_permit_is_checked_like_an_id(tmp_path):
    student = student_row(5)  # every 97th student from the 6th has a Hong Kong permit
    assert student["证件类型"] == "港澳居民居住证"
    assert len(check(write_xlsx(tmp_path / "r.xlsx", [student])).students) == 1


def test_a_foreign_students_passport_is_accepted(tmp_path):
    student = student_row(11)
    assert student["证件类型"] == "护照"
    assert check(write_xlsx(tmp_path / "r.xlsx", [student])).students[0].id_type == "passport"


def test_a_phone_excel_stored_as_a_number_is_accepted(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [{**student_row(0), "联系电话": 13812345678}])
    assert check(path).students[0].phone == "13812345678"


def test_a_birth_date_cell_formatted_as_a_date_is_accepted(tmp_path):
    row = student_row(0)
    born = date.fromisoformat(row["出生日期"])
    path = write_xlsx(
        tmp_path / "r.xlsx", [{**row, "出生日期": datetime(born.year, born.month, born.day)}]
    )
    assert check(path).students[0].birth_date == born


@pytest.mark.parametrize("written", ["2005/1/1", "2005年1月1日", "20050101", "2005.01.01"])
def test_birth_dates_in_the_usual_chinese_spellings_are_accepted(tmp_path, written):
    row = student_row(0)
    assert row["出生日期"] == "2005-01-01"
    assert check(write_xlsx(tmp_path / "r.xlsx", [{**row, "出生日期": written}])).problems == ()


def test_empty_rows_and_rows_with_only_a_sequence_number_are_skipped(tmp_path):
    rows = [student_row(0), {}, {"序号": 2}, student_row(1)]
    result = check(write_xlsx(tmp_path / "r.xlsx", rows))
    assert (result.data_rows, [s.row for s in result.students]) == (2, [2, 5])


def test_a_title_line_above_the_header_is_allowed(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["学校名称（加盖学校公章）：永州职业技术学院"])
    sheet.append(list(HEADER))
    sheet.append([student_row(0).get(h) for h in HEADER])
    book.save(tmp_path / "r.xlsx")
    assert [s.row for s in check(tmp_path / "r.xlsx").students] == [3]


def test_the_instructions_sheet_of_the_template_is_ignored(tmp_path):
    book = Workbook()
    book.active.title = "参保登记汇总表"
    book.active.append(list(HEADER))
    book.active.append([student_row(0).get(h) for h in HEADER])
    book.create_sheet("填写说明").append(["说明1", "每名学生一行"])
    book.save(tmp_path / "r.xlsx")
    assert check(tmp_path / "r.xlsx").problems == ()


# ---------------------------------------------------------------------- bad rows, one kind each


EXPECTED = {
    "check_digit": "第3行【证件号码】：身份证号校验位应为 {check}，请核对最后一位；若最后一位无误，则是前17位有输错。",
    "birth_in_id": "第3行【证件号码】：第7–14位不是有效的出生日期，请核对出生年月日。",
    "sex_mismatch": "第3行【性别】：与证件号码第17位不符（单数为男、双数为女，按号码应为“{sex}”），请核对性别或证件号码。",
    "birth_mismatch": "第3行【出生日期】：与证件号码第7–14位的出生日期不一致，请核对出生日期或证件号码。",
    "empty_name": "第3行【姓名】：未填写，请填写姓名。",
    "long_name": "第3行【姓名】：超过50个字（现为52个），请删减。",
    "excel_number": "第3行【证件号码】：证件号码被 Excel 存成了数字（显示为 4.30121E+17 一类），后几位已经丢失。"
    "请把该列设为“文本”格式，按证件重新填写完整号码。",
    "scientific_text": "第3行【证件号码】：证件号码被 Excel 存成了数字（显示为 4.30121E+17 一类），后几位已经丢失。"
    "请把该列设为“文本”格式，按证件重新填写完整号码。",
    "permit_prefix": "第3行【证件号码】：港澳居民居住证号码应以810000（香港）或820000（澳门）开头，请核对证件类型和号码。",
    "passport_format": "第3行【证件号码】：护照号码应为5–17位字母和数字（不含符号），请对照护照资料页核对。",
    "bad_phone": "第3行【联系电话】：手机号码应为11位，现为10位，请核对。",
    "unknown_id_type": "第3行【证件类型】：“学生证”不是可选的证件类型，请从下拉列表选择（如：居民身份证、护照）。",
    "bad_date": "第3行【出生日期】：不是有效的日期，请按 2006-09-01 的格式填写。",
}


def test_every_kind_of_bad_row_has_an_expected_message():
    assert set(EXPECTED) == set(BAD_KINDS)


@pytest.mark.parametrize("kind", sorted(BAD_KINDS))
def test_each_kind_of_bad_row_is_reported_at_its_row_and_column(tmp_path, kind):
    good = student_row(1)
    number = good["证件号码"]
    expected = EXPECTED[kind].format(check=resident_id_check_char(number[:17]), sex=good["性别"])
    result = one_bad(tmp_path, kind)
    assert [p.text() for p in result.problems] == [expected]


@pytest.mark.parametrize("kind", sorted(BAD_KINDS))
def test_a_bad_row_leaves_the_other_students_valid(tmp_path, kind):
    result = one_bad(tmp_path, kind)
    assert ([s.row for s in result.students], result.bad_rows) == ([2, 4], (3,))


def test_a_row_with_several_problems_lists_them_all(tmp_path):
    row = {**student_row(0), "姓名": "", "性别": "未知", "联系电话": "12345"}
    assert texts(write_xlsx(tmp_path / "r.xlsx", [row])) == [
        "第2行【姓名】：未填写，请填写姓名。",
        "第2行【性别】：性别请填“男”或“女”。",
        "第2行【联系电话】：手机号码应为11位，现为5位，请核对。",
    ]


def test_problems_never_repeat_the_id_number(tmp_path):
    result = check(roster(tmp_path, 20, bad={i: k for i, k in enumerate(sorted(BAD_KINDS))}))
    numbers = {str(student_row(i)["证件号码"])[:17] for i in range(20)}
    assert not any(n in p.message for p in result.problems for n in numbers)


def test_the_same_id_number_twice_is_reported_on_both_rows(tmp_path):
    rows = rows_of(3)
    rows[2] = {**rows[2], **{k: rows[0][k] for k in ("证件号码", "性别", "出生日期")}}
    assert texts(write_xlsx(tmp_path / "r.xlsx", rows)) == [
        "第2行【证件号码】：与第4行的证件号码重复：同一学生只能登记一次，请删去重复的行或核对证件号码。",
        "第4行【证件号码】：与第2行的证件号码重复：同一学生只能登记一次，请删去重复的行或核对证件号码。",
    ]


def test_the_same_student_number_twice_is_reported(tmp_path):
    rows = rows_of(2)
    rows[1] = {**rows[1], "学号": rows[0]["学号"]}
    assert [p.row for p in check(write_xlsx(tmp_path / "r.xlsx", rows)).problems] == [2, 3]


def test_a_sex_digit_is_checked_for_a_taiwan_residence_permit(tmp_path):
    body = "83000020050101001"  # order 001: odd, a man
    row = {
        **student_row(0),
        "证件类型": "台湾居民居住证",
        "证件号码": body + resident_id_check_char(body),
        "性别": "女",
    }
    assert [p.column for p in check(write_xlsx(tmp_path / "r.xlsx", [row])).problems] == ["性别"]


def test_a_passport_has_no_sex_digit_to_check(tmp_path):
    row = {**student_row(0), "证件类型": "护照", "证件号码": "E12345678", "性别": "女"}
    assert check(write_xlsx(tmp_path / "r.xlsx", [row])).problems == ()


def test_a_birth_date_in_the_future_is_reported(tmp_path):
    row = {**student_row(0), "证件类型": "护照", "证件号码": "E12345678", "出生日期": "2030-01-01"}
    assert texts(write_xlsx(tmp_path / "r.xlsx", [row])) == [
        "第2行【出生日期】：出生日期晚于今天，请核对。"
    ]


def test_an_excel_serial_number_as_birth_date_is_reported(tmp_path):
    row = {**student_row(0), "出生日期": 38353}
    assert texts(write_xlsx(tmp_path / "r.xlsx", [row])) == [
        "第2行【出生日期】：出生日期是一个数字而不是日期，请按 2006-09-01 的格式填写。"
    ]


def test_a_scientific_phone_number_is_reported(tmp_path):
    row = {**student_row(0), "联系电话": "1.38123E+10"}
    assert [p.column for p in check(write_xlsx(tmp_path / "r.xlsx", [row])).problems] == [
        "联系电话"
    ]


def test_an_over_long_student_number_is_reported(tmp_path):
    row = {**student_row(0), "学号": "1" * 31}
    assert texts(write_xlsx(tmp_path / "r.xlsx", [row])) == [
        "第2行【学号】：超过30个字（现为31个），请删减。"
    ]


def test_an_empty_required_cell_is_reported_per_column(tmp_path):
    row = {**student_row(0), "学号": "", "证件类型": ""}
    assert [p.column for p in check(write_xlsx(tmp_path / "r.xlsx", [row])).problems] == [
        "证件类型",
        "学号",
    ]


def test_an_unknown_identity_is_reported(tmp_path):
    row = {**student_row(0), "参保身份": "无业成年人"}
    assert [p.column for p in check(write_xlsx(tmp_path / "r.xlsx", [row])).problems] == [
        "参保身份"
    ]


def test_an_unknown_subsidy_is_reported(tmp_path):
    row = {**student_row(0), "补助类别": "贫困"}
    assert [p.column for p in check(write_xlsx(tmp_path / "r.xlsx", [row])).problems] == [
        "补助类别"
    ]


def test_row_problems_are_not_file_problems(tmp_path):
    assert {p.kind for p in one_bad(tmp_path, "check_digit").problems} == {ROW}


# ---------------------------------------------------------------------- the file itself


def file_texts(path: Path) -> list[str]:
    return [p.text() for p in check(path).problems if p.kind == FILE]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert file_texts(path) == [
        "整个文件：文件无法作为 Excel 工作簿（.xlsx）打开，可能已损坏或不是 Excel 文件。请在 Excel 中打开并重新保存为 .xlsx 后再导入。"
    ]


def test_a_binary_file_is_neither_workbook_nor_csv(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(bytes(range(256)) * 4)
    assert check(path).kind == "unknown"
    assert len(file_texts(path)) == 1


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert file_texts(path) == [
        "整个文件：这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”Excel 工作簿（.xlsx）或 CSV 后再导入。"
    ]


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"")
    assert file_texts(path) == ["整个文件：文件是空的，请选择填好的名册文件。"]


def test_a_missing_header_is_reported(tmp_path):
    book = Workbook()
    book.active.append([student_row(0).get(h) for h in HEADER])
    book.save(tmp_path / "r.xlsx")
    assert file_texts(tmp_path / "r.xlsx") == [
        "第1行：找不到表头：第1行应为栏目名称（至少包括姓名、证件类型、证件号码、性别、出生日期、学号）。"
        "请用 clerk roster template 生成的模板填写，或在第1行补上栏目名称。"
    ]


def test_a_missing_required_column_is_reported(tmp_path):
    header = tuple(h for h in HEADER if h != "学号")
    assert file_texts(write_xlsx(tmp_path / "r.xlsx", rows_of(2), header=header)) == [
        "第1行【学号】：表头缺少“学号”栏，请按模板补上该列并填写。"
    ]


def test_an_unknown_column_is_reported(tmp_path):
    header = tuple("身份证" if h == "证件号码" else h for h in HEADER)
    problems = file_texts(write_xlsx(tmp_path / "r.xlsx", rows_of(1), header=header))
    assert problems[0] == "第1行【证件号码】：表头缺少“证件号码”栏，请按模板补上该列并填写。"
    assert problems[1].startswith(
        "第1行：第D列的栏目“身份证”不是汇总表的栏目，请改为模板中的栏目名称"
    )


def test_the_payment_columns_of_the_printed_table_6_are_ignored(tmp_path):
    header = (*HEADER, "本年缴费金额", "实际缴费时间")
    assert check(write_xlsx(tmp_path / "r.xlsx", rows_of(1), header=header)).problems == ()


def test_a_column_given_twice_is_reported(tmp_path):
    header = (*HEADER, "姓名")
    assert file_texts(write_xlsx(tmp_path / "r.xlsx", rows_of(1), header=header)) == [
        "第1行：“姓名”栏出现了两次（第B列和第N列），请删去多余的一列。"
    ]


def test_data_under_no_header_is_reported(tmp_path):
    book = Workbook()
    book.active.append(list(HEADER))
    book.active.append([*(student_row(0).get(h) for h in HEADER), "多出来的"])
    book.save(tmp_path / "r.xlsx")
    assert file_texts(tmp_path / "r.xlsx") == [
        "第1行：第N列没有栏目名称，但下面填了内容：请在第1行补上栏目名称，或删去该列。"
    ]


def test_a_second_sheet_with_data_is_reported(tmp_path):
    book = Workbook()
    book.active.title = "参保登记汇总表"
    book.active.append(list(HEADER))
    book.active.append([student_row(0).get(h) for h in HEADER])
    book.create_sheet("Sheet2").append([student_row(1).get(h) for h in HEADER])
    book.save(tmp_path / "r.xlsx")
    assert file_texts(tmp_path / "r.xlsx") == [
        "整个文件：工作簿中还有工作表“Sheet2”也填了内容。名册只能放在一个工作表（“参保登记汇总表”）中："
        "请把学生合并到同一个工作表，删除工作表“Sheet2”后再导入。"
    ]


def test_an_empty_second_sheet_is_ignored(tmp_path):
    book = Workbook()
    book.active.append(list(HEADER))
    book.active.append([student_row(0).get(h) for h in HEADER])
    book.create_sheet("Sheet2")
    book.save(tmp_path / "r.xlsx")
    assert check(tmp_path / "r.xlsx").problems == ()


def test_merged_cells_are_reported_by_range(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADER))
    for i in range(3):
        sheet.append([student_row(i).get(h) for h in HEADER])
    sheet.merge_cells("J3:J4")
    book.save(tmp_path / "r.xlsx")
    assert file_texts(tmp_path / "r.xlsx") == [
        "第3行：J3:J4 是合并单元格：合并后只有第一个格子有内容。请取消合并，每个学生一行、每格一项后再导入。"
    ]


def test_a_header_without_students_is_reported(tmp_path):
    assert file_texts(write_xlsx(tmp_path / "r.xlsx", [])) == [
        "第1行：表头下面没有学生，请填写后再导入。"
    ]


def test_file_problems_and_row_problems_are_reported_together(tmp_path):
    book = Workbook()
    book.active.append(list(HEADER))
    book.active.append([bad_row("empty_name", 0).get(h) for h in HEADER])
    book.create_sheet("Sheet2").append(["x"])
    book.save(tmp_path / "r.xlsx")
    assert [p.kind for p in check(tmp_path / "r.xlsx").problems] == [FILE, ROW]


def test_a_file_problem_makes_the_roster_not_importable(tmp_path):
    book = Workbook()
    book.active.append(list(HEADER))
    book.active.append([student_row(0).get(h) for h in HEADER])
    book.create_sheet("Sheet2").append(["x"])
    book.save(tmp_path / "r.xlsx")
    result = check(tmp_path / "r.xlsx")
    assert (len(result.students), result.importable, result.clean) == (1, False, False)


def test_a_roster_with_every_kind_of_bad_row_reports_every_bad_row_at_once(tmp_path):
    from clerk.roster.sample import mixed_rows

    rows, bad = mixed_rows(300, 20)
    result = check(write_xlsx(tmp_path / "r.xlsx", rows))
    assert result.bad_rows == tuple(sorted(bad))
    assert len(result.students) == 300 - len(bad)
