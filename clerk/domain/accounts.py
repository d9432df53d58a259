"""Accounts: the `User` record, the login and password policy, argon2id hashing, sign-in errors.

No storage here: an adapter keeps the accounts and their lockout counters, and uses these rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from clerk.domain.limits import LOCKOUT, MAX_FAILED_ATTEMPTS, MIN_PASSWORD_LENGTH
from clerk.domain.model import Role

if TYPE_CHECKING:  # argon2 loads when a password is hashed or checked
    from argon2 import PasswordHasher

LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


class UserError(ValueError):
    """An account cannot be created or changed as asked (Chinese message)."""


class PasswordPolicyError(UserError):
    """The password does not meet the policy."""


class AuthError(ValueError):
    """Sign-in refused: wrong login or password, locked or inactive account (Chinese message)."""


@dataclass(frozen=True)
class User:
    login: str
    name: str
    role: Role
    point_code: str
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    # Counts the changes that end the sessions signed in before them (deactivated, reactivated,
    # password reset by an administrator): a session carries the count it signed in with.
    session_epoch: int = 0

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def default_hasher() -> PasswordHasher:
    """argon2id with the library's recommended parameters."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def check_password_policy(password: str, login: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符，请重新设置。")
    if not password.strip():
        raise PasswordPolicyError("密码不能全是空格，请重新设置。")
    if login and password.lower() == login.lower():
        raise PasswordPolicyError("密码不能与登录名相同，请重新设置。")


# The one answer to a wrong password and to a login that does not exist: nothing in it tells
# which logins exist (no count of attempts left, which only an existing login would have).
WRONG_CREDENTIALS = (
    "登录名或密码不正确，请重新输入。"
    f"连续输错 {MAX_FAILED_ATTEMPTS} 次，账号将被锁定 {LOCKOUT.seconds // 60} 分钟。"
)


def password_matches(hasher: PasswordHasher, stored: str, password: str) -> bool:
    """Whether `password` matches the stored argon2 hash (a malformed hash never matches)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY: dict[int, str] = {}


def burn_password_check(hasher: PasswordHasher, password: str) -> None:
    """Spend one verification on an unknown login, so timing does not tell which logins exist."""
    key = id(hasher)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("not-a-real-password")
    password_matches(hasher, _DUMMY[key], password)
