"""User accounts, one text for both engines: argon2id password hashes, the password policy
(`clerk.domain.accounts`) and lockout after failures.

Each function takes the adapter's `AdminSql` (`clerk.storage.admin_chain`) and runs inside the
caller's transaction; the stores wrap them. What an administrator does to an account is
recorded in the administrative chain in the same transaction (`open_account`, `reset_password`,
`move_accounts`, `activate`); the plain functions under them record nothing. Queries use SQLite's `:name` parameters (the PostgreSQL adapter turns them into
`%(name)s`); a login matches whatever its case (`lower(login)`: SQLite's COLLATE NOCASE, and
PostgreSQL's unique index on `lower(login)`). Messages are Chinese and never echo a password.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from clerk.domain.accounts import (
    LOGIN_RE,
    WRONG_CREDENTIALS,
    User,
    UserError,
    burn_password_check,
    check_password_policy,
    default_hasher,
    password_matches,
)
from clerk.domain.admin_log import (
    ACCOUNT_ACTIVE,
    ACCOUNT_CREATED,
    PASSWORD_SET,
    POINT_MOVED,
    password_digest,
)
from clerk.domain.clock import TZ
from clerk.domain.limits import LOCKOUT, MAX_FAILED_ATTEMPTS
from clerk.domain.model import Role
from clerk.storage import admin_chain
from clerk.storage.admin_chain import AdminSql

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = ["default_hasher"]


_COLUMNS = "login, name, role, point_code, active, failed_attempts, locked_until, session_epoch"
_BY_LOGIN = "lower(login) = lower(:login)"


def _user(row: Any) -> User:
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


def _stamp(now: datetime) -> str:
    return now.astimezone(TZ).isoformat()


def get_user(db: AdminSql, login: str) -> User | None:
    row = db.run(f"SELECT {_COLUMNS} FROM users WHERE {_BY_LOGIN}", {"login": login}).fetchone()
    return _user(row) if row else None


def list_users(db: AdminSql) -> list[User]:
    return [_user(r) for r in db.run(f"SELECT {_COLUMNS} FROM users ORDER BY lower(login), login")]


def has_users(db: AdminSql) -> bool:
    return bool(db.run("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0])


def create_user(
    db: AdminSql,
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
    if get_user(db, login) is not None:
        raise UserError(f"登录名 {login} 已被使用，请换一个。")
    stamp = _stamp(now)
    db.run(
        "INSERT INTO users (login, name, role, point_code, password_hash, created_at, updated_at)"
        " VALUES (:login, :name, :role, :point, :hash, :at, :at)",
        {
            "login": login,
            "name": name.strip(),
            "role": str(role),
            "point": point_code.strip(),
            "hash": hasher.hash(password),
            "at": stamp,
        },
    )
    user = get_user(db, login)
    assert user is not None
    return user


def _require(db: AdminSql, login: str) -> User:
    user = get_user(db, login)
    if user is None:
        raise UserError(f"没有登录名为 {login} 的用户。")
    return user


def set_password(
    db: AdminSql, hasher: PasswordHasher, now: datetime, login: str, password: str
) -> None:
    """Set a new password; also clears failed attempts and any lock."""
    user = _require(db, login)
    check_password_policy(password, user.login)
    db.run(
        "UPDATE users SET password_hash = :hash, failed_attempts = 0, locked_until = NULL,"
        f" updated_at = :at WHERE {_BY_LOGIN}",
        {"hash": hasher.hash(password), "at": _stamp(now), "login": user.login},
    )


def must_change_password(db: AdminSql, login: str) -> bool:
    row = db.run(
        f"SELECT must_change_password FROM users WHERE {_BY_LOGIN}", {"login": login}
    ).fetchone()
    return bool(row and row[0])


def require_password_change(db: AdminSql, now: datetime, login: str, required: bool) -> None:
    """Mark (or clear) that `login` must choose a new password at the next sign-in."""
    user = _require(db, login)
    # A password someone else chose (an administrator's reset) ends the sessions signed in
    # before it; the user's own change (required=False) keeps the session that made it.
    db.run(
        "UPDATE users SET must_change_password = :required,"
        f" session_epoch = session_epoch + :required, updated_at = :at WHERE {_BY_LOGIN}",
        {"required": int(required), "at": _stamp(now), "login": user.login},
    )


def move_point(db: AdminSql, now: datetime, old: str, new: str) -> None:
    """Every account of point `old` now belongs to `new` (this machine's office was corrected)."""
    db.run(
        "UPDATE users SET point_code = :new, updated_at = :at WHERE point_code = :old",
        {"new": new, "at": _stamp(now), "old": old},
    )


def set_active(db: AdminSql, now: datetime, login: str, active: bool) -> None:
    """Deactivate or reactivate `login`; either ends the sessions signed in before."""
    user = _require(db, login)
    db.run(
        "UPDATE users SET session_epoch = session_epoch + CAST(active <> :active AS INTEGER),"
        f" active = :active, updated_at = :at WHERE {_BY_LOGIN}",
        {"active": int(active), "at": _stamp(now), "login": user.login},
    )


def authenticate(
    db: AdminSql, hasher: PasswordHasher, now: datetime, login: str, password: str
) -> tuple[User | None, str | None]:
    """Check a sign-in and record its outcome. Returns (user, None) or (None, Chinese reason).

    The caller commits the recorded failure before raising, so the count survives the refusal.
    An unknown login costs a hash verification too, so timing does not tell which logins exist.
    """
    row = db.run(
        f"SELECT {_COLUMNS}, password_hash FROM users WHERE {_BY_LOGIN}",
        {"login": login.strip()},
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
    stamp = _stamp(now)
    if not password_matches(hasher, stored, password):
        failed = user.failed_attempts + 1
        if failed >= MAX_FAILED_ATTEMPTS:
            until = now.astimezone(TZ) + LOCKOUT
            db.run(
                "UPDATE users SET failed_attempts = 0, locked_until = :until, updated_at = :at"
                f" WHERE {_BY_LOGIN}",
                {"until": until.isoformat(), "at": stamp, "login": user.login},
            )
            return None, (
                f"密码连续输错 {MAX_FAILED_ATTEMPTS} 次，账号已锁定 {LOCKOUT.seconds // 60} 分钟，"
                f"请于 {until:%H:%M} 后再试，或请管理员重设密码。"
            )
        db.run(
            f"UPDATE users SET failed_attempts = :failed, updated_at = :at WHERE {_BY_LOGIN}",
            {"failed": failed, "at": stamp, "login": user.login},
        )
        return None, WRONG_CREDENTIALS
    new_hash = hasher.hash(password) if hasher.check_needs_rehash(stored) else stored
    db.run(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL, password_hash = :hash"
        f" WHERE {_BY_LOGIN}",
        {"hash": new_hash, "login": user.login},
    )
    if new_hash != stored:  # the same password under today's parameters: recorded like any hash
        admin_chain.append(
            db,
            stamp,
            PASSWORD_SET,
            user.login,
            user.login,
            {"password": password_digest(new_hash), "why": "rehash", "lockout_lifted": False},
        )
    return get_user(db, user.login), None


# ---------------------------------------------------------------- recorded in the chain


def open_account(
    db: AdminSql,
    hasher: PasswordHasher,
    now: datetime,
    at: str,
    login: str,
    name: str,
    role: Role | str,
    password: str,
    point_code: str,
    actor: str,
) -> User:
    """Create an account, recorded with `actor` (who created it)."""
    user = create_user(db, hasher, now, login, name, role, password, point_code)
    admin_chain.append(
        db, at, ACCOUNT_CREATED, actor, user.login, admin_chain.account_state(db, user.login)
    )
    return user


def reset_password(
    db: AdminSql,
    hasher: PasswordHasher,
    now: datetime,
    at: str,
    login: str,
    password: str,
    actor: str,
    why: str,
) -> None:
    """Set a new password (policy-checked), clearing any lockout; recorded with `actor` and
    `why` ("reset": an administrator's, "own": the user's)."""
    before = _require(db, login)
    set_password(db, hasher, now, login, password)
    admin_chain.append(
        db,
        at,
        PASSWORD_SET,
        actor or before.login,
        before.login,
        {
            "password": admin_chain.password_of(db, before.login),
            "why": why,
            "lockout_lifted": before.locked_until is not None or before.failed_attempts > 0,
        },
    )


def move_accounts(db: AdminSql, now: datetime, at: str, old: str, new: str, actor: str) -> None:
    """Every account of point `old` now belongs to `new`, recorded."""
    move_point(db, now, old, new)
    admin_chain.append(db, at, POINT_MOVED, actor, "", {"from": old, "to": new})


def activate(db: AdminSql, now: datetime, at: str, login: str, active: bool, actor: str) -> None:
    """Deactivate or reactivate `login`, recorded."""
    set_active(db, now, login, active)
    user = _require(db, login)
    admin_chain.append(db, at, ACCOUNT_ACTIVE, actor, user.login, {"active": bool(active)})
