"""The documents of a roster batch: one summary receipt (受理回执) for every student enrolled, and
a notice listing every row that needs correcting (名册信息更正告知书).

A college hands in one 表6 for hundreds or thousands of students; printing a receipt per student
would be thousands of PDFs nobody reads. The receipt names the batch, the file (name and SHA-256),
the count and the range of case numbers; the case numbers are consecutive, so the range identifies
every case. The notice is the one-time notice (行政许可法 Art. 32) for the roster: every problem
of every row at once. Both are printed in two parts like the other documents (存档联 / 申请人联) and
laid out by the same renderers (`clerk.documents.text.render_content`, `pdf.render_content_pdf`).

Personal data: the notice names a row by its row number and student number, with the name masked;
it never prints an ID number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from clerk.documents.model import cn_date
from clerk.documents.text import Content, NumberedList, render_content

FORM_NAME = "《湖南省城乡居民基本医疗保险参保登记汇总表》"
NOTICE_LAW = "《中华人民共和国行政许可法》第三十二条"


class BatchDocKind(StrEnum):
    RECEIPT = "batch_receipt"
    CORRECTIONS = "batch_corrections"

    @property
    def label(self) -> str:
        return {"batch_receipt": "参保登记受理回执", "batch_corrections": "名册信息更正告知书"}[
            self.value
        ]

    @property
    def code(self) -> str:
        return {"batch_receipt": "HZ", "batch_corrections": "GZ"}[self.value]


def batch_doc_number(batch_no: str, kind: BatchDocKind) -> str:
    return f"{batch_no}-{kind.code}-1"


@dataclass(frozen=True)
class BatchFacts:
    """What both documents of a batch print."""

    batch_no: str
    school_name: str  # the college point that hands in the roster
    office_name: (
        str  # whose seal goes on the documents: the college's, or the agency's at a county hall
    )
    supervision_phone: str
    query_channel: str
    item_no: int
    item_name: str
    source_name: str
    source_sha256: str
    rows_total: int
    enrolled: int
    first_case_no: str
    last_case_no: str
    received_on: date
    clerk_name: str
    to_correct: int = 0
    skipped: int = 0  # students already enrolled before: not enrolled twice


@dataclass(frozen=True)
class RowToCorrect:
    row: int
    student_no: str  # as written in the roster ("" when empty)
    name_masked: str
    problems: tuple[tuple[str, str], ...]  # (column, what is wrong and what to do)


def _footer(facts: BatchFacts) -> tuple[tuple[str, str], ...]:
    return (
        ("进度查询", facts.query_channel),
        ("监督电话", facts.supervision_phone),
        ("办理地点", facts.school_name),
    )


def receipt_content(facts: BatchFacts) -> Content:
    """The 受理回执 of a batch."""
    day = cn_date(facts.received_on)
    fields = [
        ("批次编号", facts.batch_no),
        ("办理事项", f"{facts.item_name}（清单第{facts.item_no}项）"),
        ("报送单位", facts.school_name),
        ("名册文件", facts.source_name),
        ("名册行数", f"{facts.rows_total}行"),
        ("登记人数", f"{facts.enrolled}人"),
        (
            "办件编号",
            f"{facts.first_case_no} 至 {facts.last_case_no}（共{facts.enrolled}件，编号连续）",
        ),
        ("受理日期", day),
        ("办结期限", f"{day}（即时办结）"),
        ("名册SHA-256", facts.source_sha256),
    ]
    if facts.to_correct:
        fields.insert(6, ("需更正", f"{facts.to_correct}行（未登记）"))
    if facts.skipped:
        fields.insert(6, ("已参保", f"{facts.skipped}人（不重复登记）"))
    blocks: list[str | NumberedList] = [
        f"贵校于{day}报送的{FORM_NAME}（表6）共{facts.rows_total}行，经审查，其中{facts.enrolled}名学生的"
        f"信息齐全、符合法定形式，本机关决定予以受理，已即时办结参保登记。受理日期为{day}。",
    ]
    if facts.to_correct:
        blocks.append(
            f"另有{facts.to_correct}行信息有误或不全，未予登记，已出具"
            f"《名册信息更正告知书》（文书编号{batch_doc_number(facts.batch_no, BatchDocKind.CORRECTIONS)}）"
            "一次性列明需要更正的全部内容。学校更正后可重新报送，已登记的学生不会重复登记。"
        )
    if facts.skipped:
        blocks.append(f"另有{facts.skipped}名学生此前已在本服务点参保登记，本次未重复登记。")
    blocks.append(
        NumberedList(
            "已收取的申请材料：",
            (
                f"{FORM_NAME}（表6，加盖学校公章，已核验）",
                f"电子名册“{facts.source_name}”（SHA-256：{facts.source_sha256}）",
            ),
        )
    )
    blocks.append("每名学生的办件编号按名册行序连续编排，可凭学号或证件号码查询。")
    return Content(
        title=BatchDocKind.RECEIPT.label,
        doc_no=batch_doc_number(facts.batch_no, BatchDocKind.RECEIPT),
        fields=tuple(fields),
        salutation=f"{facts.school_name}：",
        blocks=tuple(blocks),
        footer=_footer(facts),
        clerk_name=facts.clerk_name,
        office_name=facts.office_name,
        issued_on=day,
    )


def corrections_content(facts: BatchFacts, rows: Sequence[RowToCorrect]) -> Content:
    """The notice of every roster row that needs correcting."""
    day = cn_date(facts.received_on)
    entries = []
    for r in rows:
        who = "，".join(
            x for x in (f"学号 {r.student_no}" if r.student_no else "", r.name_masked) if x
        )
        what = "；".join(
            f"【{column}】{message.rstrip('。')}" if column else message.rstrip("。")
            for column, message in r.problems
        )
        entries.append(f"第{r.row}行" + (f"（{who}）" if who else "") + f"：{what}。")
    fields = (
        ("批次编号", facts.batch_no),
        ("办理事项", f"{facts.item_name}（清单第{facts.item_no}项）"),
        ("报送单位", facts.school_name),
        ("名册文件", facts.source_name),
        ("名册行数", f"{facts.rows_total}行"),
        ("需更正", f"{len(rows)}行"),
        ("已登记", f"{facts.enrolled}人（见参保登记受理回执）"),
        ("出具日期", day),
    )
    blocks: tuple[str | NumberedList, ...] = (
        f"贵校于{day}报送的{FORM_NAME}（表6）中，下列{len(rows)}行信息有误或不全，未予登记。"
        f"根据{NOTICE_LAW}的规定，现一次性告知需要更正的全部内容：",
        NumberedList("", tuple(entries)),
        "请按上述内容改正后重新报送（可只报送改正的行，也可报送整个名册：已登记的学生不会重复登记）。"
        "本告知书已列明本名册需要更正的全部内容。",
    )
    return Content(
        title=BatchDocKind.CORRECTIONS.label,
        doc_no=batch_doc_number(facts.batch_no, BatchDocKind.CORRECTIONS),
        fields=fields,
        salutation=f"{facts.school_name}：",
        blocks=blocks,
        footer=_footer(facts),
        clerk_name=facts.clerk_name,
        office_name=facts.office_name,
        issued_on=day,
    )


def group_problems(
    problems: Sequence[tuple[int, str, str]], students: dict[int, tuple[str, str]]
) -> list[RowToCorrect]:
    """(row, column, message) triples grouped by row; `students` maps row -> (学号, masked name)."""
    by_row: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row, column, message in problems:
        by_row[row].append((column, message))
    return [
        RowToCorrect(row, *students.get(row, ("", "")), tuple(by_row[row]))
        for row in sorted(by_row)
    ]


@dataclass(frozen=True)
class SavedBatchDocument:
    kind: BatchDocKind
    doc_no: str
    path_txt: Path
    path_pdf: Path
    sha256: str


def save_batch_document(
    kind: BatchDocKind, content: Content, issued_on: date, *, root: Path | None = None
) -> SavedBatchDocument:
    """Write the text and the PDF (never over an existing file); see `clerk.documents.store`."""
    from clerk.documents.pdf import render_content_pdf
    from clerk.documents.store import save_files

    path_txt, path_pdf, sha = save_files(
        content.doc_no,
        issued_on,
        render_content(content),
        lambda p: render_content_pdf(content, p),
        root=root,
    )
    return SavedBatchDocument(kind, content.doc_no, path_txt, path_pdf, sha)
