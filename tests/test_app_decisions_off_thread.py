"""Decisions run off the UI thread (`clerk.screens.deciding`): the window keeps handling keys while
one is being saved, a second key press does not decide twice, and what the worker raises is
shown as when the call ran on the UI thread.

A slow decision is the real service call behind a `threading.Event` the test sets: no timing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from support.app import SIZE, Held, app_for, open_case, ready, reviewer, wait_until
from support.tamper import limit_connection
from test_app_storage_failures import READ_ONLY
from textual.widgets import DataTable

from clerk.domain.model import Action, CaseState
from clerk.screens.case_detail import CaseDetailScreen
from clerk.screens.deciding import SAVING
from clerk.screens.help import HelpScreen
from clerk.screens.materials import MaterialsScreen
from clerk.service.window import ServiceError


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def accepted_toast(app: Any) -> bool:
    """The acceptance's toast is up (a toast is a message the app handles after the screen that
    raised it may have closed: wait for it, do not assert it at once)."""
    return any(t.startswith("已受理") for t in toasts(app))


def accepts(window: Any, uuid: str) -> int:
    return sum(1 for e in window.case(uuid).events if e.action == Action.ACCEPT)


async def checklist(app: Any, pilot: Any, uuid: str) -> MaterialsScreen:
    app.open_case(uuid, materials=True)
    await pilot.pause()
    assert isinstance(app.screen, MaterialsScreen)
    return app.screen


async def test_f9_twice_quickly_accepts_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    held = Held(monkeypatch, window, "accept")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        await pilot.press("f9", "f9")
        await pilot.pause()
        assert held.entered.is_set()
        assert screen.busy
        assert SAVING in str(screen.sub_title)
        await pilot.press("f9")  # and once more, for good measure
        held.release.set()
        await wait_until(pilot, lambda: app.screen is not screen, "the checklist closes")
        await wait_until(pilot, lambda: accepted_toast(app), "the result is shown")
    assert held.calls == 1
    assert held.threads != [threading.get_ident()]  # not on the UI thread
    assert accepts(window, view.uuid) == 1
    assert window.case(view.uuid).state == CaseState.ACCEPTED


async def test_the_window_takes_keys_while_a_decision_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    held = Held(monkeypatch, window, "accept")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        table = screen.query_one(DataTable)
        table.move_cursor(row=0)
        await pilot.press("f9")
        await pilot.pause()
        assert held.entered.is_set()
        await pilot.press("down")  # the table scrolls under a decision in flight
        await pilot.pause()
        assert table.cursor_row == 1
        await pilot.press("f1")  # help opens, and closes
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert window.case(view.uuid).state == CaseState.DRAFT  # not stored yet
        held.release.set()
        await wait_until(pilot, lambda: app.screen is not screen, "the checklist closes")
        await wait_until(pilot, lambda: accepted_toast(app), "the result is shown")
    assert window.case(view.uuid).state == CaseState.ACCEPTED


async def test_a_result_stored_under_the_help_screen_is_shown_when_help_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    held = Held(monkeypatch, window, "accept")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await pilot.press("f5")  # home would close the checklist under the decision: refused
        await pilot.pause()
        assert app.screen is help_screen
        assert screen in app.screen_stack
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert window.case(view.uuid).state == CaseState.ACCEPTED
        assert app.screen is help_screen  # the result did not close the help in its place
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not screen, "the checklist closes")
        await wait_until(pilot, lambda: accepted_toast(app), "the result is shown")
        assert screen not in app.screen_stack


async def test_a_refusal_raised_in_the_worker_is_a_toast_and_keeps_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ServiceError("测试：不能受理。")

    monkeypatch.setattr(window, "accept", refused)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        await pilot.press("f9")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: bool(toasts(app)), "the refusal is shown")
        assert app.screen is screen
        assert toasts(app)[-1] == "测试：不能受理。"
        assert not screen.busy
        assert SAVING not in str(screen.sub_title)
        assert "materials.accept" in {
            a.binding.id for a in screen.active_bindings.values() if a.enabled
        }  # F9 applies again


async def test_a_read_only_database_under_a_decision_is_a_toast(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        limit_connection(window.store, "query_only = 1")
        await pilot.press("f9")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert READ_ONLY in toasts(app)
        assert not screen.busy
    assert window.case(view.uuid).state == CaseState.DRAFT


async def test_an_approval_is_saved_off_the_ui_thread_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, admin = ready(tmp_path)
    accepted = window.accept(admin, open_case(window, admin, complete=True).uuid)
    shen = reviewer(window)
    held = Held(monkeypatch, window, "approve")
    app = app_for(window, shen)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(accepted.uuid)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CaseDetailScreen)
        await pilot.press("f9", "enter")  # F9 asks to confirm; Enter approves
        await pilot.pause()
        assert held.entered.is_set()
        assert SAVING in str(screen.sub_title)
        await pilot.press("f9", "f7")  # nothing else starts meanwhile
        await pilot.pause()
        assert app.screen is screen
        held.release.set()
        await wait_until(pilot, lambda: not screen.busy, "the approval is saved")
        await wait_until(pilot, lambda: bool(toasts(app)), "the approval is shown")
        assert toasts(app)[-1] == "审核通过。"
        assert screen.view.state == CaseState.AWAITING_PAYMENT
        assert SAVING not in str(screen.sub_title)
    assert held.calls == 1
    events = [e.action for e in window.case(accepted.uuid).events]
    assert events.count(Action.APPROVE) == 1
    assert Action.REJECT not in events


async def test_ctrl_q_during_a_decision_waits_for_its_result_to_be_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clerk.screens.deciding import NOT_YET

    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    held = Held(monkeypatch, window, "accept")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        await pilot.press("f9")
        await pilot.pause()
        assert held.entered.is_set()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert NOT_YET in toasts(app)
        held.release.set()
        await wait_until(pilot, lambda: app.screen is not screen, "the checklist closes")
        await wait_until(pilot, lambda: accepted_toast(app), "the result is shown")
        await pilot.press("ctrl+q")  # the result seen: now it quits
        await pilot.pause()
        assert app.return_code is not None or not app.is_running
    assert window.case(view.uuid).state == CaseState.ACCEPTED


async def test_ctrl_q_under_help_keeps_a_result_that_waits_to_be_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clerk.screens.deciding import NOT_YET

    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    held = Held(monkeypatch, window, "accept")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert NOT_YET in toasts(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not screen, "the checklist closes")
        await wait_until(pilot, lambda: accepted_toast(app), "the result is shown")
