"""The shared vocabulary of a case: states, actions, roles, events, applicants.

Pure data, no rules: `clerk.domain.workflow` decides which action is allowed when; `clerk.db` stores
what happened. Chinese labels live here so the screens, documents and CLI say the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class CaseState(StrEnum):
    DRAFT = "draft"  # 收件: at the window, materials being checked
    AWAITING_SUPPLEMENT = "awaiting_supplement"  # 待补正: one-time notice issued
    ACCEPTED = "accepted"  # 已受理: time limit running, awaiting review
    AWAITING_PAYMENT = "awaiting_payment"  # 待拨付: approved, money to be paid
    CLOSED = "closed"  # 已办结
    REFUSED = "refused"  # 不予受理
    REJECTED = "rejected"  # 审核不通过
    WITHDRAWN = "withdrawn"  # 已撤回
    ABANDONED = "abandoned"  # 逾期未补正: the applicant never came back

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


STATE_LABELS: dict[CaseState, str] = {
    CaseState.DRAFT: "收件",
    CaseState.AWAITING_SUPPLEMENT: "待补正",
    CaseState.ACCEPTED: "已受理",
    CaseState.AWAITING_PAYMENT: "待拨付",
    CaseState.CLOSED: "已办结",
    CaseState.REFUSED: "不予受理",
    CaseState.REJECTED: "审核不通过",
    CaseState.WITHDRAWN: "已撤回",
    CaseState.ABANDONED: "逾期未补正",
}

FINAL_STATES = frozenset(
    {
        CaseState.CLOSED,
        CaseState.REFUSED,
        CaseState.REJECTED,
        CaseState.WITHDRAWN,
        CaseState.ABANDONED,
    }
)


class Action(StrEnum):
    RECEIVE = "receive"  # 收件: the case is opened at the window
    NOTICE = "notice"  # 一次性告知
    SUPPLEMENT = "supplement"  # 补正材料交回
    ACCEPT = "accept"  # 受理
    REFUSE = "refuse"  # 不予受理
    APPROVE = "approve"  # 审核通过
    REJECT = "reject"  # 审核不通过
    PAY = "pay"  # 拨付
    CLOSE = "close"  # 办结
    WITHDRAW = "withdraw"  # 撤回
    ABANDON = "abandon"  # 逾期未补正，终止
    # Events that do not change the state:
    RATE = "rate"  # 好差评
    REVEAL = "reveal"  # 查看完整个人信息 (recorded)
    PRINT = "print"  # 打印/重打文书
    FOLLOW_UP = "follow_up"  # 差评回访
    OVERRIDE = "override"  # 主管批准补充告知新材料
    RECOMPUTE = "recompute"  # 安装节假日文件后重算期限
    STAGE = "stage"  # 审核环节（定点协议：考察评估、结果公示 ...）
    HAND_ON = "hand_on"  # 转报: the case's owner hands it on (a point to its county office)
    RESOLVE = "resolve"  # 同步冲突处理: a supervisor's choice, recorded
    CHECK = "check"  # 材料核验: the outcome of checking the materials (state unchanged)

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.RECEIVE: "收件",
    Action.NOTICE: "一次性告知",
    Action.SUPPLEMENT: "补正材料",
    Action.ACCEPT: "受理",
    Action.REFUSE: "不予受理",
    Action.APPROVE: "审核通过",
    Action.REJECT: "审核不通过",
    Action.PAY: "拨付",
    Action.CLOSE: "办结",
    Action.WITHDRAW: "撤回",
    Action.ABANDON: "逾期未补正终止",
    Action.RATE: "评价",
    Action.REVEAL: "查看个人信息",
    Action.PRINT: "打印文书",
    Action.FOLLOW_UP: "差评回访",
    Action.OVERRIDE: "主管批准",
    Action.RECOMPUTE: "重算期限",
    Action.STAGE: "登记审核环节",
    Action.HAND_ON: "转报",
    Action.RESOLVE: "冲突处理",
    Action.CHECK: "材料核验",
}


def action_label(value: str | None) -> str:
    """The Chinese label of a stored action name (as an event or a bundle carries it); a name this
    version does not know (a newer program's) is shown as it is."""
    try:
        return ACTION_LABELS[Action(value or "")]
    except ValueError:
        return str(value or "")


class Role(StrEnum):
    CLERK = "clerk"  # 窗口经办
    REVIEWER = "reviewer"  # 审核
    FINANCE = "finance"  # 拨付（财务）
    SUPERVISOR = "supervisor"  # 主管
    ADMIN = "admin"  # 系统管理员

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "窗口经办人员",
    Role.REVIEWER: "审核人员",
    Role.FINANCE: "财务（拨付）人员",
    Role.SUPERVISOR: "主管",
    Role.ADMIN: "系统管理员",
}


class Rating(StrEnum):
    """好差评 levels (国办发〔2019〕51号)."""

    VERY_SATISFIED = "5"
    SATISFIED = "4"
    BASIC = "3"
    UNSATISFIED = "2"
    VERY_UNSATISFIED = "1"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]

    @property
    def is_bad(self) -> bool:
        return self in (Rating.UNSATISFIED, Rating.VERY_UNSATISFIED)


RATING_LABELS: dict[Rating, str] = {
    Rating.VERY_SATISFIED: "非常满意",
    Rating.SATISFIED: "满意",
    Rating.BASIC: "基本满意",
    Rating.UNSATISFIED: "不满意",
    Rating.VERY_UNSATISFIED: "非常不满意",
}


class Channel(StrEnum):
    ON_SITE = "on_site"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


# How a case came in, as the case detail shows it, and as the new-case form offers it.
CHANNEL_LABELS: dict[Channel, str] = {Channel.ON_SITE: "窗口现场", Channel.ONLINE: "网上申请"}
CHANNEL_CHOICES: dict[Channel, str] = {
    Channel.ON_SITE: "窗口现场办理",
    Channel.ONLINE: "网上申请（窗口代录）",
}

# Who applies (an item's applicant kind, a case's applicant).
APPLICANT_KIND_LABELS: dict[str, str] = {
    "person": "个人",
    "unit": "单位",
    "institution": "定点医药机构",
}


@dataclass(frozen=True)
class Applicant:
    """Who applies: a person (ID type + number) or a unit (name + credit code)."""

    kind: str  # "person" | "unit" | "institution"
    name: str
    id_type: str  # "resident_id" | "hk_macau_permit" | ... | "credit_code"
    id_number: str
    phone: str = ""
    agent_name: str = ""  # 委托办理: the agent's name
    agent_id_type: str = ""
    agent_id_number: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class Event:
    """One thing that happened to a case. Carries ids and codes, never personal data."""

    case_uuid: str
    action: Action
    actor: str  # user login
    at: datetime  # timezone-aware
    from_state: CaseState | None
    to_state: CaseState
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # True when it runs into a year with no holiday data
    kind: str  # "instant" | "working_days" | "natural_days"
    days: int
    start: date  # the date counting starts from (acceptance, or the declaration deadline)


# ---------------------------------------------------------------------- written documents


class DocKind(StrEnum):
    ACCEPTANCE = "acceptance"
    NOTICE = "notice"
    REFUSAL = "refusal"
    REJECTION = "rejection"
    COMPLETION = "completion"
    COLLECTION = "collection"  # 收件回执: a point collected the materials; not an acceptance

    @property
    def label(self) -> str:
        """The document's Chinese title, e.g. 受理通知书."""
        return DOC_TITLES[self]

    @property
    def code(self) -> str:
        """Short code used inside document numbers."""
        return DOC_CODES[self]


DOC_TITLES: dict[DocKind, str] = {
    DocKind.ACCEPTANCE: "受理通知书",
    DocKind.NOTICE: "一次性告知书",
    DocKind.REFUSAL: "不予受理告知书",
    DocKind.REJECTION: "审核不通过告知书",
    DocKind.COMPLETION: "办结通知书",
    DocKind.COLLECTION: "收件回执",
}

DOC_CODES: dict[DocKind, str] = {
    DocKind.ACCEPTANCE: "SL",
    DocKind.NOTICE: "GZ",
    DocKind.REFUSAL: "BSL",
    DocKind.REJECTION: "BTG",
    DocKind.COMPLETION: "BJ",
    DocKind.COLLECTION: "SJ",
}
