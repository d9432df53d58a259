"""Case numbers (办件编号) that every point can issue on its own, offline, without clashing.

A case number is

    point code + YYYYMMDD + 4-digit daily sequence + 1 check character
    e.g. YZ01 20260918 0001 K  ->  "YZ01202609180001K"   (written without spaces)

Point codes are unique across the province file (`clerk.domain.offices`: 2-10 of A-Z0-9) and each point
numbers its own cases per day, so two points can never produce the same number. The last 13
characters have a fixed shape, so the point code is everything before them.

The check character is ISO/IEC 7064 MOD 37,36 (the hybrid system for alphanumeric strings, the
same family as the one in GB 32100's organisation codes): over the characters 0-9A-Z valued 0-35,

    p = 36; for each c: s = (p + v(c)) mod 36, or 36 if that is 0; p = 2s mod 37
    check = (37 - p) mod 36, written as a character of 0-9A-Z

It catches every single-character substitution and most adjacent transpositions, so a number read
over the phone or typed from a paper receipt is checked before it is looked up.

Case UUIDs (`new_uuid`) are UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then
74 random bits. Like UUID4 they need no coordination (74 random bits per millisecond), and being
time-ordered they keep SQLite's primary-key index append-mostly and sort the cases of several
points by creation when the county office merges their files. They reveal only when a case was
created, which the case record says anyway.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from datetime import date, datetime

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUES = {c: i for i, c in enumerate(ALPHABET)}
POINT_CODE_RE = re.compile(r"^[A-Z0-9]{2,10}$")
_TAIL_RE = re.compile(r"^(\d{8})(\d{4})([0-9A-Z])$")
TAIL_LENGTH = 13
MAX_SEQ = 9999


def check_char(text: str) -> str:
    """ISO 7064 MOD 37,36 check character over `text` (characters 0-9A-Z)."""
    m = 36
    p = m
    for c in text:
        v = _VALUES.get(c)
        if v is None:
            raise ValueError(f"{c!r} is not in 0-9A-Z")
        s = (p + v) % m
        if s == 0:
            s = m
        p = (2 * s) % (m + 1)
    return ALPHABET[(m + 1 - p) % m]


def make_case_number(point_code: str, day: date, seq: int) -> str:
    """The case number of the `seq`-th case (1-9999) a point opened on `day`."""
    if not POINT_CODE_RE.match(point_code):
        raise ValueError("服务点编码应为2–10位大写字母或数字")
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"当日办件序号应在 1–{MAX_SEQ} 之间")
    body = f"{point_code}{day:%Y%m%d}{seq:04d}"
    return body + check_char(body)


def normalize_case_number(text: str) -> str:
    """Upper case, spaces and hyphens removed (a clerk may type it in groups)."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def parse_case_number(text: str) -> tuple[str, date, int]:
    """(point code, day, sequence) of a valid case number; `ValueError` (Chinese) otherwise."""
    v = normalize_case_number(text)
    point, tail = v[:-TAIL_LENGTH], v[-TAIL_LENGTH:]
    match = _TAIL_RE.match(tail)
    if len(v) <= TAIL_LENGTH or match is None or not POINT_CODE_RE.match(point):
        raise ValueError("办件编号格式不对：应为服务点编码＋8位日期＋4位序号＋1位校验码，请核对")
    try:
        day = date(int(match.group(1)[:4]), int(match.group(1)[4:6]), int(match.group(1)[6:]))
    except ValueError:
        raise ValueError("办件编号中的日期无效，请核对") from None
    seq = int(match.group(2))
    if seq == 0:
        raise ValueError("办件编号中的序号不能为0000，请核对")
    if check_char(v[:-1]) != v[-1]:
        raise ValueError("办件编号校验码不符，可能有输错的字符，请核对")
    return point, day, seq


def check_case_number(text: str) -> bool:
    try:
        parse_case_number(text)
    except ValueError:
        return False
    return True


def new_uuid(now: datetime | None = None) -> str:
    """A UUID version 7 in the standard 36-character form (time-ordered, see module docstring)."""
    ms = int(now.timestamp() * 1000) if now is not None else time.time_ns() // 1_000_000
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= secrets.randbits(12) << 64  # rand_a
    value |= 0b10 << 62  # variant (RFC 9562)
    value |= secrets.randbits(62)  # rand_b
    return str(uuid.UUID(int=value))
