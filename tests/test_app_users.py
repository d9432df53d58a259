"""用户管理: the administrator adds, deactivates, reactivates accounts and resets passwords."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.app import NOW, PASSWORD, POINT, SIZE, app_for, footer_ids, open_case, ready
from textual.widgets import DataTable, Static

from clerk.db import AuthError
from clerk.domain.clock import fixed_clock
from clerk.domain.model import CaseState, Role
from clerk.screens.dashboard import DashboardScreen
from clerk.screens.password_reset import PasswordResetScreen
from clerk.screens.user_form import UserFormScreen
from clerk.screens.users import UsersScreen
from clerk.service.errors import ServiceError

NEW_PASSWORD = "reviewpass1"


def capture_notes(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(str(message)))
    return notes


async def add_user(  # type: ignore[no-untyped-def]
    pilot,
    login: str = "shen",
    name: str = "李审核",
    *,
    role_downs: int = 1,
    password: str = NEW_PASSWORD,
    confirm: str = NEW_PASSWORD,
) -> None:
    """On the users screen: F6, then the keys a clerk types (role chosen by ↓ presses)."""
    await pilot.press("f6")
    await pilot.pause()
    await pilot.press(*login, "enter", *name, "enter")
    await pilot.press(*(["down"] * role_downs), "enter")
    await pilot.press(*password, "enter", *confirm, "enter")
    await pilot.pause()


def stored(window: Any, login: str) -> Any:
    user = window.store.user(login)
    assert user is not None
    return user


def form_message(app: Any) -> str:
    return str(app.screen.query_one("#user-message", Static).content)


def rows(app: Any) -> list[list[str]]:
    table = app.screen.query_one("#users-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_ctrl_y_opens_user_management_for_the_administrator(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)


async def test_a_clerk_cannot_open_user_management(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    window.store.create_user("li", "李经办", Role.CLERK, PASSWORD, POINT)
    app = app_for(window, window.login("li", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.check_action("users", ()) is False


async def test_the_list_shows_login_name_role_label_point_and_status(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("qian", "钱财务", Role.FINANCE, PASSWORD, POINT)
    window.store.set_active("qian", False)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert rows(app) == [
            ["admin", "王管理", "系统管理员", "YZ05", "在用"],
            ["qian", "钱财务", "财务（拨付）人员", "YZ05", "已停用"],
        ]


async def test_a_locked_account_shows_until_when(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("shen", "李审核", Role.REVIEWER, PASSWORD, POINT)
    window.store.clock = fixed_clock(NOW)  # the lockout is stamped by the store's clock
    for _ in range(5):
        with pytest.raises(AuthError):
            window.login("shen", "wrongpass9")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert rows(app)[1] == ["shen", "李审核", "审核人员", "YZ05", "已锁定至 09:45"]


async def test_adding_a_reviewer_stores_an_account_that_can_sign_in(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await add_user(pilot)
        assert isinstance(app.screen, UsersScreen)
    user = window.login("shen", NEW_PASSWORD)
    assert (user.name, user.role, user.point_code, user.active) == (
        "李审核",
        Role.REVIEWER,
        POINT,
        True,
    )


async def test_the_new_user_appears_in_the_list_and_is_selected(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await add_user(pilot)
        assert rows(app)[1] == ["shen", "李审核", "审核人员", "YZ05", "在用"]
        screen = app.screen
        assert isinstance(screen, UsersScreen)
        assert screen.selected_login == "shen"


async def test_each_role_can_be_chosen_with_the_arrow_keys(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await add_user(pilot, "zhao", "赵主管", role_downs=3)
    assert stored(window, "zhao").role == Role.SUPERVISOR


async def test_the_reviewer_added_here_can_review_the_administrators_case(tmp_path: Path) -> None:
    """Why the screen exists: the acceptor may not review their own case."""
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    view = window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await add_user(pilot)
    shen = window.login("shen", NEW_PASSWORD)
    with pytest.raises(ServiceError, match="请先修改密码"):  # the password the admin chose
        window.approve(shen, view.uuid)
    window.change_own_password(shen, NEW_PASSWORD, "shens-own-pass1", "shens-own-pass1")
    approved = window.approve(window.login("shen", "shens-own-pass1"), view.uuid)
    assert approved.state == CaseState.AWAITING_PAYMENT


async def test_mismatched_passwords_are_refused(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await add_user(pilot, confirm="otherpass2")
        assert isinstance(app.screen, UserFormScreen)
        assert form_message(app) == "两次输入的密码不一致，请重新输入。"
    assert window.store.user("shen") is None


async def test_a_short_password_shows_the_policy_in_chinese(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await add_user(pilot, password="short", confirm="short")
        assert form_message(app) == "密码至少需要 8 个字符，请重新设置。"
    assert window.store.user("shen") is None


async def test_a_login_already_in_use_is_refused(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await add_user(pilot, "admin", "另一人")
        assert form_message(app) == "登录名 admin 已被使用，请换一个。"
    assert stored(window, "admin").name == "王管理"


async def test_escape_closes_the_form_without_adding(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y", "f6")
        await pilot.pause()
        await pilot.press(*"shen", "escape", "2")  # 2: discard what was typed
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
    assert [u.login for u in window.store.users()] == ["admin"]


async def test_f7_deactivates_the_selected_account(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("shen", "李审核", Role.REVIEWER, PASSWORD, POINT)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y", "down", "f7")
        await pilot.pause()
    assert stored(window, "shen").active is False
    with pytest.raises(AuthError):
        window.login("shen", PASSWORD)


async def test_f7_on_a_deactivated_account_reactivates_it(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("shen", "李审核", Role.REVIEWER, PASSWORD, POINT)
    window.store.set_active("shen", False)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y", "down")
        await pilot.pause()
        assert {"users.activate", "users.password"} <= footer_ids(app)
        assert "users.deactivate" not in footer_ids(app)
        await pilot.press("f7")
        await pilot.pause()
    assert window.login("shen", PASSWORD).login == "shen"


async def test_the_administrator_cannot_deactivate_their_own_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        notes = capture_notes(app, monkeypatch)
        await pilot.press("ctrl+y", "f7")
        await pilot.pause()
        assert notes == ["不能停用自己正在使用的账号；请由另一位管理员操作。"]
    assert stored(window, "admin").active is True


async def test_an_administrator_deactivated_elsewhere_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _ = ready(tmp_path)
    window.store.create_user("boss", "赵管理", Role.ADMIN, PASSWORD, POINT)
    other = window.login("boss", PASSWORD)
    window.store.set_active("boss", False)  # boss signed in earlier, then was deactivated elsewhere
    app = app_for(window, other)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # the deactivated session cannot even read its queues: it is logged out at once
        assert app.user is None
        assert [str(n.message) for n in app._notifications] == [
            "您的账号已被停用，本次操作没有保存，已退出登录。如有疑问请联系系统管理员。"
        ]
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert not isinstance(app.screen, UsersScreen)
        await pilot.press("f7")
    assert stored(window, "admin").active is True


async def test_f8_resets_the_password(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("shen", "李审核", Role.REVIEWER, PASSWORD, POINT)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y", "down", "f8")
        await pilot.pause()
        assert isinstance(app.screen, PasswordResetScreen)
        await pilot.press(*NEW_PASSWORD, "enter", *NEW_PASSWORD, "enter")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
    assert window.login("shen", NEW_PASSWORD).login == "shen"
    with pytest.raises(AuthError):
        window.login("shen", PASSWORD)


async def test_a_reset_password_equal_to_the_login_is_refused(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("shenshen", "李审核", Role.REVIEWER, PASSWORD, POINT)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y", "down", "f8")
        await pilot.pause()
        await pilot.press(*"shenshen", "enter", *"shenshen", "enter")
        await pilot.pause()
        message = str(app.screen.query_one("#password-message", Static).content)
        assert message == "密码不能与登录名相同，请重新设置。"
    assert window.login("shenshen", PASSWORD).login == "shenshen"


async def test_escape_returns_to_the_dashboard(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
