"""日结单 screen: the day's ledger of this point, previous / next day, export to the reports folder."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from support.app import PASSWORD, POINT, SIZE, app_for, footer_ids, open_case, ready
from textual.widgets import Static

from clerk.domain.model import Role
from clerk.screens.dashboard import DashboardScreen
from clerk.screens.ledger import LedgerScreen, export_name


def signed_in(window: Any, login: str, role: Role) -> Any:
    window.store.create_user(login, f"{login}姓名", role, PASSWORD, POINT)
    return window.login(login, PASSWORD)


def shown_day(app: Any) -> date:
    screen = app.screen
    assert isinstance(screen, LedgerScreen)
    return screen.day


def ledger_text(app: Any) -> str:
    return str(app.screen.query_one("#ledger-text", Static).content)


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "reports"


async def test_ctrl_r_shows_todays_ledger_with_the_days_totals(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    open_case(window, admin)
    open_case(window, admin, 17)
    app = app_for(window, signed_in(window, "zhao", Role.SUPERVISOR))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, LedgerScreen)
        text = ledger_text(app)
        assert "日期：2025-03-12（星期三，工作日）" in text
        assert "范围：YZ05　东安县　东安县政务服务分中心" in text
        assert "一、当日收件　共 2 件" in text


async def test_f6_shows_the_previous_day(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r", "f6")
        await pilot.pause()
        text = ledger_text(app)
        assert "日期：2025-03-11（星期二，工作日）" in text
        assert "一、当日收件　共 0 件" in text


async def test_next_day_applies_only_before_today(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "ledger.next" not in footer_ids(app)
        await pilot.press("f6", "f6")
        await pilot.pause()
        assert "ledger.next" in footer_ids(app)
        await pilot.press("f7")
        await pilot.pause()
        assert shown_day(app) == date(2025, 3, 11)


async def test_f7_on_today_stays_on_today(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r", "f7")
        await pilot.pause()
        assert shown_day(app) == date(2025, 3, 12)


async def test_a_future_day_shows_why_there_is_no_ledger(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(LedgerScreen(window, admin, day=date(2025, 3, 13)))
        await pilot.pause()
        assert ledger_text(app) == "2025-03-13 还没有到，不能生成日结单；请选择今天或以前的日期。"
        assert "ledger.export" not in footer_ids(app)


async def test_f8_writes_csv_and_excel_into_the_reports_folder(
    tmp_path: Path, reports: Path
) -> None:
    window, admin = ready(tmp_path)
    open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r", "f8")
        await pilot.pause()
    assert sorted(p.name for p in reports.iterdir()) == [
        "日结单_YZ05_2025-03-12.csv",
        "日结单_YZ05_2025-03-12.xlsx",
    ]


async def test_the_exported_csv_holds_the_days_count(tmp_path: Path, reports: Path) -> None:
    window, admin = ready(tmp_path)
    open_case(window, admin)
    open_case(window, admin, 17)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r", "f8")
        await pilot.pause()
    with (reports / "日结单_YZ05_2025-03-12.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[:3] == [["概况"], ["项目", "内容"], ["日期", "2025-03-12"]]
    assert ["当日收件", "2"] in rows


async def test_the_export_notice_names_the_files(
    tmp_path: Path, reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        notes: list[str] = []
        monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(str(message)))
        await pilot.press("ctrl+r", "f6", "f8")
        await pilot.pause()
    assert notes == [
        f"已导出：\n{reports / '日结单_YZ05_2025-03-11.csv'}\n{reports / '日结单_YZ05_2025-03-11.xlsx'}"
    ]


async def test_a_county_clerk_reads_the_ledger_and_f8_says_who_exports(
    tmp_path: Path, reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window, signed_in(window, "li", Role.CLERK))
    async with app.run_test(size=SIZE) as pilot:
        notes: list[str] = []
        monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(str(message)))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, LedgerScreen)
        assert "ledger.previous" in footer_ids(app)
        await pilot.press("f8")
        await pilot.pause()
    assert notes and "须由主管或管理员操作" in notes[0]
    assert not reports.exists()


async def test_a_lone_township_clerk_exports_the_points_ledger(
    tmp_path: Path, reports: Path
) -> None:
    from support.app import make_window

    from clerk.domain.offices import default_offices
    from clerk.service.administration import declare_point

    window = make_window(tmp_path)
    declare_point(
        window.store, default_offices(), "DA01", "白牙市镇政务服务中心", "township_hall", POINT
    )
    window.setup("DA01", "admin", "王管理", PASSWORD)
    app = app_for(window, signed_in(window, "li", Role.CLERK))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "ledger.export" in footer_ids(app)
        await pilot.press("f8")
        await pilot.pause()
    assert sorted(p.name for p in reports.iterdir()) == [
        "日结单_DA01_2025-03-12.csv",
        "日结单_DA01_2025-03-12.xlsx",
    ]


async def test_a_reviewer_cannot_open_the_ledger(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window, signed_in(window, "shen", Role.REVIEWER))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_escape_returns_to_the_dashboard(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


def test_export_names_carry_the_point_and_the_day() -> None:
    assert export_name("YZ05", date(2025, 3, 12), "xlsx") == "日结单_YZ05_2025-03-12.xlsx"
