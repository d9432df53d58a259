"""Keys sent in one burst (a scanner, a card reader, a fast typist) land where keys sent slowly do."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from test_app_support import PASSWORD, PERSON_ID, SIZE, app_for, make_window, ready
from textual import events
from textual.app import _character_to_key  # type: ignore[attr-defined]
from textual.keys import _get_unicode_name_from_key
from textual.widgets import Input

from clerk.screens.dashboard import DashboardScreen
from clerk.screens.new_case import NewCaseScreen


def key_event(key: str) -> events.Key:
    """The event the terminal driver posts for one key, as `Pilot.press` builds it."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Post every key before the app has handled the first, then wait until all are handled."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    for _ in range(200):
        await pilot.pause()
        pump = getattr(app, "_key_pump", None)
        if not getattr(app, "_keys", None) and (pump is None or pump.done()):
            break
    await pilot.pause()


async def test_setup_in_one_burst_puts_each_password_in_its_field(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await burst(
            pilot, "down", "down", "down", "down", "enter",
            *"admin", "tab", *"王管理", "tab", *PASSWORD, "tab", *PASSWORD, "enter",
        )
        assert window.needs_setup() is False
        assert window.point().code == "YZ05"
        assert window.login("admin", PASSWORD).name == "王管理"
        assert isinstance(app.screen, DashboardScreen)


async def test_login_in_one_burst_signs_in(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    app = app_for(window)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, *"admin", "enter", *PASSWORD, "enter")
        assert isinstance(app.screen, DashboardScreen)
        assert app.user.login == "admin"


async def test_new_case_in_one_burst_keeps_name_id_and_phone_apart(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"zyfy", "enter", *"张三丰", "tab", "tab", *PERSON_ID, "tab", *"13800138000")
        screen = app.screen
        assert isinstance(screen, NewCaseScreen)
        assert screen.query_one("#name", Input).value == "张三丰"
        assert screen.query_one("#id-number", Input).value == PERSON_ID
        assert screen.query_one("#phone", Input).value == "13800138000"
        assert str(screen.query_one("#id-type").value) == "resident_id"
