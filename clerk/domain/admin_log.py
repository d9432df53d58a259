"""The installation's administrative record: accounts and kept chain heads, as a hash chain.

The event log (`clerk.domain.chain`) records what happens to cases, and its rows must name a
case (`events.case_uuid` is NOT NULL and refers to `cases`): an account or a checkpoint has no
case. So what an administrator does to accounts, and every chain head a daily ledger printed or
a county office acknowledged, goes into a second chain of its own, one per installation (shown
as `<POINT>:accounts`), never synced: accounts and checkpoints belong to the file that holds them.

Each event's hash is `sha256(canonical_json({seq, uuid, action, actor, at, subject, data}) +
prev_hash)` with `prev_hash` the previous event's hash (64 zeros for the first). `clerk verify`
walks the chain and replays the users table and the kept checkpoints against it (`replay`).

What an account event holds: the login (subject), the role, the point, whether active, and for
a password `password_digest(stored argon2 string)`: the argon2 string is already a salted hash,
so its SHA-256 proves the stored hash is the one a recorded action set, and tells nothing of the
password. Never the password; never the person's name (personal data stays out of the chains).
Failed sign-ins and the lockout they cause are not recorded: they are the sign-in's own counter,
not an administrator's act (a reset that lifts a lockout is).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clerk.domain.chain import ZERO_HASH, canonical_json

ADMIN_HASHED_FIELDS = ("seq", "uuid", "action", "actor", "at", "subject", "data")
# A stored administrative event, in this order (`data` its canonical JSON text).
ADMIN_COLUMNS = (*ADMIN_HASHED_FIELDS, "prev_hash", "hash")

ACCOUNT_CREATED = "account_created"  # data: role, point, active, password
ACCOUNT_ADOPTED = "account_adopted"  # an account that existed before the proof (migration)
ACCOUNT_ROLE = "account_role"  # data: role
ACCOUNT_ACTIVE = "account_active"  # data: active
PASSWORD_SET = "password_set"  # data: password, why (reset | own | rehash), lockout_lifted
POINT_DECLARED = "point_declared"  # data: name, kind, office (a service point's, no person's)
POINT_REMOVED = "point_removed"  # a point declared by mistake, before it had any record
POINT_MOVED = "accounts_point_moved"  # data: from, to (every account of `from`)
HOLIDAYS_INSTALLED = "holidays_installed"  # data: year, sha256, source, issued_at, origin
CHECKPOINT_KEPT = "checkpoint_kept"  # data: origin, seq, hash, source, note
PROOF_BEGINS = "proof_begins"  # the migration that started this chain on an older file

ACTION_LABELS = {
    ACCOUNT_CREATED: "新增账号",
    ACCOUNT_ADOPTED: "登记原有账号",
    ACCOUNT_ROLE: "更改角色",
    ACCOUNT_ACTIVE: "停用或启用账号",
    PASSWORD_SET: "设置密码",
    POINT_DECLARED: "登记服务点",
    POINT_REMOVED: "撤销服务点",
    POINT_MOVED: "更正账号所属",
    HOLIDAYS_INSTALLED: "安装节假日文件",
    CHECKPOINT_KEPT: "保存链头检查点",
    PROOF_BEGINS: "开始记录",
}
# The checkpoint sources this chain records (a verify's own head is replaced on every verify).
RECORDED_SOURCES = frozenset({"ledger", "ack"})
MIGRATION_ACTOR = "migration"


def password_digest(stored_hash: str) -> str:
    """What the record keeps of a stored password hash (an argon2 string): its SHA-256."""
    return hashlib.sha256(stored_hash.encode("utf-8")).hexdigest()


def admin_event_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of an administrative event (`data` as an object) after `prev_hash`."""
    payload = {name: fields[name] for name in ADMIN_HASHED_FIELDS}
    return hashlib.sha256((canonical_json(payload) + prev_hash).encode("utf-8")).hexdigest()


def checkpoint_subject(origin: str, seq: int, digest: str, source: str) -> str:
    return f"{source}:{origin}:{seq}:{digest}"


# ---------------------------------------------------------------------- walking the chain


def link_problem(values: tuple[Any, ...], expected_seq: int, expected_prev: str) -> str | None:
    """Why the stored event `values` (in `ADMIN_COLUMNS` order) is not the next good link."""
    import json

    row = dict(zip(ADMIN_COLUMNS, values, strict=True))
    where = f"本机管理记录（账号和检查点）第 {row['seq']} 条"
    if row["seq"] != expected_seq:
        return (
            f"本机管理记录（账号和检查点）序号不连续：应为第 {expected_seq} 条，"
            f"实际为第 {row['seq']} 条，之间的记录可能被删除。"
        )
    if row["prev_hash"] != expected_prev:
        return f"{where}的前序哈希与上一条不符，记录可能被删除、插入或调换。"
    try:
        data = json.loads(row["data"])
    except (TypeError, ValueError):
        return f"{where}的数据不是有效的 JSON，记录可能被改动。"
    if admin_event_hash({**row, "data": data}, row["prev_hash"]) != row["hash"]:
        return f"{where}的内容与其哈希值不符，记录可能被篡改。"
    return None


# ---------------------------------------------------------------------- the replay


@dataclass
class Account:
    """An account as the administrative record says it should be."""

    login: str
    role: str
    point: str
    active: bool
    passwords: str  # the digest of the last recorded password hash
    before_proof: bool = False


@dataclass
class AdminProjection:
    accounts: dict[str, Account] = field(default_factory=dict)  # by login, casefolded
    checkpoints: dict[str, tuple[str, int, str, str, str]] = field(default_factory=dict)
    points: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # code: name, kind, office
    begins: Mapping[str, Any] | None = None  # the migration's data, on an older file


def replay(events: Iterable[tuple[Any, ...]]) -> AdminProjection:
    """Fold the administrative events (stored tuples, `data` decoded) into accounts and heads."""
    projection = AdminProjection()
    for _seq, _uuid, action, _actor, _at, subject, data, *_ in events:
        key = str(subject).casefold()
        account = projection.accounts.get(key)
        if action in (ACCOUNT_CREATED, ACCOUNT_ADOPTED):
            projection.accounts[key] = Account(
                login=str(subject),
                role=str(data.get("role")),
                point=str(data.get("point")),
                active=bool(data.get("active", True)),
                passwords=str(data.get("password")),
                before_proof=action == ACCOUNT_ADOPTED,
            )
        elif action == ACCOUNT_ROLE and account is not None:
            account.role = str(data.get("role"))
        elif action == ACCOUNT_ACTIVE and account is not None:
            account.active = bool(data.get("active"))
        elif action == PASSWORD_SET and account is not None:
            account.passwords = str(data.get("password"))
        elif action == POINT_MOVED:
            for a in projection.accounts.values():
                if a.point == data.get("from"):
                    a.point = str(data.get("to"))
        elif action == CHECKPOINT_KEPT:
            projection.checkpoints[str(subject)] = (
                str(data.get("origin")),
                int(data.get("seq") or 0),
                str(data.get("hash")),
                str(data.get("source")),
                str(data.get("note") or ""),
            )
        elif action == POINT_DECLARED:
            projection.points[str(subject)] = (
                str(data.get("name")),
                str(data.get("kind")),
                str(data.get("office")),
            )
        elif action == POINT_REMOVED:
            projection.points.pop(str(subject), None)
        elif action == PROOF_BEGINS:
            projection.begins = data
    return projection


__all__ = [
    "ACCOUNT_ACTIVE",
    "ACCOUNT_ADOPTED",
    "ACCOUNT_CREATED",
    "ACCOUNT_ROLE",
    "ADMIN_COLUMNS",
    "CHECKPOINT_KEPT",
    "HOLIDAYS_INSTALLED",
    "PASSWORD_SET",
    "POINT_DECLARED",
    "POINT_MOVED",
    "POINT_REMOVED",
    "PROOF_BEGINS",
    "ZERO_HASH",
    "admin_event_hash",
    "password_digest",
    "replay",
]
