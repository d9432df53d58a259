"""The roster screen (Ctrl+T at a college point): check a roster, confirm the seal, import, with
progress; every bad row shown by row and column."""

from __future__ import annotations

from pathlib import Path

from roster_support import college_window, roster
from support.app import SIZE, app_for, footer_ids, ready
from support.tamper import count_rows
from textual.widgets import Input, Static

from clerk.screens.dashboard import DashboardScreen
from clerk.screens.roster import RosterScreen, cleaned_path


def status(app) -> str:
    return str(app.screen.query_one("#roster-status", Static).content)


def report(app) -> str:
    return str(app.screen.query_one("#roster-report", Static).content)


def count(window, table: str) -> int:
    return count_rows(window.store, table)


async def open_roster(pilot) -> None:
    await pilot.press("ctrl+t")
    await pilot.pause()


async def check(pilot, path: Path) -> None:
    """Type the path, press Enter and wait for the check worker."""
    app = pilot.app
    app.screen.query_one("#roster-path", Input).value = str(path)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def finish(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_ctrl_t_opens_the_roster_screen_at_a_college_point(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        assert "app.roster" in footer_ids(app)
        await open_roster(pilot)
        assert isinstance(app.screen, RosterScreen)


async def test_ctrl_t_does_nothing_at_a_county_office(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        assert "app.roster" not in footer_ids(app)
        await open_roster(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_every_bad_row_is_shown_with_its_row_and_reason(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    path = roster(tmp_path, 4, bad={0: "empty_name", 2: "bad_phone"})
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        await check(pilot, path)
        assert "第2行【姓名】：未填写，请填写姓名。" in report(app)
        assert "第4行【联系电话】：手机号码应为11位，现为10位，请核对。" in report(app)
        assert status(app).startswith("有 2 行需要更正（见下）。")


async def test_a_clean_roster_offers_f10_and_a_bad_one_f8(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        await check(pilot, roster(tmp_path, 2))
        assert {"roster.import"} <= footer_ids(app) and "roster.accept_valid" not in footer_ids(app)
        await check(pilot, roster(tmp_path, 2, bad={0: "empty_name"}, name="bad.xlsx"))
        assert "roster.accept_valid" in footer_ids(app) and "roster.import" not in footer_ids(app)


async def test_import_waits_for_the_seal(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        await check(pilot, roster(tmp_path, 2))
        await pilot.press("f10")
        await finish(pilot)
        assert status(app) == "请先核验纸质汇总表（表6）已加盖学校公章，按 F7 确认后再导入。"
    assert count(window, "cases") == 0


async def test_f7_then_f10_enrols_the_roster_as_one_batch(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        await check(pilot, roster(tmp_path, 3))
        await pilot.press("f7", "f10")
        await finish(pilot)
        assert status(app).startswith("已登记 3 人（批次 XY0120260901P01）")
        assert "roster.import" not in footer_ids(app)  # the same check cannot be imported twice
    assert (count(window, "cases"), count(window, "batches")) == (3, 1)


async def test_f8_enrols_the_valid_rows_and_names_the_notice(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        await check(pilot, roster(tmp_path, 3, bad={1: "check_digit"}))
        await pilot.press("f7", "f8")
        await finish(pilot)
        assert "名册信息更正告知书（1 行）" in status(app)
    assert count(window, "cases") == 2


async def test_the_same_file_checked_again_enrols_nobody(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    path = roster(tmp_path, 2)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        await check(pilot, path)
        await pilot.press("f7", "f10")
        await finish(pilot)
        await check(pilot, path)
        assert status(app).startswith("没有需要登记的学生：2 人已参保登记，不会重复登记。")
        assert (
            "注意：这个文件已于 2026-09-01 09:30 导入过（批次 XY0120260901P01，登记 2 人）。"
            in status(app)
        )
        assert not ({"roster.import", "roster.accept_valid"} & footer_ids(app))
    assert count(window, "cases") == 2


async def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        await check(pilot, tmp_path / "nowhere.xlsx")
        assert status(app).startswith("找不到文件：")


async def test_f6_writes_a_template(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(RosterScreen(window, clerk, templates_dir=tmp_path / "templates"))
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
    assert (tmp_path / "templates" / "表6学生名册模板.xlsx").is_file()


def test_a_pasted_windows_path_loses_its_quotes() -> None:
    assert cleaned_path('"D:/名册/新生.xlsx" ') == Path("D:/名册/新生.xlsx")


async def test_the_palette_offers_the_roster_at_a_college_point(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE):
        assert "名册导入" in [c.title for c in app.get_system_commands(app.screen)]


async def test_while_an_import_runs_no_other_screen_can_be_opened(tmp_path: Path) -> None:
    window, clerk = college_window(tmp_path)
    app = app_for(window, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot)
        app.screen.busy = True  # type: ignore[attr-defined]
        assert [app.check_action(a, ()) for a in ("new_case", "search", "dashboard", "help")] == [
            False,
            False,
            False,
            True,
        ]
        app.screen.busy = False  # type: ignore[attr-defined]
