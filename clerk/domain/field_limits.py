"""Limits on every free field (names, reasons, comments, amounts), checked in the domain with a
Chinese message. (Role sets and workflow limits are in `clerk.domain.limits`.)

A 2,000-character name once crashed the acceptance notice (the PDF layout could not place it)
and a 1,000,000-character one was stored and slowed every search. The longest real values:
an enterprise's registered name is at most 50 characters or so, a reason fits on a notice.
Free of Textual.
"""

from __future__ import annotations

from dataclasses import replace

from clerk.domain.model import Applicant
from clerk.domain.personal_data import find_personal_data, personal_data_message
from clerk.domain.text_input import TextInputError, clean_text

NAME_MAX = 60  # a person's name, or a unit's full registered name
AGENT_NAME_MAX = 30
ID_NUMBER_MAX = 30
PHONE_MAX = 20
BANK_ACCOUNT_MAX = 32
REASON_MAX = 300  # 不予受理、审核不通过、撤回、终止的理由; one notice paragraph
COMMENT_MAX = 300  # 评价意见、回访记录
REFERENCE_MAX = 40  # 拨付凭证号
LOGIN_MAX = 32
USER_NAME_MAX = 30
POINT_NAME_MAX = 40
AMOUNT_MAX_FEN = 10_000_000_00  # 1,000万元: more than any single reimbursement at a window


class LimitError(TextInputError):
    """A field over its limit; the message names the field and the limit."""


def checked(text: str, label: str, limit: int, *, multiline: bool = False) -> str:
    """`text` cleaned (see `clean_text`) and within `limit` characters, or a `LimitError`."""
    cleaned = clean_text(text, label=label, multiline=multiline)
    if len(cleaned) > limit:
        raise LimitError(f"{label}最多{limit}个字，现为{len(cleaned)}个字，请精简后重试。")
    return cleaned


class PersonalTextError(TextInputError):
    """Free text for the permanent record that carries an ID number, a phone or a bank card."""


def screened(text: str, label: str) -> str:
    kind = find_personal_data(text)
    if kind:
        raise PersonalTextError(personal_data_message(kind, label))
    return text


def checked_reason(text: str, label: str = "理由") -> str:
    """A reason for the event log: cleaned, within its limit, no personal data."""
    return screened(checked(text, label, REASON_MAX, multiline=True), label)


def checked_comment(text: str, label: str = "评价意见") -> str:
    """A rating comment or a follow-up: cleaned, within its limit, no personal data."""
    return screened(checked(text, label, COMMENT_MAX, multiline=True), label)


def checked_reference(text: str) -> str:
    return checked(text, "拨付凭证号", REFERENCE_MAX)


def checked_bank_account(text: str) -> str:
    """A bank account number: digits only (spaces a clerk types in groups dropped), 8–32 of them."""
    digits = "".join(checked(text, "收款账户", BANK_ACCOUNT_MAX + 8).split()).replace("-", "")
    if digits and not (digits.isdigit() and 8 <= len(digits) <= BANK_ACCOUNT_MAX):
        raise LimitError("收款账户应为8–32位数字（银行卡号或存折账号），请核对后重新输入。")
    return digits


def checked_applicant(applicant: Applicant) -> Applicant:
    """The applicant with every field cleaned and within its limit."""
    return replace(
        applicant,
        name=checked(applicant.name, "申请人姓名或单位名称", NAME_MAX),
        id_number=checked(applicant.id_number, "证件号码", ID_NUMBER_MAX),
        phone=checked(applicant.phone, "联系电话", PHONE_MAX),
        agent_name=checked(applicant.agent_name, "代理人姓名", AGENT_NAME_MAX),
        agent_id_number=checked(applicant.agent_id_number, "代理人证件号码", ID_NUMBER_MAX),
        bank_account=checked_bank_account(applicant.bank_account),
    )


def checked_amount(amount_fen: int) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise LimitError("金额应为大于0的数字，最多两位小数，如 1234.50。")
    if amount_fen > AMOUNT_MAX_FEN:
        raise LimitError(f"金额不能超过{AMOUNT_MAX_FEN // 100:,}元，请核对后重新输入。")
    return amount_fen
