"""The document model: kinds, numbers, dates, amounts, and `validate` refusing empty elements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from test_documents_samples import FULL_ID, changed, sample

from clerk.documents.model import (
    DocKind,
    DocumentError,
    cn_date,
    doc_number,
    missing_elements,
    validate,
    yuan,
)

COMMON = [
    ("doc_no", "文书编号"),
    ("office_name", "出具机构名称"),
    ("office_address", "办理地址"),
    ("supervision_phone", "监督电话"),
    ("case_no", "办件号"),
    ("item_name", "办理事项名称"),
    ("applicant_name", "申请人名称"),
    ("applicant_id_masked", "申请人证件号码"),
    ("clerk_name", "经办人"),
    ("query_channel", "进度查询渠道"),
]

PER_KIND = [
    (DocKind.ACCEPTANCE, "accepted_on", None, "受理日期"),
    (DocKind.ACCEPTANCE, "due", None, "办结期限"),
    (DocKind.ACCEPTANCE, "materials_received", (), "已收材料清单"),
    (DocKind.ACCEPTANCE, "materials_received", ("身份证件", " "), "已收材料清单"),
    (DocKind.NOTICE, "missing", (), "需补正材料清单"),
    (DocKind.NOTICE, "missing", (("诊断证明", ""),), "需补正材料清单"),
    (DocKind.NOTICE, "missing", (("", "未提交"),), "需补正材料清单"),
    (DocKind.NOTICE, "hand_in_by", None, "补正期限"),
    (DocKind.NOTICE, "hand_in_where", "", "补正材料提交地点"),
    (DocKind.REFUSAL, "reason", "  ", "不予受理理由"),
    (DocKind.REFUSAL, "basis", (), "依据"),
    (DocKind.REFUSAL, "reconsideration_body", "", "行政复议机关"),
    (DocKind.REJECTION, "reason", "", "审核不通过理由"),
    (DocKind.REJECTION, "basis", (), "依据"),
    (DocKind.REJECTION, "accepted_on", None, "受理日期"),
    (DocKind.COMPLETION, "accepted_on", None, "受理日期"),
    (DocKind.COMPLETION, "paid_on", None, "拨付日期"),
]


def test_titles_are_the_chinese_document_names() -> None:
    assert [k.label for k in DocKind] == [
        "受理通知书",
        "一次性告知书",
        "不予受理告知书",
        "审核不通过告知书",
        "办结通知书",
        "收件回执",
    ]


def test_kind_codes_are_distinct() -> None:
    assert len({k.code for k in DocKind}) == len(DocKind)


def test_doc_number_joins_case_kind_and_counter() -> None:
    assert doc_number("YZ03-20260918-0007", DocKind.REFUSAL, 2) == "YZ03-20260918-0007-BSL-2"


def test_doc_number_counter_starts_at_one() -> None:
    with pytest.raises(DocumentError):
        doc_number("YZ03-20260918-0007", DocKind.NOTICE, 0)


def test_cn_date_has_no_leading_zeros() -> None:
    assert cn_date(date(2026, 2, 4)) == "2026年2月4日"


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00元"), (5, "0.05元"), (100, "1.00元"), (123456789, "1,234,567.89元")],
)
def test_yuan_formats_fen(fen: int, text: str) -> None:
    assert yuan(fen) == text


def test_lists_are_stored_as_tuples() -> None:
    data = replace(sample(DocKind.ACCEPTANCE), materials_received=["身份证件"])  # type: ignore[arg-type]
    assert data.materials_received == ("身份证件",)


@pytest.mark.parametrize("kind", list(DocKind))
@pytest.mark.parametrize(("field", "label"), COMMON)
def test_validate_rejects_an_empty_common_element(kind: DocKind, field: str, label: str) -> None:
    data = changed(sample(kind), **{field: ""})
    with pytest.raises(DocumentError, match=f"缺少：{label}") as caught:
        validate(data)
    assert caught.value.missing == (field,)


@pytest.mark.parametrize(("kind", "field", "empty", "label"), PER_KIND)
def test_validate_rejects_an_empty_kind_element(
    kind: DocKind, field: str, empty: object, label: str
) -> None:
    data = changed(sample(kind), **{field: empty})
    with pytest.raises(DocumentError, match=f"缺少：{label}"):
        validate(data)


def test_validate_names_every_missing_element_at_once() -> None:
    data = replace(sample(DocKind.REFUSAL), reason="", basis=())
    with pytest.raises(DocumentError) as caught:
        validate(data)
    assert str(caught.value) == "缺少：不予受理理由、依据。请补全后再出具不予受理告知书。"


def test_amount_without_payment_date_is_missing_the_date() -> None:
    data = replace(sample(DocKind.COMPLETION), paid_on=None)
    assert missing_elements(data) == ("paid_on",)


def test_payment_date_without_amount_is_missing_the_amount() -> None:
    data = replace(sample(DocKind.COMPLETION), amount_fen=None)
    assert missing_elements(data) == ("amount_fen",)


def test_completion_of_a_non_paying_item_needs_no_amount() -> None:
    validate(replace(sample(DocKind.COMPLETION), amount_fen=None, paid_on=None))


def test_refusal_needs_no_acceptance_date() -> None:
    assert sample(DocKind.REFUSAL).accepted_on is None
    validate(sample(DocKind.REFUSAL))


@pytest.mark.parametrize("id_value", [FULL_ID, "430321198507152316X", "ABC123456789012"])
def test_validate_refuses_an_unmasked_person_id(id_value: str) -> None:
    data = replace(sample(DocKind.ACCEPTANCE), applicant_id_masked=id_value)
    with pytest.raises(DocumentError, match="未遮蔽") as caught:
        validate(data)
    assert id_value not in str(caught.value)


def test_a_units_credit_code_may_be_printed_in_full() -> None:
    data = replace(
        sample(DocKind.NOTICE), applicant_kind="unit", applicant_id_masked="91431100MA4L123456"
    )
    validate(data)


def test_validate_refuses_an_unknown_applicant_kind() -> None:
    with pytest.raises(DocumentError, match="申请人类别有误"):
        validate(replace(sample(DocKind.ACCEPTANCE), applicant_kind="robot"))


def test_validate_refuses_a_negative_amount() -> None:
    with pytest.raises(DocumentError, match="拨付金额不能为负数"):
        validate(replace(sample(DocKind.COMPLETION), amount_fen=-1))


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        (DocKind.ACCEPTANCE, {"received_on": date(2026, 9, 19)}, "收件日期晚于出具日期"),
        (DocKind.ACCEPTANCE, {"accepted_on": date(2026, 9, 17)}, "受理日期早于收件日期"),
        (DocKind.ACCEPTANCE, {"due": date(2026, 9, 17)}, "办结期限早于受理日期"),
        (DocKind.NOTICE, {"hand_in_by": date(2026, 9, 17)}, "补正期限早于出具日期"),
        (DocKind.COMPLETION, {"paid_on": date(2026, 11, 1)}, "拨付日期早于受理日期"),
    ],
)
def test_validate_refuses_dates_out_of_order(
    kind: DocKind, changes: dict[str, date], message: str
) -> None:
    with pytest.raises(DocumentError, match=message):
        validate(changed(sample(kind), **changes))
