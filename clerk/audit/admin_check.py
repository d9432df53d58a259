"""The proof's check of the administrative chain (`clerk.domain.admin_log`): the accounts, the
declared points and the kept ledger/acknowledged heads replayed against it and compared with
what the record holds now."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clerk.audit.case_check import _decoded
from clerk.audit.findings import SOURCE_LABELS, Problem, Proof
from clerk.domain import admin_log
from clerk.domain.chain import (
    ZERO_HASH,
)
from clerk.domain.model import ROLE_LABELS, Role
from clerk.ports.store import RecordReads
from clerk.ports.verify_report import (
    CheckpointInLog,
)


def _check_admin(reads: RecordReads, proof: Proof, kept: list[CheckpointInLog]) -> None:
    """Walk the administrative chain (a few thousand events: always whole) and replay the
    accounts, the declared points and the kept ledger and acknowledged heads against it."""
    events: list[tuple[Any, ...]] = []
    expected_seq, expected_prev = 1, ZERO_HASH
    for values in reads.iter_admin_chain():
        problem = admin_log.link_problem(tuple(values), expected_seq, expected_prev)
        if problem is not None:
            proof.problems.append(Problem("chain", problem, origin=ADMIN_ORIGIN, seq=values[0]))
            return  # what follows a broken link proves nothing
        seq, uuid, action, actor, at, subject, data, _prev, digest = values
        events.append((seq, uuid, action, actor, at, subject, _decoded(data)))
        expected_seq, expected_prev = seq + 1, digest
    recorded = admin_log.replay(events)
    _compare_accounts(proof, recorded, reads.accounts())
    _compare_points(proof, recorded, reads.declared_points())
    _compare_kept(proof, recorded, kept)


ADMIN_ORIGIN = "accounts"
_TAMPERED_ACCOUNT = "账号被改动而没有相应的管理记录。"


def _role(value: str) -> str:
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value


def _compare_accounts(
    proof: Proof,
    recorded: admin_log.AdminProjection,
    stored: Iterable[tuple[str, str, str, bool, str]],
) -> None:
    seen: set[str] = set()
    for login, role, point, active, password_hash in stored:
        key = login.casefold()
        seen.add(key)
        account = recorded.accounts.get(key)
        if account is None:
            proof.problems.append(
                Problem(
                    "account",
                    f"账号 {login} 没有新增记录：它不是经本程序新增的，是绕过程序写入的。",
                )
            )
            continue
        for label, now, expected in (
            ("角色", _role(role), _role(account.role)),
            ("所属经办机构或服务点", point, account.point),
            ("状态", _active(active), _active(account.active)),
        ):
            if now != expected:
                proof.problems.append(
                    Problem(
                        "account",
                        f"账号 {login} 的{label}为“{now}”，但按管理记录应为“{expected}”："
                        + _TAMPERED_ACCOUNT,
                    )
                )
        if admin_log.password_digest(password_hash) != account.passwords:
            proof.problems.append(
                Problem(
                    "account",
                    f"账号 {login} 的密码哈希不是有记录的设置或重设所留下的：密码被绕过程序替换。",
                )
            )
    for key, account in recorded.accounts.items():
        if key not in seen:
            proof.problems.append(
                Problem(
                    "account",
                    f"管理记录表明有账号 {account.login}，但用户表中已没有它：账号被删除。",
                )
            )


def _active(active: bool) -> str:
    return "在用" if active else "已停用"


def _compare_points(
    proof: Proof,
    recorded: admin_log.AdminProjection,
    stored: Iterable[tuple[str, str, str, str]],
) -> None:
    seen: set[str] = set()
    for code, *values in stored:
        seen.add(code)
        expected = recorded.points.get(code)
        if expected is None:
            proof.problems.append(
                Problem("account", f"服务点 {code} 没有登记记录：它是绕过程序写入的。")
            )
            continue
        for label, now, should in zip(
            ("名称", "类型", "所属经办机构"), values, expected, strict=True
        ):
            if now != should:
                proof.problems.append(
                    Problem(
                        "account",
                        f"服务点 {code} 的{label}为“{now}”，但按管理记录应为“{should}”："
                        "服务点被改动而没有相应的管理记录。",
                    )
                )
    for code in sorted(set(recorded.points) - seen):
        proof.problems.append(
            Problem(
                "account", f"管理记录表明登记过服务点 {code}，但服务点表中已没有它：记录被删除。"
            )
        )


def _head_label(source: str, origin: str, seq: int, digest: str, note: str) -> str:
    return (
        SOURCE_LABELS.get(source, "")
        + f"链头（来源 {origin} 第 {seq} 条，{digest[:12]}…{note and '，' + note}）"
    )


def _compare_kept(
    proof: Proof, recorded: admin_log.AdminProjection, kept: Iterable[CheckpointInLog]
) -> None:
    present: set[str] = set()
    for c in kept:
        if c.source not in admin_log.RECORDED_SOURCES:
            continue
        subject = admin_log.checkpoint_subject(c.origin, c.seq, c.hash, c.source)
        present.add(subject)
        if subject not in recorded.checkpoints:
            proof.problems.append(
                Problem(
                    "checkpoint",
                    _head_label(c.source, c.origin, c.seq, c.hash, c.note)
                    + "没有相应的管理记录：检查点是绕过程序写入的。",
                    origin=c.origin,
                    seq=c.seq,
                )
            )
    for subject, (origin, seq, digest, source, note) in recorded.checkpoints.items():
        if subject not in present:
            proof.problems.append(
                Problem(
                    "checkpoint",
                    _head_label(source, origin, seq, digest, note)
                    + "的检查点记录已不存在：检查点被删除。",
                    origin=origin,
                    seq=seq,
                )
            )
