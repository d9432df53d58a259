"""A read-only or busy database in any screen: the Chinese message, the screen stays, no crash;
and a crash never prints a password."""

from __future__ import annotations

from pathlib import Path

from support.app import PASSWORD, SIZE, app_for, open_case, ready
from support.tamper import limit_connection
from test_app_burst_input import burst, pushed
from textual.widgets import Input

from clerk.domain.model import CaseState
from clerk.screens.login import LoginScreen
from clerk.screens.materials import MaterialsScreen

READ_ONLY = (
    "数据库文件是只读的，本次操作没有保存，之前的记录完好。请联系信息管理员检查数据目录的权限。"
)


def read_only(window) -> None:  # type: ignore[no-untyped-def]
    """SQLite refuses every write from now on, as for a database file the process may not write."""
    limit_connection(window.store, "query_only = 1")


def toasts(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_login_on_a_read_only_database_says_so_and_keeps_the_screen(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    read_only(window)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, *"admin", "enter", *PASSWORD, "enter")
        assert isinstance(app.screen, LoginScreen)
        assert READ_ONLY in toasts(app)
        await burst(pilot, "x")  # the screen still takes keys
        assert app.screen.query_one("#login-password", Input).value.endswith("x")


async def test_space_on_the_checklist_of_a_read_only_database_says_so(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid, materials=True)
        await pilot.pause()
        read_only(window)
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
        assert READ_ONLY in toasts(app)
        assert window.case(view.uuid, admin).state == CaseState.DRAFT


async def test_adding_a_user_on_a_read_only_database_says_so(tmp_path: Path) -> None:
    from clerk.screens.user_form import UserFormScreen

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, UserFormScreen(window, admin))
        read_only(window)
        await burst(
            pilot,
            *"li4",
            "tab",
            *"李四",
            "tab",
            "enter",
            *"newpass123",
            "tab",
            *"newpass123",
            "enter",
        )
        assert results == []
        assert isinstance(app.screen, UserFormScreen)
        assert READ_ONLY in toasts(app)


async def test_declaring_a_point_on_a_read_only_database_says_so(tmp_path: Path) -> None:
    from clerk.screens.point_form import PointFormScreen

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, PointFormScreen(window, office="YZ05", actor=admin))
        read_only(window)
        await burst(pilot, *"DA01", "enter", *"白牙镇服务站", "enter", "enter")
        assert results == []
        assert isinstance(app.screen, PointFormScreen)
        assert READ_ONLY in toasts(app)


def secret_holder(password: str) -> None:
    raise RuntimeError("boom")


async def test_a_crash_never_prints_the_locals_of_its_frames(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE):
        secret = "".join(["hunter2", "-secret"])  # not in the source lines the traceback shows
        try:
            secret_holder(secret)
        except RuntimeError:
            app._fatal_error()
        printed = "".join(seg.text for r in app._exit_renderables for seg in r.segments)
    assert "secret_holder" in printed
    assert "hunter2-secret" not in printed
