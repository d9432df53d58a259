"""监督统计 in the TUI: read-only, walked by keys alone at 120×36 and 80×24 (dashboard key 9 for
a supervisor; a city installation starts straight into it, with no decision key)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from support.app import app_for, footer_ids, open_case, ready
from textual.widgets import DataTable, Sparkline, Static

from clerk.domain.model import Role
from clerk.screens.dashboard import DashboardScreen
from clerk.screens.supervised_case import SupervisedCaseScreen
from clerk.screens.supervision import SupervisionScreen
from clerk.screens.widgets.case_table import CaseTable

WIDE = (120, 36)
NARROW = (80, 24)


def a_month_of_work(tmp_path: Any) -> tuple[Any, Any]:
    """March 2025 at YZ05: an accepted case of item 31, a refused one, a one-time notice."""
    window, admin = ready(tmp_path)
    accepted = open_case(window, admin, 31, complete=True)
    window.accept(admin, accepted.uuid)
    refused = open_case(window, admin, 31)
    window.refuse(admin, refused.uuid, "材料不实")
    noticed = open_case(window, admin, 22)
    window.issue_notice(admin, noticed.uuid)
    return window, admin


def table_rows(app: Any) -> list[list[str]]:
    table = app.screen.query_one("#supervision-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def table_header(app: Any) -> list[str]:
    table = app.screen.query_one("#supervision-table", DataTable)
    return [str(c.label) for c in table.columns.values()]


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_a_supervisor_walks_from_the_dashboard_to_a_case_and_back(tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    window, admin = a_month_of_work(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.screen.check_action("supervision", ()) is True
        await pilot.press("9")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SupervisionScreen)
        assert screen.sub_title == "监督统计　2025-03"
        # a county sees its own points first
        rows = table_rows(app)
        assert len(rows) == 1
        wide = size == WIDE
        assert ("代码" in table_header(app)) is wide
        assert table_header(app)[-9:] == (
            ["受理量", "办结率", "按时办结率", "超期率", "一次性告知率", "不予受理率"]
            + ["好评率", "差评数", "回访率"]
            if wide
            else [
                "受理",
                "办结率",
                "按时率",
                "超期率",
                "告知率",
                "不受理",
                "好评率",
                "差评",
                "回访率",
            ]
        )
        assert rows[0][-9:] == ["1", "0.0%", "—", "—", "100.0%", "33.3%", "—", "0", "—"]
        sparkline = screen.query_one("#trend-accepted", Sparkline)
        assert list(sparkline.data or []) == [0.0] * 11 + [1.0]

        await pilot.press("enter")  # the point's items
        await pilot.pause()
        assert screen.place.level == "items"
        assert [r[-9] for r in table_rows(app)] == ["0", "1"]  # items 22 and 31: 受理量
        names = [r[0] for r in table_rows(app)]
        assert names == (["22", "31"] if wide else ["22 异地长…", "31 住院费…"])

        await pilot.press("down", "enter")  # item 31's cases
        await pilot.pause()
        assert screen.place.level == "cases"
        cases = screen.query_one("#supervision-cases", CaseTable)
        assert cases.row_count == 2
        assert "张*丰" in str(cases.get_row_at(0)) or "张**" in str(cases.get_row_at(0))

        await pilot.press("enter")  # the case, read-only
        await pilot.pause()
        assert isinstance(app.screen, SupervisedCaseScreen)
        assert not {i for i in footer_ids(app) if i.startswith("case.")} - {"case.close"}
        summary = str(app.screen.query_one("#detail-summary").render())
        assert "监督查看为只读" in summary and "按 v" not in summary
        await pilot.press("f9", "f7", "f8", "v")
        await pilot.pause()
        assert isinstance(app.screen, SupervisedCaseScreen)

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.place.level == "cases"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert screen.place.level == "points"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_the_months_change_with_f6_and_f7(tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, admin = a_month_of_work(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("9", "f6")
        await pilot.pause()
        screen = app.screen
        assert screen.sub_title == "监督统计　2025-02"
        assert table_rows(app) == []  # nothing was received in February
        where = screen.query_one("#supervision-where").render().plain
        assert where == "2025 年 2 月 › 东安县政务服务分中心 › 服务点　（本月尚无办件）"
        await pilot.press("f7", "f7")
        await pilot.pause()
        assert screen.sub_title == "监督统计　2025-04"
        trend = screen.query_one("#trend-accepted", Sparkline)
        assert list(trend.data or []) == [0.0] * 10 + [1.0, 0.0]


async def test_a_window_clerk_has_no_supervision_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, _admin = a_month_of_work(tmp_path)
    window.store.create_user("li", "李经办", Role.CLERK, "counterpass1", "YZ05")
    clerk = window.login("li", "counterpass1")
    app = app_for(window, clerk)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.screen.check_action("supervision", ()) is False
        await pilot.press("9")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_a_city_starts_into_supervision_with_no_decision_key(
    tmp_path, monkeypatch, size
) -> None:  # type: ignore[no-untyped-def]
    window, admin = a_month_of_work(tmp_path)
    city = SimpleNamespace(code="YZ", name="永州市", kind="city", kind_label="市级监督")
    monkeypatch.setattr(window, "point", lambda: city)
    app = app_for(window, admin)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SupervisionScreen)
        assert screen.place.level == "offices"  # the counties side by side
        assert [r[0] for r in table_rows(app)] == (["YZ05"] if size == WIDE else ["东安县政…"])
        shown = footer_ids(app)
        assert not {"app.new_case", "app.search", "app.dashboard", "app.ledger"} & shown
        await pilot.press("f2", "f3", "f5", "ctrl+r", "escape")
        await pilot.pause()
        assert app.screen is screen  # no other screen, and Esc at the top stays
        await pilot.press("enter", "enter")  # the county → its points → its items
        await pilot.pause()
        assert screen.place.level == "items"


async def test_the_command_palette_offers_supervision_to_a_supervisor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, admin = a_month_of_work(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "监督统计" in titles
        await pilot.press("9")
        await pilot.pause()
        assert "监督统计" not in [c.title for c in app.get_system_commands(app.screen)]


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_a_real_city_sees_its_counties_and_walks_to_a_case(tmp_path, clock, size) -> None:  # type: ignore[no-untyped-def]
    from support.city import POINT_OF, city_world, flow_up, work_a_day
    from support.sync import PASSWORD

    world = city_world(tmp_path, clock)
    try:
        for i, (code, county) in enumerate(world.counties.items()):
            work_a_day(county, world.points[POINT_OF[code]], 2 * i)
        for path in flow_up(world, tmp_path).values():
            assert world.city.import_bundle(path).status == "imported"
        city = world.city
        app = app_for(city, city.login("admin", PASSWORD))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SupervisionScreen) and screen.home
            rows = table_rows(app)
            assert len(rows) == 2  # the two counties side by side
            if size == WIDE:
                assert [r[0] for r in rows] == ["YZ03", "YZ05"]
            assert [r[-9] for r in rows] == ["2", "2"]  # 受理量 of each county's day
            await pilot.press("down")
            await pilot.pause()
            assert (
                screen.query_one("#trend-title").render().plain.startswith("近 12 个月趋势：东安县")
            )
            await pilot.press("enter", "enter", "enter")  # 东安县 → DA01 → its first item
            await pilot.pause()
            assert screen.place.level == "cases"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, SupervisedCaseScreen)
            await pilot.press("escape", "escape", "escape", "escape", "escape")
            await pilot.pause()
            assert app.screen is screen and screen.place.level == "offices"
    finally:
        world.close()


async def test_at_the_city_ctrl_s_shows_each_countys_last_bundle(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from support.city import POINT_OF, city_world, flow_up, work_a_day
    from support.sync import PASSWORD

    from clerk.screens.net_status import NetStatusScreen

    world = city_world(tmp_path, clock)
    try:
        for i, (code, county) in enumerate(world.counties.items()):
            work_a_day(county, world.points[POINT_OF[code]], 2 * i)
        for path in flow_up(world, tmp_path).values():
            assert world.city.import_bundle(path).status == "imported"
        city = world.city
        app = app_for(city, city.login("admin", PASSWORD))
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, NetStatusScreen)
            codes = [str(k.value) for k in app.screen.query_one(DataTable).rows]
            assert codes == ["YZ03", "YZ05"]
            assert "各县区上报情况" in str(app.screen.query_one(".dialog-title", Static).content)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, SupervisionScreen)
    finally:
        world.close()
