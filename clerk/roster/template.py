"""The 表6 workbook a college fills in: `clerk roster template --out FILE.xlsx`.

Sheet 1 (参保登记汇总表): the header row in Chinese, frozen, with Excel's data validation where it
has one (drop-down lists for 证件类型, 性别, 参保身份, 补助类别; a date for 出生日期; text lengths), and
the 证件号码, 联系电话 and 学号 columns formatted as text ("@") so Excel keeps 18-digit numbers as
typed instead of turning them into 4.30121E+17. Sheet 2 (填写说明): what goes in each column and
how to hand the roster in. Import ignores the instructions sheet.
"""

from __future__ import annotations

from pathlib import Path

from clerk.roster.columns import COLUMNS, INSTRUCTIONS_SHEET, MAX_ROWS, SHEET_NAME

TEXT_COLUMNS = frozenset({"id_number", "phone", "student_no", "seq"})
TITLE = "湖南省城乡居民基本医疗保险参保登记汇总表（表6）"
GENERAL_NOTES = (
    "本表由学校统一填写，每名学生一行，从第2行起填写；第1行栏目名称请勿修改、删除或调换含义。",
    "只使用本工作表（参保登记汇总表），不要新增工作表，不要合并单元格，不要在表中插入小计、空行或说明文字。",
    "证件号码、联系电话、学号列已设为文本格式。从其他表格复制时请用“选择性粘贴—数值”或“仅保留文本”，"
    "不要把整列改成“常规”或“数值”格式，否则18位号码会变成 4.30121E+17 并丢失后几位。",
    "港澳台学生：证件类型选“港澳居民居住证”“台湾居民居住证”或通行证；外国留学生选“护照”或“外国人永久居留身份证”。",
    "填好后保存为 Excel 工作簿（.xlsx），也可以另存为 CSV（逗号分隔）。",
    "随电子名册一并报送打印的汇总表，加盖学校公章（《永州市城乡居民参保登记办事指南》：大中专院校学生以学校为单位整体参保，"
    "由学校统一办理参保登记手续并上报汇总表）。",
    "导入时系统逐行检查，所有问题按行号、栏目一次列出；请按提示改正后重新报送，或由经办人先登记无误的学生。",
)


def write_template(path: str | Path) -> Path:
    """Write the template workbook to `path` (.xlsx) and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    target = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    last = MAX_ROWS + 1
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i, value=column.name)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        if column.required:
            cell.fill = required_fill
        sheet.column_dimensions[letter].width = column.width
        if column.key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(
                2, 202
            ):  # pre-format the first rows too: Excel honours cell formats first
                sheet.cell(row=row, column=i).number_format = "@"
        area = f"{letter}2:{letter}{last}"
        validation = _validation(column, DataValidation)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(area)
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 100
    notes.cell(row=1, column=1, value=TITLE).font = Font(bold=True, size=14)
    row = 3
    for n, text in enumerate(GENERAL_NOTES, start=1):
        notes.cell(row=row, column=1, value=f"说明{n}")
        notes.cell(row=row, column=2, value=text).alignment = Alignment(wrap_text=True)
        row += 1
    row += 1
    notes.cell(row=row, column=1, value="栏目").font = bold
    notes.cell(row=row, column=2, value="填写要求（黄色栏目为必填）").font = bold
    for column in COLUMNS:
        row += 1
        notes.cell(row=row, column=1, value=column.name)
        hint = column.hint
        if column.choices:
            hint += f"可选：{'、'.join(column.choices)}。"
        notes.cell(row=row, column=2, value=hint).alignment = Alignment(wrap_text=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def _validation(column, DataValidation):  # type: ignore[no-untyped-def]
    """Excel's own check for a column, where Excel has one."""
    message = column.hint[:250]
    if column.choices:
        # A literal list is limited to 255 characters: every list here is shorter.
        formula = '"' + ",".join(column.choices) + '"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=not column.required)
        dv.error = f"请从下拉列表选择{column.name}。"
    elif column.key == "birth_date":
        dv = DataValidation(
            type="date", operator="between", formula1="DATE(1900,1,1)", formula2="TODAY()"
        )
        dv.error = "请填写日期，如 2006-09-01。"
    else:
        dv = DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1=str(column.max_len)
        )
        dv.error = f"{column.name}不能超过{column.max_len}个字。"
    dv.errorTitle = f"{column.name}填写有误"
    dv.prompt = message
    dv.promptTitle = column.name
    dv.showErrorMessage = True
    dv.showInputMessage = True
    return dv
