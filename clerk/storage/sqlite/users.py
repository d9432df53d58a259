"""User accounts: argon2id password hashes, the password policy, and lockout after failures.

Functions here take the connection and run inside the caller's transaction; `clerk.db.Store`
wraps them. Messages are Chinese and never echo a password.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from argon2 import PasswordHasher

from clerk.domain.accounts import (
    LOGIN_RE,
    WRONG_CREDENTIALS,
    AuthError,
    PasswordPolicyError,
    User,
    UserError,
    burn_password_check,
    check_password_policy,
    default_hasher,
    password_matches,
)
from clerk.domain.admin_log import PASSWORD_SET, password_digest
from clerk.domain.clock import TZ
from clerk.domain.limits import LOCKOUT, MAX_FAILED_ATTEMPTS
from clerk.domain.model import Role
from clerk.storage.sqlite import admin_log

__all__ = [
    "LOGIN_RE",
    "WRONG_CREDENTIALS",
    "AuthError",
    "PasswordPolicyError",
    "User",
    "UserError",
    "check_password_policy",
    "default_hasher",
]


def _user(row: sqlite3.Row | tuple) -> User:
    login, name, role, point_code, active, failed, locked_until, epoch = row
    return User(
        login=login,
        name=name,
        role=Role(role),
        point_code=point_code,
        active=bool(active),
        failed_attempts=int(failed),
        locked_until=datetime.fromisoformat(locked_until) if locked_until else None,
        session_epoch=int(epoch),
    )


_COLUMNS = "login, name, role, point_code, active, failed_attempts, locked_until, session_epoch"


def get_user(conn: sqlite3.Connection, login: str) -> User | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE login = ?", (login,)).fetchone()
    return _user(row) if row else None


def list_users(conn: sqlite3.Connection) -> list[User]:
    return [_user(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY login")]


def has_users(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1


def create_user(
    conn: sqlite3.Connection,
    hasher: PasswordHasher,
    now: datetime,
    login: str,
    name: str,
    role: Role | str,
    password: str,
    point_code: str,
) -> User:
    login = login.strip()
    if not LOGIN_RE.match(login):
        raise UserError("登录名须为1–32位英文字母、数字、下划线、点或短横线，且以字母或数字开头。")
    if not name.strip():
        raise UserError("请填写用户姓名。")
    try:
        role = Role(role)
    except ValueError:
        choices = "、".join(str(r) for r in Role)
        raise UserError(f"角色应为以下之一：{choices}。") from None
    if not point_code.strip():
        raise UserError("请指定用户所属的经办机构或服务点编码。")
    check_password_policy(password, login)
    if get_user(conn, login) is not None:
        raise UserError(f"登录名 {login} 已被使用，请换一个。")
    stamp = now.astimezone(TZ).isoformat()
    conn.execute(
        "INSERT INTO users (login, name, role, point_code, password_hash, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (login, name.strip(), str(role), point_code.strip(), hasher.hash(password), stamp, stamp),
    )
    user = get_user(conn, login)
    assert user is not None
    return user


def set_password(
    conn: sqlite3.Connection, hasher: PasswordHasher, now: datetime, login: str, password: str
) -> None:
    """Set a new password; also clears failed attempts and any lock."""
    user = _require(conn, login)
    check_password_policy(password, user.login)
    conn.execute(
        "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL, updated_at = ?"
        " WHERE login = ?",
        (hasher.hash(password), now.astimezone(TZ).isoformat(), user.login),
    )


def must_change_password(conn: sqlite3.Connection, login: str) -> bool:
    row = conn.execute(
        "SELECT must_change_password FROM users WHERE login = ?", (login,)
    ).fetchone()
    return bool(row and row[0])


def require_password_change(
    conn: sqlite3.Connection, now: datetime, login: str, required: bool
) -> None:
    """Mark (or clear) that `login` must choose a new password at the next sign-in."""
    user = _require(conn, login)
    # A password someone else chose (an administrator's reset) ends the sessions signed in
    # before it; the user's own change (required=False) keeps the session that made it.
    conn.execute(
        "UPDATE users SET must_change_password = ?, session_epoch = session_epoch + ?,"
        " updated_at = ? WHERE login = ?",
        (int(required), int(required), now.astimezone(TZ).isoformat(), user.login),
    )


def move_point(conn: sqlite3.Connection, now: datetime, old: str, new: str) -> None:
    """Every account of point `old` now belongs to `new` (this machine's office was corrected)."""
    conn.execute(
        "UPDATE users SET point_code = ?, updated_at = ? WHERE point_code = ?",
        (new, now.astimezone(TZ).isoformat(), old),
    )


def set_active(conn: sqlite3.Connection, now: datetime, login: str, active: bool) -> None:
    """Deactivate or reactivate `login`; either ends the sessions signed in before."""
    user = _require(conn, login)
    conn.execute(
        "UPDATE users SET active = ?, session_epoch = session_epoch + (active != ?), updated_at = ?"
        " WHERE login = ?",
        (int(active), int(active), now.astimezone(TZ).isoformat(), user.login),
    )


def _require(conn: sqlite3.Connection, login: str) -> User:
    user = get_user(conn, login)
    if user is None:
        raise UserError(f"没有登录名为 {login} 的用户。")
    return user


def authenticate(
    conn: sqlite3.Connection, hasher: PasswordHasher, now: datetime, login: str, password: str
) -> tuple[User | None, str | None]:
    """Check a sign-in and record its outcome. Returns (user, None) or (None, Chinese reason).

    The caller commits the recorded failure before raising, so the count survives the refusal.
    An unknown login costs a hash verification too, so timing does not tell which logins exist.
    """
    row = conn.execute(
        f"SELECT {_COLUMNS}, password_hash FROM users WHERE login = ?", (login.strip(),)
    ).fetchone()
    if row is None:
        burn_password_check(hasher, password)
        return None, WRONG_CREDENTIALS
    user, stored = _user(row[:-1]), row[-1]
    if not user.active:
        return None, "该账号已停用，请联系系统管理员。"
    if user.locked(now):
        at = user.locked_until.astimezone(TZ).strftime("%H:%M") if user.locked_until else ""
        return (
            None,
            f"密码连续输错 {MAX_FAILED_ATTEMPTS} 次，账号已锁定，请于 {at} 后再试，或请管理员重设密码。",
        )
    stamp = now.astimezone(TZ).isoformat()
    if not password_matches(hasher, stored, password):
        failed = user.failed_attempts + 1
        if failed >= MAX_FAILED_ATTEMPTS:
            until = now.astimezone(TZ) + LOCKOUT
            conn.execute(
                "UPDATE users SET failed_attempts = 0, locked_until = ?, updated_at = ? WHERE login = ?",
                (until.isoformat(), stamp, user.login),
            )
            return None, (
                f"密码连续输错 {MAX_FAILED_ATTEMPTS} 次，账号已锁定 {LOCKOUT.seconds // 60} 分钟，"
                f"请于 {until:%H:%M} 后再试，或请管理员重设密码。"
            )
        conn.execute(
            "UPDATE users SET failed_attempts = ?, updated_at = ? WHERE login = ?",
            (failed, stamp, user.login),
        )
        return None, WRONG_CREDENTIALS
    new_hash = hasher.hash(password) if hasher.check_needs_rehash(stored) else stored
    conn.execute(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL, password_hash = ? WHERE login = ?",
        (new_hash, user.login),
    )
    if new_hash != stored:  # the same password under today's parameters: recorded like any hash
        admin_log.append(
            conn,
            stamp,
            PASSWORD_SET,
            user.login,
            user.login,
            {"password": password_digest(new_hash), "why": "rehash", "lockout_lifted": False},
        )
    return get_user(conn, user.login), None
