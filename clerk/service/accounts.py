"""A user's own account: changing one's own password, and the change an initial or reset
password requires at the first sign-in. Mixed into `Window`. Free of Textual."""

from __future__ import annotations

from typing import Any

from clerk.domain.accounts import AuthError
from clerk.ports.store import Store
from clerk.service.case_reader import ServiceError


class Accounts:
    store: Store

    def must_change_password(self, user: Any) -> bool:
        return self.store.must_change_password(str(user.login))

    def change_own_password(self, user: Any, current: str, new: str, confirm: str) -> None:
        """Check the current password, then store the new one (policy-checked; `UserError`)."""
        if new != confirm:
            raise ServiceError("两次输入的新密码不一致，请重新输入。")
        if new == current:
            raise ServiceError("新密码不能与原密码相同，请换一个。")
        try:
            self.store.authenticate(str(user.login), current)
        except AuthError:
            raise ServiceError("原密码不对，请重新输入（连续输错5次账号将锁定15分钟）。") from None
        with self.store.transaction():
            self.store.set_password(str(user.login), new)
            self.store.require_password_change(str(user.login), False)
