"""Service points: declared at first run (F6 on the setup screen) or by the administrator (Ctrl+O);
and the empty-queue line of the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.app import PASSWORD, POINT, SIZE, app_for, make_window, open_case, ready
from textual.widgets import DataTable, OptionList, Select, Static

from clerk.db import PointRecord
from clerk.domain.model import Role
from clerk.screens.dashboard import DashboardScreen
from clerk.screens.point_form import PointFormScreen
from clerk.screens.points import PointsScreen
from clerk.screens.setup import SetupScreen

TOWNSHIP = "水岭乡政务服务中心"


async def declare(
    pilot: Any, code: str = "DA01", name: str = TOWNSHIP, *, kind_downs: int = 0
) -> None:
    """In the point form: code, name, then the kind (↓ presses from 乡镇（街道）政务服务大厅) and Enter."""
    await pilot.press(*code, "enter", *name, "enter", *(["down"] * kind_downs), "enter")
    await pilot.pause()


def stored(window: Any, login: str) -> Any:
    user = window.store.user(login)
    assert user is not None
    return user


def point_message(app: Any) -> str:
    return str(app.screen.query_one("#point-message", Static).content)


# ---------------------------------------------------------------------- first run


async def test_f6_on_the_setup_screen_opens_the_point_form_under_the_highlighted_office(
    tmp_path: Path,
) -> None:
    app = app_for(make_window(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "down", "f6")  # YZ05 东安县
        await pilot.pause()
        assert isinstance(app.screen, PointFormScreen)
        assert app.screen.query_one("#point-office", Select).value == "YZ05"


async def test_a_point_declared_at_first_run_is_stored(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "down", "f6")
        await pilot.pause()
        await declare(pilot, "da01", kind_downs=1)
        assert isinstance(app.screen, SetupScreen)
    assert window.store.points() == [PointRecord("DA01", TOWNSHIP, "village_centre", "YZ05")]


async def test_the_declared_point_is_listed_and_chosen(tmp_path: Path) -> None:
    app = app_for(make_window(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "down", "f6")
        await pilot.pause()
        await declare(pilot)
        points = app.screen.query_one("#setup-points", OptionList)
        assert points.highlighted is not None
        chosen = points.get_option_at_index(points.highlighted)
        assert chosen.id == "DA01"
        assert str(chosen.prompt) == f"DA01　{TOWNSHIP}（乡镇（街道）政务服务大厅，属 YZ05）"


async def test_setup_then_finishes_at_the_declared_point(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "down", "f6")
        await pilot.pause()
        await declare(pilot)
        await pilot.press(
            *"admin", "enter", *"王管理", "enter", *PASSWORD, "enter", *PASSWORD, "enter"
        )
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert window.point().code == "DA01"
    assert window.point().kind == "township_hall"
    assert stored(window, "admin").point_code == "DA01"


async def test_a_code_already_used_by_an_office_is_refused(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await declare(pilot, "YZ02")
        assert isinstance(app.screen, PointFormScreen)
        assert point_message(app) == "编码 YZ02 已被“零陵区政务服务中心”使用，请换一个编码。"
    assert window.store.points() == []


async def test_a_malformed_code_gets_the_offices_file_rule(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await declare(pilot, "d-1")
        assert point_message(app) == "编码 “D-1” 应为 2–10 位大写字母或数字。"
    assert window.store.points() == []


async def test_a_point_needs_a_name(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await declare(pilot, "DA01", "")
        assert point_message(app) == "请填写服务点名称，如“水口山镇政务服务中心”。"
    assert window.store.points() == []


async def test_escape_leaves_the_point_form_without_storing(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press(*"DA01", "escape", "2")  # 2: discard what was typed
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
    assert window.store.points() == []


# ---------------------------------------------------------------------- administrator's list


async def test_ctrl_o_lists_offices_and_declared_points(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.add_point("DA01", TOWNSHIP, "township_hall", "YZ05")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, PointsScreen)
        table = app.screen.query_one("#points-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[4:6] == [
            ["YZ05", "本机", "东安县　东安县政务服务分中心", "县级医保服务大厅", ""],
            ["DA01", "自行登记", f"  {TOWNSHIP}", "乡镇（街道）政务服务大厅", "YZ05"],
        ]
        assert len(rows) == 15


async def test_f6_on_the_points_list_declares_a_point_under_the_selected_office(
    tmp_path: Path,
) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o", "f6")  # the cursor starts on this installation's office, YZ05
        await pilot.pause()
        await declare(pilot, "DA02", "东安职业技术学校", kind_downs=2)
        assert isinstance(app.screen, PointsScreen)
    assert window.store.points() == [PointRecord("DA02", "东安职业技术学校", "college", "YZ05")]


async def test_a_clerk_cannot_open_the_points_list(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    window.store.create_user("li", "李经办", Role.CLERK, PASSWORD, POINT)
    app = app_for(window, window.login("li", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


# ---------------------------------------------------------------------- the empty queue


async def test_an_empty_queue_says_so(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        empty = app.screen.query_one("#queue-empty", Static)
        assert (empty.display, str(empty.content)) == (True, "暂无办件")


async def test_a_queue_with_cases_hides_the_empty_line(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#queue-empty", Static).display is False
        await pilot.press("4")  # 已逾期: none
        await pilot.pause()
        assert app.screen.query_one("#queue-empty", Static).display is True
