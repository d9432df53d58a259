"""Realistic document data for every kind, shared by the document tests; and checks of the samples."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from clerk.documents.model import DocKind, DocumentData, doc_number, validate

FULL_ID = "430321198507152316"
MASKED_ID = "430***********2316"
CASE_NO = "YZ03-20260918-0007"
OFFICE = "冷水滩区医疗保障事务中心"
ADDRESS = "冷水滩区永州大道与湖塘路交叉口"
PHONE = "0746-8326331"
QUERY = "拨打监督电话0746-8326331，或登录湖南省医疗保障公共服务平台按案件编号查询"


def changed(data: DocumentData, **changes: Any) -> DocumentData:
    """`dataclasses.replace` for field names chosen at run time (parametrized tests)."""
    return replace(data, **changes)


def _base(kind: DocKind) -> DocumentData:
    return DocumentData(
        kind=kind,
        doc_no=doc_number(CASE_NO, kind),
        office_name=OFFICE,
        office_address=ADDRESS,
        supervision_phone=PHONE,
        point_name="冷水滩区政务服务中心医保窗口",
        case_no=CASE_NO,
        item_no=26,
        item_name="职工门诊慢特病待遇认定",
        applicant_name="张建国",
        applicant_id_masked=MASKED_ID,
        applicant_kind="person",
        issued_on=date(2026, 9, 18),
        received_on=date(2026, 9, 18),
        accepted_on=date(2026, 9, 18),
        due=date(2026, 10, 22),
        due_provisional=False,
        clerk_name="李秀兰",
        query_channel=QUERY,
    )


def sample(kind: DocKind) -> DocumentData:
    """A document of `kind` as the window would issue it for a realistic case."""
    base = _base(kind)
    if kind is DocKind.ACCEPTANCE:
        return replace(
            base,
            time_limit_text="20个工作日",
            materials_received=(
                "医保电子凭证或有效身份证件或社保卡（原件）",
                "二级及以上定点医疗机构出具的近一年内的诊断证明（原件）",
                "相关检查、检验报告单（复印件）",
            ),
        )
    if kind is DocKind.NOTICE:
        return replace(
            base,
            accepted_on=None,
            due=None,
            missing=(
                ("二级及以上定点医疗机构出具的诊断证明", "未加盖医院印章，请到出具医院加盖后提交"),
                ("相关检查、检验报告单", "未提交"),
            ),
            hand_in_by=date(2026, 9, 23),
            hand_in_where="冷水滩区政务服务中心医保窗口",
        )
    if kind is DocKind.REFUSAL:
        return replace(
            base,
            accepted_on=None,
            due=None,
            reason="申请人参加的是城乡居民基本医疗保险，不属于职工门诊慢特病待遇认定的受理范围",
            basis=(
                "《湖南省医疗保障经办政务服务事项清单（2025年版）》第26项",
                "《中华人民共和国行政许可法》第三十二条",
            ),
            reconsideration_body="冷水滩区人民政府",
        )
    if kind is DocKind.COLLECTION:
        return replace(
            base,
            item_no=35,
            item_name="住院医疗救助申报",
            accepted_on=None,
            due=None,
            materials_received=(
                "医保电子凭证或有效身份证件或社保卡（原件）",
                "住院费用发票（原件）",
            ),
        )
    if kind is DocKind.REJECTION:
        return replace(
            base,
            issued_on=date(2026, 10, 15),
            reason="提交的诊断证明所载病种不在本地门诊慢特病病种目录内",
            basis=("《湖南省医疗保障经办政务服务事项清单（2025年版）》第26项",),
            reconsideration_body="冷水滩区人民政府",
        )
    return replace(
        base,
        item_no=31,
        item_name="住院费用手工（零星）报销",
        issued_on=date(2026, 12, 4),
        received_on=date(2026, 11, 2),
        accepted_on=date(2026, 11, 2),
        due=date(2026, 12, 7),
        outcome="准予报销",
        amount_fen=1234567,
        paid_on=date(2026, 12, 4),
    )


@pytest.mark.parametrize("kind", list(DocKind))
def test_every_sample_is_a_valid_document(kind: DocKind) -> None:
    validate(sample(kind))


@pytest.mark.parametrize("kind", list(DocKind))
def test_samples_never_carry_the_full_id(kind: DocKind) -> None:
    assert FULL_ID not in repr(sample(kind))
