"""Screening free text (reasons, rating comments, follow-ups) for ID numbers, phones and bank cards.

The event log is permanent and copied to other installations; it must hold no personal data.
A clerk may type a number in any form: with spaces or dashes ("138 0013 8000"), a separator
between every digit and more than one of them ("4 3 9 9  9 9-1.9…"), in full-width digits
("１３８…") or full-width separators, with +86 or 0086 in front. Widths are normalised (NFKC),
then every run of digits joined by separators is split into its groups and every sequence of
adjacent groups up to the length of a bank card is checked as one number. Free of Textual.
"""

from __future__ import annotations

import re
import unicodedata

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# What may stand between the digits of one number as a clerk types it (after NFKC, which turns
# full-width forms into these): any run of spaces, dashes, dots, middle dots, underscores,
# slashes, commas, colons, pipes and quotes.
_SEPARATOR = r"[\s\-\u2010-\u2015\.·•・_/\\,，、:;|'\"]"
# A digit run: digits (and a final X of an ID number) with separators between them.
_RUN = re.compile(rf"\d(?:{_SEPARATOR}*\d)*(?:{_SEPARATOR}*[Xx](?![A-Za-z]))?")
_SPLIT = re.compile(rf"{_SEPARATOR}+")
_LONGEST = 19  # digits: the longest number screened (a bank card)

KIND_LABELS = {"id": "身份证号", "phone": "手机号", "bank": "银行卡号"}


def _normalise(text: str) -> str:
    """Full-width digits and letters to ASCII; '+86' and '0086' prefixes dropped."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?:\+|00)\s*86[\s\-]*(?=1)", "", text)


def _valid_resident_id(s: str) -> bool:
    """An 18-character resident ID: area code, a plausible birth date, sequence, check character."""
    if len(s) != 18 or not s[:17].isdigit() or s[0] not in "12345678":
        return False
    year, month, day = int(s[6:10]), int(s[10:12]), int(s[12:14])
    if not (1880 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
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

    A run of digits is split at its separators into groups; every sequence of adjacent groups of
    at most 19 digits is checked as one number, so "138 0013 8000", "1 3 8 0 0 1 3 8 0 0 0" and
    "13800138000 13900139000" are all found."""
    found: set[str] = set()
    for match in _RUN.finditer(_normalise(text)):
        groups = [g for g in _SPLIT.split(match.group()) if g]
        for i in range(len(groups)):
            number = ""
            for group in groups[i:]:
                number += group
                if len(number) > _LONGEST:
                    break
                kind = _kind_of(number)
                if kind:
                    found.add(kind)
        if found:  # the most specific kind the run holds (an ID can contain a phone-like part)
            return next(k for k in ("id", "bank", "phone") if k in found)
    return None


def personal_data_message(kind: str, label: str = "理由或备注") -> str:
    what = KIND_LABELS.get(kind, "个人信息")
    return (
        f"{label}中好像写了{what}。事件记录会永久保存并同步到其他服务点，不能含个人信息；"
        "请删去号码后重试（办件号会自动记录，无需填写）。"
    )
