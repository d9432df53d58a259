"""需要处理的清单 in the TUI (F9 in 监督统计): each list's count per county and one page of a list,
the next page read when the last row is reached, by keys alone at 120×36 and 80×24."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from support.app import NOW, PASSWORD, app_for, open_case, ready
from textual.widgets import DataTable, Static

from clerk.domain.catalog import default_catalog
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.offices import default_offices
from clerk.screens.supervision import SupervisionScreen
from clerk.screens.supervision_lists import ActionListsScreen
from clerk.service.window import Window

WIDE = (120, 36)
NARROW = (80, 24)


def three_left_in_intake(tmp_path: Any) -> tuple[Window, Any]:
    """Three cases received Monday 3 March 2025 and left in 收件; today is Wednesday 12 March
    (their 5 working days ended on the 10th)."""
    monday = datetime(2025, 3, 3, 9, 30, tzinfo=TZ)
    window, admin = ready(tmp_path, at=monday)
    for _ in range(3):
        open_case(window, admin, 31)
    later = Window(
        window.store,
        default_catalog(),
        default_offices(),
        clock=fixed_clock(NOW),
        documents_root=tmp_path / "documents",
    )
    return later, later.login("admin", PASSWORD)


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(app: Any, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def where(app: Any) -> str:
    return app.screen.query_one("#lists-where", Static).render().plain


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_f9_shows_the_counts_and_pages_through_a_list(tmp_path, monkeypatch, size) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("clerk.screens.supervision_lists.PAGE", 2)
    window, admin = three_left_in_intake(tmp_path)
    numbers = [c.case_no for c in window.store.received_on(datetime(2025, 3, 3).date())]
    app = app_for(window, admin)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        supervision = app.screen
        assert isinstance(supervision, SupervisionScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ActionListsScreen)
        title = app.screen.query_one("#lists-title", Static).render().plain
        assert title == "需要处理的清单（截至 2025-03-12，差评回访期限 5 个工作日）"
        assert rows(app, "#lists-counts") == [
            ["YZ05", "0", "0", "3", "0", "0", "0", "0"],
            ["合计", "0", "0", "3", "0", "0", "0", "0"],
        ]
        assert where(app) == "超期未办结：共 0 件，已列出 0 件（F8 换清单）"
        await pilot.press("f8", "f8")  # 临期, then 滞留收件
        await settle(pilot)
        assert where(app) == (
            "收件超过 5 个工作日未作受理决定：共 3 件，已列出 2 件，PageDown/End 看更多（F8 换清单）"
        )
        listed = rows(app, "#lists-entries")
        assert [r[2] for r in listed] == sorted(numbers)[:2]
        assert listed[0][:2] == ["YZ05", "YZ05"] and listed[0][4:] == ["收件", "", "2"]
        await pilot.press("end")  # the last row: the next page follows it
        await settle(pilot)
        assert [r[2] for r in rows(app, "#lists-entries")] == sorted(numbers)
        assert where(app) == "收件超过 5 个工作日未作受理决定：共 3 件，已列出 3 件（F8 换清单）"
        await pilot.press("f8")  # round to 差评未回访, then 超期 again
        await settle(pilot)
        assert where(app).startswith("差评逾期未回访：共 0 件")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is supervision
