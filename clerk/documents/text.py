"""The words of a document, and its plain-text rendering (both parts, fixed-width friendly).

`compose(data)` decides what a document says, as `Content`; `render_text` and `clerk.documents.pdf`
only lay `Content` out, so the paper and the text file never say different things.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from clerk.documents.model import (
    APPLICANT_KIND_LABELS,
    PART_LABELS,
    PROVISIONAL_SENTENCE,
    DocKind,
    DocumentData,
    cn_date,
    validate,
    yuan,
)
from clerk.domain.notice import LAW_TEXT, PROMISE_TEXT

TEXT_WIDTH = 72  # display columns; a CJK character takes two
CUT_LABEL = "沿此线剪开"
SIGN_BLANK = "________________"
DATE_BLANK = "______年____月____日"
RECEIPT_SENTENCE = "申请人确认：本人已收到本文书申请人联。"
# Characters that must not start a line (closing punctuation hangs at the end of the previous one).
_NO_LINE_START = set("，。、；：？！）」』》〉】,.;:?!)%")


@dataclass(frozen=True)
class NumberedList:
    heading: str
    items: tuple[str, ...]


Block = str | NumberedList  # a paragraph, or a heading with numbered entries


@dataclass(frozen=True)
class Content:
    title: str
    doc_no: str
    fields: tuple[tuple[str, str], ...]  # the header table: label, value
    salutation: str
    blocks: tuple[Block, ...]
    footer: tuple[tuple[str, str], ...]  # query channel, supervision phone, place
    clerk_name: str
    office_name: str  # whose seal: the agency's, or the point's on its own receipt
    issued_on: str
    on_behalf: str = ""  # under the seal line: for whom a point collected (代…收件)


def sentence(text: str) -> str:
    """The text as a sentence: stripped, ending with a full stop unless it already ends a sentence."""
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；")) else text + "。"


def _you(data: DocumentData) -> str:
    return "您" if data.applicant_kind == "person" else "贵单位"


def _due_text(data: DocumentData) -> str:
    assert data.due is not None
    return cn_date(data.due) + ("（暂定）" if data.due_provisional else "")


def _fields(data: DocumentData) -> tuple[tuple[str, str], ...]:
    kind_label = APPLICANT_KIND_LABELS.get(data.applicant_kind, data.applicant_kind)
    rows = [
        ("办件号", data.case_no),  # the word the screens use
        ("办理事项", f"{data.item_name}（清单第{data.item_no}项）"),
        ("申请人", f"{data.applicant_name}（{kind_label}）"),
        (
            "证件号码" if data.applicant_kind == "person" else "统一社会信用代码",
            data.applicant_id_masked,
        ),
        ("收件日期", cn_date(data.received_on)),
    ]
    if data.accepted_on is not None:
        rows.append(("受理日期", cn_date(data.accepted_on)))
    if data.kind is DocKind.COMPLETION and data.due_provisional:
        pass  # the case is done: a provisional due date would only confuse
    elif data.due is not None and _instant(data):
        rows.append(("办结期限", f"{_due_text(data)}（即时办结）"))
    elif data.due is not None:
        rows.append(("办结期限", _due_text(data) + "前"))
    return tuple(rows)


def _instant(data: DocumentData) -> bool:
    return data.time_limit_text == "即时办结"


def _remedies(data: DocumentData) -> str:
    return (
        f"{_you(data)}如对本决定不服，可以自收到本告知书之日起60日内向{data.reconsideration_body}"
        f"申请行政复议，也可以自收到本告知书之日起6个月内依法向人民法院提起行政诉讼。"
    )


def _reason_blocks(data: DocumentData) -> list[Block]:
    word = "不予受理" if data.kind is DocKind.REFUSAL else "审核不通过"
    reason = f"{word}理由：{sentence(data.reason)}"
    if data.kind is DocKind.REFUSAL and data.apply_instead.strip():
        reason += f"请向{data.apply_instead.strip()}申请办理。"
    return [
        reason,
        NumberedList("依据：", data.basis),
        _remedies(data),
    ]


def _body(data: DocumentData) -> list[Block]:
    you = _you(data)
    received = cn_date(data.received_on)
    item = f"“{data.item_name}”"
    if data.kind is DocKind.ACCEPTANCE:
        assert data.accepted_on is not None
        if _instant(data):
            due = "本事项即时办结，受理当日办结。"
        else:
            # The due date itself is stated once, in the table above.
            limit = (
                f"本事项办理时限为{data.time_limit_text}（受理当日不计入）"
                if data.time_limit_text
                else ""
            )
            due = f"{limit}，将于上列办结期限前办结。" if limit else "将于上列办结期限前办结。"
        if data.due_provisional:
            due += PROVISIONAL_SENTENCE
        if data.deemed_accepted:
            opening = (
                f"{you}于{received}提出的{item}申请，经审查，申请材料齐全、符合法定形式。"
                "本机关未在收到申请材料后五个工作日内作出一次性告知，根据《中华人民共和国行政许可法》"
                f"第三十二条，本申请自收到申请材料之日即{received}起视为受理，办理时限自该日起计算。"
            )
        else:
            opening = (
                f"{you}于{received}提出的{item}申请，经审查，申请材料齐全、符合法定形式，"
                f"本机关决定予以受理。受理日期为{cn_date(data.accepted_on)}。"
            )
        return [
            opening,
            due,
            NumberedList("已收取的申请材料：", data.materials_received),
        ]
    if data.kind is DocKind.NOTICE:
        assert data.hand_in_by is not None
        period = f"（自告知之日起{data.supplement_days}个自然日内）" if data.supplement_days else ""
        notice: list[Block] = [
            f"{you}于{received}提出的{item}申请，经审查，申请材料不齐全或者不符合法定形式。"
            f"根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部材料：",
            NumberedList("", tuple(f"{name}：{problem}" for name, problem in data.missing)),
            f"请于{cn_date(data.hand_in_by)}前{period}将上述材料补齐，提交至{data.hand_in_where}。"
            "此期限为本机关的办理安排，不是法定期限；逾期未补正的，本件终止办理，可以重新申请。"
            "材料补齐、符合法定形式的，本机关将予以受理。",
            PROMISE_TEXT.replace("您", you),
            f"法律依据：{LAW_TEXT}",
        ]
        if data.basis:
            notice.append(NumberedList("本事项设定依据：", data.basis))
        return notice
    if data.kind is DocKind.COLLECTION:
        return [
            f"{you}于{received}提出的{item}申请，本服务点已收取下列材料，将转报{data.office_name}受理。",
            NumberedList("已收取的申请材料：", data.materials_received),
            "本回执仅证明材料已收取，不是受理决定；受理、补正或不予受理由县级医保经办机构决定，"
            "结果将由本服务点告知。",
        ]
    if data.kind is DocKind.REFUSAL:
        return [
            f"{you}于{received}提出的{item}申请，经审查，本机关决定不予受理。",
            *_reason_blocks(data),
        ]
    if data.kind is DocKind.REJECTION:
        assert data.accepted_on is not None
        return [
            f"{you}于{received}提出、本机关于{cn_date(data.accepted_on)}受理的{item}申请，"
            f"经审核，不符合办理条件，决定审核不予通过。",
            *_reason_blocks(data),
        ]
    assert data.accepted_on is not None
    done = (
        f"{you}于{received}提出、本机关于{cn_date(data.accepted_on)}受理的{item}申请，"
        f"已于{cn_date(data.issued_on)}办结。"
    )
    if data.outcome.strip():
        done += f"办理结果：{data.outcome}。"
    blocks: list[Block] = [done]
    if data.amount_fen is not None and data.paid_on is not None:
        blocks.append(
            f"核定支付金额{yuan(data.amount_fen)}，已于{cn_date(data.paid_on)}拨付至{you}登记的收款账户。"
        )
    return blocks


def compose(data: DocumentData) -> Content:
    """What the document says. Raises `DocumentError` when a required element is empty."""
    validate(data)
    if not data.point_name.strip():
        place = data.office_address
    elif data.point_at_office:
        place = f"{data.point_name}（{data.office_address}）"
    else:
        place = data.point_name
    return Content(
        title=data.title,
        doc_no=data.doc_no,
        fields=_fields(data),
        salutation=f"{data.applicant_name}：",
        blocks=(*_body(data), *data.extra),
        footer=(
            ("进度查询", data.query_channel),
            ("监督电话", data.supervision_phone),
            ("办理地点", place),
        ),
        clerk_name=data.clerk_name,
        office_name=issuer(data),
        issued_on=cn_date(data.issued_on),
        on_behalf=on_behalf(data),
    )


def _collected_at_point(data: DocumentData) -> bool:
    return (
        data.kind is DocKind.COLLECTION
        and bool(data.point_name.strip())
        and not data.point_at_office
    )


def issuer(data: DocumentData) -> str:
    """Whose name the seal line bears: the agency's, or on a point's own 收件回执 the point's."""
    return data.point_name.strip() if _collected_at_point(data) else data.office_name


def on_behalf(data: DocumentData) -> str:
    """On a point's 收件回执: the agency it collects for (代收), said under the seal line."""
    return f"代{data.office_name}收件" if _collected_at_point(data) else ""


def display_width(text: str) -> int:
    """Columns a string takes in a terminal or a fixed-width printout."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int, *, first: str = "", rest: str = "") -> list[str]:
    """Wrap by display width, character by character (Chinese has no spaces to break at).

    Closing punctuation does not start a line: one mark hangs past `width` instead.
    """
    lines: list[str] = []
    line, used = first, display_width(first)
    for ch in text:
        w = display_width(ch)
        hang = ch in _NO_LINE_START and used <= width  # at most one mark hangs past the width
        if used + w > width and line.strip() and not hang:
            lines.append(line)
            line, used = rest, display_width(rest)
        line += ch
        used += w
    lines.append(line)
    return lines


def _centred(text: str, width: int) -> str:
    return " " * max(0, (width - display_width(text)) // 2) + text


def _right(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def _part_lines(content: Content, part: int, width: int) -> list[str]:
    lines = [f"【第{'一二'[part]}联　{PART_LABELS[part]}】", _centred(content.title, width)]
    lines.append(_right(f"文书编号：{content.doc_no}", width))
    lines.append("")
    for label, value in content.fields:
        lines += wrap(value, width, first=f"{label}：", rest="　" * (len(label) + 1))
    lines.append("")
    lines.append(content.salutation)
    for block in content.blocks:
        if isinstance(block, NumberedList):
            if block.heading:
                lines += wrap(block.heading, width, first="　　", rest="　　")
            for n, entry in enumerate(block.items, start=1):
                marker = f"　　{n}. "
                lines += wrap(entry, width, first=marker, rest=" " * display_width(marker))
        else:
            lines += wrap(block, width, first="　　", rest="")
    lines.append("")
    for label, value in content.footer:
        lines += wrap(value, width, first=f"{label}：", rest="　" * (len(label) + 1))
    lines.append("")
    if part == 0:
        lines.append(RECEIPT_SENTENCE)
    lines.append(f"经办人：{content.clerk_name}")
    lines.append(f"申请人签字：{SIGN_BLANK}")
    lines.append(f"日期：{DATE_BLANK}")
    lines.append("")
    lines.append(_right(f"{content.office_name}（盖章）", width))
    if content.on_behalf:
        lines.append(_right(content.on_behalf, width))
    lines.append(_right(content.issued_on, width))
    return lines


def cut_line(width: int = TEXT_WIDTH) -> str:
    label = f" {CUT_LABEL} "
    side = max(1, (width - display_width(label)) // 2)
    pairs = (side + 1) // 2
    dashes = " ".join("-" * pairs)
    return dashes + label + dashes


def render_part_text(data: DocumentData, part: int = 1, *, width: int = TEXT_WIDTH) -> str:
    """One part alone (1 = 申请人联), as a preview shows it before the document is issued."""
    lines = _part_lines(compose(data), part, width)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_text(data: DocumentData, *, width: int = TEXT_WIDTH) -> str:
    """The plain-text document: 存档联, a cut line, then 申请人联. Ends with a newline."""
    return render_content(compose(data), width=width)


def render_content(content: Content, *, width: int = TEXT_WIDTH) -> str:
    """Both parts of already composed content, with the cut line between them."""
    lines = (
        _part_lines(content, 0, width) + ["", cut_line(width), ""] + _part_lines(content, 1, width)
    )
    return "\n".join(line.rstrip() for line in lines) + "\n"
