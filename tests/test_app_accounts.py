"""A user changes their own password; an initial or reset password must be changed at the first
sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import PASSWORD, POINT, SIZE, app_for, ready
from test_app_burst_input import burst
from textual.widgets import Static

from clerk.domain.model import Role
from clerk.screens.dashboard import DashboardScreen
from clerk.screens.login import LoginScreen
from clerk.screens.password_change import PasswordChangeScreen
from clerk.service.case_reader import ServiceError


def test_an_account_an_administrator_adds_must_change_its_password(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.add_user(admin, "li4", "李四", Role.CLERK, "initial-pass1")
    assert window.store.must_change_password("li4") is True
    assert window.store.must_change_password("admin") is False


def test_a_reset_password_must_be_changed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("li4", "李四", Role.CLERK, PASSWORD, POINT)
    window.reset_password(admin, "li4", "reset-pass-2")
    assert window.store.must_change_password("li4") is True


def test_changing_ones_own_password_checks_the_current_one(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    with pytest.raises(ServiceError, match="原密码不对"):
        window.change_own_password(admin, "wrong-pass", "brand-new-1", "brand-new-1")
    window.change_own_password(admin, PASSWORD, "brand-new-1", "brand-new-1")
    assert window.login("admin", "brand-new-1").login == "admin"


async def test_first_sign_in_with_an_initial_password_asks_for_a_new_one(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.add_user(admin, "li4", "李四", Role.CLERK, "initial-pass1")
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, *"li4", "enter", *"initial-pass1", "enter")
        assert isinstance(app.screen, PasswordChangeScreen)
        await burst(
            pilot, *"initial-pass1", "tab", *"my-own-pass9", "tab", *"my-own-pass9", "enter"
        )
        assert isinstance(app.screen, DashboardScreen)
        assert app.user.login == "li4"
    assert window.store.must_change_password("li4") is False
    assert window.login("li4", "my-own-pass9").login == "li4"


async def test_esc_at_the_forced_change_signs_out(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.add_user(admin, "li4", "李四", Role.CLERK, "initial-pass1")
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, *"li4", "enter", *"initial-pass1", "enter", "escape")
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None


async def test_ctrl_n_changes_ones_own_password(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "ctrl+n", *PASSWORD, "tab", *"short", "tab", *"short", "enter")
        assert "至少需要 8 个字符" in str(
            app.screen.query_one("#password-change-message", Static).content
        )
        await burst(pilot, *"brand-new-1", "tab", *"brand-new-1", "enter")
        assert isinstance(app.screen, DashboardScreen)
    assert window.login("admin", "brand-new-1").login == "admin"


# ---------------------------------------------------------------------- this machine's office


def test_the_office_can_be_corrected_while_no_case_is_recorded(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.correct_point(admin, "YZ03")
    assert window.point().code == "YZ03"
    assert window.store.user("admin").point_code == "YZ03"


def test_the_office_cannot_be_corrected_once_a_case_is_recorded(tmp_path: Path) -> None:
    from support.app import open_case

    window, admin = ready(tmp_path)
    open_case(window, admin)
    with pytest.raises(ServiceError, match="本机已登记过办件，不能再更正所属"):
        window.correct_point(admin, "YZ03")
    assert window.point().code == POINT


async def test_f8_on_the_points_screen_corrects_the_office(tmp_path: Path) -> None:
    from clerk.screens.points import PointsScreen

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "ctrl+o")
        assert isinstance(app.screen, PointsScreen)
        table = app.screen.query_one("#points-table")
        table.move_cursor(row=[str(k.value) for k in table.rows].index("YZ03"))
        await burst(pilot, "f8", "2")
        assert window.point().code == "YZ03"
        assert window.offices.point("YZ03").name in app.title


async def test_f8_after_a_case_explains_why_not(tmp_path: Path) -> None:
    from support.app import open_case

    window, admin = ready(tmp_path)
    open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "ctrl+o", "f8")
        assert any("不能再更正所属" in str(n.message) for n in app._notifications)
    assert window.point().code == POINT
