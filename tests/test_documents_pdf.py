"""The PDF: every required element is on the paper, in both parts, and the layout rules hold."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
from test_documents_samples import ADDRESS, CASE_NO, FULL_ID, MASKED_ID, OFFICE, PHONE, sample

from clerk.documents.model import DocKind, DocumentData, DocumentError
from clerk.documents.pdf import render_pdf

REMEDY_KINDS = (DocKind.REFUSAL, DocKind.REJECTION)


def pdf_text(data: DocumentData, tmp_path: Path) -> str:
    """All pages' text with whitespace removed (the PDF wraps lines wherever the page ends)."""
    path = render_pdf(data, tmp_path / "doc.pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", "", text)


def pages(data: DocumentData, tmp_path: Path) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(render_pdf(data, tmp_path / "doc.pdf")).pages)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", list(DocKind))
def test_pdf_carries_every_common_element_in_both_parts(kind: DocKind, tmp_path: Path) -> None:
    data = sample(kind)
    text = pdf_text(data, tmp_path)
    for element in (
        data.title,
        data.doc_no,
        OFFICE + "（盖章）",
        CASE_NO,
        MASKED_ID,
        data.item_name,
        PHONE,
        compact(data.query_channel),
        ADDRESS,
        data.applicant_name,
        "经办人：李秀兰",
        "申请人签字：",
        "日期：______年____月____日",
    ):
        assert text.count(element) >= 2, element


# The notice carries its legal basis and the Art. 32 promise as well: its two parts take a page each.
ONE_PAGE_KINDS = [k for k in DocKind if k is not DocKind.NOTICE]


@pytest.mark.parametrize("kind", ONE_PAGE_KINDS)
def test_pdf_has_both_part_labels(kind: DocKind, tmp_path: Path) -> None:
    text = pdf_text(sample(kind), tmp_path)
    assert text.index("第一联存档联") < text.index("沿此线剪开") < text.index("第二联申请人联")


def test_notice_puts_each_part_on_its_own_page(tmp_path: Path) -> None:
    first, second = pages(sample(DocKind.NOTICE), tmp_path)
    assert "第一联" in first.extract_text() and "第二联" in second.extract_text()


def test_printed_notice_says_what_the_preview_said(tmp_path: Path) -> None:
    from clerk.documents.text import render_part_text
    from clerk.domain.notice import LAW_TEXT, PROMISE_TEXT

    data = replace(
        sample(DocKind.NOTICE), basis=("《中华人民共和国社会保险法》第五十七条",), supplement_days=5
    )
    preview = compact(render_part_text(data))
    printed = pdf_text(data, tmp_path)
    for phrase in (
        compact(LAW_TEXT),
        compact(PROMISE_TEXT),
        "《中华人民共和国社会保险法》第五十七条",
        "（自告知之日起5个自然日内）",
    ):
        assert phrase in preview, phrase
        assert printed.count(phrase) == 2, phrase  # both parts
    from clerk.documents.text import NumberedList, compose

    for block in compose(data).blocks:  # the body the preview shows, paragraph by paragraph
        for text in block.items if isinstance(block, NumberedList) else (block,):
            assert compact(text) in preview and printed.count(compact(text)) >= 2, text


@pytest.mark.parametrize("kind", list(DocKind))
def test_pdf_never_carries_the_full_id(kind: DocKind, tmp_path: Path) -> None:
    assert FULL_ID not in pdf_text(sample(kind), tmp_path)


@pytest.mark.parametrize("kind", list(DocKind))
def test_pdf_prints_the_dates_in_chinese_form(kind: DocKind, tmp_path: Path) -> None:
    data = sample(kind)
    text = pdf_text(data, tmp_path)
    issued = f"{data.issued_on.year}年{data.issued_on.month}月{data.issued_on.day}日"
    received = f"{data.received_on.year}年{data.received_on.month}月{data.received_on.day}日"
    assert text.count(issued) >= 2
    assert f"收件日期{received}" in text


@pytest.mark.parametrize("kind", [DocKind.ACCEPTANCE, DocKind.REJECTION, DocKind.COMPLETION])
def test_pdf_prints_acceptance_and_due_dates(kind: DocKind, tmp_path: Path) -> None:
    data = sample(kind)
    assert data.accepted_on is not None and data.due is not None
    text = pdf_text(data, tmp_path)
    assert (
        f"受理日期{data.accepted_on.year}年{data.accepted_on.month}月{data.accepted_on.day}日"
        in text
    )
    assert f"办结期限{data.due.year}年{data.due.month}月{data.due.day}日前" in text


def test_acceptance_pdf_lists_the_materials_received(tmp_path: Path) -> None:
    data = sample(DocKind.ACCEPTANCE)
    text = pdf_text(data, tmp_path)
    for n, material in enumerate(data.materials_received, start=1):
        assert text.count(f"{n}.{compact(material)}") == 2


def test_provisional_due_is_marked_in_the_pdf(tmp_path: Path) -> None:
    data = replace(sample(DocKind.ACCEPTANCE), due=date(2027, 1, 20), due_provisional=True)
    text = pdf_text(data, tmp_path)
    assert "办结期限2027年1月20日（暂定）前" in text
    assert text.count("最终以国务院办公厅公布的当年节假日安排为准") == 2


@pytest.mark.parametrize("kind", REMEDY_KINDS)
def test_refusal_and_rejection_state_reason_basis_and_remedies(
    kind: DocKind, tmp_path: Path
) -> None:
    data = sample(kind)
    text = pdf_text(data, tmp_path)
    assert compact(data.reason) in text
    for basis in data.basis:
        assert compact(basis) in text
    assert text.count("60日内向冷水滩区人民政府申请行政复议") == 2
    assert text.count("6个月内依法向人民法院提起行政诉讼") == 2


@pytest.mark.parametrize("kind", [DocKind.ACCEPTANCE, DocKind.NOTICE, DocKind.COMPLETION])
def test_other_documents_print_no_remedies(kind: DocKind, tmp_path: Path) -> None:
    assert "行政诉讼" not in pdf_text(sample(kind), tmp_path)


def test_notice_pdf_names_every_missing_material_and_the_deadline(tmp_path: Path) -> None:
    data = sample(DocKind.NOTICE)
    text = pdf_text(data, tmp_path)
    for name, problem in data.missing:
        assert text.count(compact(f"{name}：{problem}")) == 2
    assert "请于2026年9月23日前将上述材料补齐" in text
    assert "第三十二条" in text


def test_completion_pdf_prints_the_amount(tmp_path: Path) -> None:
    assert pdf_text(sample(DocKind.COMPLETION), tmp_path).count("核定支付金额12,345.67元") == 2


@pytest.mark.parametrize("kind", ONE_PAGE_KINDS)
def test_both_parts_fit_on_one_a4_page(kind: DocKind, tmp_path: Path) -> None:
    [page] = pages(sample(kind), tmp_path)
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_a_long_material_list_puts_each_part_on_its_own_page(tmp_path: Path) -> None:
    materials = tuple(f"第{n}份材料：定点医疗机构出具的诊断证明（原件）" for n in range(1, 16))
    data = replace(sample(DocKind.ACCEPTANCE), materials_received=materials)
    first, second = pages(data, tmp_path)
    assert "第一联" in first.extract_text() and "第二联" not in first.extract_text()
    assert "第二联" in second.extract_text()
    assert "沿此线剪开" not in first.extract_text() + second.extract_text()


def test_markup_characters_in_text_are_printed_literally(tmp_path: Path) -> None:
    data = replace(sample(DocKind.REFUSAL), reason="材料<诊断证明>与A&B医院印章不符")
    assert "材料<诊断证明>与A&B医院印章不符" in pdf_text(data, tmp_path)


def test_same_data_gives_the_same_pdf_bytes(tmp_path: Path) -> None:
    data = sample(DocKind.NOTICE)
    first = render_pdf(data, tmp_path / "a.pdf").read_bytes()
    second = render_pdf(data, tmp_path / "b.pdf").read_bytes()
    assert first == second


def test_render_pdf_refuses_an_incomplete_document_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="缺少：需补正材料清单"):
        render_pdf(replace(sample(DocKind.NOTICE), missing=()), tmp_path / "doc.pdf")
    assert not (tmp_path / "doc.pdf").exists()
