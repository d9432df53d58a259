"""The documents of a roster batch: the summary receipt and the notice of rows to correct."""

from __future__ import annotations

from datetime import date

from clerk.documents.batch import (
    BatchDocKind,
    BatchFacts,
    RowToCorrect,
    corrections_content,
    group_problems,
    receipt_content,
    save_batch_document,
)
from clerk.documents.text import render_content

FACTS = BatchFacts(
    batch_no="XY0120260901P01",
    school_name="永州职业技术学院",
    office_name="永州市政务服务中心",
    supervision_phone="0746-8328322",
    query_channel="现场查询",
    item_no=9,
    item_name="城乡居民参保登记",
    source_name="2026级新生.xlsx",
    source_sha256="ab" * 32,
    rows_total=3000,
    enrolled=2984,
    first_case_no="XY01202609010001A",
    last_case_no="XY01202609012984G",
    received_on=date(2026, 9, 1),
    clerk_name="李经办",
    to_correct=16,
)


def fields(content) -> dict[str, str]:
    return dict(content.fields)


def test_the_receipt_lists_count_and_case_number_range():
    f = fields(receipt_content(FACTS))
    assert (f["登记人数"], f["办件编号"], f["需更正"]) == (
        "2984人",
        "XY01202609010001A 至 XY01202609012984G（共2984件，编号连续）",
        "16行（未登记）",
    )


def test_the_receipt_names_the_file_and_its_sha256():
    f = fields(receipt_content(FACTS))
    assert (f["名册文件"], f["名册SHA-256"]) == ("2026级新生.xlsx", "ab" * 32)


def test_the_receipt_lists_the_sealed_roster_as_received():
    lists = [b for b in receipt_content(FACTS).blocks if not isinstance(b, str)]
    assert (
        lists[0].items[0]
        == "《湖南省城乡居民基本医疗保险参保登记汇总表》（表6，加盖学校公章，已核验）"
    )


def test_the_receipt_is_printed_in_two_parts():
    text = render_content(receipt_content(FACTS))
    assert (
        text.count("【第一联　存档联】"),
        text.count("【第二联　申请人联】"),
        text.count("沿此线剪开"),
    ) == (1, 1, 1)


def test_the_receipt_points_to_the_notice_when_rows_need_correcting():
    assert "XY0120260901P01-GZ-1" in render_content(receipt_content(FACTS)).replace("\n", "")


def test_a_receipt_without_rows_to_correct_does_not_mention_a_notice():
    facts = BatchFacts(**{**FACTS.__dict__, "to_correct": 0})
    assert "需更正" not in fields(receipt_content(facts))
    assert "更正告知书" not in render_content(receipt_content(facts))


def test_the_notice_lists_each_row_with_all_its_problems():
    rows = [
        RowToCorrect(
            12,
            "2026000011",
            "张*丰",
            (("证件号码", "校验位应为 7。"), ("性别", "性别请填“男”或“女”。")),
        )
    ]
    entry = [b for b in corrections_content(FACTS, rows).blocks if not isinstance(b, str)][0].items[
        0
    ]
    assert (
        entry
        == "第12行（学号 2026000011，张*丰）：【证件号码】校验位应为 7；【性别】性别请填“男”或“女”。"
    )


def test_the_notice_cites_the_one_time_notice_rule():
    assert "《中华人民共和国行政许可法》第三十二条" in corrections_content(FACTS, []).blocks[0]


def test_problems_are_grouped_by_row_in_order():
    grouped = group_problems(
        [(5, "姓名", "a"), (3, "学号", "b"), (5, "性别", "c")], {3: ("S3", "李*"), 5: ("S5", "王*")}
    )
    assert [(r.row, r.student_no, r.problems) for r in grouped] == [
        (3, "S3", (("学号", "b"),)),
        (5, "S5", (("姓名", "a"), ("性别", "c"))),
    ]


def test_the_receipt_is_saved_as_text_and_a_reproducible_pdf(tmp_path):
    first = save_batch_document(
        BatchDocKind.RECEIPT, receipt_content(FACTS), FACTS.received_on, root=tmp_path / "a"
    )
    second = save_batch_document(
        BatchDocKind.RECEIPT, receipt_content(FACTS), FACTS.received_on, root=tmp_path / "b"
    )
    assert first.path_pdf == tmp_path / "a" / "2026" / "09" / "XY0120260901P01-HZ-1.pdf"
    assert first.path_txt.read_text(encoding="utf-8") == render_content(receipt_content(FACTS))
    assert first.sha256 == second.sha256
