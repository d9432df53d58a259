"""`clerk roster template`: the 表6 workbook a college fills in."""

from __future__ import annotations

from openpyxl import load_workbook
from roster_support import TODAY

from clerk.roster import check_file, write_template
from clerk.roster.columns import COLUMNS, INSTRUCTIONS_SHEET, SHEET_NAME
from clerk.roster.sample import HEADER, student_row


def template(tmp_path):
    return load_workbook(write_template(tmp_path / "t.xlsx"))


def test_the_first_sheet_is_the_roster_and_the_second_the_instructions(tmp_path):
    assert template(tmp_path).sheetnames == [SHEET_NAME, INSTRUCTIONS_SHEET]


def test_the_header_row_has_the_chinese_column_names(tmp_path):
    sheet = template(tmp_path)[SHEET_NAME]
    assert [c.value for c in sheet[1]] == list(HEADER)
    assert list(HEADER)[:9] == [
        "序号",
        "姓名",
        "证件类型",
        "证件号码",
        "性别",
        "出生日期",
        "联系电话",
        "学号",
        "院系/班级",
    ]


def test_the_header_row_is_frozen(tmp_path):
    assert template(tmp_path)[SHEET_NAME].freeze_panes == "A2"


def test_the_id_number_column_is_formatted_as_text(tmp_path):
    sheet = template(tmp_path)[SHEET_NAME]
    assert sheet["D2"].number_format == "@"
    assert sheet["D200"].number_format == "@"


def validations(tmp_path) -> dict[str, tuple[str, str | None]]:
    sheet = template(tmp_path)[SHEET_NAME]
    return {
        str(v.sqref).split(":")[0]: (v.type, v.formula1)
        for v in sheet.data_validations.dataValidation
    }


def test_document_type_and_sex_are_drop_down_lists(tmp_path):
    found = validations(tmp_path)
    assert found["C2"] == (
        "list",
        '"居民身份证,户口簿,港澳居民居住证,台湾居民居住证,外国人永久居留身份证,护照,港澳居民来往内地通行证,台湾居民来往大陆通行证"',
    )
    assert found["E2"] == ("list", '"男,女"')


def test_the_birth_date_must_be_a_date_up_to_today(tmp_path):
    assert validations(tmp_path)["F2"] == ("date", "DATE(1900,1,1)")


def test_free_text_columns_are_limited_in_length(tmp_path):
    assert validations(tmp_path)["B2"] == ("textLength", "50")


def test_every_column_has_an_excel_check(tmp_path):
    assert len(validations(tmp_path)) == len(COLUMNS)


def test_the_instructions_name_every_column(tmp_path):
    notes = template(tmp_path)[INSTRUCTIONS_SHEET]
    names = {row[0].value for row in notes.iter_rows()}
    assert {c.name for c in COLUMNS} <= names


def test_the_instructions_warn_about_4_30121e17(tmp_path):
    notes = template(tmp_path)[INSTRUCTIONS_SHEET]
    assert any("4.30121E+17" in str(row[1].value) for row in notes.iter_rows())


def test_the_empty_template_asks_for_students(tmp_path):
    result = check_file(write_template(tmp_path / "t.xlsx"), today=TODAY)
    assert [p.message for p in result.problems] == ["表头下面没有学生，请填写后再导入。"]


def test_a_filled_in_template_passes(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    book = load_workbook(path)
    sheet = book[SHEET_NAME]
    for r in range(2):
        row = student_row(r)
        for c, name in enumerate(HEADER, start=1):
            sheet.cell(row=r + 2, column=c, value=row[name])
    book.save(path)
    result = check_file(path, today=TODAY)
    assert (len(result.students), result.problems) == (2, ())
