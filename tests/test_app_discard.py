"""Esc on a form with something typed asks before discarding; on an empty form it just closes."""

from __future__ import annotations

from pathlib import Path

from support.app import PERSON_ID, SIZE, app_for, ready
from test_app_burst_input import burst, pushed
from textual.widgets import Input

from clerk.screens.choice import ChoiceScreen
from clerk.screens.new_case import NewCaseScreen
from clerk.screens.payment import PaymentScreen
from clerk.screens.reason import ReasonScreen


async def test_esc_on_a_filled_new_case_asks_and_enter_keeps_it(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"zyfy", "enter", *"张三丰", "escape")
        assert isinstance(app.screen, ChoiceScreen)
        await burst(pilot, "enter")  # the highlighted answer: keep typing
        assert isinstance(app.screen, NewCaseScreen)
        assert app.screen.query_one("#name", Input).value == "张三丰"


async def test_esc_then_2_discards_the_new_case(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"zyfy", "enter", "tab", *PERSON_ID, "escape", "2")
        assert not isinstance(app.screen, NewCaseScreen | ChoiceScreen)


async def test_esc_on_an_empty_form_closes_at_once(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, PaymentScreen())
        await burst(pilot, "escape")
        assert results == [None]


async def test_esc_twice_on_a_reason_keeps_what_was_typed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, ReasonScreen("不予受理", "理由"))
        await burst(pilot, *"不属于本机构职权范围", "escape", "escape")
        assert results == []
        assert isinstance(app.screen, ReasonScreen)
        assert app.screen.query_one(Input).value == "不属于本机构职权范围"


async def test_a_reason_with_a_phone_is_refused_in_the_dialog_and_kept(tmp_path: Path) -> None:
    from textual.widgets import Static

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, ReasonScreen("不予受理", "理由"))
        await burst(pilot, *"已电话告知 138 0013 8000", "enter")
        assert results == []
        assert app.screen.query_one(Input).value == "已电话告知 138 0013 8000"
        assert "手机号" in str(app.screen.query_one("#reason-message", Static).content)


async def test_an_absurd_amount_is_refused_in_the_payment_dialog(tmp_path: Path) -> None:
    from textual.widgets import Static

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        results = await pushed(pilot, PaymentScreen())
        await burst(pilot, *"99999999999", "enter", *"BK1", "enter")
        assert results == []
        assert "金额不能超过" in str(app.screen.query_one("#payment-message", Static).content)
