"""The hash chains over the event log: the recipe, and the check of one link (no storage).

A file holds one chain per origin: the point that wrote the events. Each event's hash is
`sha256(canonical_json(fields) + prev_hash)` where `fields` holds `HASHED_FIELDS` (plus `origin`
for `format = 2` events, every event written since migration 6), `data` as the JSON object it
encodes, and canonical JSON means sorted keys, no whitespace, `ensure_ascii=False`, UTF-8.
`seq` counts 1, 2, 3, ... within the origin, and `prev_hash` is the hash of the origin's previous
event (64 zeros for its first). Changing, removing or reordering any stored event breaks the
link at that event; imported chains are kept exactly as their origin wrote them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from clerk.domain.personal_data import find_personal_data

ZERO_HASH = "0" * 64  # the prev_hash of an origin's first event

HASHED_FIELDS = (
    "seq",
    "uuid",
    "case_uuid",
    "action",
    "actor",
    "at",
    "from_state",
    "to_state",
    "reason",
    "data",
    "point_code",
)
CURRENT_FORMAT = 2

# Keys an event's data must never carry: events hold ids and codes, not personal data.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "applicant_name",
        "agent_name",
        "id_number",
        "agent_id_number",
        "phone",
        "bank_account",
        "address",
        "diagnosis",
    }
)
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class PersonalDataError(ValueError):
    """An event was about to store personal data. The message names the field, never the value."""


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hashed_names(format: int) -> tuple[str, ...]:
    """The fields an event's hash covers, by its `format`."""
    if format == 1:
        return HASHED_FIELDS
    if format == 2:
        return (*HASHED_FIELDS, "origin")
    raise ValueError(f"unknown event format {format}")


def event_hash(fields: Mapping[str, Any], prev_hash: str, format: int = CURRENT_FORMAT) -> str:
    """The hash of an event given its fields (`data` as an object) and its predecessor's hash."""
    payload = {name: fields[name] for name in hashed_names(format)}
    return hashlib.sha256((canonical_json(payload) + prev_hash).encode("utf-8")).hexdigest()


def stored_event_hash(row: Mapping[str, Any]) -> str:
    """The hash of a stored event row (`data` as its stored canonical JSON text).

    Builds the canonical payload around the stored text instead of decoding and re-encoding it:
    the same bytes `event_hash` hashes when the text is canonical, as `append_event` writes it.
    Text that is not canonical hashes differently, and is reported as changed.
    """
    names = sorted(hashed_names(int(row["format"])))
    dumps = json.dumps
    parts = [
        f'"{name}":{row[name] if name == "data" else dumps(row[name], ensure_ascii=False)}'
        for name in names
    ]
    payload = "{" + ",".join(parts) + "}" + row["prev_hash"]
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def check_no_personal_data(reason: str, data: dict[str, Any]) -> None:
    """Refuse an event whose data has a personal-data key or whose text looks like an ID or phone."""
    for key in _walk_keys(data):
        if key in PERSONAL_KEYS:
            raise PersonalDataError(
                f"事件记录不能包含个人信息（字段 {key}），请只记录办件编号和代码。"
            )
    for text in (reason, *_walk_strings(data)):
        if _looks_like_resident_id(text) or _MOBILE.search(text):
            raise PersonalDataError(
                "事件记录的说明中含有身份证号或手机号，请删去个人信息后再保存。"
            )
    if find_personal_data(
        reason
    ):  # in any spacing, full-width, +86: see clerk.domain.personal_data
        raise PersonalDataError(
            "事件记录的说明中含有身份证号、手机号或银行卡号，请删去个人信息后再保存。"
        )


def _walk_keys(value: Any) -> list[str]:
    keys: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            keys.append(str(k))
            keys.extend(_walk_keys(v))
    elif isinstance(value, list | tuple):
        for v in value:
            keys.extend(_walk_keys(v))
    return keys


_DIGEST = re.compile(r"[0-9a-f]{64}")


def _walk_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        # a SHA-256 an event records (a document's, a comment's) is no personal data, though its
        # digits may happen to look like a phone number
        return [] if _DIGEST.fullmatch(value) else [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _walk_strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _walk_strings(v)]
    return []


def _looks_like_resident_id(text: str) -> bool:
    for match in _RESIDENT_ID.finditer(text):
        body, check = match.group()[:17], match.group()[17].upper()
        total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
        if "10X98765432"[total % 11] == check:
            return True
    return False


# ---------------------------------------------------------------------- walking the chains

STORED_COLUMNS = ("origin", "format", *HASHED_FIELDS, "prev_hash", "hash")


@dataclass(frozen=True)
class Head:
    """Where an origin's chain stands: its last event's number and hash."""

    origin: str
    seq: int
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """The walk of one origin's chain from `start` (exclusive)."""

    origin: str
    start: int  # the seq walked from (0 = from the beginning)
    walked: int  # events checked in this walk
    head: Head | None  # the last good event, None when the chain is empty
    broken_at: int | None  # the seq of the first bad link, None when whole
    problem: str | None  # Chinese, None when whole

    @property
    def ok(self) -> bool:
        return self.problem is None


# The walk's fast path: `stored_event_hash` on the stored tuple, without a dict per event or a
# `json.dumps` call per field. Each format's payload keys in sorted order, with the index of the
# column that holds the value; strings are encoded as `json.dumps(..., ensure_ascii=False)`
# encodes them (`encode_basestring`), `data` is the stored text. A tuple with an unexpected type
# or format gets None, and the walk checks that event the exact way (`_link_problem`).
_SEQ = STORED_COLUMNS.index("seq")
_PREV = STORED_COLUMNS.index("prev_hash")
_HASH = STORED_COLUMNS.index("hash")
_DATA = STORED_COLUMNS.index("data")
_FORMAT = STORED_COLUMNS.index("format")
_PLANS = {
    fmt: tuple((f'"{name}":', STORED_COLUMNS.index(name)) for name in sorted(hashed_names(fmt)))
    for fmt in (1, 2)
}


def spliced_hash(values: tuple[Any, ...]) -> str | None:
    """`stored_event_hash` of a row in `STORED_COLUMNS` order, spliced around its stored `data`
    text; None when a value is of a type the splice does not encode (check it the exact way)."""
    plan = _PLANS.get(values[_FORMAT])
    if plan is None:
        return None
    parts = []
    for key, i in plan:
        v = values[i]
        if i == _DATA:
            if v.__class__ is not str:
                return None
            parts.append(key + v)
        elif v.__class__ is str:
            parts.append(key + encode_basestring(v))
        elif v is None:
            parts.append(key + "null")
        elif v.__class__ is int:
            parts.append(key + str(v))
        else:
            return None
    return hashlib.sha256(("{" + ",".join(parts) + "}" + values[_PREV]).encode("utf-8")).hexdigest()


def _label(origin: str) -> str:
    return f"来源 {origin} 的"


def _link_problem(row: Mapping[str, Any], expected_seq: int, expected_prev: str) -> str | None:
    seq = row["seq"]
    where = f"{_label(row['origin'])}第 {seq} 条事件记录"
    if seq != expected_seq:
        return (
            f"{_label(row['origin'])}事件序号不连续：应为第 {expected_seq} 条，实际为第 {seq} 条，"
            "之间的记录可能被删除。"
        )
    if row["prev_hash"] != expected_prev:
        return f"{where}的前序哈希与上一条不符，记录可能被删除、插入或调换。"
    if row["format"] not in (1, 2):
        return f"{where}的格式标记无效，记录可能被改动。"
    try:
        digest = stored_event_hash(row)
    except (TypeError, ValueError):
        return f"{where}的数据无效，记录可能被改动。"
    if digest != row["hash"]:
        try:
            data = json.loads(row["data"])
        except (TypeError, ValueError):
            return f"{where}的数据不是有效的 JSON，记录可能被改动。"
        if event_hash({**row, "data": data}, row["prev_hash"], row["format"]) != row["hash"]:
            return f"{where}的内容与其哈希值不符，记录可能被篡改。"
    return None


def first_problem(reports: Iterable[ChainReport]) -> ChainReport | None:
    return next((r for r in reports if not r.ok), None)
