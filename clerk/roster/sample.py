"""Synthetic rosters for tests, benchmarks and training: valid students and a dozen kinds of bad rows.

Every number is made up: resident IDs use the 439999 area code (no such county), so no real
person's number is ever produced, yet every check digit is right.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from clerk.domain.identifiers import resident_id_check_char
from clerk.roster.columns import COLUMNS, SHEET_NAME

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞雪琳晨宇浩然欣怡子涵梓轩思雨"
CLASSES = ("护理学院", "医学技术学院", "药学院", "临床医学院", "信息工程学院")
HEADER = tuple(c.name for c in COLUMNS)

# The kinds of bad row `bad_row` can make, each with the column its problem is reported in.
BAD_KINDS: dict[str, str] = {
    "check_digit": "证件号码",
    "birth_in_id": "证件号码",
    "sex_mismatch": "性别",
    "birth_mismatch": "出生日期",
    "empty_name": "姓名",
    "long_name": "姓名",
    "excel_number": "证件号码",
    "scientific_text": "证件号码",
    "permit_prefix": "证件号码",
    "passport_format": "证件号码",
    "bad_phone": "联系电话",
    "unknown_id_type": "证件类型",
    "bad_date": "出生日期",
}


def resident_id(n: int, born: date, male: bool) -> str:
    """A made-up resident ID (area 439999) for the `n`-th student: right check digit and sex digit."""
    order = (n % 500) * 2 + (1 if male else 0)
    body = f"439999{born:%Y%m%d}{order:03d}"
    return body + resident_id_check_char(body)


def student_row(n: int, rng: random.Random | None = None) -> dict[str, Any]:
    """A valid row for the `n`-th student (0-based); unique ID and 学号 for n < 500 × days."""
    rng = rng or random.Random(n)
    born = date(2005, 1, 1) + timedelta(days=n // 500 * 1 + (n % 7) * 40)
    male = rng.random() < 0.5
    row = {
        "序号": n + 1,
        "姓名": rng.choice(SURNAMES)
        + rng.choice(GIVEN)
        + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
        "证件类型": "居民身份证",
        "证件号码": resident_id(n, born, male),
        "性别": "男" if male else "女",
        "出生日期": born.isoformat(),
        "联系电话": f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
        "学号": f"2026{n + 1:06d}",
        "院系/班级": f"{rng.choice(CLASSES)}2026级{rng.randint(1, 9)}班",
        "户籍所在地": "湖南省永州市",
        "参保身份": "大学生",
        "补助类别": "",
        "备注": "",
    }
    if n % 97 == 5:  # now and then a Hong Kong student with a residence permit
        body = f"810000{born:%Y%m%d}{(n % 500) * 2 + (1 if male else 0):03d}"
        row.update({"证件类型": "港澳居民居住证", "证件号码": body + resident_id_check_char(body)})
    elif n % 97 == 11:  # and a foreign student with a passport
        row.update({"证件类型": "护照", "证件号码": f"E{n:08d}"})
    return row


def bad_row(kind: str, n: int) -> dict[str, Any]:
    """A row for the `n`-th student with one problem of `kind` (a key of `BAD_KINDS`)."""
    row = student_row(n)
    number = str(row["证件号码"])
    row.update({"证件类型": "居民身份证"})
    born = date.fromisoformat(row["出生日期"])
    number = resident_id(n, born, row["性别"] == "男")
    row["证件号码"] = number
    if kind == "check_digit":
        last = number[-1]
        row["证件号码"] = number[:-1] + ("1" if last != "1" else "2")
    elif kind == "birth_in_id":
        body = f"439999{born.year}0230{n % 500 * 2:03d}"
        row["证件号码"] = body + resident_id_check_char(body)
    elif kind == "sex_mismatch":
        row["性别"] = "女" if row["性别"] == "男" else "男"
    elif kind == "birth_mismatch":
        row["出生日期"] = (born + timedelta(days=1)).isoformat()
    elif kind == "empty_name":
        row["姓名"] = ""
    elif kind == "long_name":
        row["姓名"] = "欧阳" * 26
    elif kind == "excel_number":
        row["证件号码"] = float(number[:-1] + "0") if number[-1] == "X" else float(number)
    elif kind == "scientific_text":
        row["证件号码"] = f"{float(number[:17]):.5E}".replace("E+1", "E+1")
    elif kind == "permit_prefix":
        row["证件类型"] = "港澳居民居住证"
    elif kind == "passport_format":
        row.update({"证件类型": "护照", "证件号码": "E-123/45"})
    elif kind == "bad_phone":
        row["联系电话"] = "1381234567"
    elif kind == "unknown_id_type":
        row["证件类型"] = "学生证"
    elif kind == "bad_date":
        row["出生日期"] = "2006年13月1日"
    else:
        raise ValueError(f"unknown kind of bad row: {kind}")
    return row


def mixed_rows(total: int, bad_every: int = 0) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """`total` rows; when `bad_every` > 0, every `bad_every`-th row is bad (kinds in turn), plus one
    duplicated ID and one duplicated 学号. Returns the rows and {spreadsheet row: kind}."""
    rows: list[dict[str, Any]] = []
    bad: dict[int, str] = {}
    kinds = list(BAD_KINDS)
    for n in range(total):
        if bad_every and n % bad_every == bad_every - 1:
            kind = kinds[(n // bad_every) % len(kinds)]
            rows.append(bad_row(kind, n))
            bad[n + 2] = kind
        else:
            rows.append(student_row(n))
    if bad_every and total >= 4:
        good = [i for i in range(total) if i + 2 not in bad]
        first, second, third = good[0], good[1], good[2]
        rows[second] = {
            **rows[second],
            "证件号码": rows[first]["证件号码"],
            "证件类型": rows[first]["证件类型"],
            "性别": rows[first]["性别"],
            "出生日期": rows[first]["出生日期"],
        }
        bad[first + 2] = bad[second + 2] = "duplicate_id"
        rows[third] = {**rows[third], "学号": rows[first]["学号"]}
        bad[third + 2] = "duplicate_student_no"
        bad[first + 2] = "duplicate_id"
    return rows, bad


def write_xlsx(
    path: str | Path, rows: Sequence[dict[str, Any]], *, header: Sequence[str] = HEADER
) -> Path:
    """Write rows (dicts keyed by header text) as a one-sheet workbook like the template's."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_NAME)
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(h) for h in header])
    target = Path(path)
    book.save(target)
    return target


def write_csv(
    path: str | Path,
    rows: Sequence[dict[str, Any]],
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8-sig",
) -> Path:
    target = Path(path)
    with target.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    return target
