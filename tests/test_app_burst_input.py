"""Keys sent in one burst (a scanner, a card reader, a fast typist) land where keys sent slowly do."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from support.app import PASSWORD, PERSON_ID, SIZE, app_for, make_window, ready
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.widgets import Input

from clerk.screens.dashboard import DashboardScreen
from clerk.screens.new_case import NewCaseScreen


def key_event(key: str) -> events.Key:
    """The event the terminal driver posts for one key, as `Pilot.press` builds it."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
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
            pilot,
            "down",
            "down",
            "down",
            "down",
            "enter",
            *"admin",
            "tab",
            *"王管理",
            "tab",
            *PASSWORD,
            "tab",
            *PASSWORD,
            "enter",
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
        await burst(pilot, "f2", *"zyfy", "enter", *"张三丰", "tab", *PERSON_ID, *"13800138000")
        screen = app.screen
        assert isinstance(screen, NewCaseScreen)
        assert screen.query_one("#name", Input).value == "张三丰"
        assert screen.query_one("#id-number", Input).value == PERSON_ID
        assert screen.query_one("#phone", Input).value == "13800138000"
        assert str(screen.query_one("#id-type").value) == "resident_id"


async def pushed(pilot, screen) -> list:  # type: ignore[no-untyped-def]
    """Push a dialog and collect what it returns."""
    results: list = []
    pilot.app.push_screen(screen, results.append)
    await pilot.pause()
    return results


async def test_user_form_in_one_burst_stores_the_account(tmp_path: Path) -> None:
    from clerk.screens.user_form import UserFormScreen

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, UserFormScreen(window, admin))
        await burst(
            pilot,
            *"li4",
            "tab",
            *"李四",
            "tab",
            "enter",
            *"newpass123",
            "tab",
            *"newpass123",
            "enter",
        )
        assert [u.login for u in results] == ["li4"]
        assert window.login("li4", "newpass123").name == "李四"


async def test_payment_in_one_burst_keeps_amount_and_reference_apart(tmp_path: Path) -> None:
    from clerk.screens.payment import PaymentScreen

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, PaymentScreen())
        await burst(pilot, *"1234.50", "enter", *"BK20250312", "enter")
        assert results == [(123450, "BK20250312")]


async def test_password_reset_in_one_burst_puts_each_password_in_its_field(tmp_path: Path) -> None:
    from clerk.domain.model import Role
    from clerk.screens.password_reset import PasswordResetScreen

    window, admin = ready(tmp_path)
    clerk_user = window.store.create_user("li4", "李四", Role.CLERK, PASSWORD, "YZ05")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, PasswordResetScreen(window, clerk_user, actor=admin))
        await burst(pilot, *"resetpass9", "enter", *"resetpass9", "enter")
        assert results == [True]
        assert window.login("li4", "resetpass9").login == "li4"


async def test_point_form_in_one_burst_keeps_code_and_name_apart(tmp_path: Path) -> None:
    from clerk.screens.point_form import PointFormScreen

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, PointFormScreen(window, office="YZ05", actor=admin))
        await burst(pilot, *"DA01", "enter", *"白牙镇服务站", "enter", "enter")
        assert [(p.code, p.name) for p in results] == [("DA01", "白牙镇服务站")]


async def test_reason_in_one_burst_is_returned_whole(tmp_path: Path) -> None:
    from clerk.screens.reason import ReasonScreen

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, ReasonScreen("不予受理", "理由"))
        await burst(pilot, *"not in scope", "enter")
        assert results == ["not in scope"]
