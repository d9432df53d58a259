"""First run (choose the point, create the administrator), login and logout."""

from __future__ import annotations

from pathlib import Path

from support.app import PASSWORD, SIZE, app_for, make_window, ready
from textual.widgets import Static

from clerk.screens.dashboard import DashboardScreen
from clerk.screens.login import LoginScreen
from clerk.screens.setup import SetupScreen


async def fill_setup(pilot, *, password: str = PASSWORD, confirm: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("down", "down", "down", "down", "enter")  # 5th choice: YZ05 东安县
    await pilot.press(*"admin", "enter")
    await pilot.press(*"王管理", "enter")
    await pilot.press(*password, "enter")
    await pilot.press(*confirm, "enter")


async def test_first_run_opens_setup(tmp_path: Path) -> None:
    app = app_for(make_window(tmp_path))
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, SetupScreen)


async def test_setup_stores_the_point_and_the_administrator(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await fill_setup(pilot)
        await pilot.pause()
        assert window.point().code == "YZ05"
        assert window.needs_setup() is False
        assert window.login("admin", PASSWORD).login == "admin"


async def test_setup_ends_on_the_dashboard_signed_in(tmp_path: Path) -> None:
    app = app_for(make_window(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await fill_setup(pilot)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.user.login == "admin"
        assert "东安县" in app.sub_title


async def test_setup_refuses_mismatched_passwords(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await fill_setup(pilot, confirm="otherpass2")
        assert (
            str(app.screen.query_one("#setup-message", Static).content)
            == "两次输入的密码不一致，请重新输入。"
        )
        assert window.needs_setup() is True


async def test_setup_refuses_a_short_password(tmp_path: Path) -> None:
    app = app_for(make_window(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await fill_setup(pilot, password="short", confirm="short")
        assert (
            str(app.screen.query_one("#setup-message", Static).content)
            == "密码至少8位，请重新输入。"
        )


async def test_later_runs_ask_for_login(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, LoginScreen)


async def test_login_with_the_right_password_opens_the_dashboard(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"admin", "enter", *PASSWORD, "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.user.login == "admin"


async def test_login_with_a_wrong_password_stays_and_says_so(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"admin", "enter", *"wrongpass9", "enter")
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
        assert str(app.screen.query_one("#login-message", Static).content) != ""


async def test_new_case_key_does_nothing_before_login(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, LoginScreen)


async def test_logout_returns_to_login(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
