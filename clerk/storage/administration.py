"""What both stores do the same way for the office's administration: user accounts, the points
declared and removed, the holiday files installed — each recorded in the administrative chain in
the same transaction. One text for both engines: `Store` (SQLite) and `PostgresStore` inherit it
and give it their transaction, clock, password hasher and connection (`_admin`, an
`clerk.storage.admin_chain.AdminSql`); the statements are in `clerk.storage.accounts`,
`clerk.storage.admin_chain` and `clerk.storage.admin_records`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from clerk.domain.accounts import AuthError, User
from clerk.domain.admin_log import HOLIDAYS_INSTALLED
from clerk.domain.model import Role
from clerk.storage import accounts, admin_chain, admin_records

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from clerk.storage.admin_chain import AdminSql


class Administration:
    """Accounts, points and holiday records for a store (mixed into both adapters' stores)."""

    _hasher: PasswordHasher | None = None  # the one the store was given, if any

    if TYPE_CHECKING:  # what the store gives
        clock: Callable[[], datetime]

        @property
        def _admin(self) -> AdminSql: ...

        def transaction(self) -> AbstractContextManager[Any]: ...

        def now(self) -> str: ...

    @property
    def hasher(self) -> PasswordHasher:
        """The password hasher: the store's own, else argon2id with the library's parameters,
        made when first needed (a command that signs nobody in does not load argon2)."""
        if self._hasher is None:
            self._hasher = accounts.default_hasher()
        return self._hasher

    # ------------------------------------------------------------------ points

    def add_point(
        self, code: str, name: str, kind: str, office_code: str, *, actor: str = ""
    ) -> None:
        """Declare (or redeclare) a service point; recorded with `actor` in the administrative
        chain."""
        with self.transaction():
            admin_chain.declare_point(self._admin, self.now(), actor, code, name, kind, office_code)

    def point_records(self, code: str) -> dict[str, int]:
        """What this record holds of point `code`, per kind (before it may be removed)."""
        return {
            what: int(self._admin.run(query, {"code": code}).fetchone()[0])
            for what, query in admin_records.POINT_RECORDS_SQL.items()
        }

    def remove_point(self, code: str, *, actor: str = "") -> None:
        with self.transaction():
            admin_chain.remove_point(self._admin, self.now(), actor, code)

    def record_holidays(
        self, year: int, sha256: str, source: str, issued_at: str, origin: str, *, actor: str = ""
    ) -> None:
        data = admin_records.holiday_data(year, sha256, source, issued_at, origin)
        with self.transaction():
            admin_chain.append(self._admin, self.now(), HOLIDAYS_INSTALLED, actor, str(year), data)

    def holiday_records(self) -> list[admin_records.HolidayRecord]:
        rows = self._admin.run(
            admin_records.HOLIDAY_RECORDS_SQL, admin_records.HOLIDAY_RECORDS_PARAMS
        ).fetchall()
        return [admin_records.holiday_record(data, at) for data, at in rows]

    # ------------------------------------------------------------------ users

    def create_user(
        self,
        login: str,
        name: str,
        role: Role | str,
        password: str,
        point_code: str,
        *,
        actor: str = "",
    ) -> User:
        """Create an account; raises `UserError` / `PasswordPolicyError` (Chinese messages).
        Recorded in the administrative chain with `actor` (who created it) in one transaction."""
        with self.transaction():
            return accounts.open_account(
                self._admin,
                self.hasher,
                self.clock(),
                self.now(),
                login,
                name,
                role,
                password,
                point_code,
                actor,
            )

    def authenticate(self, login: str, password: str) -> User:
        """The signed-in user, or `AuthError`. Five failures lock the account for 15 minutes.

        The failure count is committed before raising, so call this outside other transactions.
        """
        with self.transaction():
            user, reason = accounts.authenticate(
                self._admin, self.hasher, self.clock(), login, password
            )
        if user is None:
            raise AuthError(reason)
        return user

    def has_users(self) -> bool:
        return accounts.has_users(self._admin)

    def users(self) -> list[User]:
        return accounts.list_users(self._admin)

    def user(self, login: str) -> User | None:
        return accounts.get_user(self._admin, login)

    def set_password(
        self, login: str, password: str, *, actor: str = "", why: str = "reset"
    ) -> None:
        """Set a new password (policy-checked) and clear any lockout; recorded with `actor` and
        `why` ("reset": an administrator's, "own": the user's) in the administrative chain."""
        with self.transaction():
            accounts.reset_password(
                self._admin, self.hasher, self.clock(), self.now(), login, password, actor, why
            )

    def move_users_to_point(self, old: str, new: str, *, actor: str = "") -> None:
        with self.transaction():
            accounts.move_accounts(self._admin, self.clock(), self.now(), old, new, actor)

    def must_change_password(self, login: str) -> bool:
        """Whether `login` signs in with a password someone else chose (initial or reset)."""
        return accounts.must_change_password(self._admin, login)

    def require_password_change(self, login: str, required: bool) -> None:
        with self.transaction():
            accounts.require_password_change(self._admin, self.clock(), login, required)

    def set_active(self, login: str, active: bool, *, actor: str = "") -> None:
        with self.transaction():
            accounts.activate(self._admin, self.clock(), self.now(), login, active, actor)
