"""The dashboard's queues (kept current as cases move) and the search screen."""

from __future__ import annotations

from pathlib import Path

from support.app import SIZE, app_for, open_case, ready
from textual.widgets import Input, OptionList, Static

from clerk.screens.case_detail import CaseDetailScreen
from clerk.screens.dashboard import DashboardScreen
from clerk.screens.search import SearchScreen
from clerk.screens.widgets.case_table import CaseTable


def queue_labels(app) -> list[str]:  # type: ignore[no-untyped-def]
    options = app.screen.query_one("#queue-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_dashboard_counts_todays_cases(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    open_case(window, admin)
    open_case(window, admin, 17)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, DashboardScreen)
        assert queue_labels(app)[0] == "1 今日收件　2"
        assert app.screen.query_one(CaseTable).row_count == 2


async def test_digit_switches_queue(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    window.issue_notice(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        assert app.screen.current == "awaiting_supplement"
        assert str(app.screen.query_one("#queue-title", Static).content).startswith("待补正（1件）")


async def test_enter_opens_the_case(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.view.uuid == view.uuid


async def test_dashboard_is_current_after_a_case_moves(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        assert queue_labels(app)[4] == "5 待补正　0"
        await pilot.press("enter")
        await pilot.pause()
        window.issue_notice(admin, view.uuid)
        await pilot.press("escape")
        await pilot.pause()
        assert queue_labels(app)[4] == "5 待补正　1"


async def searched(app, pilot) -> None:
    """The search runs in a worker thread: wait for it, then for the screen to show its answer."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_search_by_case_number_and_open(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        app.screen.query_one(Input).value = view.case_no
        await pilot.press("enter")
        await searched(app, pilot)
        assert app.screen.query_one(CaseTable).row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)


async def test_search_runs_off_the_ui_thread(tmp_path: Path) -> None:
    import threading

    window, admin = ready(tmp_path)
    threads: list[str] = []
    real_search = window.search

    def search(text: str):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real_search(text)

    window.search = search  # type: ignore[method-assign]
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"nobody", "enter")
        await searched(app, pilot)
        assert len(threads) == 1
        assert threads[0] != threading.main_thread().name


async def test_search_without_results_says_what_to_try(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"nobody", "enter")
        await searched(app, pilot)
        assert str(app.screen.query_one("#search-summary", Static).content) == (
            "没有找到。可输入办件号末几位、证件号码末6位、姓名开头的字，或事项名称/拼音首字母（如 zybx）。"
        )


async def test_footer_says_enter_opens_a_case_only_when_there_is_one(tmp_path: Path) -> None:
    from support.app import footer_ids

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "cases.open" not in footer_ids(app)
        assert app.screen.query_one("#queue-empty", Static).display is True
    open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "cases.open" in footer_ids(app)
        assert app.screen.query_one("#queue-empty", Static).display is False
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)


async def test_the_case_table_is_drawn_focused_from_the_first_frame(
    tmp_path: Path, monkeypatch
) -> None:
    # Focused from on_mount (a deferred call), the table was drawn once without the focus and
    # then again with it: every row twice at each start of the dashboard.
    window, admin = ready(tmp_path)
    for _ in range(3):
        open_case(window, admin)
    drawn: list[bool] = []
    real = CaseTable._render_line_in_row

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append(self.has_focus)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(CaseTable, "_render_line_in_row", counting)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.focused is app.screen.query_one(CaseTable)
    assert drawn and all(drawn)
