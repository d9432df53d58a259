"""A user's own account: signing in, changing one's own password, and the change an initial or
reset password requires at the first sign-in. A desk of `Window`. Free of Textual."""

from __future__ import annotations

from typing import Any

from clerk.domain.accounts import AuthError, User
from clerk.service.context import DeskContext
from clerk.service.errors import ServiceError


class Accounts:
    def __init__(self, context: DeskContext) -> None:
        self.ctx = context

    def login(self, login: str, password: str) -> User:
        return self.ctx.store.authenticate(login, password)

    def must_change_password(self, user: Any) -> bool:
        return self.ctx.store.must_change_password(str(user.login))

    def change_own_password(self, user: Any, current: str, new: str, confirm: str) -> None:
        """Check the current password, then store the new one (policy-checked; `UserError`)."""
        if new != confirm:
            raise ServiceError("两次输入的新密码不一致，请重新输入。")
        if new == current:
            raise ServiceError("新密码不能与原密码相同，请换一个。")
        store = self.ctx.store
        try:
            store.authenticate(str(user.login), current)
        except AuthError:
            raise ServiceError("原密码不对，请重新输入（连续输错5次账号将锁定15分钟）。") from None
        with store.transaction():
            store.set_password(str(user.login), new, actor=str(user.login), why="own")
            store.require_password_change(str(user.login), False)
