"""The one-time notice (一次性告知) and the rules of Art. 32 of the Administrative Licensing Law.

When materials are incomplete the office tells the applicant everything that must be supplied, at
once. A later notice on the same case may repeat materials already named but not add new ones,
unless a supervisor approves with a written reason. A case received and left without a decision or a
notice for 5 working days counts as accepted from the day the materials were received.

The supplement period (default 30 natural days) is this office's own policy, not a statutory figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from clerk.domain.catalog import Item, Material
from clerk.domain.limits import (
    DEEMED_ACCEPTED_WORKING_DAYS,
    DEFAULT_SUPPLEMENT_DAYS,
    OVERRIDE_ROLES,
)
from clerk.domain.materials import with_requirements
from clerk.domain.model import Role

LAW_TEXT = (
    "《中华人民共和国行政许可法》第三十二条第一款第（四）项：申请材料不齐全或者不符合法定形式的，"
    "应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。"
)
PROMISE_TEXT = (
    "本告知书已一次性列明需要补正的全部材料。您按本告知书补齐材料后再次提交的，"
    "我们不会以本告知书未列明的材料为由再次要求补正。"
)


class NoticeRuleError(ValueError):
    """A notice the rules forbid. Message in Chinese, naming the materials concerned."""


class Calendar(Protocol):
    def add_working_days(self, start: date, n: int) -> tuple[date, bool]: ...

    def is_working_day(self, d: date) -> bool: ...


@dataclass(frozen=True)
class NoticeContent:
    item_no: int
    item_name: str
    case_no: str
    missing: tuple[tuple[str, str], ...]  # (material name, what is wrong)
    basis: tuple[str, ...]  # legal basis lines of the item
    issued_on: date
    office_name: str
    office_address: str
    supervision_phone: str
    hand_in_where: str
    supplement_days: int
    due_by: date  # last day to hand the materials in (office policy)
    policy_note: str
    promise: str = PROMISE_TEXT
    law_text: str = LAW_TEXT

    def missing_lines(self) -> list[str]:
        """Numbered lines, e.g. `1. 《……登记表》：未加盖单位公章`."""
        return [
            f"{n}. {name}：{problem}" for n, (name, problem) in enumerate(self.missing, start=1)
        ]


def basis_line(law: str, articles: str | None) -> str:
    return f"{law}{articles}" if articles else law


def policy_note(supplement_days: int, due_by: date) -> str:
    return (
        f"请于{due_by.year}年{due_by.month}月{due_by.day}日前（自告知之日起{supplement_days}个自然日内）"
        "补齐材料。此期限为本机关的办理安排，不是法定期限；逾期未补正的，本件终止办理，您可以重新申请。"
    )


def build_notice(
    *,
    item: Item,
    case_no: str,
    missing: Sequence[tuple[Material, str]],
    issued_on: date,
    office_name: str,
    office_address: str,
    supervision_phone: str,
    hand_in_where: str,
    supplement_days: int = DEFAULT_SUPPLEMENT_DAYS,
) -> NoticeContent:
    """The content of the written notice; rendering is `clerk.documents`' job."""
    if not missing:
        raise NoticeRuleError("材料已齐全，无需一次性告知，可直接受理。")
    if supplement_days <= 0:
        raise ValueError("supplement_days must be positive")
    due_by = issued_on + timedelta(days=supplement_days)
    return NoticeContent(
        item_no=item.no,
        item_name=item.name,
        case_no=case_no,
        missing=tuple((m.name, with_requirements(m, problem)) for m, problem in missing),
        basis=tuple(basis_line(b.law, b.articles) for b in item.basis),
        issued_on=issued_on,
        office_name=office_name,
        office_address=office_address,
        supervision_phone=supervision_phone,
        hand_in_where=hand_in_where,
        supplement_days=supplement_days,
        due_by=due_by,
        policy_note=policy_note(supplement_days, due_by),
    )


def unnamed_materials(earlier: Sequence[frozenset[str]], new: frozenset[str]) -> frozenset[str]:
    """The material ids of `new` that no earlier notice named (empty for a first notice)."""
    if not earlier:
        return frozenset()
    named: frozenset[str] = frozenset().union(*earlier)
    return new - named


def check_later_notice(
    earlier: Sequence[frozenset[str]],
    new: frozenset[str],
    *,
    override_reason: str = "",
    role: Role,
    names: Mapping[str, str] | None = None,
) -> None:
    """Refuse a later notice that adds materials the earlier notices did not name.

    A supervisor or administrator may allow it with a written reason. `names` maps material ids
    to the names used in the message; ids without a name are shown as they are.
    """
    added = unnamed_materials(earlier, new)
    if not added:
        return
    listed = "、".join(f"“{(names or {}).get(i, i)}”" for i in sorted(added))
    if not override_reason.strip():
        raise NoticeRuleError(
            f"一次性告知须一次列明全部需补正的材料，首次告知未列明{listed}，不能再要求申请人补正。"
            "如确需补充告知，请主管填写理由后批准。"
        )
    if role not in OVERRIDE_ROLES:
        raise NoticeRuleError(
            f"补充告知首次未列明的材料（{listed}）须由主管或系统管理员批准，请联系主管办理。"
        )


def notice_window_end(received_on: date, calendar: Calendar) -> date:
    """The last day the office may still give the one-time notice: the 5th working day after
    receipt (the day of receipt not counted)."""
    last_day, _provisional = calendar.add_working_days(received_on, DEEMED_ACCEPTED_WORKING_DAYS)
    return last_day


def deemed_acceptance_day(
    received_on: date, first_answer_on: date, calendar: Calendar
) -> date | None:
    """Art. 32: 逾期不告知的，自收到申请材料之日起即为受理.

    `first_answer_on` is the day of the office's first answer to the application: its first
    notice, or the acceptance itself when no notice was given. When that answer came after the
    5-working-day window, the application counts as accepted from `received_on`, which is returned
    (the time limit runs from it); otherwise None (it counts from the actual acceptance)."""
    return received_on if first_answer_on > notice_window_end(received_on, calendar) else None


def deemed_accepted_text(received_on: date) -> str:
    """The one statement a screen makes about a case past the notice window (Art. 32): it is
    accepted by law from the day of receipt, and its time limit runs from that day."""
    return (
        f"收件已超过{DEEMED_ACCEPTED_WORKING_DAYS}个工作日未作一次性告知："
        f"依法自收件之日（{received_on:%Y年%m月%d日}）起即为受理，办理时限自该日起算，请尽快办理。"
    )


LATE_NOTICE_HINT = (
    "收件已超过5个工作日未作一次性告知，依法（行政许可法第三十二条）自收件之日起视为受理。"
    "此时再出具告知书属逾期告知，须由主管填写理由后批准，并记录在案。"
)


def check_late_notice(late: bool, *, reason: str, role: Role) -> None:
    """A first notice given after the 5-working-day window needs a supervisor and a reason."""
    if not late:
        return
    if not reason.strip():
        raise NoticeRuleError(LATE_NOTICE_HINT)
    if role not in OVERRIDE_ROLES:
        raise NoticeRuleError("逾期告知须由主管或系统管理员批准，请联系主管办理。")


def deemed_accepted(received_on: date, today: date, *, decided: bool, calendar: Calendar) -> bool:
    """True when a case received on `received_on` has waited more than 5 working days.

    `decided` means it was accepted, refused or noticed. The day of receipt is not counted; the
    office has until the end of the 5th working day after it.
    """
    if decided:
        return False
    last_day, _provisional = calendar.add_working_days(received_on, DEEMED_ACCEPTED_WORKING_DAYS)
    return today > last_day
