"""The catalogue and the work calendar are read at sign-in, not before the login screen (issue 25:
the login screen needs neither, and comes up sooner): a wrong catalog.json or holiday file still
ends the app before any case is shown, with the command line's message and exit code 2."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from support.app import PASSWORD, SIZE, ready, wait_until

from clerk.domain import catalog
from clerk.domain.catalog import DataFileError
from clerk.screens.app import ClerkApp, make_app_from_args


def set_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database set up with its administrator, and a data folder of its own."""
    window, _ = ready(tmp_path)
    window.store.close()
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))


def started(tmp_path: Path) -> ClerkApp:
    """The app as `clerk --db` starts it."""
    return make_app_from_args(argparse.Namespace(db=str(tmp_path / "clerk.db")))


def catalogue_wrong(monkeypatch: pytest.MonkeyPatch, where: str, problem: str) -> None:
    """catalog.json read as wrong at `where` from now on."""

    def wrong() -> catalog.Catalog:
        raise DataFileError("catalog.json", where, problem)

    monkeypatch.setattr(catalog, "default_catalog", wrong)


def exit_text(app: ClerkApp) -> str:
    return "".join(str(r) for r in app._exit_renderables)


async def sign_in(app: ClerkApp) -> tuple[str, int | None, str]:
    """Wait for the login screen, sign in as the administrator; the screen the app ended on (or
    was on when it stopped), its exit code and its exit message."""
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "login")
        await pilot.press(*"admin", "enter", *PASSWORD, "enter")
        await wait_until(
            pilot,
            lambda: app.return_code is not None or type(app.screen).__name__ == "DashboardScreen",
            "the dashboard or the end",
        )
        return type(app.screen).__name__, app.return_code, exit_text(app)


async def test_a_wrong_holiday_file_ends_the_app_at_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(tmp_path, monkeypatch)
    holidays = tmp_path / "data" / "holidays"
    holidays.mkdir(parents=True)
    (holidays / "2027.json").write_text("{not json", encoding="utf-8")
    app = started(tmp_path)
    screen, code, message = await sign_in(app)
    assert code == 2
    assert screen != "DashboardScreen"
    assert message.startswith("数据文件有误，已停止：")
    assert "2027.json" in message


async def test_a_wrong_catalogue_ends_the_app_at_sign_in_with_its_entry_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(tmp_path, monkeypatch)
    catalogue_wrong(monkeypatch, "items[0]", "缺少 name")
    app = started(tmp_path)
    screen, code, message = await sign_in(app)
    assert (code, message) == (2, "数据文件有误，已停止：catalog.json：items[0]：缺少 name")
    assert screen != "DashboardScreen"


async def test_the_login_screen_comes_up_without_reading_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []

    def counted() -> catalog.Catalog:
        read.append("catalog.json")
        return catalog.load_catalog()

    set_up(tmp_path, monkeypatch)
    monkeypatch.setattr(catalog, "default_catalog", counted)
    app = started(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "login")
        assert read == []
        await pilot.press(*"admin", "enter", *PASSWORD, "enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen", "home")
        assert read == ["catalog.json"]


async def test_the_item_guide_at_the_login_screen_ends_the_app_on_a_wrong_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(tmp_path, monkeypatch)
    catalogue_wrong(monkeypatch, "items[3]", "缺少 deadline")
    app = started(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "login")
        await pilot.press("f4")
        await wait_until(pilot, lambda: app.return_code is not None, "the end")
        assert (app.return_code, exit_text(app)) == (
            2,
            "数据文件有误，已停止：catalog.json：items[3]：缺少 deadline",
        )
