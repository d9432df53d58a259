"""The plain-text document: the exact golden output for one kind, wrapping, parts and dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_documents_samples import FULL_ID, MASKED_ID, sample

from clerk.documents.model import PROVISIONAL_SENTENCE, DocKind, DocumentError
from clerk.documents.text import TEXT_WIDTH, compose, cut_line, display_width, render_text, wrap

GOLDEN_REFUSAL = """\
【第一联　存档联】
                             不予受理告知书
                                      文书编号：YZ03-20260918-0007-BSL-1

办件号：YZ03-20260918-0007
办理事项：职工门诊慢特病待遇认定（清单第26项）
申请人：张建国（个人）
证件号码：430***********2316
收件日期：2026年9月18日

张建国：
　　您于2026年9月18日提出的“职工门诊慢特病待遇认定”申请，经审查，本机关
决定不予受理。
　　不予受理理由：申请人参加的是城乡居民基本医疗保险，不属于职工门诊慢特
病待遇认定的受理范围。
　　依据：
　　1. 《湖南省医疗保障经办政务服务事项清单（2025年版）》第26项
　　2. 《中华人民共和国行政许可法》第三十二条
　　您如对本决定不服，可以自收到本告知书之日起60日内向冷水滩区人民政府申
请行政复议，也可以自收到本告知书之日起6个月内依法向人民法院提起行政诉讼。

进度查询：拨打监督电话0746-8326331，或登录湖南省医疗保障公共服务平台按案
　　　　　件编号查询
监督电话：0746-8326331
办理地点：冷水滩区政务服务中心医保窗口（冷水滩区永州大道与湖塘路交叉口）

申请人确认：本人已收到本文书申请人联。
经办人：李秀兰
申请人签字：________________
日期：______年____月____日

                                        冷水滩区医疗保障事务中心（盖章）
                                                           2026年9月18日

- - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - -

【第二联　申请人联】
                             不予受理告知书
                                      文书编号：YZ03-20260918-0007-BSL-1

办件号：YZ03-20260918-0007
办理事项：职工门诊慢特病待遇认定（清单第26项）
申请人：张建国（个人）
证件号码：430***********2316
收件日期：2026年9月18日

张建国：
　　您于2026年9月18日提出的“职工门诊慢特病待遇认定”申请，经审查，本机关
决定不予受理。
　　不予受理理由：申请人参加的是城乡居民基本医疗保险，不属于职工门诊慢特
病待遇认定的受理范围。
　　依据：
　　1. 《湖南省医疗保障经办政务服务事项清单（2025年版）》第26项
　　2. 《中华人民共和国行政许可法》第三十二条
　　您如对本决定不服，可以自收到本告知书之日起60日内向冷水滩区人民政府申
请行政复议，也可以自收到本告知书之日起6个月内依法向人民法院提起行政诉讼。

进度查询：拨打监督电话0746-8326331，或登录湖南省医疗保障公共服务平台按案
　　　　　件编号查询
监督电话：0746-8326331
办理地点：冷水滩区政务服务中心医保窗口（冷水滩区永州大道与湖塘路交叉口）

经办人：李秀兰
申请人签字：________________
日期：______年____月____日

                                        冷水滩区医疗保障事务中心（盖章）
                                                           2026年9月18日
"""


def test_refusal_text_is_exactly_the_golden_document() -> None:
    assert render_text(sample(DocKind.REFUSAL)) == GOLDEN_REFUSAL


@pytest.mark.parametrize("kind", list(DocKind))
def test_archive_part_comes_first_then_cut_line_then_applicant_part(kind: DocKind) -> None:
    text = render_text(sample(kind))
    archive, cut, applicant = (
        text.index("【第一联　存档联】"),
        text.index("沿此线剪开"),
        text.index("【第二联　申请人联】"),
    )
    assert archive < cut < applicant


@pytest.mark.parametrize("kind", list(DocKind))
def test_both_parts_carry_the_title_and_seal(kind: DocKind) -> None:
    text = render_text(sample(kind))
    assert text.count(kind.label) == 2
    assert text.count("冷水滩区医疗保障事务中心（盖章）") == 2


@pytest.mark.parametrize("kind", list(DocKind))
def test_text_shows_the_masked_id_and_never_the_full_one(kind: DocKind) -> None:
    text = render_text(sample(kind))
    assert MASKED_ID in text
    assert FULL_ID not in text


@pytest.mark.parametrize("kind", list(DocKind))
def test_no_line_is_wider_than_the_page(kind: DocKind) -> None:
    for line in render_text(sample(kind)).splitlines():
        assert display_width(line) <= TEXT_WIDTH + 2  # one hanging punctuation mark at most


def test_provisional_due_is_marked_and_explained() -> None:
    data = replace(sample(DocKind.ACCEPTANCE), due=date(2027, 1, 20), due_provisional=True)
    text = render_text(data)
    assert "办结期限：2027年1月20日（暂定）前" in text
    assert text.replace("\n", "").count(PROVISIONAL_SENTENCE) == 2


def test_firm_due_has_no_provisional_wording() -> None:
    text = render_text(sample(DocKind.ACCEPTANCE))
    assert "暂定" not in text
    assert "国务院办公厅" not in text


def test_notice_lists_every_missing_material_with_what_is_wrong() -> None:
    text = render_text(sample(DocKind.NOTICE))
    assert "1. 二级及以上定点医疗机构出具的诊断证明：未加盖医院印章" in text
    assert "2. 相关检查、检验报告单：未提交" in text
    assert "请于2026年9月23日前将上述材料补齐" in text


def test_completion_prints_the_amount_and_payment_date() -> None:
    text = render_text(sample(DocKind.COMPLETION))
    assert "核定支付金额12,345.67元，已于2026年12月4日拨付" in text


def test_unit_is_addressed_as_a_unit_with_its_credit_code_label() -> None:
    data = replace(
        sample(DocKind.NOTICE),
        applicant_kind="unit",
        applicant_name="永州市某某建材有限公司",
        applicant_id_masked="91431100MA4L123456",
    )
    content = compose(data)
    assert ("统一社会信用代码", "91431100MA4L123456") in content.fields
    first = content.blocks[0]
    assert isinstance(first, str) and first.startswith("贵单位于2026年9月18日提出的")


def test_without_a_point_name_the_place_is_the_office_address() -> None:
    content = compose(replace(sample(DocKind.ACCEPTANCE), point_name=""))
    assert ("办理地点", "冷水滩区永州大道与湖塘路交叉口") in content.footer


def test_render_refuses_a_document_with_an_empty_reason() -> None:
    with pytest.raises(DocumentError, match="缺少：不予受理理由"):
        render_text(replace(sample(DocKind.REFUSAL), reason=""))


def test_cut_line_is_centred_dashes_around_the_label() -> None:
    assert cut_line(30) == "- - - - - 沿此线剪开 - - - - -"


def test_wrap_keeps_closing_punctuation_off_the_start_of_a_line() -> None:
    assert wrap("一二三，四", 6) == ["一二三，", "四"]


@given(
    st.text(alphabet="医保窗口受理，。、abc 123（）", min_size=0, max_size=200), st.integers(10, 80)
)
def test_wrap_loses_no_character_and_respects_the_width(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join(lines) == text
    assert all(display_width(line) <= width + 2 for line in lines)


def test_instant_item_receipt_says_it_closes_the_same_day() -> None:
    data = replace(
        sample(DocKind.ACCEPTANCE),
        time_limit_text="即时办结",
        due=date(2026, 9, 18),
        accepted_on=date(2026, 9, 18),
    )
    content = compose(data)
    assert ("办结期限", "2026年9月18日（即时办结）") in content.fields
    assert content.blocks[1] == "本事项即时办结，受理当日办结。"
    assert "受理当日不计入" not in render_text(data)


def test_working_day_receipt_says_the_acceptance_day_is_not_counted() -> None:
    content = compose(replace(sample(DocKind.ACCEPTANCE), time_limit_text="20个工作日"))
    assert (
        content.blocks[1]
        == "本事项办理时限为20个工作日（受理当日不计入），将于上列办结期限前办结。"
    )
    assert ("办结期限", "2026年10月22日前") in content.fields


def test_the_acceptance_states_the_due_date_once() -> None:
    part = render_text(sample(DocKind.ACCEPTANCE)).split("沿此线剪开")[-1]
    assert part.replace("\n", "").count("2026年10月22日") == 1


def test_a_completion_notice_prints_no_provisional_due_date() -> None:
    data = replace(sample(DocKind.COMPLETION), due=date(2027, 1, 20), due_provisional=True)
    text = render_text(data)
    assert ("暂定" in text, "办结期限" in text) == (False, False)


def test_documents_say_banjianhao_like_the_screens() -> None:
    text = render_text(sample(DocKind.ACCEPTANCE))
    assert ("办件号：YZ03-20260918-0007" in text, "案件编号" in text) == (True, False)


def test_a_service_point_away_from_the_office_is_named_without_the_office_address() -> None:
    data = replace(
        sample(DocKind.ACCEPTANCE), point_name="水岭乡政务服务中心", point_at_office=False
    )
    assert ("办理地点", "水岭乡政务服务中心") in compose(data).footer
