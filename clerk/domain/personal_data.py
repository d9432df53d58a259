"""Screening free text (reasons, rating comments, follow-ups) for ID numbers, phones and bank cards.

The event log is permanent and copied to other installations; it must hold no personal data.
A clerk may type a number in any form: with spaces or dashes ("138 0013 8000"), in full-width
digits ("１３８…"), with +86 or 0086 in front. Digits are normalised, separators between digits
dropped, and every run of digits checked. Free of Textual.
"""

from __future__ import annotations

import re
import unicodedata

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# A digit run: digits (and a final X of an ID number) with single separators between them.
_RUN = re.compile(r"\d(?:[\s\-\.·_/]?\d)*(?:[\s\-]?[Xx])?")

KIND_LABELS = {"id": "身份证号", "phone": "手机号", "bank": "银行卡号"}


def _normalise(text: str) -> str:
    """Full-width digits and letters to ASCII; '+86' and '0086' prefixes dropped."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?:\+|00)\s*86[\s\-]*(?=1)", "", text)


def _valid_resident_id(s: str) -> bool:
    if len(s) != 18 or not s[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == s[17].upper()


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _kind_of(digits: str) -> str | None:
    """What a whole number (digits, maybe a final X) is, checked exactly."""
    if _valid_resident_id(digits):
        return "id"
    if not digits.isdigit():
        return None
    if re.fullmatch(r"(?:86)?1[3-9]\d{9}", digits):
        return "phone"
    if 15 <= len(digits) <= 19 and digits[0] in "34569" and _luhn(digits):
        return "bank"
    if (
        len(digits) == 15
        and digits[0] in "123456789"
        and 1 <= int(digits[8:10]) <= 12
        and 1 <= int(digits[10:12]) <= 31
    ):
        return "id"  # a first-generation (15-digit) ID number: area, yymmdd, sequence
    return None


def find_personal_data(text: str) -> str | None:
    """The kind of personal data found ("id", "phone", "bank"), or None.

    A run of digits is split at its separators into groups; every sequence of adjacent groups
    is checked as one number, so "138 0013 8000" and "13800138000 13900139000" are both found."""
    for match in _RUN.finditer(_normalise(text)):
        groups = [g for g in re.split(r"[\s\-\.·_/]", match.group()) if g]
        for i in range(len(groups)):
            for j in range(i + 1, min(len(groups), i + 8) + 1):
                kind = _kind_of("".join(groups[i:j]))
                if kind:
                    return kind
    return None


def personal_data_message(kind: str, label: str = "理由或备注") -> str:
    what = KIND_LABELS.get(kind, "个人信息")
    return (
        f"{label}中好像写了{what}。事件记录会永久保存并同步到其他服务点，不能含个人信息；"
        "请删去号码后重试（办件号会自动记录，无需填写）。"
    )
