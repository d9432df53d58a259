"""Leaving typed input asks, whichever key leaves: Ctrl+Q, Ctrl+L and the keys that go back to the
dashboard first (F2, F3, F5, ...), as Esc on the form does; with nothing typed they act at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import SIZE, app_for, ready
from test_app_burst_input import burst
from textual.widgets import Input

from clerk.screens.discard import LeaveChoice
from clerk.screens.login import LoginScreen
from clerk.screens.new_case import NewCaseScreen
from clerk.screens.search import SearchScreen


async def test_ctrl_q_on_a_half_filled_form_asks_and_keeps_it(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"35", "enter", *"张三丰", "ctrl+q")
        assert isinstance(app.screen, LeaveChoice)
        await burst(pilot, "ctrl+q")  # a second Ctrl+Q does not stack another question
        assert len([s for s in app.screen_stack if isinstance(s, LeaveChoice)]) == 1
        await burst(pilot, "enter")
        assert isinstance(app.screen, NewCaseScreen)
        assert app.screen.query_one("#name", Input).value == "张三丰"
        assert app.return_code is None
        await burst(pilot, "ctrl+q", "2")
        await pilot.pause()
        assert app.return_code == 0


async def test_ctrl_q_with_nothing_typed_quits_at_once(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"35", "enter", "ctrl+q")
        await pilot.pause()
        assert app.return_code == 0


@pytest.mark.parametrize("key", ["f3", "f5", "f2"])
async def test_a_key_that_goes_home_asks_before_dropping_the_form(tmp_path: Path, key: str) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"35", "enter", *"张三丰", key)
        assert isinstance(app.screen, LeaveChoice)
        await burst(pilot, "escape")
        assert isinstance(app.screen, NewCaseScreen)
        await burst(pilot, key, "2")
        await pilot.pause()
        forms = [s for s in app.screen_stack if isinstance(s, NewCaseScreen)]
        assert all(f.query_one("#name", Input).value == "" for f in forms)
        if key == "f3":
            assert isinstance(app.screen, SearchScreen)


async def test_ctrl_l_asks_then_logs_out(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"35", "enter", *"张三丰", "ctrl+l")
        assert isinstance(app.screen, LeaveChoice)
        await burst(pilot, "2")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)


async def test_supplement_marks_not_yet_stored_ask_before_f5(tmp_path: Path) -> None:
    from support.app import open_case

    window, admin = ready(tmp_path)
    view = open_case(window, admin, 31)
    window.issue_notice(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid, materials=True)
        await pilot.pause()
        await burst(pilot, "space", "f5")
        assert isinstance(app.screen, LeaveChoice)
