"""The hash chain over the event log, and the checks behind `clerk verify`.

Each event's hash is `sha256(canonical_json(fields) + prev_hash)` where `fields` holds every
stored column except `prev_hash` and `hash`, `data` as the JSON object it encodes, and canonical
JSON means sorted keys, no whitespace, `ensure_ascii=False`, UTF-8. The first event's prev_hash
is 64 zeros. Changing, removing or reordering any stored event breaks the link at that event.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from clerk.storage.schema import ZERO_HASH

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


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """The hash of an event given its fields (`data` as an object) and its predecessor's hash."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    return hashlib.sha256((canonical_json(payload) + prev_hash).encode("utf-8")).hexdigest()


def check_no_personal_data(reason: str, data: dict[str, Any]) -> None:
    """Refuse an event whose data has a personal-data key or whose text looks like an ID or phone."""
    for key in _walk_keys(data):
        if key in PERSONAL_KEYS:
            raise PersonalDataError(f"事件记录不能包含个人信息（字段 {key}），请只记录办件编号和代码。")
    for text in (reason, *_walk_strings(data)):
        if _looks_like_resident_id(text) or _MOBILE.search(text):
            raise PersonalDataError("事件记录的说明中含有身份证号或手机号，请删去个人信息后再保存。")


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


def _walk_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
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


# ---------------------------------------------------------------------- verification


def verify_chain(conn: sqlite3.Connection) -> dict[str, Any]:
    """Walk the events in seq order; report the count, head and the first broken link."""
    expected_prev = ZERO_HASH
    expected_seq = 1
    count = 0
    columns = ", ".join((*_SORTED_FIELDS, "prev_hash", "hash"))
    cursor = conn.execute(f"SELECT {columns} FROM events ORDER BY seq")
    names = [d[0] for d in cursor.description]
    for values in cursor:
        seq, prev, digest = values[_SEQ], values[-2], values[-1]
        if seq == expected_seq and prev == expected_prev and _spliced_hash(values) == digest:
            count += 1
            expected_seq = seq + 1
            expected_prev = digest
            continue
        row = dict(zip(names, values, strict=True))
        problem = _link_problem(row, expected_seq, expected_prev)
        if problem is not None:
            total = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            return {"chain_ok": False, "events": total, "first_broken": seq, "problem": problem, "head": None}
        count += 1
        expected_seq = seq + 1
        expected_prev = row["hash"]
    return {"chain_ok": True, "events": count, "first_broken": None, "problem": None, "head": expected_prev}


# The fast path of the walk (a county file has millions of events): the canonical payload is
# spliced from the stored columns in sorted-key order, with the stored `data` text as it is
# (`append_event` stores it canonical), instead of decoding `data` and re-encoding everything.
# Sound: the quoted strings cannot contain a bare quote, so only the original fields splice to
# the hashed text (and `data` is valid JSON, a CHECK says so). A row whose splice does not match (say, non-canonical but equal `data`) is
# checked the slow, exact way by `_link_problem`.
_SORTED_FIELDS = tuple(sorted(HASHED_FIELDS))
_KEYS = tuple(f'"{name}":' for name in _SORTED_FIELDS)
_DATA = _SORTED_FIELDS.index("data")
_SEQ = _SORTED_FIELDS.index("seq")


def _splice_value(value: Any) -> str:
    if value is None:
        return "null"
    if value.__class__ is str:
        return encode_basestring(value)
    if value.__class__ is int:
        return str(value)
    raise TypeError(type(value).__name__)


def _spliced_hash(values: tuple[Any, ...]) -> str | None:
    """sha256 of the spliced payload + prev_hash; None when a column has an unexpected type."""
    try:
        parts = [key + _splice_value(v) for key, v in zip(_KEYS, values, strict=False)]
        data = values[_DATA]
        if data.__class__ is not str:
            return None
        parts[_DATA] = _KEYS[_DATA] + data
    except TypeError:
        return None
    return hashlib.sha256(("{" + ",".join(parts) + "}" + values[-2]).encode("utf-8")).hexdigest()


def _link_problem(row: dict[str, Any], expected_seq: int, expected_prev: str) -> str | None:
    seq = row["seq"]
    if seq != expected_seq:
        return f"事件序号不连续：应为第 {expected_seq} 条，实际为第 {seq} 条，之前的记录可能被删除。"
    if row["prev_hash"] != expected_prev:
        return f"第 {seq} 条事件记录的前序哈希与上一条不符，记录可能被删除、插入或调换。"
    try:
        data = json.loads(row["data"])
    except (TypeError, ValueError):
        return f"第 {seq} 条事件记录的数据不是有效的 JSON，记录可能被改动。"
    if event_hash({**row, "data": data}, row["prev_hash"]) != row["hash"]:
        return f"第 {seq} 条事件记录的内容与其哈希值不符，记录可能被篡改。"
    return None


def integrity_messages(conn: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    """`PRAGMA integrity_check`, or `quick_check` (the page structure without matching every index
    entry to its row: seconds instead of minutes on a county file)."""
    pragma = "quick_check" if quick else "integrity_check"
    return [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]


def verify_connection(conn: sqlite3.Connection, *, quick: bool = False) -> dict[str, Any]:
    """Everything `clerk verify` reports, as a dict (see `clerk.db.Store.verify`); `quick` checks the
    file's structure with `quick_check` (for a fresh backup copy, whose pages were just read)."""
    messages = integrity_messages(conn, quick=quick)
    integrity: str | list[str] = "ok" if messages == ["ok"] else messages
    fk_problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    chain = verify_chain(conn)
    problems = []
    if integrity != "ok":
        problems.append("数据库文件结构检查未通过（PRAGMA integrity_check），请从最近的备份恢复并联系技术支持。")
    if fk_problems:
        problems.append(f"有 {len(fk_problems)} 条记录引用了不存在的办件或文书。")
    if chain["problem"]:
        problems.append(chain["problem"])
    return {
        "ok": not problems,
        "integrity": integrity,
        "foreign_keys": "ok" if not fk_problems else [f"{r[0]} rowid {r[1]} -> {r[2]}" for r in fk_problems],
        "chain_ok": chain["chain_ok"],
        "events": chain["events"],
        "first_broken": chain["first_broken"],
        "head": chain["head"],
        "problem": "；".join(problems) if problems else None,
    }
