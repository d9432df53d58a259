"""Masked forms of personal data for screens and exported lists (个人信息保护法: show no more than
the task needs). Each function returns "" for empty input and never raises.

- ID numbers: first 3 and last 4 kept, one `*` per hidden character: 430***********1234.
  Shorter than 8 characters: only the last 2 kept.
- Phones: mobile 138****5678; landline with area code 0746-***3456.
- Bank accounts: ****1234, always four stars, so the length is not revealed.
- Names: first character, then `*` for each further character except the last: 张*丰, 张*, 欧**娜.
  A one-character name becomes "*".
"""

from __future__ import annotations


def _clean(value: str | None) -> str:
    return "".join((value or "").split())


def mask_id(value: str | None) -> str:
    v = _clean(value)
    if not v:
        return ""
    if len(v) < 8:
        keep = min(2, len(v) - 1)
        return "*" * (len(v) - keep) + v[len(v) - keep :]
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_phone(value: str | None) -> str:
    v = _clean(value)
    if not v:
        return ""
    if "-" in v:
        area, _, local = v.partition("-")
        if len(local) > 4:
            return f"{area}-" + "*" * (len(local) - 4) + local[-4:]
        return f"{area}-" + "*" * len(local)
    return mask_id(v)


def mask_account(value: str | None) -> str:
    v = _clean(value)
    if not v:
        return ""
    if len(v) <= 4:
        return "****"
    return "****" + v[-4:]


def mask_name(value: str | None) -> str:
    v = (value or "").strip()
    if not v:
        return ""
    if len(v) == 1:
        return "*"
    if len(v) == 2:
        return v[0] + "*"
    return v[0] + "*" * (len(v) - 2) + v[-1]
