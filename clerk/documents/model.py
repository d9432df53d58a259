"""What a written document says: its kind, its content, and the check that nothing required is empty.

The window hands over written, dated documents under the office's seal (行政许可法 Art. 32, 38,
40). `DocumentData` carries everything printed on one document; the renderers (`text`, `pdf`)
only lay it out. `validate` refuses a document with a required element empty, so no renderer
ever prints a blank reason or a notice without its materials.

Personal data: the applicant's name is printed (the document is addressed to them), the ID
number only masked. `DocumentError` messages name elements ("不予受理理由"), never values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from clerk.domain.model import APPLICANT_KIND_LABELS as MODEL_APPLICANT_KIND_LABELS
from clerk.domain.model import DocKind

# The two parts county practice prints; the applicant signs the archive part.
PART_LABELS: tuple[str, str] = ("存档联", "申请人联")

APPLICANT_KIND_LABELS = MODEL_APPLICANT_KIND_LABELS  # defined once, in clerk.domain.model

# Printed when the caller names no reconsideration body. Under the 行政复议法 as revised in 2023
# (Art. 24), a county department's act is reviewed by the people's government at the same level.
DEFAULT_RECONSIDERATION_BODY = "本级人民政府"


class DocumentError(ValueError):
    """A document cannot be issued as given. The message is Chinese and names elements only."""

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing: tuple[str, ...] = tuple(missing)


def doc_number(case_no: str, kind: DocKind, n: int = 1) -> str:
    """The document number: case number, kind code, and a print counter (a reprint is n + 1)."""
    if n < 1:
        raise DocumentError("文书序号应从1开始")
    return f"{case_no}-{kind.code}-{n}"


@dataclass(frozen=True)
class DocumentData:
    """Everything printed on one document. Lists given by the caller are stored as tuples."""

    kind: DocKind
    doc_no: str
    office_name: str  # the issuing office, whose seal goes on the document
    office_address: str  # the hall where the window is
    supervision_phone: str
    point_name: str  # the window or service point that handled the case ("" = the office itself)
    case_no: str
    item_no: int
    item_name: str
    applicant_name: str
    applicant_id_masked: str  # masked by the caller, e.g. 430***********1234
    applicant_kind: str  # "person" | "unit" | "institution"
    issued_on: date
    received_on: date
    accepted_on: date | None
    due: date | None
    due_provisional: bool
    clerk_name: str
    query_channel: str  # where and how to follow the case, e.g. a phone and the online platform
    time_limit_text: str = ""  # the item's time limit as printed, e.g. "20个工作日"
    # False for a township hall, village centre, college or hospital point: its window is not in
    # the office's hall, so the office address is not printed as the place of handling.
    point_at_office: bool = True
    # ACCEPTANCE
    materials_received: tuple[str, ...] = ()
    # NOTICE: (material, what is wrong with it or "未提交")
    missing: tuple[tuple[str, str], ...] = ()
    hand_in_by: date | None = None
    hand_in_where: str = ""
    supplement_days: int = 0  # the office's supplement period the hand-in date was counted with
    # REFUSAL, REJECTION
    reason: str = ""
    basis: tuple[str, ...] = ()
    reconsideration_body: str = DEFAULT_RECONSIDERATION_BODY
    apply_instead: str = ""  # REFUSAL for lack of competence: the authority to apply to
    # COMPLETION
    outcome: str = ""  # what was done, e.g. "已办理参保登记" ("" prints a generic sentence)
    amount_fen: int | None = None
    paid_on: date | None = None
    extra: tuple[str, ...] = field(default=())  # further sentences the caller wants printed
    issued_at: datetime | None = None  # the moment of issue (the PDF's creation date)
    # Art. 32: no notice within 5 working days, so accepted_on is the day of receipt
    deemed_accepted: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DocKind(self.kind))
        object.__setattr__(self, "materials_received", tuple(self.materials_received))
        object.__setattr__(self, "missing", tuple((str(m), str(w)) for m, w in self.missing))
        object.__setattr__(self, "basis", tuple(self.basis))
        object.__setattr__(self, "extra", tuple(self.extra))

    @property
    def title(self) -> str:
        return self.kind.label


# Chinese names of the elements, as `validate` reports them.
ELEMENT_LABELS: dict[str, str] = {
    "doc_no": "文书编号",
    "office_name": "出具机构名称",
    "office_address": "办理地址",
    "supervision_phone": "监督电话",
    "case_no": "办件号",
    "item_name": "办理事项名称",
    "applicant_name": "申请人名称",
    "applicant_id_masked": "申请人证件号码",
    "applicant_kind": "申请人类别",
    "clerk_name": "经办人",
    "query_channel": "进度查询渠道",
    "accepted_on": "受理日期",
    "due": "办结期限",
    "materials_received": "已收材料清单",
    "missing": "需补正材料清单",
    "hand_in_by": "补正期限",
    "hand_in_where": "补正材料提交地点",
    "refusal_reason": "不予受理理由",
    "rejection_reason": "审核不通过理由",
    "basis": "依据",
    "reconsideration_body": "行政复议机关",
    "paid_on": "拨付日期",
    "amount_fen": "拨付金额",
}

_COMMON_REQUIRED: tuple[str, ...] = (
    "doc_no",
    "office_name",
    "office_address",
    "supervision_phone",
    "case_no",
    "item_name",
    "applicant_name",
    "applicant_id_masked",
    "applicant_kind",
    "clerk_name",
    "query_channel",
)

_KIND_REQUIRED: dict[DocKind, tuple[str, ...]] = {
    DocKind.ACCEPTANCE: ("accepted_on", "due", "materials_received"),
    DocKind.NOTICE: ("missing", "hand_in_by", "hand_in_where"),
    DocKind.REFUSAL: ("reason", "basis", "reconsideration_body"),
    DocKind.REJECTION: ("accepted_on", "reason", "basis", "reconsideration_body"),
    DocKind.COMPLETION: ("accepted_on",),
    DocKind.COLLECTION: ("materials_received",),
}

# Eighteen characters of an ID without a mask character: the full number, never to be printed.
_UNMASKED_ID_RE = re.compile(r"\d{17}[\dXx]|[A-Z]{3}\d{12}")


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple):
        return len(value) == 0 or any(_is_empty(v) for v in value)
    return False


def _label(kind: DocKind, name: str) -> str:
    if name == "reason":
        return ELEMENT_LABELS["refusal_reason" if kind is DocKind.REFUSAL else "rejection_reason"]
    return ELEMENT_LABELS[name]


def missing_elements(data: DocumentData) -> tuple[str, ...]:
    """The field names required for this kind that are empty (an empty entry in a list counts)."""
    names = _COMMON_REQUIRED + _KIND_REQUIRED[data.kind]
    empty = [n for n in names if _is_empty(getattr(data, n))]
    if data.kind is DocKind.COMPLETION:
        # A paid item prints the amount and the payment date together, or neither.
        if data.amount_fen is not None and data.paid_on is None:
            empty.append("paid_on")
        if data.paid_on is not None and data.amount_fen is None:
            empty.append("amount_fen")
    return tuple(empty)


def validate(data: DocumentData) -> None:
    """Raise `DocumentError` when the document cannot be issued as given."""
    empty = missing_elements(data)
    if empty:
        labels = "、".join(_label(data.kind, n) for n in empty)
        raise DocumentError(f"缺少：{labels}。请补全后再出具{data.title}。", empty)
    if data.applicant_kind not in APPLICANT_KIND_LABELS:
        raise DocumentError("申请人类别有误：应为个人、单位或定点医药机构", ("applicant_kind",))
    if data.applicant_kind == "person" and (
        "*" not in data.applicant_id_masked or _UNMASKED_ID_RE.search(data.applicant_id_masked)
    ):
        raise DocumentError(
            "申请人证件号码未遮蔽：文书只印遮蔽后的号码，请先遮蔽", ("applicant_id_masked",)
        )
    if data.amount_fen is not None and data.amount_fen < 0:
        raise DocumentError("拨付金额不能为负数", ("amount_fen",))
    _check_dates(data)


def _check_dates(data: DocumentData) -> None:
    def fail(message: str, name: str) -> None:
        raise DocumentError(f"日期有误：{message}，请核对", (name,))

    if data.received_on > data.issued_on:
        fail("收件日期晚于出具日期", "received_on")
    if data.accepted_on is not None:
        if data.accepted_on < data.received_on:
            fail("受理日期早于收件日期", "accepted_on")
        if data.due is not None and data.due < data.accepted_on:
            fail("办结期限早于受理日期", "due")
    if (
        data.kind is DocKind.NOTICE
        and data.hand_in_by is not None
        and data.hand_in_by < data.issued_on
    ):
        fail("补正期限早于出具日期", "hand_in_by")
    if (
        data.paid_on is not None
        and data.accepted_on is not None
        and data.paid_on < data.accepted_on
    ):
        fail("拨付日期早于受理日期", "paid_on")


def cn_date(d: date) -> str:
    """YYYY年M月D日, as Chinese government documents print dates."""
    return f"{d.year}年{d.month}月{d.day}日"


def yuan(amount_fen: int) -> str:
    """Fen as yuan with two decimals and thousands separators: 123456 -> 1,234.56元."""
    yuan_part, fen_part = divmod(amount_fen, 100)
    return f"{yuan_part:,}.{fen_part:02d}元"


PROVISIONAL_SENTENCE = (
    "该期限按已公布的节假日安排暂定，最终以国务院办公厅公布的当年节假日安排为准。"
)
